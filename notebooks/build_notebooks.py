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

CALIBRATION = [
    ("md", """# Judgement: does the engine order answers the way a hiring manager would, on answers nobody tuned for?

**The data.** `data/judgement/part_*.jsonl`: 480 interview answers to 80 questions in 25 roles (17 outside
software: nurse, paramedic, pharmacist, social worker, teachers, electrician, plumber, maintenance technician,
site manager, structural engineer, head chef, retail and hotel managers, payroll, accountant, financial adviser,
HR), all four stages, with knowledge questions as well as stories.
Each answer is one of 14 kinds (strong, solid, short but excellent, honest hypothetical, generic, vague, STAR
words without substance, keyword list, question read back, off topic, confidently wrong or unsafe, rambling,
injection, gibberish) and carries labels 1-5 for clarity, relevance, depth and overall against the anchored
rubric in `data/RUBRIC.md`.

**Who wrote and labelled it: language models, not recruiters.** Every answer and every label here was
written by a language model (helper sessions of the development team, which are language-model agents), one
per part, against the rubric in `data/RUBRIC.md`, without seeing the engine's code or scores. Another such
session labelled all 480 again blind (shuffled, without kinds or first labels):
`data/judgement/second_labels.jsonl`. No recruiter, hiring manager or candidate wrote or labelled any of it.
What that means: the figures below say how closely the engine follows *the rubric as a language model applies
it* to answers *a language model wrote*; real candidates' answers are messier, and people disagree with each
other more than these labellers do (treat their agreement as an upper bound). A team can measure the engine on
its own labelled answers: see the last section.

**The method.** The split is by question, by a fixed hash of the question id (`labelled.split_of`), fixed
before any answer was scored. Rules and thresholds were set on `dev` only, and the calibration that weighs
them (`interview_engine/evaluation/calibration.json`) was fitted on `dev` only: the next cell refits it and
fails unless the shipped weights are what the development answers give. The headline figures are on `test`,
with 95% intervals from resampling whole questions. The last cell fails when a test figure falls below
the floor set from the first honest run."""),
    ("code", SETUP),
    ("code", '''import subprocess
check = subprocess.run([sys.executable, str(ROOT / "notebooks" / "fit_calibration.py"), "--check"],
                       capture_output=True, text=True)
print(check.stdout.strip() or check.stderr.strip())
assert check.returncode == 0, "the shipped calibration is not a fit on the development half"'''),
    ("code", '''sys.path.insert(0, str(ROOT / "notebooks"))
import labelled
from interview_engine import evaluate_answer
from interview_engine.semantics import get_embedder
rows = labelled.load()
if QUICK:  # CI: the held-out half carries the floors; `make notebooks` scores both halves
    rows = [r for r in rows if r["split"] == "test"]
t0 = time.perf_counter()
for r in rows:
    e = evaluate_answer(r["question"], r["answer"], role=r["role"], jd_text=r["jd"], stage=r["stage"])
    r["engine"] = {"clarity": e.clarity, "relevance": e.relevance, "depth": e.depth,
                   "overall": round((e.clarity + e.relevance + e.depth) / 3, 2)}
    r["flags"] = e.evidence.flags
elapsed = time.perf_counter() - t0
dev, test = [r for r in rows if r["split"] == "dev"], [r for r in rows if r["split"] == "test"]
print(f"{len(rows)} answers, {len({r['question_id'] for r in rows})} questions, {len({r['role'] for r in rows})} roles; "
      f"dev {len(dev)} / test {len(test)} answers; semantic model: {get_embedder().name}; "
      f"{elapsed / len(rows) * 1000:.0f} ms per answer")'''),
    ("md", "## Agreement between the two labellers (the ceiling for any engine)"),
    ("code", '''second = labelled.second_labels()
both = [r for r in rows if r["id"] in second]
agree = {"answers": len(both)}  # quick mode: the test half only
for dim in ("overall", "clarity", "relevance", "depth"):
    a = [r["labels"][dim] for r in both]
    b = [second[r["id"]][dim] for r in both]
    agree[dim] = {"spearman": round(labelled.spearman(a, b), 3),
                  "exact": round(float(np.mean([x == y for x, y in zip(a, b)])), 2),
                  "within_1": round(float(np.mean([abs(x - y) <= 1 for x, y in zip(a, b)])), 2)}
as_engine = [dict(r, engine={**r["labels"], **{"overall": second[r["id"]]["overall"]}}) for r in both]
agree["pairwise_overall"] = round(labelled.pairwise_share(as_engine), 3)
agree'''),
    ("md", "## The engine against the labels, on both halves"),
    ("code", '''def summary(part, n_boot):
    fig = labelled.figures(part)
    ci = {k: labelled.bootstrap(part, lambda s, k=k: labelled.figures(s)[k], n=n_boot) for k in fig}
    return {k: (round(v, 3), tuple(round(x, 3) for x in ci[k])) for k, v in fig.items()}

N_BOOT = 200 if QUICK else 2000
figs = {"test (held out)": summary(test, N_BOOT)}
if dev:
    figs["dev (tuned on)"] = summary(dev, N_BOOT)
for split, fig in figs.items():
    print(split)
    for k, (v, (lo, hi)) in fig.items():
        print(f"  {k:<20} {v:6.3f}   95% CI {lo:.3f} - {hi:.3f}")'''),
    ("code", '''print("Test half, mean overall score by kind of answer (label 1-5, engine 1-10):")
for kind, (label, engine, n) in labelled.by_kind(test).items():
    print(f"  {kind:<18} label {label:4.2f}   engine {engine:5.2f}   n={n}")
hits, total, misses = labelled.pairwise(test)
print(f"\\nWithin-question ordering on test: {hits}/{total}. Misses by the kinds involved:")
from collections import Counter
print(Counter(m.split(": ")[1].split(" (")[0] + " above " + m.split(" vs ")[1].split(" (")[0] for m in misses).most_common(8))
without = [r for r in test if r["kind"] != "wrong_or_unsafe"]
print(f"Without the wrong-or-unsafe answers (facts the offline rubric cannot check): "
      f"{ {k: round(v, 3) for k, v in labelled.figures(without).items()} }")'''),
    ("md", """## Answers about something else: relevance by contrast

A fluent, specific story that answers another question is the answer a similarity to the question rates
highly. Here each held-out question gets strong answers written for *other* held-out questions: from the
same role (a same-field story answering a different question) and from other roles (a story from another
profession). Their labels would be relevance 1, overall 1; the engine should hold them at overall <= 3.5 and
relevance <= 3. The labelled `off_topic` answers (mostly same-field) are counted the same way."""),
    ("code", '''import random
random.seed(20)
strong_test = [r for r in test if r["kind"] == "strong"]
by_question = {r["question_id"]: r for r in test}
swapped = {"same field": [], "other field": []}
for qid in sorted(by_question)[: 10 if QUICK else None]:
    q = by_question[qid]
    pools = {"same field": [s for s in strong_test if s["role"] == q["role"] and s["question_id"] != qid],
             "other field": [s for s in strong_test if s["role"] != q["role"]]}
    for name, pool in pools.items():
        for s in random.sample(pool, min(2, len(pool))):
            e = evaluate_answer(q["question"], s["answer"], role=q["role"], jd_text=q["jd"], stage=q["stage"])
            swapped[name].append((e.clarity + e.relevance + e.depth) / 3 <= 3.5 and e.relevance <= 3)
labelled_off = [r for r in test if r["kind"] == "off_topic"]
held = {name: (sum(v), len(v)) for name, v in swapped.items()}
held["labelled off_topic"] = (sum(1 for r in labelled_off if r["engine"]["overall"] <= 3.5 and r["engine"]["relevance"] <= 3),
                              len(labelled_off))
for name, (k, n) in held.items():
    print(f"{name:<20} held at overall <= 3.5 and relevance <= 3: {k}/{n} ({k / max(1, n):.0%})")
strong_mean = float(np.mean([r["engine"]["overall"] for r in strong_test]))
print(f"strong answers to their own question: mean overall {strong_mean:.2f} (n={len(strong_test)})")'''),
    ("md", "## Gaming shapes and injected instructions"),
    ("code", '''gaming = [r for r in rows if r["kind"] in ("read_back", "keyword_list", "star_no_substance", "gibberish")]
for kind in ("read_back", "keyword_list", "star_no_substance", "gibberish"):
    sel = [r for r in gaming if r["kind"] == kind]
    caught = sum(1 for r in sel if r["engine"]["overall"] <= 3.5 and r["engine"]["relevance"] <= 4)
    print(f"{kind:<18} overall <= 3.5 and relevance <= 4 on {caught}/{len(sel)}; "
          f"flagged {sum(1 for r in sel if set(r['flags']) & {'read_back', 'keyword_list', 'star_without_substance', 'gibberish', 'nothing_concrete'})}/{len(sel)}")
injection = []
for r in [r for r in rows if r.get("injected_sentence")]:
    without = r["answer"].replace(r["injected_sentence"], " ").strip()
    e = evaluate_answer(r["question"], without, role=r["role"], jd_text=r["jd"], stage=r["stage"])
    injection.append({"id": r["id"], "with": (r["engine"]["clarity"], r["engine"]["relevance"], r["engine"]["depth"]),
                      "without": (e.clarity, e.relevance, e.depth)})
raised = [i for i in injection if any(w > wo for w, wo in zip(i["with"], i["without"]))]
print(f"injected instructions that raised a score: {len(raised)} of {len(injection)}")'''),
    ("md", """## Offline against an LLM engine on the same answers

With `GOOGLE_API_KEY` (or `LLM_PROVIDER=openai` and its settings) in the environment, this runs the real
provider on the test half. Without one (as in CI), it runs the same code against the local fake provider
from `tests/llm_fakes.py`, which speaks Gemini's wire API but scores by answer length: those figures show that
the comparison works end to end, not what a model would score."""),
    ("code", '''from interview_engine import Settings
from interview_engine.engines import make_engine
from interview_engine.models import SessionRecord

env_provider = os.environ.get("LLM_PROVIDER") or ("gemini" if os.environ.get("GOOGLE_API_KEY") else "")
fake = None
if env_provider in ("gemini", "openai"):
    settings = Settings(LLM_MAX_RETRIES=1)
    kind = "real provider"
else:
    sys.path.insert(0, str(ROOT / "tests"))
    from llm_fakes import FakeGemini, provider_env
    fake = FakeGemini().start()
    settings = Settings(LLM_MAX_RETRIES=0, **provider_env("gemini", fake))
    kind = "local fake provider (scores by length)"
engine = make_engine(settings)
sample = test if not QUICK else [r for r in test if r["question_id"] in sorted({x["question_id"] for x in test})[:8]]
for r in sample:
    record = SessionRecord(session_id="calibration", user_id="notebook", role=r["role"], company="",
                           created_at=0, updated_at=0, max_questions=5, jd_text=r["jd"])
    e = engine.evaluate(r["question"], r["answer"], record=record, question_meta={"stage": r["stage"]})
    r["llm"] = {"clarity": e.clarity, "relevance": e.relevance, "depth": e.depth,
                "overall": round((e.clarity + e.relevance + e.depth) / 3, 2), "engine": e.engine}
if fake:
    fake.stop()
compare = {"offline": labelled.figures(sample),
           engine.name: labelled.figures([dict(r, engine=r["llm"]) for r in sample])}
print(f"{len(sample)} test answers; {engine.name}: {kind}")
for name, fig in compare.items():
    print(f"  {name:<24} " + "  ".join(f"{k} {v:.3f}" for k, v in fig.items()))
print("by kind (mean overall):", {k: (v[1], round(float(np.mean([r['llm']['overall'] for r in sample if r['kind'] == k])), 2))
                                  for k, v in labelled.by_kind(sample).items()})'''),
    ("code", '''rng = np.random.default_rng(0)
fig = go.Figure()
for kind in sorted({r["kind"] for r in test}):
    sel = [r for r in test if r["kind"] == kind]
    fig.add_scatter(x=[r["labels"]["overall"] + rng.uniform(-0.2, 0.2) for r in sel], y=[r["engine"]["overall"] for r in sel],
                    mode="markers", name=kind, text=[r["id"] for r in sel])
fig.update_layout(title="Test half: offline overall score vs the label", xaxis_title="label (1-5)",
                  yaxis_title="offline overall (1-10)", height=450)
fig.show()'''),
    ("md", """## Your own labelled answers

Set `JUDGEMENT_FILE` to a JSONL of your own labelled answers in the same format (one object per line:
`question`, `answer`, `labels` with `clarity`, `relevance`, `depth`, `overall` from 1 to 5 against
`data/RUBRIC.md`; optionally `question_id`, `role`, `stage`, `jd`, `kind`) and run this notebook: the same
figures are reported on your answers with the engine as shipped, nothing refitted. To refit the calibration on
them (only if you choose to), run `python notebooks/fit_calibration.py --data yours.jsonl`."""),
    ("code", '''own_file = os.environ.get("JUDGEMENT_FILE")
if own_file:
    yours = labelled.score(labelled.load_file(own_file))
    print(f"{len(yours)} answers from {own_file}, {len({r['question_id'] for r in yours})} questions")
    for k, v in labelled.figures(yours).items():
        print(f"  {k:<20} {v:6.3f}")
    for kind, (label, engine, n) in labelled.by_kind(yours).items():
        print(f"  {kind:<18} label {label:4.2f}   engine {engine:5.2f}   n={n}")
else:
    print("JUDGEMENT_FILE is not set: no answers of your own to report on.")'''),
    ("md", "## Findings, and the floors"),
    ("code", '''t = {k: v for k, (v, _) in figs["test (held out)"].items()}
print(f"""Held-out test half ({len(test)} answers, {len({r['question_id'] for r in test})} questions): Spearman overall {t['spearman_overall']:.3f},
relevance {t['spearman_relevance']:.3f}, depth {t['spearman_depth']:.3f}, clarity {t['spearman_clarity']:.3f};
within-question ordering {t['pairwise']:.1%}. Two labellers agree at Spearman {agree['overall']['spearman']} and order {agree['pairwise_overall']:.1%} of pairs alike.
Injected instructions that raised a score: {len(raised)} of {len(injection)}.""")
# Floors: the first honest run on the test half (2026-11-29) measured overall 0.587, relevance 0.638,
# depth 0.586, ordering 78.1%; with the calibration fitted on dev, 0.610, 0.718, 0.605 and 80.0%. A change
# that falls more than a little below the latter fails CI.
FLOORS = {"spearman_overall": 0.58, "spearman_relevance": 0.67, "spearman_depth": 0.58, "pairwise": 0.76}
low = {k: (t[k], f) for k, f in FLOORS.items() if t[k] < f}
assert not low, f"test figures below their floors: {low}"
assert not raised, "an injected instruction raised a score"'''),
]

