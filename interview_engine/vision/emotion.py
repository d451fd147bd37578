"""Optional, experimental facial-expression labels through deepface, for users online.

Off by default (VIDEO_EMOTION=false). deepface downloads its weights from the internet on first use,
so here they must be fetched beforehand (`python -m interview_engine prefetch-models`); without them,
or on any failure or timeout, the answer goes on and reports "emotion unavailable". The output is
labelled experimental and never enters a score.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import List

import numpy as np

WEIGHTS_FILE = "facial_expression_model_weights.h5"
NOTE = ("Experimental: facial-expression labels are unreliable and contested in hiring; shown for "
        "research only, never used in any score.")
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emotion")
# One job at a time, and none queued: a job that timed out still holds this until its current crop is done
# (it stops before the next one), and meanwhile other answers report "busy" instead of piling up behind it.
_running = threading.BoundedSemaphore(1)


def weights_dir() -> Path:
    return Path(os.environ.get("DEEPFACE_HOME") or Path.home()) / ".deepface" / "weights"


def unavailable(reason: str) -> dict:
    return {"status": "emotion unavailable", "reason": reason, "experimental": True}


def expression_labels(crops: List[np.ndarray], timeout: float) -> dict:
    """Dominant expression per face crop (RGB), counted. Never raises."""
    if not crops:
        return unavailable("no face to read")
    if not (weights_dir() / WEIGHTS_FILE).exists():
        return unavailable(f"deepface weights are not in {weights_dir()}: run "
                           "`python -m interview_engine prefetch-models` while online")
    try:
        from deepface import DeepFace  # imported only when enabled: heavy, and optional
    except Exception as exc:
        return unavailable(f"deepface is not installed ({type(exc).__name__})")

    stop = threading.Event()

    def run():
        try:
            labels = []
            for crop in crops:
                if stop.is_set():  # timed out: the caller has moved on, so stop using the CPU
                    break
                out = DeepFace.analyze(img_path=crop[:, :, ::-1], actions=["emotion"], detector_backend="skip",
                                       enforce_detection=False, silent=True)
                first = out[0] if isinstance(out, list) else out
                labels.append(first["dominant_emotion"])
            return labels
        finally:
            _running.release()

    if not _running.acquire(blocking=False):
        return unavailable("deepface is still busy with an earlier answer")
    try:
        job = _pool.submit(run)
    except RuntimeError as exc:  # the pool is shut down
        _running.release()
        return unavailable(f"deepface is not available ({exc})")
    try:
        labels = job.result(timeout=timeout)
    except FutureTimeout:
        stop.set()
        return unavailable(f"deepface took longer than {timeout:.0f} s")
    except Exception as exc:
        return unavailable(f"deepface failed ({type(exc).__name__}: {str(exc)[:120]})")
    return {"status": "experimental", "experimental": True, "frames": len(labels),
            "dominant_counts": dict(Counter(labels)), "note": NOTE}


def prefetch() -> str:
    """Download deepface's expression weights (needs the internet). Returns where they are."""
    from deepface import DeepFace

    DeepFace.build_model(task="facial_attribute", model_name="Emotion")
    return str(weights_dir() / WEIGHTS_FILE)
