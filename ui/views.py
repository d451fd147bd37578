"""View models: the service's data shaped for a candidate's eyes. Pure functions of the session's data, so
tests and notebooks can use them; no business logic (scores, decisions) is computed here.

Candidate wording: practice bands instead of hire verdicts, plain stage names, no engine, library or
stage identifiers (those stay in `about_markdown`, the "About this interview" panel).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from typing import Any, Dict, List, Optional

from interview_engine import coaching

# The API keeps hire / maybe / no_hire; a practice tool speaks of where the candidate stands.
BANDS = {"hire": "Strong", "maybe": "Promising", "no_hire": "Needs practice"}
BAND_CSS = {"hire": "strong", "maybe": "promising", "no_hire": "practice"}
STAGES = {"intro": "Introduction", "technical": "Your experience", "behavioral": "Working with others",
          "closing": "Wrapping up"}
LONG_PAUSE_SECONDS = 1.0  # a gap between two words this long is marked in the transcript
DIMENSION_HELP = ("Scores run from 1 to 10: clarity is how easy the answer was to follow, relevance how "
                  "directly it answered the question, depth how concrete it was (an example, your own actions, "
                  "a result).")


# Asked with the camera, before a filmed answer's picture is analysed (README: "Filmed answers: what the
# video shows, honestly" lists these signals).
PICTURE_CONSENT_LABEL = "Analyse my picture for delivery signals"


def picture_consent_info(emotion: bool = False, in_recommendation: bool = False) -> str:
    """What the picture analysis measures, said before the candidate agrees to it (the server's settings
    decide the two honest variations)."""
    measured = ("Measured from the picture of your filmed answers: whether your face is in frame, whether a "
                "second person appears, whether your head faces the camera (against your own usual pose), an "
                "approximate gaze hint, head movement, how often you smile (against your own usual mouth "
                "width), and the lighting, size and sharpness of your face.")
    not_measured = (" This server also tries experimental facial-expression labels; they are never shown in "
                    "your scores or report. No identity: your face is not recognised."
                    if emotion else " No emotion, no identity: your face is not recognised.")
    use = (" On this server these signals are part of the overall result." if in_recommendation else
           " Not part of your scores or the overall result.")
    return (measured + not_measured + use + " Unticked, only the sound of your answer is transcribed and scored."
            " Your choice applies to every filmed answer in this interview.")


def esc(text: Any) -> str:
    return html.escape(str(text if text is not None else ""), quote=True)


def band(recommendation: Optional[str]) -> str:
    return BANDS.get(recommendation or "", "")


def candidate_turns(state: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The answers with the question each one answered."""
    turns, question = [], None
    for m in state.get("messages", []):
        if m["role"] == "interviewer":
            question = m
        elif question is not None:
            turns.append({"question": question, "answer": m})
    return turns


