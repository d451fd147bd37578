"""Delivery signals from a filmed answer: only what can be measured honestly, each with its definition.

No emotion labels and no personality claims. Poses and smiles are judged against the candidate's
own median, never against a population norm.
"""
from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import numpy as np

from .faces import FaceObservation, MediapipeFaces, face_backend
from .frames import SAMPLE_FPS, sample_frames

FACING_YAW_DEG = 15.0  # within this of the candidate's own median head pose counts as facing the camera
FACING_PITCH_DEG = 12.0
SMILE_ABOVE_BASELINE = 1.08  # mouth width / eye distance this much above the candidate's median
GAZE_CENTRED = 0.12  # iris offset from the eye's middle, as a share of the eye's width
NOT_REPORTED = ("No emotion labels (anger, fear, ...) and no personality claims: they cannot be read "
                "reliably from a face, and automated facial analysis in hiring is contested.")


def _ratio(n: int, d: int) -> Optional[float]:
    return round(n / d, 3) if d else None


def analyse_video(data: bytes, max_seconds: float, backend: str = "auto", emotion: bool = False,
                  emotion_timeout: float = 10.0) -> Dict[str, Any]:
    """The `video_analysis` block for one answer."""
    t0 = time.perf_counter()
    info, frames = sample_frames(data, max_seconds)
    decoded_at = time.perf_counter()
    observer = face_backend(backend)
    obs: List[FaceObservation] = []
    near = None
    for f in frames:
        o = observer.observe(f.t, f.rgb, near)
        if o.box:
            near = (o.box[0] + o.box[2] / 2, o.box[1] + o.box[3] / 2)
        obs.append(o)
    full = isinstance(observer, MediapipeFaces)
    n = len(obs)
    with_face = [o for o in obs if o.faces > 0]
    duration = frames[-1].t if frames else 0.0
    h, w = frames[0].rgb.shape[:2]

    # More than one person: a second face seen in consecutive samples (the Haar fallback needs three,
    # since it often sees a face in a collar or a poster).
    need = 2 if full else 3
    run, longest, first_at = 0, 0, None
    for o in obs:
        run = run + 1 if o.faces >= 2 else 0
        if run >= need and first_at is None:
            first_at = o.t
        longest = max(longest, run)
    multiple = {"detected": first_at is not None, "first_seen_at_seconds": first_at,
                "samples_with_more_than_one_face": sum(1 for o in obs if o.faces >= 2),
                "rule": f"a second face in {need} consecutive samples"}

    face_sizes = [o.box[2] * o.box[3] / (w * h) for o in with_face if o.box]
    sharp = [o.face_sharpness for o in with_face if o.face_sharpness is not None]
    brightness = float(np.mean([o.brightness for o in obs])) if obs else 0.0
    framing = {
        "face_area_share": round(float(np.median(face_sizes)), 3) if face_sizes else None,
        "brightness": round(brightness, 1),
        "face_sharpness_laplacian_var": round(float(np.median(sharp)), 1) if sharp else None,
        "notes": _framing_notes(face_sizes, brightness, sharp),
    }
    result: Dict[str, Any] = {
        "available": True,
        "backend": observer.name,
        "frames_sampled": n,
        "sample_fps": SAMPLE_FPS if n < 240 else round(n / max(duration, 1e-6), 2),
        "duration_seconds": round(duration, 2),
        "resolution": [info.width, info.height],
        "face_present_ratio": _ratio(len(with_face), n),
        "multiple_people": multiple,
        "framing": framing,
        "not_reported": NOT_REPORTED,
    }
    posed = [o for o in with_face if o.yaw is not None and o.pitch is not None]
    if full and posed:
        yaw0 = float(np.median([o.yaw for o in posed]))
        pitch0 = float(np.median([o.pitch for o in posed]))
        facing = [o for o in posed if abs(o.yaw - yaw0) <= FACING_YAW_DEG and abs(o.pitch - pitch0) <= FACING_PITCH_DEG]
        moves = []
        for a, b in zip(posed, posed[1:]):
            if a.nose and b.nose and a.eye_distance and b.t > a.t:
                dist = np.hypot(b.nose[0] - a.nose[0], b.nose[1] - a.nose[1])
                moves.append(dist / ((a.eye_distance + b.eye_distance) / 2) / (b.t - a.t))
        mouths = [o.mouth_ratio for o in posed if o.mouth_ratio]
        base = float(np.median(mouths)) if mouths else None
        smiles = [o for o in posed if base and o.mouth_ratio and o.mouth_ratio > base * SMILE_ABOVE_BASELINE]
        irises = [o.iris_offset for o in posed if o.iris_offset is not None]
        result.update({
            # Share of frames with a face whose head pose stays near the candidate's own median pose.
            "facing_camera_ratio": _ratio(len(facing), len(posed)),
            "head_pose": {"median_yaw_deg": round(yaw0, 1), "median_pitch_deg": round(pitch0, 1),
                          "tolerance_deg": [FACING_YAW_DEG, FACING_PITCH_DEG]},
            "head_movement": {"mean_per_second": round(float(np.mean(moves)), 3) if moves else 0.0,
                              "unit": "nose travel per second, in eye-distances (size-normalised)"},
            "smiling": {"frequency": _ratio(len(smiles), len(posed)),
                        "baseline_mouth_to_eye_ratio": round(base, 3) if base else None,
                        "rule": f"mouth width over {SMILE_ABOVE_BASELINE:.2f}x the candidate's own median"},
            "gaze_hint": {"iris_centred_ratio": _ratio(sum(1 for x in irises if abs(x) <= GAZE_CENTRED), len(irises)),
                          "approximate": True,
                          "note": "iris position between the eye corners; approximate, not eye contact"},
        })
    else:
        result["limited"] = "The Haar fallback sees faces only: no pose, gaze, movement or smile signals."
    result["delivery_score"] = _delivery_score(result)
    if emotion:
        from .emotion import expression_labels

        picks = [(f, o) for f, o in zip(frames, obs) if o.box][:: max(1, len(with_face) // 8)][:8]
        crops = [f.rgb[max(0, int(o.box[1])):int(o.box[1] + o.box[3]), max(0, int(o.box[0])):int(o.box[0] + o.box[2])]
                 for f, o in picks]
        result["emotion"] = expression_labels(crops, emotion_timeout)
    result["timings"] = {"decode": round(decoded_at - t0, 3), "faces": round(time.perf_counter() - decoded_at, 3)}
    return result


def _framing_notes(face_sizes, brightness, sharp) -> List[str]:
    notes = []
    if face_sizes:
        size = float(np.median(face_sizes))
        if size < 0.03:
            notes.append("face small in frame: sit closer to the camera")
        elif size > 0.45:
            notes.append("face very close to the camera")
    if brightness < 60:
        notes.append("dark picture: add light in front of you")
    elif brightness > 200:
        notes.append("over-exposed picture")
    if sharp and float(np.median(sharp)) < 20:
        notes.append("blurry face: check the focus or clean the lens")
    return notes


def _delivery_score(r: Dict[str, Any]) -> Dict[str, Any]:
    """0-10 from presence, facing the camera and framing. Reported; it enters the recommendation only
    when DELIVERY_IN_RECOMMENDATION is set."""
    parts = {"face_present": 10 * (r["face_present_ratio"] or 0.0)}
    if r.get("facing_camera_ratio") is not None:
        parts["facing_camera"] = 10 * r["facing_camera_ratio"]
    if r["face_present_ratio"]:
        parts["framing"] = max(0.0, 10 - 3 * len(r["framing"]["notes"]))
    return {"value": round(float(np.mean(list(parts.values()))), 1), "parts": {k: round(v, 1) for k, v in parts.items()}}
