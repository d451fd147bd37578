"""Performance figures kept in the store, so every worker process reports one truth."""
from __future__ import annotations

import logging
import time
from typing import Any, Dict

from .storage import Storage

log = logging.getLogger("interview.metrics")


def _duration_view(m: Dict[str, float]) -> Dict[str, Any]:
    count = int(m.get("count", 0))
    return {"total": count, "avg_duration": round(m["sum"] / count, 6) if count else 0.0,
            "min_duration": round(m.get("min", 0.0), 6) if count else 0.0,
            "max_duration": round(m.get("max", 0.0), 6) if count else 0.0}


class Metrics:
    def __init__(self, store: Storage, slow_llm_seconds: float = 5.0, slow_request_seconds: float = 3.0):
        self.store = store
        self.slow_llm_seconds = slow_llm_seconds
        self.slow_request_seconds = slow_request_seconds

    def llm_call(self, what: str, seconds: float) -> None:
        self.store.observe("llm_calls", seconds)
        if seconds > self.slow_llm_seconds:
            log.warning("SLOW LLM CALL", extra={"call": what, "seconds": round(seconds, 3)})

    def api_request(self, method: str, path: str, status: int, seconds: float) -> None:
        self.store.observe("api_requests", seconds)
        if seconds > self.slow_request_seconds:
            log.warning("SLOW REQUEST", extra={"method": method, "path": path, "status": status,
                                               "seconds": round(seconds, 3)})

    def cache_hit(self) -> None:
        self.store.incr("cache_hits")

    def cache_miss(self) -> None:
        self.store.incr("cache_misses")

    def global_view(self) -> Dict[str, Any]:
        snap = self.store.metrics_snapshot()
        hits = int(snap["cache_hits"]["count"])
        misses = int(snap["cache_misses"]["count"])
        rate = round(hits / (hits + misses), 4) if hits + misses else 0.0
        return {
            "status": "success",
            "metrics": {
                "llm_calls": _duration_view(snap["llm_calls"]),
                "api_requests": _duration_view(snap["api_requests"]),
                "cache": {"hits": hits, "misses": misses, "hit_rate": rate,
                          "hit_rate_percentage": f"{rate * 100:.1f}%"},
            },
            "timestamp": time.time(),
        }

    def reset(self) -> None:
        self.store.metrics_reset()
