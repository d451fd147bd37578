"""The LangGraph state of one interview step. Values stay plain JSON so any checkpointer can store them."""
from __future__ import annotations

from typing import Any, Dict, Optional, TypedDict


class FlowState(TypedDict, total=False):
    record: Dict[str, Any]            # SessionRecord.model_dump(mode="json")
    answer: Optional[Dict[str, Any]]  # {"text": str, "metadata": {...}} for an answer step
    defer: bool                       # plan the next question but leave its words to the stream
    decision: str                     # what the flow chose after an answer: ask | follow_up | finish
