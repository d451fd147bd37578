"""Fit the evaluation's calibration on the development half of the labelled set, and only on it.

    python notebooks/fit_calibration.py           # refit and write interview_engine/evaluation/calibration.json
    python notebooks/fit_calibration.py --check   # refit and fail unless it equals the shipped file
    python notebooks/fit_calibration.py --data yours.jsonl   # refit on a team's own labels (only when asked)

The fit is deterministic (closed-form ridge regression), so `--check` proves the shipped weights came from
the development answers: the calibration notebook runs it. Settings (ridge 10, blend 0.5, all rule ceilings
kept) were chosen by 8-fold cross-validation grouped by question inside the development half.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import labelled  # noqa: E402
from interview_engine.evaluation import R, calibration, score_features  # noqa: E402
from interview_engine.evaluation.features import extract  # noqa: E402

RIDGE = 10.0
BLEND = 0.5


def training_rows(rows=None):
    """(inputs, labels) for every development answer a gate does not stop (those keep their 1s)."""
    xs, ys = [], []
    for r in rows if rows is not None else labelled.load("dev"):
        f = extract(r["question"], r["answer"], role=r["role"], jd_text=r["jd"], stage=r["stage"])
        if any(gate(f) for gate in R.GATES):  # the same test score_features makes before re-weighing
            continue
        scores, effects = score_features(f, calibrated=False)
        xs.append(calibration.inputs(f, scores, [e.rule for e in effects]))
        ys.append(r["labels"])
    return xs, ys


def main() -> int:
    if "--data" in sys.argv:  # a team's own labels, refitted only when asked (the notebook reports without refitting)
        path = sys.argv[sys.argv.index("--data") + 1]
        xs, ys = training_rows(labelled.load_file(path))
        source = f"{Path(path).name}: {len(xs)} answers"
    else:
        xs, ys = training_rows()
        source = f"labelled development half: {len(xs)} answers"
    model = calibration.fit(xs, ys, ridge=RIDGE, blend=BLEND, trained_on=f"{source} (ridge {RIDGE:g}, blend {BLEND:g})")
    if "--check" in sys.argv:
        shipped = json.loads(calibration.MODEL_PATH.read_text(encoding="utf-8"))
        fresh = json.loads(model.to_json())
        # Equal up to the last digits a different CPU's arithmetic may change (the embedding engine's kernels).
        far = [(dim, name) for dim in fresh["weights"] for name, a, b in
               zip(fresh["names"], fresh["weights"][dim], shipped["weights"].get(dim, ())) if abs(a - b) > 2e-3]
        if fresh["names"] != shipped["names"] or far or any(
                abs(fresh["intercept"][d] - shipped["intercept"][d]) > 2e-3 for d in fresh["intercept"]):
            print(f"calibration.json differs from a refit on the development half: {far[:5]}")
            return 1
        print(f"calibration.json equals a refit on the development half ({len(xs)} answers)")
        return 0
    calibration.MODEL_PATH.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"wrote {calibration.MODEL_PATH} from {len(xs)} development answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
