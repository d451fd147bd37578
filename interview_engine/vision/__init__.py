"""Filmed answers: frame sampling (PyAV), face observations (mediapipe, or OpenCV Haar as a fallback),
and honest delivery signals."""
from .signals import analyse_video

__all__ = ["analyse_video"]