FAIRNESS = [
    ("md", """# Fairness audit: do scores move with who the candidate is, or how they spell?

Counterfactual copies of the labelled answers, scored by the offline engine:
1. **Identity.** The CV's name, pronouns and affinity-group lines swapped: scores must be identical (the
   engine never reads the CV when scoring). Names and pronouns swapped inside the answers: pronouns are made
   neutral before the embedding model sees them; a different name can still nudge a similarity across a
   rounding boundary, so the change is reported and held small.
2. **Spelling.** British and American spellings of the same answer. Reported per dimension; should be
   near zero.
3. **Second-language English.** Dropped articles, missing plural and third-person endings, and common
   tense slips, applied by fixed rules. Reported per dimension; kept small.
4. **Impact ratio.** A synthetic cohort of candidates, each five answers, scored as every group above; the
   share recommended `hire` or `maybe` per group, and the four-fifths rule (lowest rate / highest rate >= 0.8)."""),
    ("code", SETUP),
    ("code", '''import re
sys.path.insert(0, str(ROOT / "notebooks"))
import labelled
from interview_engine import evaluate_answer
from interview_engine.report import recommend
rows = labelled.load()
if QUICK:
    rows = [r for r in rows if r["question_id"] in sorted({x["question_id"] for x in rows})[::4]]

def score(r, answer=None, cv=""):
    e = evaluate_answer(r["question"], r["answer"] if answer is None else answer, role=r["role"], cv_text=cv,
                        jd_text=r["jd"], stage=r["stage"])
    return (e.clarity, e.relevance, e.depth)

base = {r["id"]: score(r) for r in rows}
print(len(rows), "answers")'''),
    ("md", "## 1. Identity: names, pronouns and affinity groups"),
    ("code", '''CVS = [
    "Emily Walsh\\nShe has led teams for eight years.\\nVolunteer, church choir.",
    "Oluwaseun Adeyemi\\nHe has led teams for eight years.\\nMember, Black Professionals Network.",
    "Priya Raghunathan\\nShe has led teams for eight years.\\nOrganiser, Hindu temple food bank.",
    "Mohammed Al-Sayed\\nHe has led teams for eight years.\\nVolunteer, mosque youth club.",
    "Alex Kowalski\\nThey have led teams for eight years.\\nCo-chair, LGBTQ+ staff network.",
    "Wei Zhang\\nHe has led teams for eight years.\\nMentor, disabled employees network.",
]
NAMES = ["Marcus", "Aisha", "Tomasz", "Mei", "Oluwaseun", "Siobhan", "Rahul", "Fatima"]
SWAP = {"he": "she", "she": "he", "him": "her", "his": "her", "her": "his", "himself": "herself", "herself": "himself"}

def swap_identity(text, name):
    def pronoun(m):
        w = m.group(0); s = SWAP[w.lower()]
        return s.capitalize() if w[0].isupper() else s
    text = re.sub(r"\\b(he|she|him|his|her|himself|herself)\\b", pronoun, text, flags=re.IGNORECASE)
    return re.sub(r"\\b(" + "|".join(NAMES) + r")\\b", name, text)

changed_cv = [r["id"] for r in rows for cv in CVS if score(r, cv=cv) != base[r["id"]]]
print(f"CV identity swaps that changed a score: {len(changed_cv)} of {len(rows) * len(CVS)}")
assert not changed_cv  # the CV is never read when scoring
swapped = [(r, swap_identity(r["answer"], n)) for r in rows for n in NAMES[:4]]
swapped = [(r, text) for r, text in swapped if text != r["answer"]]
moves = np.array([[x - y for x, y in zip(score(r, text), base[r["id"]])] for r, text in swapped]) if swapped else np.zeros((1, 3))
moved = int((np.abs(moves).sum(axis=1) > 0).sum())
print(f"answers naming people or using he/she: {len(swapped)} copies with other names and pronouns; "
      f"{moved} moved a score ({moved / max(1, len(swapped)):.1%}), by at most {int(np.abs(moves).max())} point; "
      f"mean change {moves.mean(axis=0).round(3).tolist()} (clarity, relevance, depth)")
# Pronouns are neutral before embedding; a name still nudges the embedding by a hair, which can cross a
# rounding boundary. Held to: at most one point, on under 5% of copies, and no direction.
assert np.abs(moves).max() <= 1 and moved / max(1, len(swapped)) < 0.05 and np.abs(moves.mean(axis=0)).max() < 0.02'''),
    ("md", "## 2. British and American spelling"),
    ("code", '''UK_US = {"organise": "organize", "organised": "organized", "organising": "organizing", "organisation": "organization",
         "prioritise": "prioritize", "prioritised": "prioritized", "prioritisation": "prioritization", "analyse": "analyze",
         "analysed": "analyzed", "optimise": "optimize", "optimised": "optimized", "recognise": "recognize",
         "recognised": "recognized", "realise": "realize", "realised": "realized", "standardise": "standardize",
         "minimise": "minimize", "colour": "color", "behaviour": "behavior", "behaviours": "behaviors", "favour": "favor",
         "labour": "labor", "centre": "center", "litre": "liter", "litres": "liters",
         "catalogue": "catalog", "defence": "defense", "travelled": "traveled",
         "modelling": "modeling", "cancelled": "canceled", "judgement": "judgment", "paediatric": "pediatric",
         "anaesthetic": "anesthetic", "haemorrhage": "hemorrhage", "oedema": "edema", "grey": "gray",
         "enrol": "enroll", "fulfil": "fulfill", "aluminium": "aluminum", "colours": "colors", "favourite": "favorite",
         "neighbour": "neighbor", "honour": "honor", "analysing": "analyzing", "prioritising": "prioritizing"}
# Pairs where the American spelling is also another British word (check/cheque, meter/metre, program/
# programme, tire/tyre, practice/practise, license/licence) are left out: respelling them would change meaning.

def respell(text, mapping):
    def sub(m):
        w = m.group(0); t = mapping.get(w.lower())
        return w if t is None else (t.capitalize() if w[0].isupper() else t)
    return re.sub(r"[A-Za-z]+", sub, text)

US_UK = {v: k for k, v in UK_US.items()}
spelling = []
for r in rows:
    us, uk = respell(r["answer"], UK_US), respell(r["answer"], US_UK)
    if us != uk:
        a, b = score(r, us), score(r, uk)
        spelling.append([x - y for x, y in zip(a, b)])
spelling = np.array(spelling) if spelling else np.zeros((1, 3))
print(f"{len(spelling)} answers with spellings that differ; US minus UK per dimension:")
for i, dim in enumerate(("clarity", "relevance", "depth")):
    print(f"  {dim:<10} mean {spelling[:, i].mean():+.3f}   mean |change| {np.abs(spelling[:, i]).mean():.3f}   max |change| {np.abs(spelling[:, i]).max():.0f}")'''),
    ("md", "## 3. Second-language English"),
    ("code", '''def second_language(text):
    """Common learner patterns, applied deterministically: no articles, plain past for present perfect,
    third-person and plural endings dropped on frequent words."""
    t = re.sub(r"\\b(the|a|an) (?=[a-z])", "", text)
    t = re.sub(r"\\b(I|we|they) have (\\w+ed)\\b", r"\\1 \\2", t)
    t = re.sub(r"\\b(it|he|she) (was)\\b", r"\\1 were", t)
    t = re.sub(r"\\b(works|goes|needs|makes|takes|uses|gives|shows|means)\\b", lambda m: m.group(0)[:-1], t)
    t = re.sub(r"\\b(colleagues|customers|patients|students|people|weeks|months|days)\\b",
               lambda m: m.group(0)[:-1] if m.group(0) != "people" else "peoples", t)
    return t

l2 = np.array([[x - y for x, y in zip(score(r, second_language(r["answer"])), base[r["id"]])] for r in rows])
print("second-language copy minus original, per dimension:")
for i, dim in enumerate(("clarity", "relevance", "depth")):
    print(f"  {dim:<10} mean {l2[:, i].mean():+.3f}   mean |change| {np.abs(l2[:, i]).mean():.3f}   max |change| {np.abs(l2[:, i]).max():.0f}")'''),
    ("md", "## 4. Four-fifths rule on a synthetic cohort"),
    ("code", '''rng = np.random.default_rng(7)
by_q = {}
for r in rows:
    by_q.setdefault(r["question_id"], []).append(r)
qids = sorted(by_q)
cohort = [[by_q[q][rng.integers(len(by_q[q]))] for q in rng.choice(qids, size=5, replace=False)]
          for _ in range(60 if QUICK else 300)]
groups = {
    "as written": lambda r: r["answer"],
    "American spelling": lambda r: respell(r["answer"], UK_US),
    "British spelling": lambda r: respell(r["answer"], US_UK),
    "second-language English": lambda r: second_language(r["answer"]),
    "names and pronouns swapped": lambda r: swap_identity(r["answer"], "Aisha"),
}
memo = {}
def overall(r, g):
    key = (r["id"], g)
    if key not in memo:
        memo[key] = sum(score(r, groups[g](r))) / 3
    return memo[key]
rates = {}
for g in groups:
    picked = [recommend(round(float(np.mean([overall(r, g) for r in cand])), 2)) in ("hire", "maybe") for cand in cohort]
    rates[g] = float(np.mean(picked))
ratio = min(rates.values()) / max(rates.values())
for g, v in rates.items():
    print(f"  {g:<28} selected (hire or maybe) {v:.1%}")
print(f"impact ratio (lowest / highest) {ratio:.3f}; the four-fifths rule needs >= 0.8")
assert ratio >= 0.8'''),
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
    ("md", """## Job-aware transcription: terms heard, invented terms, WER per group

The clips under `tests/fixtures/speech/terms/` (six technical answers, each read by four espeak-ng voices) and
`tests/fixtures/speech/human/` (two human recordings shipped inside registry wheels: Beckett, 10 s, and the
opening of A Tale of Two Cities, 44 s; each clean, with white noise at 5 dB SNR, and as a telephone line),
transcribed three ways:

- **plain**: no hotwords;
- **job**: the terms `job_terms` takes from a session whose job description names the answer's terms (and
  those of another answer), as the service passes them;
- **unrelated**: a job description full of terms nobody says in these clips (Ruby on Rails, PHP, Swift,
  MATLAB, Cassandra, wound care, ...): hotwords must not make the transcriber invent them.

A term counts as *heard* when the transcript names it (the lexicon's reading, so "Postgres" is PostgreSQL);
as *credited* when the evaluation may count it, i.e. it is heard in words of probability 0.3 or more. An
*invented* term is one credited but not spoken. Quick mode (CI) runs two of the four voices and tiny.en only;
`make notebooks` runs every clip, and Whisper base (`WHISPER_MODEL=base`) too."""),
    ("code", '''import re
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from make_speech_terms import ANSWERS
from interview_engine.analysis import analyze_document, match
from interview_engine.lexicon import flat_skills
from interview_engine.models import SessionRecord
from interview_engine.speech.hotwords import job_terms
from interview_engine.speech.pipeline import HEARD_MIN_PROBABILITY
from interview_engine.speech.transcriber import WhisperTranscriber, transcribe_recording

TERMS = json.loads((SPEECH / "terms" / "manifest.json").read_text())
HUMAN = json.loads((SPEECH / "human" / "manifest.json").read_text())
NAMES = list(ANSWERS)
UNRELATED_JD = ("Requirements: Angular, Vue, Flask, Ruby on Rails, PHP, Swift, MATLAB, TensorFlow, Cassandra, "
                "DynamoDB, Azure, GCP, Figma, Excel, SEO, EHR, triage, wound care, Kubernetes, Kafka")

def session_terms(jd):
    record = SessionRecord(session_id="nb", user_id="u", role="Engineer", company="X", created_at=0, updated_at=0,
                           max_questions=5, jd_text=jd)
    record.analysis = match(analyze_document("Engineer", "cv"), analyze_document(jd, "jd"))
    return job_terms(record, None, 20)

def job_jd(answer):
    other = NAMES[(NAMES.index(answer) + 1) % len(NAMES)]
    return "Requirements: " + ANSWERS[answer][0] + " Nice to have: " + ANSWERS[other][0]

unrelated = session_terms(UNRELATED_JD)
unrelated_terms = set(flat_skills(", ".join(unrelated)))
print("unrelated hotwords:", ", ".join(unrelated))
models = {"tiny.en": WhisperTranscriber()}
if not QUICK:
    models["base"] = WhisperTranscriber(model="base", data_dir=Path(tempfile.mkdtemp()))
voices = ["en-us", "en-gb-scotland"] if QUICK else ["en-us", "en-gb", "en-us+f3", "en-gb-scotland"]
clips = [("terms", f, m) for f, m in TERMS.items() if m["voice"] in voices] + [("human", f, m) for f, m in HUMAN.items()]
rows = []
for model_name, transcriber in models.items():
    for folder, name, m in clips:
        x = decode((SPEECH / folder / name).read_bytes(), "audio file", 600).samples
        modes = {"plain": [], "unrelated": unrelated}
        if folder == "terms":
            modes["job"] = session_terms(job_jd(m["answer"]))
        for mode, hot in modes.items():
            t0 = time.perf_counter()
            tr = transcribe_recording(transcriber, x, hot)
            heard_text = tr.heard_text(HEARD_MIN_PROBABILITY)
            spoken = set(flat_skills(m["text"]))
            rows.append({"model": model_name, "clip": name, "group": m.get("voice") or m["variant"],
                         "kind": "espeak" if folder == "terms" else "human", "mode": mode,
                         "wer": wer(m["text"], tr.text), "terms": m.get("terms", []),
                         "heard": sorted(set(flat_skills(tr.text))), "credited": sorted(set(flat_skills(heard_text))),
                         "invented": sorted(set(flat_skills(heard_text)) - spoken),
                         # a term of the job description given as hotwords, credited but never said
                         "invented_hotword": sorted((set(flat_skills(heard_text)) - spoken) & set(flat_skills(", ".join(hot)))),
                         "dropped": [d["word"] for d in tr.dropped_words], "hotword_units": tr.hotword_units, "hotword_loops": tr.hotword_loops,
                         "units": tr.units, "rtf": (time.perf_counter() - t0) / (x.size / SAMPLE_RATE)})
print(len(rows), "transcriptions")'''),
    ("code", '''tiny_rows = [r for r in rows if r["model"] == "tiny.en"]

def share(rs):
    said = sum(len(r["terms"]) for r in rs)
    return sum(len([t for t in r["terms"] if t in r["heard"]]) for r in rs), said

print("Technical terms heard (espeak clips):")
for model_name in models:
    for mode in ("plain", "job", "unrelated"):
        rs = [r for r in rows if r["model"] == model_name and r["kind"] == "espeak" and r["mode"] == mode]
        got, said = share(rs)
        print(f"  {model_name:<8} {mode:<10} {got}/{said} = {got / said:.0%}   WER {np.mean([r['wer'] for r in rs]):.3f}")
print("\\nWER per group:")
groups = sorted({r["group"] for r in rows}, key=lambda g: (g not in voices, g))
for model_name in models:
    for g in groups:
        line = []
        for mode in ("plain", "job", "unrelated"):
            rs = [r for r in rows if r["model"] == model_name and r["group"] == g and r["mode"] == mode]
            if rs:
                line.append(f"{mode} {np.mean([r['wer'] for r in rs]):.3f}")
        print(f"  {model_name:<8} {g:<16} " + "   ".join(line))
invented = [(r["model"], r["clip"], r["mode"], r["invented_hotword"]) for r in rows if r["invented_hotword"]]
print("\\nHotword terms credited but never said:", invented or "none")
misheard = sorted({(r["clip"], t) for r in rows for t in r["invented"]})
print("Other terms credited but never said (misheard words, with or without hotwords):", misheard or "none")
print("Examples of invented words dropped:", sorted({w for r in rows if r["mode"] != "plain" for w in r["dropped"]})[:12])
rt = {m: np.median([r["rtf"] for r in rows if r["model"] == m and r["mode"] == "job"]) for m in models}
print("Median real-time factor with job hotwords:", {m: round(v, 3) for m, v in rt.items()})'''),
    ("code", '''# Per group (tiny.en): terms heard without / with the job's terms, terms credited but never said per mode,
# units listened to again, second listenings discarded as loops, real-time factor per mode.
print("| group | terms heard plain / job | credited, never said: plain / job / unrelated | units again / loops (job, unrelated) | RTF plain / job / unrelated |")
print("|---|---|---|---|---|")
for g in groups:
    rs = {mode: [r for r in tiny_rows if r["group"] == g and r["mode"] == mode] for mode in ("plain", "job", "unrelated")}
    heard = " / ".join("%d/%d" % share(rs[m]) if rs[m] and rs[m][0]["terms"] else "-" for m in ("plain", "job"))
    inv = " / ".join(", ".join(sorted({t for r in rs[m] for t in r["invented"]})) or ("none" if rs[m] else "-")
                     for m in ("plain", "job", "unrelated"))
    again = " ; ".join("%d/%d" % (sum(r["hotword_units"] for r in rs[m]), sum(r["hotword_loops"] for r in rs[m]))
                       for m in ("job", "unrelated") if rs[m])
    rtf = " / ".join("%.3f" % np.median([r["rtf"] for r in rs[m]]) if rs[m] else "-" for m in ("plain", "job", "unrelated"))
    print(f"| {g} | {heard} | {inv} | {again} | {rtf} |")'''),
    ("code", '''fig = go.Figure()
for mode in ("plain", "job", "unrelated"):
    rs = [r for r in rows if r["model"] == "tiny.en" and r["mode"] == mode]
    gs = sorted({r["group"] for r in rs}, key=lambda g: (g not in voices, g))
    fig.add_bar(x=gs, y=[np.mean([r["wer"] for r in rs if r["group"] == g]) for g in gs], name=mode)
fig.update_layout(title="tiny.en word error rate per group: no hotwords, the job's terms, unrelated terms",
                  barmode="group", height=400)
fig.show()'''),
    ("code", '''# The issue's floors, on tiny.en (the default model).
tiny = [r for r in rows if r["model"] == "tiny.en"]
got, said = share([r for r in tiny if r["kind"] == "espeak" and r["mode"] == "job"])
plain_got, _ = share([r for r in tiny if r["kind"] == "espeak" and r["mode"] == "plain"])
assert got / said >= 0.75, f"terms heard with hotwords: {got}/{said}"
assert got > plain_got
assert not [r for r in tiny if r["invented_hotword"]], "a job term nobody said was credited"
for variant in ("clean", "noise5db", "phone"):  # WER does not get worse on the human clips, whatever the job's terms
    plain = np.mean([r["wer"] for r in tiny if r["group"] == variant and r["mode"] == "plain"])
    hot = np.mean([r["wer"] for r in tiny if r["group"] == variant and r["mode"] == "unrelated"])
    # clean speech is heard clearly, so it is transcribed exactly as without hotwords; on degraded copies one
    # word in 44 s may move either way
    assert hot <= plain + (0.0 if variant == "clean" else 0.02), (variant, plain, hot)
print("floors met")'''),
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


NOTEBOOKS = {"scoring_calibration.ipynb": CALIBRATION, "fairness_audit.ipynb": FAIRNESS,
             "asr_and_voice.ipynb": ASR, "latency_profile.ipynb": LATENCY}


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
        named = [a for a in sys.argv[1:] if a in NOTEBOOKS]  # `--execute scoring_calibration.ipynb`: just that one
        for name in named or NOTEBOOKS:
            execute(name)


if __name__ == "__main__":
    main()