def awaiting(state: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The question waiting for an answer, if any."""
    messages = state.get("messages", [])
    if state.get("completed") or not messages or messages[-1]["role"] != "interviewer":
        return None
    return messages[-1]


def question_number(message: Dict[str, Any], default: int = 0) -> int:
    return int((message.get("metadata") or {}).get("question_number") or default)


def retryable_number(state: Dict[str, Any], report: Optional[dict] = None) -> Optional[int]:
    """The question the candidate may try again: the last answered one, until the next is answered or the
    report is made (the service enforces the same rule)."""
    turns = candidate_turns(state)
    if not turns or report:
        return None
    return question_number(turns[-1]["question"], len(turns))


def progress_text(state: Dict[str, Any]) -> str:
    if state.get("completed"):
        return f"Interview complete · {state['question_count']} questions"
    waiting = awaiting(state)
    number = state["question_count"] if waiting else state["question_count"] + 1  # the next one is on its way
    stage = STAGES.get(state.get("stage", ""), "")
    return f"Question {number} of {state['max_questions']}" + (f" · {stage}" if stage else "")


def analysis_markdown(state: Dict[str, Any]) -> str:
    """Matched skills and gaps, as chips."""
    a = state.get("analysis") or {}
    if not a:
        return ""

    def chips(items, css):
        return " ".join(f"<span class='chip {css}'>{esc(i)}</span>" for i in items) or "<em>none</em>"

    years = a.get("cv_years_experience")
    needed = a.get("jd_years_required")
    return "\n\n".join([
        f"**Skills you share with the job** ({len(a.get('matched', []))}): {chips(a.get('matched', [])[:15], 'ok')}",
        f"**Likely to be asked about** (in the job, not in your CV): {chips(a.get('gaps', [])[:10], 'gap')}",
        f"**Overlap with the job description**: {round(100 * (a.get('overlap_ratio') or 0))}%"
        + (f" · your experience: {years:g} years" if years else "")
        + (f" (the job asks for {needed:g})" if needed else "")])


# The current question --------------------------------------------------------------------------
def question_html(state: Dict[str, Any], text: str, number: int, complete: bool, retry_of: Optional[int] = None,
                  attempt_key: str = "") -> str:
    """The question awaiting an answer, with the data the page's script needs: a key that changes with each
    new question (timer, read-aloud), whether it has fully arrived, and the suggested answer length."""
    if not text:
        return ""
    stage = None
    for m in state.get("messages", []):
        if m["role"] == "interviewer" and question_number(m) == number:
            stage = m["metadata"].get("stage")
    lo, hi = coaching.suggested_length(stage or state.get("stage"))
    heading = (f"Question {number} of {state['max_questions']}" + (" · trying again" if retry_of else "")
               + (f" · {STAGES[stage]}" if stage in STAGES else ""))
    # A new key for every new question text (a retry asks the next question afresh): timer and read-aloud restart.
    key = f"{state['session_id']}:{number}:{attempt_key}:{hashlib.sha1(text.encode()).hexdigest()[:8]}"
    return (f"<section id='current-q' aria-labelledby='current-q-h' data-qkey='{esc(key)}' "
            f"data-complete='{1 if complete else 0}' data-min='{lo}' data-max='{hi}'>"
            f"<h2 id='current-q-h' class='q-heading'>{esc(heading)}</h2>"
            f"<p class='q-text'>{esc(text)}</p>"
            f"<p class='timer' id='answer-timer' aria-live='off'>Suggested answer: {_minutes(lo)}–{_minutes(hi)}</p>"
            "</section>")


def final_html(state: Dict[str, Any], report: Optional[dict]) -> str:
    ev = (report or {}).get("evaluation") or {}
    score = f" Overall {ev['overall_score']} / 10 · {band(ev.get('recommendation'))}." if ev else ""
    return ("<section id='current-q' data-complete='0' aria-labelledby='done-h'>"
            "<h2 id='done-h' class='q-heading'>Interview complete</h2>"
            f"<p class='q-text'>You answered {len(candidate_turns(state))} questions.{esc(score)} Your report is on the "
            "Report tab; start a new practice from Setup whenever you like.</p></section>")


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d} min" if seconds % 60 else f"{seconds // 60} min"


# The conversation timeline ---------------------------------------------------------------------
def transcript_html(answer: Dict[str, Any]) -> str:
    """The transcript with fillers and long pauses marked, from the word timings of a spoken answer;
    typed answers are shown as typed."""
    meta = answer.get("metadata") or {}
    words = (meta.get("transcription") or {}).get("words") or []
    if not words:
        return f"<p class='transcript'>{esc(answer['content'])}</p>"
    voice = meta.get("voice_metrics") or {}
    filler_starts = {round(float(f["at"]), 3) for f in (voice.get("measures") or {}).get("fillers", [])}
    fillers_by_word = {"um", "uh", "er", "erm", "hmm", "mm"}
    out, prev_end = [], None
    for text, start, end, _prob in words:
        if prev_end is not None and start - prev_end >= LONG_PAUSE_SECONDS:
            out.append(f"<span class='pause' title='a pause of {start - prev_end:.1f} seconds'>"
                       f"⏸ {start - prev_end:.1f} s</span>")
        token = re.sub(r"[^\w']", "", text.lower())
        if round(float(start), 3) in filler_starts or token in fillers_by_word:
            out.append(f"<mark class='filler' title='filler word'>{esc(text)}</mark>")
        else:
            out.append(esc(text))
        prev_end = end
    return f"<p class='transcript'>{' '.join(out)}</p>"


def _scores(ev: Dict[str, Any]) -> str:
    return "".join(f"<span class='score'><span class='dim'>{name}</span> <b>{ev.get(key)}</b>/10</span>"
                   for name, key in (("Clarity", "clarity"), ("Relevance", "relevance"), ("Depth", "depth")))


def _delivery(meta: Dict[str, Any]) -> str:
    parts = []
    voice = meta.get("voice_metrics")
    if voice:
        m = voice.get("measures", {})
        pauses, fillers = int(m.get("pause_count", 0)), int(m.get("filler_count", 0))
        parts.append(f"<li>Voice: {voice['rate_wpm']} words a minute (120-170 is comfortable) · fluency "
                     f"{voice['fluency_score']}/10 · {pauses} pause{'' if pauses == 1 else 's'} · "
                     f"{fillers} filler word{'' if fillers == 1 else 's'}</li>")
    video = meta.get("video_analysis")
    if video:
        if video.get("available"):
            facing = video.get("facing_camera_ratio")
            parts.append(f"<li>Camera: your face was in frame {round(100 * video['face_present_ratio'])}% of the time"
                         + (f", facing the camera {round(100 * facing)}%" if facing is not None else "")
                         + ("; someone else was seen" if video["multiple_people"]["detected"] else "")
                         + "".join(f"; {esc(n)}" for n in video["framing"]["notes"]) + "</li>")
        else:
            parts.append("<li>Camera: the picture could not be analysed, only the sound was used</li>")
    elif meta.get("picture_analysed") is False:
        parts.append("<li>Camera: your picture was not analysed (you did not agree to it), only the sound was "
                     "used</li>")
    if not parts:
        return ""
    return ("<p class='delivery-h'>How it came across <span class='note'>(delivery only: not part of the "
            "scores)</span></p><ul class='delivery'>" + "".join(parts) + "</ul>")


def _evidence(meta: Dict[str, Any]) -> str:
    ev = meta.get("evidence") or {}
    rows = []
    covered, missed = ev.get("terms_covered") or [], ev.get("terms_missed") or []
    if covered or missed:
        rows.append(f"<li>Covered: {esc(', '.join(covered) or '—')} · not covered: {esc(', '.join(missed) or '—')}</li>")
    if ev.get("terms_unclear"):
        rows.append(f"<li>Not counted, heard unclearly: {esc(', '.join(ev['terms_unclear']))}</li>")
    star = ev.get("star") or {}
    if star:
        rows.append("<li>Example structure: " + ", ".join(
            f"{name} {'✓' if star.get(key) else '✗'}" for name, key in
            (("situation", "situation"), ("your actions", "action"), ("result", "result"))) + "</li>")
    if ev.get("numbers"):
        rows.append(f"<li>Figures: {esc(', '.join(ev['numbers'][:6]))}</li>")
    fillers = ev.get("fillers") or {}
    if fillers:
        rows.append("<li>Filler words: " + esc(", ".join(f"{k} ×{v}" for k, v in fillers.items())) + "</li>")
    for dim, notes in (ev.get("notes") or {}).items():
        if notes and dim in ("clarity", "relevance", "depth"):
            rows.append(f"<li>{esc(dim.capitalize())}: {esc('; '.join(notes[:3]))}</li>")
    return ("<details class='evidence'><summary>Why these scores</summary><ul>" + "".join(rows) + "</ul></details>"
            if rows else "")


def live_html(snapshot: Optional[Dict[str, Any]], state: str = "recording") -> str:
    """The running transcript of a live answer, with its pace and fillers so far."""
    if not snapshot:
        return ("<div class='live' id='live-view' data-state='idle'><p class='note'>Press record and answer: your words "
                "appear here as you speak, and your answer is scored the moment you stop.</p></div>")
    rate = snapshot.get("rate_wpm")
    pace = f"{rate} words a minute" if rate else "pace appears after a few seconds"
    fillers = snapshot.get("fillers") or []
    filler_text = f"{len(fillers)} filler word{'s' if len(fillers) != 1 else ''}" + \
        (f" ({esc(', '.join(dict.fromkeys(fillers)))})" if fillers else "")
    seconds = int(snapshot.get("seconds") or 0)
    text = snapshot.get("text") or ""
    return (f"<div class='live' id='live-view' data-state='{esc(state)}' data-words='{int(snapshot.get('words') or 0)}'>"
            f"<p class='live-meta' aria-live='off'>{seconds // 60}:{seconds % 60:02d} · {esc(pace)} · {filler_text}</p>"
            f"<p class='live-text' aria-live='polite'>{esc(text) or '<span class=note>Listening…</span>'}</p></div>")


# Said on every answer card the offline engine scored (issue: no credit for correctness it cannot check).
NOT_CHECKED_CARD = ("Not checked: whether what you said is correct and safe. These scores read how the answer is "
                    "built; an LLM engine can check the facts.")


def turn_html(turn: Dict[str, Any], recording: Optional[Dict[str, str]] = None) -> str:
    q, a = turn["question"], turn["answer"]
    meta = a.get("metadata") or {}
    number = question_number(q)
    ev = meta.get("evaluation") or {}
    media = ""
    if recording and recording.get("url"):
        tag = "video" if recording.get("kind") == "video" else "audio"
        media = (f"<{tag} controls preload='metadata' src='{esc(recording['url'])}' class='playback' "
                 f"aria-label='Your recorded answer to question {number}'></{tag}>")
    elif meta.get("source") in ("audio", "video"):
        media = "<p class='note'>The recording is not kept after the session; its transcript is below.</p>"
    label = "Transcript" if meta.get("source") in ("audio", "video") else "Your answer"
    attempts = int(meta.get("attempts", 1))
    previous = meta.get("previous_attempts") or []
    attempt_line = ""
    if attempts > 1 and previous:
        first = previous[0]
        attempt_line = (f"<p class='attempts'>Attempt {attempts} · first try: clarity {first.get('clarity')}, "
                        f"relevance {first.get('relevance')}, depth {first.get('depth')}</p>")
    tips = coaching.tips(meta)
    return (f"<article class='turn' id='turn-{number}' aria-labelledby='turn-{number}-q'>"
            f"<h3 class='turn-q' id='turn-{number}-q'><span class='qnum'>Question {number}</span> {esc(q['content'])}</h3>"
            f"<div class='answer'><p class='answer-label'>{label}</p>{media}{transcript_html(a)}</div>"
            f"<div class='scores' aria-label='Scores for question {number}'>{_scores(ev)}</div>{attempt_line}"
            f"<p class='feedback'>{esc(ev.get('feedback', ''))}</p>"
            + ("" if (meta.get("evidence") or {}).get("facts_checked") or not ev else
               f"<p class='note not-checked'>{esc(NOT_CHECKED_CARD)}</p>")
            + "<p class='tips-h'>Try next time</p><ul class='tips'>" + "".join(f"<li>{esc(t)}</li>" for t in tips) + "</ul>"
            + _delivery(meta) + _evidence(meta) + "</article>")


def timeline_html(state: Dict[str, Any], recordings: Optional[Dict[Any, Dict[str, str]]] = None) -> str:
    """Every answered question with its answer, scores, tips and evidence, oldest first."""
    recordings = recordings or {}
    turns = candidate_turns(state)
    if not turns:
        return ""
    cards = [turn_html(t, recordings.get(str(question_number(t["question"])))) for t in turns]
    return f"<div class='timeline' aria-label='Your answers so far'>{''.join(cards)}</div>"


# About this interview (the technical details a candidate does not need) ------------------------
def about_markdown(state: Dict[str, Any], performance: Dict[str, Any]) -> str:
    engines = sorted({(m.get("metadata") or {}).get("engine") for m in state.get("messages", [])} - {None})
    models = sorted({((m.get("metadata") or {}).get("transcription") or {}).get("model")
                     for m in state.get("messages", [])} - {None})
    backends = sorted({((m.get("metadata") or {}).get("video_analysis") or {}).get("backend")
                       for m in state.get("messages", [])} - {None})
    times = performance.get("response_times", {}).get("all", [])
    stages = [f"{question_number(m)}: {m['metadata'].get('stage')}" for m in state.get("messages", [])
              if m["role"] == "interviewer"]
    lines = [f"- Session `{state['session_id']}` · [reopen it later](?session={state['session_id']})",
             f"- Questions written and answers scored by: {', '.join(engines) or '—'}",
             f"- Speech transcribed by: {', '.join(models) or '—'}",
             f"- Video analysed by: {', '.join(backends) or '—'}",
             f"- Stages: {', '.join(stages) or '—'}",
             "- Question generation time inside the engine: "
             + (", ".join(f"{t * 1000:.1f} ms" for t in times) or "—"),
             "- Voice and camera signals describe delivery; they are not part of the scores or the overall "
             "result unless the server sets DELIVERY_IN_RECOMMENDATION."]
    return "\n".join(lines)


# Report -------------------------------------------------------------------------------------------
def report_markdown(report: Dict[str, Any], state: Optional[Dict[str, Any]] = None) -> str:
    ev = report["evaluation"]
    lines = [f"# Practice report: {state['role']} at {state['company']}" if state else "# Practice report",
             f"**Overall {ev['overall_score']} / 10 · {band(ev['recommendation'])}**",
             f"Clarity {ev['clarity']} · Relevance {ev['relevance']} · Depth {ev['depth']} · "
             f"{ev.get('answered', len(report['conversation']))} answers"
             + (" · ended early" if report.get("ended_early") else ""),
             DIMENSION_HELP + " Strong is 8 or more, Promising 6 or more, below that Needs practice."]
    delivery = ev.get("delivery") or {}
    if delivery.get("voice_total") is not None or delivery.get("video_delivery") is not None:
        parts = [f"voice {delivery['voice_total']} / 10" if delivery.get("voice_total") is not None else "",
                 f"camera {delivery['video_delivery']} / 10" if delivery.get("video_delivery") is not None else ""]
        lines.append(f"Delivery ({'part of' if delivery.get('in_recommendation') else 'not part of'} the overall "
                     f"result): " + " · ".join(p for p in parts if p))
    if ev.get("not_checked"):
        lines.append(f"*{ev['not_checked']}*")
    lines.append("## Strengths\n" + ("\n".join(f"- {s}" for s in report.get("strengths", [])) or "- —"))
    lines.append("## Areas to improve\n" + ("\n".join(f"- {s}" for s in report.get("areas_to_improve", [])) or "- —"))
    lines.append("## Your answers")
    for i, c in enumerate(report["conversation"], 1):
        e = c["evaluation"]
        attempts = int(c.get("attempts", 1))
        tips = "".join(f"\n- {t}" for t in c.get("tips", []))
        lines.append(f"**Q{i} ({STAGES.get(c.get('stage'), c.get('stage'))}).** {c['question']}\n\n> {c['answer']}\n\n"
                     f"Clarity {e['clarity']} · Relevance {e['relevance']} · Depth {e['depth']}"
                     + (f" · {attempts} attempts, the last one scored" if attempts > 1 else "")
                     + f": {e['feedback']}" + (f"\n\nTry next time:{tips}" if tips else ""))
    return "\n\n".join(lines)


def report_json(report: Dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


# My practice --------------------------------------------------------------------------------------
def history_html(history: Dict[str, Any]) -> str:
    sessions = history.get("sessions") or []
    if not sessions:
        return "<p class='note' id='history-empty'>No practice sessions yet on this browser.</p>"
    rows = []
    for s in reversed(sessions):  # newest first in the table
        when = dt.datetime.fromtimestamp(s["created_at"]).strftime("%d %b %Y, %H:%M")
        if s["status"] == "completed" and s.get("overall_score") is not None:
            result = (f"<b>{s['overall_score']}</b> / 10 · <span class='band {BAND_CSS[s['recommendation']]}'>"
                      f"{band(s['recommendation'])}</span>")
        else:
            result = "in progress"
        rows.append(f"<tr><td>{esc(when)}</td><td><a href='?session={esc(s['session_id'])}'>{esc(s['role'])} at "
                    f"{esc(s['company'])}</a></td><td>{s['answered']} of {s['max_questions']}</td><td>{result}</td></tr>")
    return ("<table class='history' aria-label='Your practice sessions'><thead><tr><th scope='col'>When</th>"
            "<th scope='col'>Practice (open it)</th><th scope='col'>Answered</th><th scope='col'>Result</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")
