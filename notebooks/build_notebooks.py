"""Write the evaluation notebooks from the cells below (outputs stripped), so their source reviews as code.

    python notebooks/build_notebooks.py            # rewrite the .ipynb files, without outputs
    python notebooks/build_notebooks.py --execute  # then run them in full and keep the outputs (make notebooks)

CI executes them with `pytest --nbmake` in quick mode (NOTEBOOK_QUICK=1: at most 5 runs, clips of at
most 30 s, committed clips only).
"""
from __future__ import annotations

from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).parent

SETUP = '''import os, sys, json, time, itertools, shutil
from pathlib import Path
ROOT = Path.cwd() if (Path.cwd() / "interview_engine").exists() else Path.cwd().parent
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("NOTEBOOK_QUICK", "1") == "1"  # `make notebooks` sets 0 for the full runs
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
pio.renderers.default = "notebook_connected" if not QUICK else "json"'''

STATS = '''def ranks(x):
    """Average ranks (ties share their mean rank), as Spearman needs."""
    x = np.asarray(x, float)
    order = x.argsort(kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        r[x == v] = r[x == v].mean()
    return r

def spearman(a, b):
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])'''

CALIBRATION = [
    ("md", """# Scoring calibration: does the offline engine order answers the way a person would?

`data/labelled_answers.jsonl` holds 63 interview answers to 9 questions across 6 roles (backend engineer,
ICU nurse, account executive, data analyst, product manager, support lead) and all four stages. For
each question there are seven answers of graded quality: strong and specific, decent, generic (textbook,
not the candidate's own), vague, off-topic, rambling with fillers, and one carrying an instruction aimed
at the scorer. Each has a 1-5 label written by hand with a one-line reason
(`data/make_labelled_answers.py`); the labels were fixed before the engine was measured on them.

We score every answer with `interview_engine.evaluate_answer` and report Spearman correlation with the
label, pairwise ordering within each question (ties count as misses), a confusion table of
recommendation bands, and the injection cases."""),
    ("code", SETUP),
    ("code", STATS),
    ("code", '''from interview_engine import evaluate_answer
from interview_engine.report import recommend
rows = [json.loads(l) for l in open(ROOT / "notebooks" / "data" / "labelled_answers.jsonl")]
for r in rows:
    e = evaluate_answer(r["question"], r["answer"], role=r["role"], jd_text=r["jd"], stage=r["stage"])
    r.update(clarity=e.clarity, relevance=e.relevance, depth=e.depth,
             overall=round((e.clarity + e.relevance + e.depth) / 3, 2))
print(len(rows), "answers |", len({r["question_id"] for r in rows}), "questions |",
      len({r["role"] for r in rows}), "roles | stages:", sorted({r["stage"] for r in rows}))'''),
    ("code", '''labels = [r["label"] for r in rows]
rho = {k: round(spearman([r[k] for r in rows], labels), 3) for k in ("overall", "clarity", "relevance", "depth")}
rho'''),
    ("code", '''def pairwise(rows):
    hits = total = 0
    misses = []
    for qid in sorted({r["question_id"] for r in rows}):
        group = [r for r in rows if r["question_id"] == qid]
        for a, b in itertools.combinations(group, 2):
            if a["label"] == b["label"]:
                continue
            total += 1
            hi, lo = (a, b) if a["label"] > b["label"] else (b, a)
            if hi["overall"] > lo["overall"]:
                hits += 1
            else:
                misses.append(f'{qid}: {hi["kind"]} (label {hi["label"]}, {hi["overall"]}) vs '
                              f'{lo["kind"]} (label {lo["label"]}, {lo["overall"]})')
    return hits, total, misses

hits, total, misses = pairwise(rows)
print(f"pairwise ordering within a question: {hits}/{total} = {hits / total:.1%} (ties count as misses)")
print("\\n".join(misses))'''),
    ("code", '''def label_band(label):
    return "hire" if label == 5 else "maybe" if label >= 3 else "no_hire"

bands = ["hire", "maybe", "no_hire"]
table = {(lb, sb): 0 for lb in bands for sb in bands}
for r in rows:
    table[(label_band(r["label"]), recommend(r["overall"]))] += 1
print("label band (rows) vs engine band (columns); label 5 = hire, 3-4 = maybe, 1-2 = no_hire")
print(f'{"":>9}' + "".join(f"{b:>9}" for b in bands))
for lb in bands:
    print(f"{lb:>9}" + "".join(f"{table[(lb, sb)]:>9}" for sb in bands))
band_agreement = sum(table[(b, b)] for b in bands) / len(rows)
print(f"band agreement: {band_agreement:.1%}")'''),
    ("code", '''injection = []
for r in [r for r in rows if r["kind"] == "injection"]:
    without = r["answer"].replace(r["injected_sentence"], "").strip()
    e = evaluate_answer(r["question"], without, role=r["role"], jd_text=r["jd"], stage=r["stage"])
    injection.append({"id": r["id"], "with": (r["clarity"], r["relevance"], r["depth"]),
                      "without": (e.clarity, e.relevance, e.depth)})
raised = [i for i in injection if any(w > wo for w, wo in zip(i["with"], i["without"]))]
for i in injection:
    print(f'{i["id"]:<24} with the instruction {i["with"]}  without it {i["without"]}')
print(f"injected instructions that raised a score: {len(raised)} of {len(injection)}")'''),
    ("code", '''rng = np.random.default_rng(0)
fig = go.Figure()
for kind in sorted({r["kind"] for r in rows}):
    sel = [r for r in rows if r["kind"] == kind]
    fig.add_scatter(x=[r["label"] + rng.uniform(-0.15, 0.15) for r in sel], y=[r["overall"] for r in sel],
                    mode="markers", name=kind, text=[r["id"] for r in sel])
fig.update_layout(title=f"Overall score vs human label (Spearman {rho['overall']})",
                  xaxis_title="human label (1-5)", yaxis_title="offline overall score (1-10)", height=450)
fig.show()
go.Figure(go.Bar(x=list(rho), y=list(rho.values()))).update_layout(
    title="Spearman correlation with the label", yaxis_range=[0, 1], height=320).show()'''),
    ("md", "## Findings"),
    ("code", '''print(f"""Labelled set: {len(rows)} answers, {len({r['question_id'] for r in rows})} questions, {len({r['role'] for r in rows})} roles, 4 stages.
Spearman with the human label: overall {rho['overall']}, clarity {rho['clarity']}, relevance {rho['relevance']}, depth {rho['depth']} (aim >= 0.7).
Pairwise ordering within a question: {hits}/{total} = {hits / total:.1%} (aim >= 90%; ties are misses).
Recommendation bands agree on {band_agreement:.1%} of answers.
Injected instructions that raised a score: {len(raised)} of {len(injection)} (aim: none).
Most remaining misses order an off-topic answer (label 1) against another weak one (label 2), a
difference of a point or less at the bottom of the scale.""")'''),
]

