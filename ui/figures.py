"""Plotly figures built from a session's state, its report and a user's history (the service's own output),
so the UI, the PDF, the tests and the notebooks draw the same pictures.

Readable with one answer: bars carry their values as labels, every axis has its scale, and each figure
has a one-line caption (`CAPTIONS`) that the page shows under it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

import plotly.graph_objects as go

from .views import BANDS, candidate_turns, question_number

DIMENSIONS = ("clarity", "relevance", "depth")
COLORS = {"clarity": "#1f5f99", "relevance": "#b35900", "depth": "#2e7d32", "overall": "#333333",
          "fluency": "#1f5f99", "voice clarity": "#6a3d9a", "confidence": "#b35900", "pace": "#2e7d32",
          "voice": "#6a3d9a"}
VOICE = (("fluency_score", "fluency"), ("clarity_score", "voice clarity"), ("confidence_score", "confidence"),
         ("pace_score", "pace"))
CAPTIONS = {
    "scores": "Each answer scored 1-10 on clarity (easy to follow), relevance (answers the question) and depth "
              "(a concrete example, your actions, a result).",
    "voice": "Spoken and filmed answers only, 0-10 each: fluency (few fillers and long pauses), voice clarity "
             "(how surely the words were heard), confidence (pitch variation, a prompt start), pace (120-170 "
             "words a minute is 10). Delivery only: not part of the scores.",
    "overall": "The mean of clarity, relevance and depth: Strong from 8, Promising from 6, below that Needs "
               "practice.",
    "history": "Overall score of each finished practice (1-10), with clarity, relevance and depth.",
    "history_delivery": "Voice delivery (0-10, the mean of fluency, voice clarity, confidence and pace) in "
                        "practices with spoken answers.",
}
LAYOUT = {"height": 320, "margin": {"l": 48, "r": 12, "t": 48, "b": 40}, "legend": {"orientation": "h", "y": -0.18},
          "font": {"family": "system-ui, sans-serif", "size": 13}, "plot_bgcolor": "#ffffff",
          "paper_bgcolor": "#ffffff"}


def _empty(title: str, note: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, annotations=[{"text": note, "showarrow": False, "x": 0.5, "y": 0.5,
                                                 "xref": "paper", "yref": "paper", "font": {"size": 15}}],
                      xaxis={"visible": False}, yaxis={"visible": False}, **{**LAYOUT, "height": 220})
    return fig


def scores_figure(state: Dict[str, Any]) -> go.Figure:
    """Clarity, relevance and depth per answer, as grouped bars with their values on them."""
    turns = candidate_turns(state)
    if not turns:
        return _empty("Scores per answer", "No answers yet")
    labels = [f"Q{question_number(t['question'], i + 1)}" for i, t in enumerate(turns)]
    fig = go.Figure()
    for dim in DIMENSIONS:
        values = [t["answer"]["metadata"].get("evaluation", {}).get(dim) for t in turns]
        fig.add_bar(name=dim, x=labels, y=values, marker_color=COLORS[dim], text=values, textposition="outside",
                    cliponaxis=False)
    fig.update_layout(title="Scores per answer", barmode="group", bargap=0.35,
                      yaxis={"range": [0, 10.9], "title": "score (1-10)", "dtick": 2}, xaxis={"type": "category"},
                      **LAYOUT)
    return fig


def voice_figure(state: Dict[str, Any]) -> go.Figure:
    """Voice delivery scores per spoken answer as grouped bars; the speaking rate is in each answer's label,
    so one answer reads as well as five."""
    turns = [t for t in candidate_turns(state) if t["answer"]["metadata"].get("voice_metrics")]
    if not turns:
        return _empty("Voice delivery per answer", "No spoken answers yet")
    labels = [f"Q{question_number(t['question'])} · {t['answer']['metadata']['voice_metrics']['rate_wpm']} wpm"
              for t in turns]
    fig = go.Figure()
    for key, name in VOICE:
        values = [t["answer"]["metadata"]["voice_metrics"][key] for t in turns]
        fig.add_bar(name=name, x=labels, y=values, marker_color=COLORS[name], text=[f"{v:g}" for v in values],
                    textposition="outside", cliponaxis=False)
    fig.update_layout(title="Voice delivery per answer", barmode="group", bargap=0.3,
                      yaxis={"range": [0, 10.9], "title": "score (0-10)", "dtick": 2}, xaxis={"type": "category"},
                      **LAYOUT)
    return fig


def overall_figure(report: Optional[Dict[str, Any]]) -> go.Figure:
    """The overall score as a gauge with the practice bands (Promising from 6, Strong from 8)."""
    if not report:
        return _empty("Overall", "Finish the interview to see your result")
    ev = report["evaluation"]
    fig = go.Figure(go.Indicator(
        mode="gauge+number", value=ev["overall_score"], number={"suffix": " / 10"},
        title={"text": f"Overall · {BANDS[ev['recommendation']]}"},
        gauge={"axis": {"range": [0, 10], "tickvals": [0, 2, 4, 6, 8, 10]}, "bar": {"color": "#333"},
               "steps": [{"range": [0, 6], "color": "#f4c7c3"}, {"range": [6, 8], "color": "#fce8b2"},
                         {"range": [8, 10], "color": "#b7e1cd"}]}))
    fig.update_layout(**{**LAYOUT, "height": 260})
    return fig


def _session_labels(sessions) -> list:
    return [f"{i}. {dt.datetime.fromtimestamp(s['created_at']).strftime('%d %b %H:%M')}"
            for i, s in enumerate(sessions, 1)]


def history_figure(history: Dict[str, Any]) -> go.Figure:
    """Overall, clarity, relevance and depth of each finished practice, in order."""
    done = [s for s in history.get("sessions", []) if s.get("overall_score") is not None]
    if not done:
        return _empty("Your progress", "Finish a practice interview to start your chart")
    labels = _session_labels(done)
    fig = go.Figure()
    fig.add_scatter(x=labels, y=[s["overall_score"] for s in done], name="overall", mode="lines+markers+text",
                    text=[f"{s['overall_score']:g}" for s in done], textposition="top center",
                    line={"color": COLORS["overall"], "width": 3}, marker={"size": 10})
    for dim in DIMENSIONS:
        fig.add_scatter(x=labels, y=[s[dim] for s in done], name=dim, mode="lines+markers",
                        line={"color": COLORS[dim], "width": 1.5, "dash": "dot"}, marker={"size": 6})
    fig.update_layout(title="Your progress", yaxis={"range": [0, 10.9], "title": "score (1-10)", "dtick": 2},
                      xaxis={"type": "category"}, **LAYOUT)
    return fig


def history_delivery_figure(history: Dict[str, Any]) -> go.Figure:
    done = [s for s in history.get("sessions", []) if s.get("voice_total") is not None]
    if not done:
        return _empty("Your delivery", "Answer by voice or camera to chart your delivery")
    fig = go.Figure()
    fig.add_scatter(x=_session_labels(done), y=[s["voice_total"] for s in done], name="voice delivery",
                    mode="lines+markers+text", text=[f"{s['voice_total']:g}" for s in done],
                    textposition="top center", line={"color": COLORS["voice"], "width": 3}, marker={"size": 10})
    fig.update_layout(title="Your delivery", yaxis={"range": [0, 10.9], "title": "score (0-10)", "dtick": 2},
                      xaxis={"type": "category"}, **LAYOUT)
    return fig
