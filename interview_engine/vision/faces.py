"""Face observations per frame. mediapipe's legacy solutions (models inside the 0.10.21 wheel) when
installed; OpenCV's Haar cascade otherwise, which can only say whether (and how many) faces are there."""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Optional, Tuple

import numpy as np

log = logging.getLogger("interview.vision")
# mediapipe's C++ side logs each graph start to stderr; keep the service's logs quiet and structured.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Face-mesh landmark indices (the canonical 468-point mesh, plus iris points 468-477 when refined).
NOSE_TIP, CHIN = 1, 152
EYE_OUTER = (33, 263)  # the subject's right and left eye, outer corners
EYE_INNER = (133, 362)
MOUTH = (61, 291)
IRIS = (468, 473)
# A generic head model (mm) for those points, for a rough head pose by solvePnP.
MODEL_3D = np.array([(0.0, 0.0, 0.0), (0.0, -63.6, -12.5), (-43.3, 32.7, -26.0), (43.3, 32.7, -26.0),
                     (-28.9, -28.9, -24.1), (28.9, -28.9, -24.1)], dtype=np.float64)
POSE_POINTS = (NOSE_TIP, CHIN, EYE_OUTER[0], EYE_OUTER[1], MOUTH[0], MOUTH[1])


@dataclass
class FaceObservation:
    """What one sampled frame shows. Geometry is in pixels of the analysed frame."""

    t: float
    faces: int  # confident detections in the frame
    box: Optional[Tuple[float, float, float, float]] = None  # largest face: x, y, w, h
    yaw: Optional[float] = None  # degrees, rough
    pitch: Optional[float] = None
    nose: Optional[Tuple[float, float]] = None
    eye_distance: Optional[float] = None
    mouth_ratio: Optional[float] = None  # mouth width / eye distance
    iris_offset: Optional[float] = None  # -0.5..0.5, 0 = iris centred between the eye corners
    brightness: float = 0.0
    face_sharpness: Optional[float] = None  # variance of the Laplacian over the face
    extra: dict = field(default_factory=dict)


class MediapipeFaces:
    name = "mediapipe 0.10.21 (face detection + face mesh with iris)"

    def __init__(self, min_confidence: float = 0.6):
        import mediapipe as mp

        self._detector = mp.solutions.face_detection.FaceDetection(model_selection=0,
                                                                   min_detection_confidence=min_confidence)
        self._mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=2,
                                                     refine_landmarks=True, min_detection_confidence=0.5)
        self._lock = threading.Lock()  # the graphs are not re-entrant

    def observe(self, t: float, rgb: np.ndarray, near: Optional[Tuple[float, float]] = None) -> FaceObservation:
        """`near`: where the candidate's face was in the previous sample, so that with two people in
        frame the same person is followed."""
        import cv2

        h, w = rgb.shape[:2]
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        obs = FaceObservation(t=t, faces=0, brightness=float(gray.mean()))
        with self._lock:
            det = self._detector.process(rgb)
            boxes = []
            for d in det.detections or []:
                b = d.location_data.relative_bounding_box
                boxes.append((b.xmin * w, b.ymin * h, b.width * w, b.height * h))
            obs.faces = _count_faces(boxes)
            if not boxes:
                return obs
            obs.box = _pick(boxes, near)
            mesh = self._mesh.process(rgb)
        obs.face_sharpness = _sharpness(gray, obs.box)
        if not mesh.multi_face_landmarks:
            return obs
        bx, by, bw, bh = obs.box
        centre = (bx + bw / 2, by + bh / 2)
        candidates = [np.array([(p.x * w, p.y * h) for p in f.landmark], dtype=np.float64)
                      for f in mesh.multi_face_landmarks]
        pts = min(candidates, key=lambda c: np.hypot(*(c[NOSE_TIP] - centre)))
        eye_a, eye_b = pts[EYE_OUTER[0]], pts[EYE_OUTER[1]]
        obs.eye_distance = float(np.linalg.norm(eye_b - eye_a))
        obs.nose = (float(pts[NOSE_TIP][0]), float(pts[NOSE_TIP][1]))
        obs.mouth_ratio = float(np.linalg.norm(pts[MOUTH[1]] - pts[MOUTH[0]]) / max(obs.eye_distance, 1e-6))
        obs.yaw, obs.pitch = _head_pose(pts, w, h)
        if len(pts) > max(IRIS):
            offsets = []
            for iris, outer, inner in ((IRIS[0], EYE_OUTER[0], EYE_INNER[0]), (IRIS[1], EYE_OUTER[1], EYE_INNER[1])):
                a, b = pts[outer], pts[inner]
                span = b - a
                pos = float(np.dot(pts[iris] - a, span) / max(np.dot(span, span), 1e-6))
                offsets.append(pos - 0.5)
            obs.iris_offset = float(np.mean(offsets))
        return obs