ASR = [
    ("md", """# Transcription and voice measures on the committed spoken answers

Measures, on the espeak-ng clips committed under `tests/fixtures/speech/` (text and nominal rate in
`manifest.json`): the transcriber's word error rate, the error of `rate_wpm` against the true words per
second of sound, and how pause and filler measures change with the speaking style. When `espeak-ng` is
installed (and not in quick mode) extra voices and rates are synthesised too; CI uses the committed
clips only."""),
    ("code", SETUP),
    ("code", '''import re, subprocess, tempfile
from interview_engine import Settings
from interview_engine.speech import SpeechPipeline
from interview_engine.speech.media import decode, SAMPLE_RATE
SPEECH = ROOT / "tests" / "fixtures" / "speech"
manifest = json.loads((SPEECH / "manifest.json").read_text())
pipeline = SpeechPipeline(Settings(INTERVIEW_DATA_DIR=tempfile.mkdtemp()))

def norm(text):
    return re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()

def wer(ref, hyp):
    """Word error rate: word-level edit distance over the reference length."""
    r, h = norm(ref), norm(hyp)
    d = np.arange(len(h) + 1)
    for i in range(1, len(r) + 1):
        prev, d[0] = d.copy(), i
        for j in range(1, len(h) + 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
    return d[len(h)] / max(1, len(r))

def true_rate(samples, words):
    frame = SAMPLE_RATE // 50
    e = np.sqrt(np.mean(samples[: samples.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
    on = np.where(e > e.max() * 0.03)[0]
    return words / ((on[-1] - on[0] + 1) * frame / SAMPLE_RATE) * 60'''),
    ("code", '''clips = ["answer_slow.ogg", "answer_normal.ogg", "answer_fast.ogg", "answer.wav", "answer.mp3",
         "answer_browser.webm", "fillers.ogg"]
results = []
for name in clips:
    data = (SPEECH / name).read_bytes()
    spoken = pipeline.process((name, data), None)
    m = spoken.voice.measures
    truth = true_rate(spoken.media.samples, manifest[name]["words"])
    results.append({"clip": name, "style": name.split(".")[0].replace("answer_", ""), "espeak_wpm": manifest[name]["espeak_rate"],
                    "wer": round(wer(manifest[name]["text"], spoken.text), 3),
                    "rate_wpm": spoken.voice.rate_wpm, "true_wpm": round(truth, 1),
                    "rate_error": round((spoken.voice.rate_wpm - truth) / truth, 3),
                    "pauses": m["pause_count"], "pause_mean": m["pause_mean_seconds"], "fillers": m["filler_count"],
                    "fluency": spoken.voice.fluency_score, "pace": spoken.voice.pace_score})
for r in results:
    print(r)'''),
    ("code", '''extra = []
if shutil.which("espeak-ng") and not QUICK:
    text = manifest["answer_normal.ogg"]["text"]
    for voice in ("en-us", "en-gb", "en-us+f3"):
        for rate in (120, 160, 200):
            with tempfile.NamedTemporaryFile(suffix=".wav") as f:
                subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", f.name, text], check=True)
                spoken = pipeline.process(("x.wav", Path(f.name).read_bytes()), None)
            truth = true_rate(spoken.media.samples, len(text.split()))
            extra.append({"voice": voice, "espeak_wpm": rate, "wer": round(wer(text, spoken.text), 3),
                          "rate_error": round((spoken.voice.rate_wpm - truth) / truth, 3)})
    for r in extra:
        print(r)
else:
    print("extra voices skipped (quick mode or no espeak-ng): committed clips only")'''),
    ("code", '''fig = go.Figure()
fig.add_bar(x=[r["clip"] for r in results], y=[r["wer"] for r in results], name="WER")
fig.add_bar(x=[r["clip"] for r in results], y=[abs(r["rate_error"]) for r in results], name="|rate_wpm error|")
fig.update_layout(title="Transcription and rate error per clip", barmode="group", height=380)
fig.show()
styles = [r for r in results if r["clip"] in ("answer_slow.ogg", "answer_normal.ogg", "answer_fast.ogg", "fillers.ogg")]
go.Figure([go.Bar(name=k, x=[r["style"] for r in styles], y=[r[k] for r in styles]) for k in ("pauses", "fillers", "fluency", "pace")]).update_layout(
    title="Pause and filler measures by speaking style", barmode="group", height=380).show()'''),
    ("md", "## Findings"),
    ("code", '''speech = [r for r in results if r["clip"] != "fillers.ogg"]
mean_wer = np.mean([r["wer"] for r in speech])
rate_err = [abs(r["rate_error"]) for r in results]
slow, normal, fast = (next(r for r in results if r["clip"] == f"answer_{s}.ogg") for s in ("slow", "normal", "fast"))
hes = next(r for r in results if r["clip"] == "fillers.ogg")
print(f"""WER of faster-whisper tiny.en on the espeak-ng clips: mean {mean_wer:.3f} (min {min(r['wer'] for r in speech):.3f}, max {max(r['wer'] for r in speech):.3f}); espeak is robotic, real voices usually fare better.
rate_wpm against true words per second of sound: mean absolute error {np.mean(rate_err):.1%}, worst {max(rate_err):.1%}.
Speaking rate ranks slow {slow['rate_wpm']} < normal {normal['rate_wpm']} < fast {fast['rate_wpm']} wpm; pace score {slow['pace']} / {normal['pace']} / {fast['pace']}.
Pauses: slow {slow['pauses']}, normal {normal['pauses']}, fast {fast['pauses']}; the hesitant clip has {hes['pauses']} pauses and {hes['fillers']} fillers, fluency {hes['fluency']} against {normal['fluency']} for the normal clip.""")'''),
]

