"""The Gradio demo: setup, interview (mic, webcam, upload or typing) and dashboard, in one page.

Callbacks call the same InterviewService as the REST routes, in process, and only shape its output
for display (ui/views.py, ui/figures.py). Errors show the API's own message in the page.
"""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Optional, Tuple

# No usage analytics leave the machine; must be set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from interview_engine import AnswerInput, InterviewService, Settings, StartInput  # noqa: E402
from interview_engine.errors import InterviewError  # noqa: E402

from . import figures, views  # noqa: E402

CSS = """
.chip {display:inline-block;padding:2px 10px;margin:2px;border-radius:12px;font-size:0.85em}
.chip.ok {background:#d9f2e3;color:#145c32} .chip.gap {background:#fde2e1;color:#8a1c14}
#status {min-height:1.5em}
"""
INTRO = ("# AI interview practice\nStart from a CV and a job description, answer by voice, webcam or text, "
         "and get scores with the evidence behind them. Runs offline; nothing leaves this machine unless an "
         "LLM provider is configured.")


def _file(path: Optional[str]) -> Optional[Tuple[str, bytes]]:
    if not path:
        return None
    p = Path(path)
    return p.name, p.read_bytes()


def _error(exc: InterviewError) -> str:
    detail = exc.detail if isinstance(exc.detail, str) else (exc.detail.get("error") if isinstance(exc.detail, dict)
                                                             else str(exc.detail))
    return f"⚠️ {detail}"


