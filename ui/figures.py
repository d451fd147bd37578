"""Plotly figures built from a session's state, performance and report dicts (the service's own output),
so the UI, the tests and the notebooks draw the same pictures."""
from __future__ import annotations

from typing import Any, Dict, Optional

import plotly.graph_objects as go

from .views import candidate_turns

DIMENSIONS = ("clarity", "relevance", "depth")
COLORS = {"clarity": "#4C78A8", "relevance": "#F58518", "depth": "#54A24B"}


def _empty(title: str, note: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, annotations=[{"text": note, "showarrow": False, "x": 0.5, "y": 0.5,
                                                 "xref": "paper", "yref": "paper"}],
                      xaxis={"visible": False}, yaxis={"visible": False}, height=320)
    return fig


def scores_figure(state: Dict[str, Any]) -> go.Figure:
    """Clarity, relevance and depth per answer, as grouped bars."""
    turns = candidate_turns(state)
    if not turns:
        return _empty("Scores per answer", "No answers yet")
    labels = [f"Q{t['question']['metadata'].get('question_number', i + 1)}" for i, t in enumerate(turns)]
    fig = go.Figure()
    for dim in DIMENSIONS:
        fig.add_bar(name=dim, x=labels, marker_color=COLORS[dim],
                    y=[t["answer"]["metadata"].get("evaluation", {}).get(dim) for t in turns])
    fig.update_layout(title="Scores per answer", barmode="group", yaxis={"range": [0, 10], "title": "score"},
                      height=340, legend={"orientation": "h"})
    return fig


def voice_figure(state: Dict[str, Any]) -> go.Figure:
    """Voice delivery scores across spoken answers, with speaking rate on a second axis."""
    turns = [t for t in candidate_turns(state) if t["answer"]["metadata"].get("voice_metrics")]
    if not turns:
        return _empty("Voice across answers", "No spoken answers yet")
    labels = [f"Q{t['question']['metadata'].get('question_number')}" for t in turns]
    fig = go.Figure()
    for key in ("fluency_score", "clarity_score", "confidence_score", "pace_score"):
        fig.add_scatter(x=labels, y=[t["answer"]["metadata"]["voice_metrics"][key] for t in turns],
                        mode="lines+markers", name=key.replace("_score", ""))
    fig.add_bar(x=labels, y=[t["answer"]["metadata"]["voice_metrics"]["rate_wpm"] for t in turns],
                name="words per minute", yaxis="y2", opacity=0.25)
    fig.update_layout(title="Voice across answers (delivery only)", height=340, legend={"orientation": "h"},
                      yaxis={"range": [0, 10], "title": "score"},
                      yaxis2={"overlaying": "y", "side": "right", "title": "wpm", "range": [0, 260]})
    return fig


def timing_figure(performance: Dict[str, Any]) -> go.Figure:
    """Question-generation time per question."""
    times = performance.get("response_times", {}).get("all", [])
    if not times:
        return _empty("Question generation time", "No questions yet")
    fig = go.Figure(go.Bar(x=[f"Q{i}" for i in range(1, len(times) + 1)], y=[t * 1000 for t in times],
                           marker_color="#72B7B2"))
    fig.update_layout(title="Question generation time", yaxis={"title": "ms"}, height=300)
    return fig


def overall_figure(report: Optional[Dict[str, Any]]) -> go.Figure:
    """The overall score as a gauge, with the recommendation bands (maybe ≥ 6, hire ≥ 8)."""
    if not report:
        return _empty("Overall score", "Finish the interview to see the report")
    ev = report["evaluation"]
    fig = go.Figure(go.Indicator(
        mode="gauge+number", value=ev["overall_score"], title={"text": f"Overall · {ev['recommendation']}"},
        gauge={"axis": {"range": [0, 10]}, "bar": {"color": "#333"},
               "steps": [{"range": [0, 6], "color": "#f4c7c3"}, {"range": [6, 8], "color": "#fce8b2"},
                         {"range": [8, 10], "color": "#b7e1cd"}]}))
    fig.update_layout(height=300)
    return fig