class HaarFaces:
    name = "OpenCV Haar cascade (face presence only)"

    def __init__(self):
        import cv2

        self._cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
        if self._cascade.empty():
            raise RuntimeError("OpenCV's Haar cascade file is missing")

    def observe(self, t: float, rgb: np.ndarray, near: Optional[Tuple[float, float]] = None) -> FaceObservation:
        import cv2

        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        min_side = max(24, int(min(gray.shape) * 0.12))
        found = self._cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=6, minSize=(min_side, min_side))
        boxes = [tuple(float(v) for v in b) for b in found]
        obs = FaceObservation(t=t, faces=_count_faces(boxes), brightness=float(gray.mean()))
        if boxes:
            obs.box = _pick(boxes, near)
            obs.face_sharpness = _sharpness(gray, obs.box)
        return obs


def _count_faces(boxes) -> int:
    """Faces at least a quarter the size of the largest: a tiny face in a poster is not a second person."""
    if not boxes:
        return 0
    largest = max(b[2] * b[3] for b in boxes)
    return sum(1 for b in boxes if b[2] * b[3] >= 0.25 * largest)


def _pick(boxes, near: Optional[Tuple[float, float]]):
    """The candidate's face: the one nearest to where it was, else the largest."""
    if near is None:
        return max(boxes, key=lambda b: b[2] * b[3])
    return min(boxes, key=lambda b: np.hypot(b[0] + b[2] / 2 - near[0], b[1] + b[3] / 2 - near[1]))


def _sharpness(gray: np.ndarray, box) -> float:
    import cv2

    x, y, w, h = (int(round(v)) for v in box)
    crop = gray[max(0, y):max(0, y) + max(1, h), max(0, x):max(0, x) + max(1, w)]
    if crop.size < 16:
        return 0.0
    return float(cv2.Laplacian(crop, cv2.CV_64F).var())


def _head_pose(pts: np.ndarray, w: int, h: int) -> Tuple[Optional[float], Optional[float]]:
    import cv2

    image_points = np.array([pts[i] for i in POSE_POINTS], dtype=np.float64)
    focal = float(w)
    camera = np.array([[focal, 0, w / 2], [0, focal, h / 2], [0, 0, 1]], dtype=np.float64)
    ok, rvec, _ = cv2.solvePnP(MODEL_3D, image_points, camera, np.zeros(4), flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok:
        return None, None
    rot, _ = cv2.Rodrigues(rvec)
    angles, *_ = cv2.RQDecomp3x3(rot)
    pitch, yaw = float(angles[0]), float(angles[1])
    # RQDecomp reports pitch near ±180 for a face looking at the camera; fold it to around 0.
    if pitch > 90:
        pitch -= 180
    elif pitch < -90:
        pitch += 180
    return yaw, pitch


_backends: dict = {}
_backends_lock = threading.Lock()


def face_backend(prefer: str = "auto"):
    """The face observer for this process: mediapipe when importable (unless "haar" is asked for),
    else OpenCV's Haar cascade. Each is built once."""
    with _backends_lock:
        if prefer in ("auto", "mediapipe") and "mediapipe" not in _backends and "mediapipe_error" not in _backends:
            try:
                _backends["mediapipe"] = MediapipeFaces()
            except Exception as exc:  # ImportError, or a wheel without its models
                _backends["mediapipe_error"] = str(exc)
                log.warning("mediapipe unavailable, using OpenCV Haar cascades", extra={"reason": str(exc)[:200]})
        if prefer in ("auto", "mediapipe") and "mediapipe" in _backends:
            return _backends["mediapipe"]
        if "haar" not in _backends:
            _backends["haar"] = HaarFaces()
        return _backends["haar"]