def build_ui(get_service: Callable[[], InterviewService], settings: Settings) -> gr.Blocks:
    """`get_service` returns the app's service at call time (it is created when the app starts)."""
    with gr.Blocks(title="AI Interview") as demo:
        session = gr.State("")
        gr.Markdown(INTRO)
        status = gr.Markdown("", elem_id="status")
        with gr.Tabs(selected="setup") as tabs:
            with gr.Tab("Setup", id="setup"):
                with gr.Row():
                    role = gr.Textbox(label="Role", value="Backend Engineer", elem_id="role")
                    company = gr.Textbox(label="Company", value="Acme", elem_id="company")
                    n_questions = gr.Slider(3, 15, value=settings.max_questions, step=1,
                                            label="Number of questions")
                with gr.Row():
                    with gr.Column():
                        cv_file = gr.File(label="CV (PDF, DOCX or TXT)", type="filepath", elem_id="cv_file",
                                          file_types=[".pdf", ".docx", ".txt", ".md"])
                        cv_text = gr.Textbox(label="…or paste the CV", lines=6)
                    with gr.Column():
                        jd_file = gr.File(label="Job description (PDF, DOCX or TXT)", type="filepath",
                                          elem_id="jd_file", file_types=[".pdf", ".docx", ".txt", ".md"])
                        jd_text = gr.Textbox(label="…or paste the job description", lines=6)
                start_btn = gr.Button("Start the interview", variant="primary", elem_id="start")
            with gr.Tab("Interview", id="interview"):
                progress_md = gr.Markdown("Start an interview on the Setup tab.", elem_id="progress")
                session_md = gr.Markdown("", elem_id="session_link")
                analysis_md = gr.Markdown("", elem_id="analysis")
                question_md = gr.Markdown("", elem_id="question")
                with gr.Row():
                    audio_in = gr.Audio(sources=["microphone", "upload"], type="filepath", label="Answer by voice",
                                        elem_id="audio_in")
                    video_in = gr.Video(sources=["webcam", "upload"], label="…or on camera", elem_id="video_in")
                text_in = gr.Textbox(label="…or type your answer", lines=4, elem_id="text_in")
                with gr.Row():
                    submit_btn = gr.Button("Submit answer", variant="primary", elem_id="submit")
                    finish_btn = gr.Button("End the interview now", elem_id="finish")
                feedback_md = gr.Markdown("", elem_id="feedback")
            with gr.Tab("Dashboard", id="dashboard"):
                with gr.Row():
                    overall_plot = gr.Plot(label="Overall", elem_id="overall_plot")
                    scores_plot = gr.Plot(label="Scores", elem_id="scores_plot")
                with gr.Row():
                    voice_plot = gr.Plot(label="Voice", elem_id="voice_plot")
                    timing_plot = gr.Plot(label="Question generation", elem_id="timing_plot")
                downloads = gr.File(label="Download the report", file_count="multiple", elem_id="downloads")
                report_md = gr.Markdown("", elem_id="report")

        dashboard_outputs = [overall_plot, scores_plot, voice_plot, timing_plot, report_md, downloads]

        def dashboard(sid: str, report: Optional[dict]):
            service = get_service()
            state = service.state(sid)
            perf = service.performance(sid)
            files = []
            if report:
                folder = Path(tempfile.mkdtemp(prefix="report-"))
                (folder / f"interview-{sid}.md").write_text(views.report_markdown(report, state), encoding="utf-8")
                (folder / f"interview-{sid}.json").write_text(views.report_json(report), encoding="utf-8")
                files = [str(folder / f"interview-{sid}.md"), str(folder / f"interview-{sid}.json")]
            return (figures.overall_figure(report), figures.scores_figure(state), figures.voice_figure(state),
                    figures.timing_figure(perf), views.report_markdown(report, state) if report else "", files or None)

        def stream_question(sid: str):
            """Yield (text so far, error, progress update) as the question streams. The session is read
            back once, when the question is saved, not on every chunk."""
            service = get_service()
            text = ""
            for event in service.stream(sid):
                if "chunk" in event:
                    text += event["chunk"]
                    yield text, None, gr.update()
                elif "done" in event:  # saved: progress and stage can now be read back
                    yield text, None, views.progress_text(service.state(sid))
                elif "error" in event:
                    yield text, event["error"], gr.update()
                    return

        def start(role_v, company_v, cv_path, cv_txt, jd_path, jd_txt, n):
            service = get_service()
            sid = "ui-" + uuid.uuid4().hex[:12]
            try:
                service.start(StartInput(user_id="ui-user", session_id=sid, role=role_v, company=company_v,
                                         cv_text=cv_txt or "", jd_text=jd_txt or "", cv_file=_file(cv_path),
                                         jd_file=_file(jd_path), max_questions=int(n), defer_question=True))
            except InterviewError as exc:
                yield _error(exc), "", gr.Tabs(), gr.update(), gr.update(), gr.update(), gr.update()
                return
            state = service.state(sid)
            link = views.resume_link(sid)
            yield ("Analysing your CV against the job description… done.", sid, gr.Tabs(selected="interview"),
                   views.progress_text(state), views.analysis_markdown(state), "", link)
            for text, err, progress_now in stream_question(sid):
                yield ((f"⚠️ {err}" if err else ""), sid, gr.Tabs(), progress_now, gr.update(), f"### {text}", link)

        start_btn.click(start, [role, company, cv_file, cv_text, jd_file, jd_text, n_questions],
                        [status, session, tabs, progress_md, analysis_md, question_md, session_md])

        def answer(sid, audio_path, video_path, typed, progress=gr.Progress()):
            service = get_service()
            keep = (gr.update(), gr.update(), gr.update())  # inputs stay as they were on an error
            if not sid:
                yield ("⚠️ Start an interview first.", gr.update(), gr.update(), gr.update(), *keep, gr.Tabs(),
                       *[gr.update()] * len(dashboard_outputs))
                return
            progress(0.1, desc="Transcribing and scoring your answer…" if (audio_path or video_path) else "Scoring…")
            try:
                result = service.answer(AnswerInput(session_id=sid, answer_text=typed or None, audio=_file(audio_path),
                                                    video=_file(video_path), defer_question=True))
            except InterviewError as exc:
                yield (_error(exc), gr.update(), gr.update(), gr.update(), *keep, gr.Tabs(),
                       *[gr.update()] * len(dashboard_outputs))
                return
            state = service.state(sid)
            feedback = views.evaluation_markdown(views.candidate_turns(state)[-1]["answer"])
            cleared = (None, None, "")
            if result["status"] == "completed":
                report = service.complete(sid)
                yield ("Interview complete: your report is on the Dashboard.", views.progress_text(state), "",
                       feedback, *cleared, gr.Tabs(selected="dashboard"), *dashboard(sid, report))
                return
            yield ("", views.progress_text(state), "", feedback, *cleared, gr.Tabs(),
                   *[gr.update()] * len(dashboard_outputs))
            # Inputs are cleared once, above: clearing them on every chunk would wipe what the
            # candidate starts typing while the next question streams in.
            for text, err, progress_now in stream_question(sid):
                yield ((f"⚠️ {err}" if err else ""), progress_now, f"### {text}",
                       feedback, *keep, gr.Tabs(), *[gr.update()] * len(dashboard_outputs))

        submit_btn.click(answer, [session, audio_in, video_in, text_in],
                         [status, progress_md, question_md, feedback_md, audio_in, video_in, text_in, tabs,
                          *dashboard_outputs])

        def finish(sid):
            service = get_service()
            if not sid:
                return ("⚠️ Start an interview first.", gr.Tabs(), *[gr.update()] * len(dashboard_outputs))
            try:
                report = service.complete(sid, force=True)
            except InterviewError as exc:
                return (_error(exc), gr.Tabs(), *[gr.update()] * len(dashboard_outputs))
            return ("Interview ended: your report is on the Dashboard.", gr.Tabs(selected="dashboard"),
                    *dashboard(sid, report))

        finish_btn.click(finish, [session], [status, tabs, *dashboard_outputs])

        def resume(request: gr.Request):
            """`?session=<id>` reopens an interview through the same restore path as the API."""
            service = get_service()
            sid = (request.query_params.get("session") if request else None) or ""
            blank = (gr.update(),) * (6 + len(dashboard_outputs))
            if not sid:
                return ("", "", gr.Tabs(), *blank)
            try:
                state = service.state(sid)
            except InterviewError as exc:
                return (_error(exc), "", gr.Tabs(), *blank)
            turns = views.candidate_turns(state)
            feedback = views.evaluation_markdown(turns[-1]["answer"]) if turns else ""
            if state["completed"]:
                report = service.complete(sid)
                return ("Interview restored.", sid, gr.Tabs(selected="dashboard"), views.progress_text(state),
                        views.analysis_markdown(state), "", feedback, gr.update(), views.resume_link(sid),
                        *dashboard(sid, report))
            if state["messages"] and state["messages"][-1]["role"] == "interviewer":
                question = state["messages"][-1]["content"]
            else:  # a deferred question not generated yet: generate it now
                question = "".join(e.get("chunk", "") for e in service.stream(sid))
            return ("Interview restored.", sid, gr.Tabs(selected="interview"), views.progress_text(state),
                    views.analysis_markdown(state), f"### {question}" if question else "", feedback, gr.update(),
                    views.resume_link(sid), *[gr.update()] * len(dashboard_outputs))

        demo.load(resume, None, [status, session, tabs, progress_md, analysis_md, question_md, feedback_md,
                                 text_in, session_md, *dashboard_outputs])
    return demo


def mount_ui(app, get_service: Callable[[], InterviewService], settings: Settings, path: str = "/"):
    return gr.mount_gradio_app(app, build_ui(get_service, settings), path=path, css=CSS,
                               # System fonts: the default theme would fetch Google Fonts, which an offline browser cannot.
                               theme=gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                                    font_mono=["ui-monospace", "monospace"]))
