"""Spoken and filmed answers: decoding (PyAV), transcription (faster-whisper) and voice analysis (Praat)."""
from .pipeline import NO_SPEECH, SpeechPipeline, SpokenAnswer
from .transcriber import Transcriber, Transcript, WhisperTranscriber, Word

__all__ = ["NO_SPEECH", "SpeechPipeline", "SpokenAnswer", "Transcriber", "Transcript", "WhisperTranscriber", "Word"]