LATENCY = [
    ("md", """# Latency profile: where the time goes

Per pipeline stage, in process: text extraction (PDF and DOCX), CV/JD analysis, question writing,
transcription, voice analysis and answer evaluation. Per route, over HTTP: `bench/api_latency.py`
against the real app. Quick mode (CI) runs each at most 5 times with clips of at most 30 s;
`make notebooks` runs them in full."""),
    ("code", SETUP),
    ("code", '''import subprocess, tempfile
from interview_engine import Settings, evaluate_answer
from interview_engine.documents import extract_text
from interview_engine.analysis import analyze_document
from interview_engine.engines import OfflineEngine
from interview_engine.models import QuestionPlan, SessionRecord
from interview_engine.speech import SpeechPipeline
from interview_engine.speech.media import decode, SAMPLE_RATE
FIX = ROOT / "tests" / "fixtures"
RUNS = 5 if QUICK else 30
LIMITS = dict(max_bytes=10 << 20, max_pages=50, max_uncompressed=50 << 20)
pdf, docx = (FIX / "documents" / "resume.pdf").read_bytes(), (FIX / "documents" / "resume_table.docx").read_bytes()
cv = extract_text(pdf, "cv.pdf", "cv", **LIMITS).text
jd = (FIX / "jd_backend.txt").read_text()
engine = OfflineEngine()
record = SessionRecord(session_id="p", user_id="u", role="Backend Engineer", company="Acme", created_at=0,
                       updated_at=0, max_questions=5)
plan = QuestionPlan(stage="technical", question_number=2, targets=["kafka"], reason="profile",
                    template="tech.skill_deep", slots={"skill": "kafka", "role": "Backend Engineer"})
pipeline = SpeechPipeline(Settings(INTERVIEW_DATA_DIR=tempfile.mkdtemp()))
pipeline.transcriber.model()
base = decode((FIX / "speech" / "answer_normal.ogg").read_bytes(), "audio file", 600).samples
seconds = 30
clip = np.tile(np.concatenate([base, np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]), 3)[: seconds * SAMPLE_RATE]
answer = ("At my last company I built a Kafka consumer in Python that cut lost events to zero, because "
          "duplicates were not acceptable; p95 latency dropped by 40%.")

def timed(fn):
    out = []
    for _ in range(RUNS):
        t0 = time.perf_counter(); fn(); out.append(time.perf_counter() - t0)
    return out

from interview_engine.speech.voice import analyse_voice
transcript = pipeline.transcriber.transcribe(clip)
stages = {
    "extraction (PDF, 3 pages)": timed(lambda: extract_text(pdf, "cv.pdf", "cv", **LIMITS)),
    "extraction (DOCX)": timed(lambda: extract_text(docx, "cv.docx", "cv", **LIMITS)),
    "analysis (CV + JD)": timed(lambda: (analyze_document(cv, "cv"), analyze_document(jd, "jd"))),
    "question (offline engine)": timed(lambda: engine.write_question(plan, record)),
    f"transcription ({seconds} s answer)": timed(lambda: pipeline.transcriber.transcribe(clip)),
    f"voice analysis ({seconds} s)": timed(lambda: analyse_voice(clip, transcript)),
    "evaluation": timed(lambda: evaluate_answer("Tell me about Kafka", answer, role="Backend Engineer", jd_text=jd)),
}
for k, v in stages.items():
    print(f"{k:<30} p50 {np.percentile(v, 50) * 1000:8.1f} ms   p95 {np.percentile(v, 95) * 1000:8.1f} ms")'''),
    ("code", '''fig = go.Figure()
for k, v in stages.items():
    fig.add_box(y=[x * 1000 for x in v], name=k)
fig.update_layout(title="Time per pipeline stage (ms, log scale)", yaxis_type="log", height=450, showlegend=False)
fig.show()'''),
    ("code", '''out = Path(tempfile.mkdtemp()) / "api.json"
cmd = [sys.executable, str(ROOT / "bench" / "api_latency.py"), "--json", str(out)] + (["--quick"] if QUICK else [])
subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
routes = json.loads(out.read_text())
fig = go.Figure()
fig.add_bar(x=list(routes), y=[v["p50"] * 1000 for v in routes.values()], name="p50")
fig.add_bar(x=list(routes), y=[v["p95"] * 1000 for v in routes.values()], name="p95")
fig.update_layout(title="Routes over HTTP (ms)", barmode="group", height=420)
fig.show()'''),
    ("md", "## Findings"),
    ("code", '''p50 = {k: np.percentile(v, 50) for k, v in stages.items()}
total = sum(p50.values())
slowest = max(p50, key=p50.get)
print("Share of one answer's processing time (p50):")
for k, v in sorted(p50.items(), key=lambda kv: -kv[1]):
    print(f"  {k:<30} {v * 1000:8.1f} ms  {v / total:6.1%}")
print(f"Transcription dominates: {slowest}. Over HTTP, a typed answer takes "
      f"{routes['answer (typed) + next question']['p50'] * 1000:.1f} ms p50 and a restore "
      f"{routes['restore']['p50'] * 1000:.1f} ms.")'''),
]


def build(name: str, cells) -> None:
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbf.v4.new_markdown_cell(src) if kind == "md" else nbf.v4.new_code_cell(src) for kind, src in cells]
    nbf.write(nb, HERE / name)


NOTEBOOKS = {"scoring_calibration.ipynb": CALIBRATION, "asr_and_voice.ipynb": ASR,
             "latency_profile.ipynb": LATENCY}


def execute(name: str) -> None:
    """Run a notebook in full and keep its outputs, for reading."""
    import os

    from nbclient import NotebookClient

    os.environ["NOTEBOOK_QUICK"] = "0"
    nb = nbf.read(HERE / name, as_version=4)
    NotebookClient(nb, timeout=1800, resources={"metadata": {"path": str(HERE)}}).execute()
    nbf.write(nb, HERE / name)
    print(f"executed {name}")


def main() -> None:
    import sys

    for name, cells in NOTEBOOKS.items():
        build(name, cells)
    if "--execute" in sys.argv:
        for name in NOTEBOOKS:
            execute(name)


if __name__ == "__main__":
    main()
