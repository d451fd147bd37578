"""The interview flow as a LangGraph graph.

    START ─┬─> analyze ──> plan_next ──> ask ──> END          (start: read CV/JD, first question)
           ├─> plan_next ──> ask ──> END                      (analysis already known)
           └─> evaluate ─┬─> plan_next ──> ask ──> END        (answer: next main question)
                         ├─> ask ──> END                      (follow-up planned by evaluate)
                         └─> finish ──> END                   (last question answered)

Each invocation is one step of an interview (a start or an answer). The graph is compiled without
a checkpointer: the session record passed in is the source of truth and every step starts from it,
so a step that loses a race (and is never committed) cannot leak into the next one, and there is no
second copy of the CV and the answers to keep bounded, expire or erase.
"""
from __future__ import annotations

import time
from typing import Callable, Optional

from langgraph.graph import END, START, StateGraph

from .engines.base import Engine
from .models import DocumentAnalysis, Message, QuestionPlan, SessionRecord
from .planner import plan_follow_up, plan_main, should_follow_up
from .state import FlowState
from .analysis import match

# (text, kind, stored document id or None, owner or None) -> (analysis, came from the cache)
Analyzer = Callable[[str, str, Optional[str], Optional[str]], "tuple[DocumentAnalysis, bool]"]


def append_question(record: SessionRecord, plan: QuestionPlan, text: str, seconds: float, now: float,
                    engine: str = "offline") -> None:
    """Materialise a planned question in the record: the one place a question is ever added."""
    record.messages.append(Message(role="interviewer", content=text, timestamp=now, metadata={
        "stage": plan.stage, "question_number": plan.question_number, "follow_up": plan.follow_up,
        "targets": plan.targets, "reason": plan.reason, "template": plan.template,
        "competency": plan.competency, "slots": plan.slots, "generation_seconds": round(seconds, 6),
        "engine": engine,
    }))
    record.stage = plan.stage
    record.question_times.append(round(seconds, 6))
    if not plan.follow_up:
        record.used_templates.append(plan.template)
    record.pending_plan = None


def build_graph(engine: Engine, analyzer: Analyzer, clock: Callable[[], float]):
    def load(state: FlowState) -> SessionRecord:
        return SessionRecord.model_validate(state["record"])

    def dump(record: SessionRecord) -> dict:
        return record.model_dump(mode="json")

    def analyze(state: FlowState):
        record = load(state)
        cv, cv_cached = analyzer(record.cv_text, "cv", record.sources.get("cv", {}).get("doc_id"), record.owner)
        jd, jd_cached = analyzer(record.jd_text, "jd", record.sources.get("jd", {}).get("doc_id"), record.owner)
        record.analysis = match(cv, jd)
        record.analysis.from_cache = cv_cached and jd_cached
        return {"record": dump(record)}

    def evaluate(state: FlowState):
        record = load(state)
        question = record.awaiting_question()
        answer = state["answer"] or {}
        evaluation = engine.evaluate(question.content, answer["text"], record=record,
                                     question_meta=question.metadata, heard=answer.get("heard"))
        record.messages.append(Message(role="candidate", content=answer["text"], timestamp=clock(), metadata={
            **answer.get("metadata", {}),
            "question_number": question.metadata.get("question_number"),
            "evaluation": {"clarity": evaluation.clarity, "relevance": evaluation.relevance,
                           "depth": evaluation.depth, "feedback": evaluation.feedback},
            "evidence": evaluation.evidence.model_dump(),
            "engine": evaluation.engine,
        }))
        record.updated_at = clock()
        if record.question_count >= record.max_questions:
            decision = "finish"
        elif should_follow_up(record, question.metadata, evaluation):
            decision = "follow_up"
            record.pending_plan = plan_follow_up(record, question.metadata, evaluation)
        else:
            decision = "ask"
        return {"record": dump(record), "decision": decision}

    def plan_next(state: FlowState):
        record = load(state)
        if record.pending_plan is None:
            record.pending_plan = plan_main(record)
        return {"record": dump(record)}

    def ask(state: FlowState):
        record = load(state)
        plan = record.pending_plan
        if not state.get("defer"):
            t0 = time.perf_counter()
            text = engine.write_question(plan, record)
            source = getattr(engine, "last_question_source", lambda: engine.name)()
            append_question(record, plan, text, time.perf_counter() - t0, clock(), engine=source)
        return {"record": dump(record)}

    def finish(state: FlowState):
        record = load(state)
        record.completed = True
        record.pending_plan = None
        return {"record": dump(record)}

    def route_start(state: FlowState) -> str:
        if state.get("answer"):
            return "evaluate"
        return "analyze" if state["record"].get("analysis") is None else "plan_next"

    graph = StateGraph(FlowState)
    graph.add_node("analyze", analyze)
    graph.add_node("evaluate", evaluate)
    graph.add_node("plan_next", plan_next)
    graph.add_node("ask", ask)
    graph.add_node("finish", finish)
    graph.add_conditional_edges(START, route_start, ["analyze", "evaluate", "plan_next"])
    graph.add_edge("analyze", "plan_next")
    graph.add_conditional_edges("evaluate", lambda s: s["decision"],
                                {"ask": "plan_next", "follow_up": "ask", "finish": "finish"})
    graph.add_edge("plan_next", "ask")
    graph.add_edge("ask", END)
    graph.add_edge("finish", END)
    return graph.compile()


def mermaid(graph=None) -> str:
    """The flow drawn by LangGraph's own exporter (used for README)."""
    if graph is None:
        from .engines.offline import OfflineEngine
        graph = build_graph(OfflineEngine(), lambda t, k, d, o: (None, False), time.time)
    return graph.get_graph().draw_mermaid()
