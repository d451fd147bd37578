"""The practice report as a PDF, with fpdf2 (pure Python): the same content as the Markdown report, and
its charts (scores per answer, voice delivery) drawn as vector bars, so no browser or image library is
needed to make it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from fpdf import FPDF

from . import views

DIMS = (("clarity", (31, 95, 153)), ("relevance", (179, 89, 0)), ("depth", (46, 125, 50)))
VOICE = (("fluency_score", "fluency", (31, 95, 153)), ("clarity_score", "voice clarity", (106, 61, 154)),
         ("confidence_score", "confidence", (179, 89, 0)), ("pace_score", "pace", (46, 125, 50)))


def _unicode_font() -> Optional[Path]:
    """A TTF with wide Unicode coverage (answers hold quotes, dashes, accents): matplotlib's bundled DejaVu
    Sans when it is installed, else the system's. Without one, text is reduced to Latin-1."""
    try:
        import matplotlib

        bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        if bundled.exists():
            return bundled
    except ImportError:
        pass
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/Library/Fonts/Arial Unicode.ttf"):
        if Path(candidate).exists():
            return Path(candidate)
    return None


class _Report(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.set_auto_page_break(True, margin=15)
        self.set_margins(16, 16, 16)
        font = _unicode_font()
        self.unicode = font is not None
        if font is not None:
            self.add_font("body", "", str(font))
            bold = font.with_name("DejaVuSans-Bold.ttf")
            self.add_font("body", "B", str(bold if bold.exists() else font))
            self.family = "body"
        else:
            self.family = "helvetica"
        self.set_title("Practice interview report")
        self.set_creator("AI interview practice")

    def clean(self, text: Any) -> str:
        text = str(text if text is not None else "")
        if self.unicode:
            return text
        table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-",
                               "≥": ">=", "≤": "<=", "·": "-", "✓": "yes", "✗": "no"})
        return text.translate(table).encode("latin-1", "replace").decode("latin-1")

    def para(self, text: str, size: float = 10.5, bold: bool = False, gap: float = 1.5, color=(20, 20, 20)):
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, self.clean(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    def heading(self, text: str, size: float = 14):
        self.ln(2)
        self.para(text, size=size, bold=True, gap=1)

    def bullets(self, items: List[str]):
        for item in items or ["—"]:
            self.para(f"•  {item}", gap=0.8)
        self.ln(1)

    def bar_chart(self, title: str, groups: List[str], series: List[Tuple[str, Tuple[int, int, int], List[float]]],
                  top: float, caption: str):
        """Grouped vertical bars on a 0-10 axis, each bar labelled with its value."""
        height, width = 52.0, self.w - self.l_margin - self.r_margin
        if self.get_y() + height + 30 > self.h - self.b_margin:
            self.add_page()
        self.para(title, size=11.5, bold=True, gap=0.5)
        x0, y0 = self.l_margin + 10, self.get_y() + 4
        plot_w, scale = width - 12, height / top
        self.set_draw_color(200, 200, 200)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(90, 90, 90)
        for tick in range(0, int(top) + 1, 2):
            y = y0 + height - tick * scale
            self.line(x0, y, x0 + plot_w, y)
            self.text(x0 - 6, y + 1, str(tick))
        slot = plot_w / max(1, len(groups))
        bar = min(9.0, slot * 0.8 / max(1, len(series)))
        for g, label in enumerate(groups):
            start = x0 + g * slot + (slot - bar * len(series)) / 2
            for k, (_, color, values) in enumerate(series):
                value = values[g]
                if value is None:
                    continue
                self.set_fill_color(*color)
                self.rect(start + k * bar, y0 + height - value * scale, bar * 0.92, value * scale, style="F")
                self.set_text_color(40, 40, 40)
                self.text(start + k * bar + 0.5, y0 + height - value * scale - 1, f"{value:g}")
            self.set_text_color(40, 40, 40)
            self.set_font(self.family, "", 8)
            self.text(x0 + g * slot + slot / 2 - self.get_string_width(self.clean(label)) / 2, y0 + height + 5,
                      self.clean(label))
            self.set_font(self.family, "", 7.5)
        # legend
        lx, ly = x0, y0 + height + 10
        for name, color, _ in series:
            self.set_fill_color(*color)
            self.rect(lx, ly - 2.6, 3, 3, style="F")
            self.set_text_color(40, 40, 40)
            self.text(lx + 4, ly, self.clean(name))
            lx += 8 + self.get_string_width(self.clean(name))
        self.set_y(ly + 3)
        self.para(caption, size=8.5, color=(90, 90, 90), gap=2)


def report_pdf(report: Dict[str, Any], state: Dict[str, Any]) -> bytes:
    """The report as PDF bytes: summary, charts, strengths, areas to improve, and every answer."""
    from .figures import CAPTIONS

    ev = report["evaluation"]
    pdf = _Report()
    pdf.add_page()
    pdf.para(f"Practice report: {state['role']} at {state['company']}", size=18, bold=True, gap=1)
    when = state["messages"][0]["timestamp"] if state.get("messages") else dt.datetime.now().timestamp()
    pdf.para(dt.datetime.fromtimestamp(when).strftime("%d %B %Y"), size=9.5, color=(90, 90, 90))
    pdf.para(f"Overall {ev['overall_score']} / 10 · {views.band(ev['recommendation'])}", size=15, bold=True)
    pdf.para(f"Clarity {ev['clarity']} · Relevance {ev['relevance']} · Depth {ev['depth']} · "
             f"{ev.get('answered', len(report['conversation']))} answers"
             + (" · ended early" if report.get("ended_early") else ""))
    pdf.para(views.DIMENSION_HELP + " Strong is 8 or more, Promising 6 or more, below that Needs practice.",
             size=9, color=(90, 90, 90))
    delivery = ev.get("delivery") or {}
    if delivery.get("voice_total") is not None or delivery.get("video_delivery") is not None:
        parts = [f"voice {delivery['voice_total']} / 10" if delivery.get("voice_total") is not None else "",
                 f"camera {delivery['video_delivery']} / 10" if delivery.get("video_delivery") is not None else ""]
        pdf.para(f"Delivery ({'part of' if delivery.get('in_recommendation') else 'not part of'} the overall result): "
                 + " · ".join(p for p in parts if p))

    conv = report["conversation"]
    if conv:
        groups = [f"Q{i}" for i in range(1, len(conv) + 1)]
        pdf.bar_chart("Scores per answer", groups,
                      [(name, color, [c["evaluation"].get(name) for c in conv]) for name, color in DIMS],
                      top=10, caption=CAPTIONS["scores"])
        spoken = [(i, c) for i, c in enumerate(conv, 1) if c.get("voice_analysis")]
        if spoken:
            pdf.bar_chart("Voice delivery per answer",
                          [f"Q{i} · {c['voice_analysis']['rate_wpm']} wpm" for i, c in spoken],
                          [(name, color, [c["voice_analysis"][key] for _, c in spoken]) for key, name, color in VOICE],
                          top=10, caption=CAPTIONS["voice"])

    pdf.heading("Strengths")
    pdf.bullets(report.get("strengths", []))
    pdf.heading("Areas to improve")
    pdf.bullets(report.get("areas_to_improve", []))
    pdf.heading("Your answers")
    for i, c in enumerate(conv, 1):
        e = c["evaluation"]
        stage = views.STAGES.get(c.get("stage"), c.get("stage") or "")
        pdf.para(f"Q{i} ({stage}). {c['question']}", bold=True, gap=0.8)
        pdf.para(c["answer"], size=10, color=(60, 60, 60), gap=0.8)
        attempts = int(c.get("attempts", 1))
        pdf.para(f"Clarity {e['clarity']} · Relevance {e['relevance']} · Depth {e['depth']}"
                 + (f" · {attempts} attempts, the last one scored" if attempts > 1 else "") + f": {e['feedback']}",
                 gap=0.8)
        if c.get("tips"):
            pdf.para("Try next time:", size=10, bold=True, gap=0.3)
            pdf.bullets(c["tips"])
        pdf.ln(1.5)
    return bytes(pdf.output())
