"""The practice UI: setup, a conversation timeline (question, answer, scores, tips), a report with PDF, and
the candidate's practice history, in one page.

Callbacks call the same InterviewService as the REST routes, in process, and only shape its output for
display (ui/views.py, ui/figures.py, ui/pdf.py). The page's own behaviour (timer, read-aloud, scrolling
to what changed, the browser-local user id) is in ui/page.js; styles in ui/page.css.
"""
from __future__ import annotations

import os
import queue
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

# No usage analytics leave the machine; must be set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from interview_engine import AnswerInput, InterviewService, LiveAnswer, Settings, StartInput  # noqa: E402
from interview_engine.errors import InterviewError  # noqa: E402

from . import figures, pdf, views  # noqa: E402

HERE = Path(__file__).parent
EXAMPLE = {"role": "Backend Engineer", "company": "Northwind Logistics",
           "cv": (HERE / "examples" / "cv.txt").read_text(encoding="utf-8"),
           "jd": (HERE / "examples" / "jd.txt").read_text(encoding="utf-8")}
INTRO = ("# Interview practice\nPractise a job interview built from your CV and the job description. Answer by "
         "voice, camera or typing; each answer gets scores, the evidence behind them and tips. Everything runs "
         "on this machine.")
STEPS = {"transcribing": "Transcribing your answer…", "scoring": "Scoring your answer…",
         "next": "Next question…", "starting": "Reading your CV and the job description…",
         "report": "Writing your report…"}
NOTHING_TO_SEND = "Type an answer or record one, then press Submit."
# Recordings stay in the UI's upload folder only for playback during practice: deleted after 2 hours.
RECORDING_SECONDS = 7200
# Live answers in progress, by a random token kept in the page's state (the objects hold threads and audio,
# which Gradio's state must not copy). An abandoned one is dropped by the speech pipeline's reaper.
LIVE: Dict[str, LiveAnswer] = {}
# When each session last stopped a live answer: a chunk still on its way after that must not open a new one.
STOPPED: Dict[str, float] = {}
LATE_CHUNK_SECONDS = 2.0
LIVE_CHUNK_SECONDS = 0.5  # how often the browser sends audio while recording


def _save_recording(samples, name: str) -> Optional[str]:
    """A live answer's audio as a WAV in Gradio's upload folder, for playback beside its transcript."""
    import wave

    import numpy as np
    from gradio.utils import get_upload_folder

    if samples is None or not len(samples):
        return None
    folder = Path(get_upload_folder()) / "live"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return str(path)


def _file(path: Optional[str]) -> Optional[Tuple[str, bytes]]:
    if not path:
        return None
    p = Path(path)
    return p.name, p.read_bytes()


def _detail(exc: InterviewError) -> str:
    d = exc.detail
    return d if isinstance(d, str) else (d.get("error") if isinstance(d, dict) else str(d))


def error_html(message: str) -> str:
    return f"<div class='ui-error' role='alert'><span aria-hidden='true'>⚠ </span>{views.esc(message)}</div>"


def step_html(key: str) -> str:
    return (f"<div class='step' role='status'><span class='spinner' aria-hidden='true'></span>"
            f"{views.esc(STEPS[key])}</div>")


def _file_url(path: str) -> str:
    # Relative, so it works under any root path; Gradio serves its own upload folder.
    return f"gradio_api/file={path}"


def build_ui(get_service: Callable[[], InterviewService], settings: Settings) -> gr.Blocks:
    """`get_service` returns the app's service at call time (it is created when the app starts)."""
    with gr.Blocks(title="Interview practice", delete_cache=(1800, RECORDING_SECONDS)) as demo:
        session = gr.State("")
        current_q = gr.State(0)       # the question awaiting an answer
        retry_q = gr.State(0)         # the question being tried again (0: none)
        recordings = gr.State({})     # question number -> {"url", "kind"}, for playback
        mode = gr.State("live")
        live_token = gr.State("")     # the live answer being recorded (a key of LIVE)
        user_id = gr.Textbox(visible=False, elem_id="user_id")  # filled from the browser's local storage
        gr.Markdown(INTRO, elem_id="intro")
        with gr.Tabs(selected="practice", elem_id="main_tabs") as main_tabs:
            with gr.Tab("Practice", id="practice", elem_id="tab_practice"):
                with gr.Column(visible=True, elem_id="setup") as setup_col:
                    with gr.Row(equal_height=True):
                        role = gr.Textbox(label="Role", placeholder="e.g. Backend Engineer", elem_id="role",
                                          max_lines=1, scale=2)
                        company = gr.Textbox(label="Company", placeholder="e.g. Acme", elem_id="company",
                                             max_lines=1, scale=2)
                        n_questions = gr.Slider(3, 15, value=settings.max_questions, step=1,
                                                label="Number of questions", scale=1, elem_id="n_questions")
                    with gr.Row():
                        with gr.Column():
                            cv_file = gr.File(label="Your CV (PDF, DOCX or TXT)", type="filepath", elem_id="cv_file",
                                              file_types=[".pdf", ".docx", ".txt", ".md"], height=120)
                            cv_text = gr.Textbox(label="…or paste your CV", lines=3, max_lines=8, elem_id="cv_text")
                        with gr.Column():
                            jd_file = gr.File(label="Job description (PDF, DOCX or TXT)", type="filepath",
                                              elem_id="jd_file", file_types=[".pdf", ".docx", ".txt", ".md"],
                                              height=120)
                            jd_text = gr.Textbox(label="…or paste the job description", lines=3, max_lines=8,
                                                 elem_id="jd_text")
                    with gr.Row():
                        start_btn = gr.Button("Start the interview", variant="primary", elem_id="start", scale=2)
                        example_btn = gr.Button("Try it with an example", elem_id="example", scale=1)
                    start_error = gr.HTML("", elem_id="start_error")
                    start_step = gr.HTML("", elem_id="start_step")
                with gr.Column(visible=False, elem_id="interview") as interview_col:
                    with gr.Row(equal_height=True, elem_id="interview_bar"):
                        progress_md = gr.Markdown("", elem_id="progress")
                        gr.HTML("<label class='read-aloud'><input type='checkbox' id='read-aloud' checked> "
                                "Read questions aloud</label>", elem_id="read_aloud_box")
                        end_btn = gr.Button("End interview", size="sm", variant="secondary", elem_id="end",
                                            scale=0, min_width=140)
                        see_report_btn = gr.Button("See my report", size="sm", variant="primary",
                                                   elem_id="see_report", visible=False, scale=0, min_width=140)
                        new_btn = gr.Button("New practice", size="sm", variant="primary", elem_id="new_practice",
                                            visible=False, scale=0, min_width=140)
                    with gr.Group(visible=False, elem_id="end_confirm") as end_confirm:
                        gr.Markdown("**End the interview now?** Questions you have not answered will not be scored, "
                                    "and you will not be able to change your answers.")
                        with gr.Row():
                            confirm_end_btn = gr.Button("Yes, end it and show my report", variant="stop",
                                                        elem_id="confirm_end")
                            cancel_end_btn = gr.Button("Keep practising", elem_id="cancel_end")
                    with gr.Accordion("What this interview will focus on", open=False, elem_id="analysis_box"):
                        analysis_md = gr.Markdown("", elem_id="analysis")
                    timeline = gr.HTML("", elem_id="timeline")
                    with gr.Row():
                        retry_btn = gr.Button("Try this question again", visible=False, elem_id="retry", size="sm")
                        cancel_retry_btn = gr.Button("Keep my earlier answer", visible=False, elem_id="cancel_retry",
                                                     size="sm")
                    question_html = gr.HTML("", elem_id="question")
                    with gr.Column(elem_id="answer_area"):
                        with gr.Tabs(selected="live", elem_id="answer_modes"):
                            with gr.Tab("Live", id="live", elem_id="mode_live") as live_tab:
                                live_in = gr.Audio(sources=["microphone"], streaming=True, type="numpy",
                                                   label="Speak your answer: it is transcribed as you speak and "
                                                         "scored when you stop", elem_id="live_in", buttons=[])
                                live_view = gr.HTML(views.live_html(None), elem_id="live_transcript")
                            with gr.Tab("Voice", id="voice", elem_id="mode_voice") as voice_tab:
                                audio_in = gr.Audio(sources=["microphone", "upload"], type="filepath",
                                                    label="Record your answer", elem_id="audio_in", buttons=[])
                            with gr.Tab("Camera", id="camera", elem_id="mode_camera") as camera_tab:
                                # Asked once per interview, before any picture is analysed; unticked by default,
                                # and kept (the component's value) for the session's later filmed answers.
                                picture_ok = gr.Checkbox(False, label=views.PICTURE_CONSENT_LABEL,
                                                         info=views.picture_consent_info(
                                                             settings.video_emotion,
                                                             settings.delivery_in_recommendation),
                                                         visible=settings.video_analysis, elem_id="picture_consent")
                                video_in = gr.Video(sources=["webcam", "upload"], label="Film your answer",
                                                    elem_id="video_in", include_audio=True, buttons=[], height=300)
                            with gr.Tab("Type", id="type", elem_id="mode_type") as type_tab:
                                text_in = gr.Textbox(label="Type your answer", lines=5, elem_id="text_in")
                        submit_btn = gr.Button("Submit answer", variant="primary", elem_id="submit")
                        step = gr.HTML("", elem_id="step")
                        answer_error = gr.HTML("", elem_id="answer_error")
                    with gr.Accordion("About this interview", open=False, elem_id="about_box"):
                        about_md = gr.Markdown("", elem_id="about")
            with gr.Tab("Report", id="report", elem_id="tab_report"):
                report_note = gr.Markdown("Finish an interview to see its report here.", elem_id="report_note")
                with gr.Row():
                    overall_plot = gr.Plot(label="Overall", elem_id="overall_plot", show_label=False)
                    scores_plot = gr.Plot(label="Scores per answer", elem_id="scores_plot", show_label=False)
                gr.Markdown(figures.CAPTIONS["overall"] + " " + figures.CAPTIONS["scores"], elem_classes=["caption"])
                voice_plot = gr.Plot(label="Voice delivery", elem_id="voice_plot", show_label=False)
                gr.Markdown(figures.CAPTIONS["voice"], elem_classes=["caption"])
                with gr.Row():
                    pdf_btn = gr.DownloadButton("Download the PDF report", elem_id="pdf", visible=False,
                                                variant="primary")
                    downloads = gr.File(label="Markdown and JSON", file_count="multiple", elem_id="downloads",
                                        visible=False, height=100)
                report_md = gr.Markdown("", elem_id="report")
            with gr.Tab("My practice", id="history", elem_id="tab_history") as history_tab:
                history_table = gr.HTML("", elem_id="history")
                with gr.Row():
                    history_plot = gr.Plot(label="Your progress", elem_id="history_plot", show_label=False)
                    delivery_plot = gr.Plot(label="Your delivery", elem_id="delivery_plot", show_label=False)
                gr.Markdown(figures.CAPTIONS["history"] + " " + figures.CAPTIONS["history_delivery"],
                            elem_classes=["caption"])

        inputs_on = (gr.update(interactive=True),) * 5
        inputs_off = (gr.update(interactive=False),) * 5
        answer_inputs = [audio_in, video_in, text_in, submit_btn, live_in]
        report_outputs = [report_note, overall_plot, scores_plot, voice_plot, report_md, pdf_btn, downloads]
        history_outputs = [history_table, history_plot, delivery_plot]

        # Helpers that shape service output for the components ------------------------------------
        def report_updates(sid: str, report: dict) -> Dict[Any, Any]:
            service = get_service()
            state = service.state(sid)
            # The session's own private folder (under the data folder, erased with the session), rewritten each
            # time; Gradio copies the files into its own cache (which delete_cache empties) to serve them.
            folder = service.session_files(sid)
            md = views.report_markdown(report, state)
            (folder / f"practice-report-{sid}.md").write_text(md, encoding="utf-8")
            (folder / f"practice-report-{sid}.json").write_text(views.report_json(report), encoding="utf-8")
            (folder / f"practice-report-{sid}.pdf").write_bytes(pdf.report_pdf(report, state))
            return {report_note: "", overall_plot: figures.overall_figure(report),
                    scores_plot: figures.scores_figure(state), voice_plot: figures.voice_figure(state),
                    report_md: md, pdf_btn: gr.update(value=str(folder / f"practice-report-{sid}.pdf"), visible=True),
                    downloads: gr.update(value=[str(folder / f"practice-report-{sid}.md"),
                                                str(folder / f"practice-report-{sid}.json")], visible=True)}

        def history_updates(uid: str) -> Dict[Any, Any]:
            if not uid:
                return {history_table: views.history_html({})}
            history = get_service().user_sessions(uid)
            return {history_table: views.history_html(history), history_plot: figures.history_figure(history),
                    delivery_plot: figures.history_delivery_figure(history)}

        def timeline_updates(state: dict, recs: dict, report: Optional[dict] = None) -> Dict[Any, Any]:
            number = views.retryable_number(state, report)
            return {timeline: views.timeline_html(state, recs),
                    retry_btn: gr.update(visible=bool(number), value=f"Try question {number} again"),
                    about_md: views.about_markdown(state, get_service().performance(state["session_id"]))}

        def final_updates(sid: str, uid: str, report: dict, recs: dict) -> Dict[Any, Any]:
            state = get_service().state(sid)
            return {**timeline_updates(state, recs, report), question_html: views.final_html(state, report),
                    progress_md: views.progress_text(state), step: "", answer_error: "",
                    **dict(zip(answer_inputs, inputs_off)), end_btn: gr.update(visible=False),
                    see_report_btn: gr.update(visible=False), end_confirm: gr.update(visible=False),
                    new_btn: gr.update(visible=True),
                    cancel_retry_btn: gr.update(visible=False), retry_q: 0,
                    main_tabs: gr.Tabs(selected="report"), **report_updates(sid, report), **history_updates(uid)}

        def last_answered_updates(state: dict) -> Dict[Any, Any]:
            """The last question is answered: the candidate may still try it again, or see the report."""
            return {question_html: "<section id='current-q' data-complete='0'><h2 class='q-heading'>That was the "
                                   "last question</h2><p class='q-text'>Try your last answer again, or see your "
                                   "report.</p></section>",
                    progress_md: views.progress_text(state), **dict(zip(answer_inputs, inputs_off)),
                    end_btn: gr.update(visible=False), see_report_btn: gr.update(visible=True)}

        def stream_question(sid: str, state_before: dict):
            """Yield updates as the awaiting question streams in; the last one marks it complete. The session
            is read back once, when the question is saved, not on every chunk."""
            service = get_service()
            text, shown_at = "", 0.0
            for event in service.stream(sid):
                if "chunk" in event:
                    text += event["chunk"]
                    # At most ~20 redraws a second: a fast engine's words arrive faster than a page can paint.
                    if time.monotonic() - shown_at >= 0.05:
                        shown_at = time.monotonic()
                        yield {question_html: views.question_html(state_before, text,
                                                                  state_before["question_count"] + 1, complete=False)}
                elif "done" in event:
                    number = event["question_number"]
                    state = service.state(sid)
                    yield {question_html: views.question_html(state, text, number, complete=True), current_q: number,
                           progress_md: views.progress_text(state), step: "", **dict(zip(answer_inputs, inputs_on))}
                elif "error" in event:
                    yield {answer_error: error_html(event["error"]), step: ""}
                    return

        # Setup ------------------------------------------------------------------------------------
        def fill_example():
            return {role: EXAMPLE["role"], company: EXAMPLE["company"], cv_text: EXAMPLE["cv"],
                    jd_text: EXAMPLE["jd"], cv_file: None, jd_file: None, start_error: ""}

        example_btn.click(fill_example, None, [role, company, cv_text, jd_text, cv_file, jd_file, start_error],
                          show_progress="hidden")

        def start(uid, role_v, company_v, cv_path, cv_txt, jd_path, jd_txt, n):
            service = get_service()
            sid = "ui-" + uuid.uuid4().hex[:16]
            if not (role_v or "").strip() or not (company_v or "").strip():
                yield {start_error: error_html("Enter the role and the company you are practising for.")}
                return
            if not (cv_path or (cv_txt or "").strip()) or not (jd_path or (jd_txt or "").strip()):
                yield {start_error: error_html("Add your CV and the job description: upload a file or paste "
                                               "the text for each.")}
                return
            yield {start_error: "", start_step: step_html("starting"), start_btn: gr.update(interactive=False)}
            try:
                service.start(StartInput(user_id=uid or "ui-anonymous", session_id=sid, role=role_v, company=company_v,
                                         cv_text=cv_txt or "", jd_text=jd_txt or "", cv_file=_file(cv_path),
                                         jd_file=_file(jd_path), max_questions=int(n), defer_question=True))
            except InterviewError as exc:
                yield {start_error: error_html(_detail(exc)), start_step: "", start_btn: gr.update(interactive=True)}
                return
            state = service.state(sid)
            yield {session: sid, setup_col: gr.update(visible=False), interview_col: gr.update(visible=True),
                   start_step: "", start_btn: gr.update(interactive=True), progress_md: views.progress_text(state),
                   analysis_md: views.analysis_markdown(state), timeline: "", recordings: {}, retry_q: 0,
                   retry_btn: gr.update(visible=False), step: step_html("next"), answer_error: "",
                   end_btn: gr.update(visible=True), see_report_btn: gr.update(visible=False),
                   new_btn: gr.update(visible=False), **dict(zip(answer_inputs, inputs_off)),
                   about_md: views.about_markdown(state, service.performance(sid)),
                   picture_ok: gr.update(value=False)}  # a new interview asks again
            yield from stream_question(sid, state)

        start_outputs = [session, setup_col, interview_col, start_error, start_step, start_btn, progress_md, analysis_md,
                         new_btn,
                         timeline, recordings, retry_q, retry_btn, step, answer_error, end_btn, see_report_btn,
                         question_html, current_q, about_md, *answer_inputs, picture_ok]
        start_btn.click(start, [user_id, role, company, cv_file, cv_text, jd_file, jd_text, n_questions],
                        start_outputs, show_progress="hidden")

        # Answering ------------------------------------------------------------------------------------
        for tab, name in ((live_tab, "live"), (voice_tab, "voice"), (camera_tab, "camera"), (type_tab, "type")):
            tab.select(lambda n=name: n, None, mode, show_progress="hidden")

        def answer(sid, uid, mode_v, audio_path, video_path, typed, number, retrying, recs, picture=False):
            service = get_service()
            if not sid:
                yield {answer_error: error_html("Start an interview first.")}
                return
            audio = _file(audio_path) if mode_v == "voice" else None
            video = _file(video_path) if mode_v == "camera" else None
            text = (typed or "").strip() if mode_v == "type" else ""
            if not (audio or video or text):
                yield {answer_error: error_html(NOTHING_TO_SEND), step: ""}
                return
            spoken = audio is not None or video is not None
            yield {answer_error: "", step: step_html("transcribing" if spoken else "scoring"),
                   submit_btn: gr.update(interactive=False)}
            events: "queue.Queue[Optional[str]]" = queue.Queue()
            outcome: Dict[str, Any] = {}

            def work():
                try:
                    outcome["result"] = service.answer(AnswerInput(
                        session_id=sid, answer_text=text or None, audio=audio, video=video, defer_question=True,
                        retry=bool(retrying), question_number=int(retrying or number) or None, on_step=events.put),
                        analyse_picture=bool(picture))
                except InterviewError as exc:
                    outcome["error"] = exc
                except Exception as exc:  # shown, not swallowed: Gradio reports it
                    outcome["crash"] = exc
                finally:
                    events.put(None)

            threading.Thread(target=work, daemon=True).start()
            while (name := events.get()) is not None:
                yield {step: step_html(name)}
            if "crash" in outcome:
                raise outcome["crash"]
            if "error" in outcome:
                yield {answer_error: error_html(_detail(outcome["error"])), step: "",
                       submit_btn: gr.update(interactive=True)}
                return
            recording = None
            if spoken:
                recording = {"url": _file_url(audio_path if audio else video_path),
                             "kind": "audio" if audio else "video"}
            yield from answered_updates(sid, outcome["result"], int(retrying or number), recording, recs)

        def answered_updates(sid: str, result: dict, answered: int, recording: Optional[dict], recs: dict):
            """The answer's card in the timeline, then the next question streaming in."""
            state = get_service().state(sid)
            recs = dict(recs or {})
            if recording:
                recs[str(answered)] = recording
            else:
                recs.pop(str(answered), None)
            # The answer now shows in its card, so the inputs are cleared (and locked until the next question).
            cleared = {audio_in: gr.update(value=None, interactive=False),
                       video_in: gr.update(value=None, interactive=False),
                       text_in: gr.update(value="", interactive=False), submit_btn: gr.update(interactive=False),
                       live_in: gr.update(interactive=False)}
            base = {**timeline_updates(state, recs), recordings: recs, retry_q: 0, answer_error: "",
                    cancel_retry_btn: gr.update(visible=False)}
            if result["status"] == "completed":
                yield {**base, **last_answered_updates(state), **cleared, step: ""}
                return
            yield {**base, **cleared, question_html: "", step: step_html("next"),
                   progress_md: views.progress_text(state)}
            yield from stream_question(sid, state)

        answer_outputs = [answer_error, step, submit_btn, timeline, retry_btn, about_md, recordings, retry_q,
                          cancel_retry_btn, audio_in, video_in, text_in, question_html, progress_md, end_btn,
                          see_report_btn, current_q, live_in]
        submit_btn.click(answer, [session, user_id, mode, audio_in, video_in, text_in, current_q, retry_q, recordings,
                                  picture_ok], answer_outputs, show_progress="hidden")

        # Live answers: chunks while recording, the evaluation the moment recording stops ------------------
        def live_chunk(chunk, token, sid, number, retrying):
            """One chunk from the microphone (every LIVE_CHUNK_SECONDS): the first opens the live answer."""
            if not sid or chunk is None:
                return {}
            live = LIVE.get(token)
            out: Dict[Any, Any] = {}
            if live is None and time.monotonic() - STOPPED.get(sid, 0.0) < LATE_CHUNK_SECONDS:
                return {}  # the tail of a recording already stopped and scored
            if live is None:
                try:
                    live = get_service().start_live(sid, question_number=int(retrying or number) or None,
                                                    retry=bool(retrying))
                except InterviewError as exc:
                    return {answer_error: error_html(_detail(exc))}
                token = uuid.uuid4().hex
                for old in [t for t, x in list(LIVE.items()) if x.transcription.state == "aborted"]:
                    LIVE.pop(old, None)  # abandoned (a tab closed mid-answer): the reaper freed them already
                LIVE[token] = live
                out.update({live_token: token, answer_error: ""})
            rate, samples = chunk
            try:
                live.feed(samples, int(rate))
            except InterviewError as exc:
                LIVE.pop(token, None)
                live.abort()
                return {**out, live_token: "", answer_error: error_html(_detail(exc))}
            return {**out, live_view: views.live_html(live.snapshot())}

        live_in.stream(live_chunk, [live_in, live_token, session, current_q, retry_q],
                       [live_token, live_view, answer_error], stream_every=LIVE_CHUNK_SECONDS, time_limit=None,
                       concurrency_limit=None, show_progress="hidden")

        def live_stop(sid, token, recs):
            STOPPED[sid] = time.monotonic()
            live = LIVE.pop(token, None) if token else None
            if live is None:
                yield {live_view: views.live_html(None), live_token: ""}
                return
            # The last chunk may still be on its way: wait for a quiet moment (at most a quarter second).
            deadline = time.monotonic() + 0.25
            while time.monotonic() - live.transcription.last_activity < 0.15 and time.monotonic() < deadline:
                time.sleep(0.02)
            yield {live_token: "", step: step_html("scoring"), answer_error: "",
                   live_view: views.live_html(live.snapshot(), state="scoring")}
            try:
                result = get_service().answer(AnswerInput(session_id=sid, live=live, defer_question=True))
            except InterviewError as exc:
                yield {answer_error: error_html(_detail(exc)), step: "", live_view: views.live_html(None)}
                return
            path = _save_recording(live.transcription.recording, f"live-{sid}-{uuid.uuid4().hex[:8]}")
            yield {live_view: views.live_html(None)}
            yield from answered_updates(sid, result, live.question_number,
                                        {"url": _file_url(path), "kind": "audio"} if path else None, recs)

        live_in.stop_recording(live_stop, [session, live_token, recordings], answer_outputs + [live_view, live_token],
                               show_progress="hidden")

        def begin_retry(sid):
            state = get_service().state(sid)
            number = views.retryable_number(state)
            if not number:
                return {answer_error: error_html("There is no answer to try again.")}
            question = next(t["question"] for t in views.candidate_turns(state)
                            if views.question_number(t["question"]) == number)
            return {retry_q: number, retry_btn: gr.update(visible=False), cancel_retry_btn: gr.update(visible=True),
                    question_html: views.question_html(state, question["content"], number, complete=True,
                                                       retry_of=number, attempt_key=uuid.uuid4().hex[:6]),
                    answer_error: "", end_btn: gr.update(visible=not state["completed"]),
                    see_report_btn: gr.update(visible=False), **dict(zip(answer_inputs, inputs_on))}

        retry_btn.click(begin_retry, [session], [retry_q, retry_btn, cancel_retry_btn, question_html, answer_error,
                                                 end_btn, see_report_btn, *answer_inputs], show_progress="hidden")

        def cancel_retry(sid):
            state = get_service().state(sid)
            out = {retry_q: 0, cancel_retry_btn: gr.update(visible=False), answer_error: "",
                   retry_btn: gr.update(visible=True)}
            waiting = views.awaiting(state)
            if waiting is None:
                return {**out, **last_answered_updates(state)}
            return {**out, question_html: views.question_html(state, waiting["content"],
                                                              views.question_number(waiting), complete=True)}

        cancel_retry_btn.click(cancel_retry, [session], [retry_q, cancel_retry_btn, answer_error, retry_btn,
                                                         question_html, progress_md, end_btn, see_report_btn,
                                                         *answer_inputs], show_progress="hidden")

        # Ending ---------------------------------------------------------------------------------------
        end_btn.click(lambda: gr.update(visible=True), None, end_confirm, show_progress="hidden")
        cancel_end_btn.click(lambda: gr.update(visible=False), None, end_confirm, show_progress="hidden")

        def finish(sid, uid, recs):
            if not sid:
                yield {answer_error: error_html("Start an interview first.")}
                return
            yield {step: step_html("report"), end_confirm: gr.update(visible=False)}
            try:
                report = get_service().complete(sid, force=True)
            except InterviewError as exc:
                yield {answer_error: error_html(_detail(exc)), step: ""}
                return
            yield final_updates(sid, uid, report, recs)

        final_outputs = [timeline, retry_btn, about_md, question_html, progress_md, step, answer_error, *answer_inputs,
                         end_btn, see_report_btn, end_confirm, new_btn, cancel_retry_btn, retry_q, main_tabs,
                         *report_outputs, *history_outputs]
        confirm_end_btn.click(finish, [session, user_id, recordings], final_outputs, show_progress="hidden")
        see_report_btn.click(finish, [session, user_id, recordings], final_outputs, show_progress="hidden")

        def new_practice():
            return {session: "", setup_col: gr.update(visible=True), interview_col: gr.update(visible=False),
                    new_btn: gr.update(visible=False), timeline: "", question_html: "", recordings: {}, retry_q: 0,
                    current_q: 0, start_error: "", retry_btn: gr.update(visible=False)}

        new_btn.click(new_practice, None, [session, setup_col, interview_col, new_btn, timeline, question_html,
                                           recordings, retry_q, current_q, start_error, retry_btn],
                      show_progress="hidden")

        # History ----------------------------------------------------------------------------------------
        history_tab.select(history_updates, [user_id], history_outputs, show_progress="hidden")

        # Load: the browser's own user id (local storage), and ?session= to reopen an interview -----------
        def on_load(uid, request: gr.Request):
            service = get_service()
            sid = (request.query_params.get("session") if request else None) or ""
            out: Dict[Any, Any] = {user_id: uid, **history_updates(uid)}
            if not sid:
                return out
            try:
                state = service.state(sid)
            except InterviewError as exc:
                return {**out, start_error: error_html(_detail(exc))}
            report = service.stored_report(sid)
            out.update({session: sid, setup_col: gr.update(visible=False), interview_col: gr.update(visible=True),
                        analysis_md: views.analysis_markdown(state), **timeline_updates(state, {}, report)})
            if report:
                return {**out, **final_updates(sid, uid, report, {})}
            waiting = views.awaiting(state)
            if waiting is None and state["completed"]:
                return {**out, **last_answered_updates(state)}
            if waiting is None:  # a deferred question not generated yet: generate it now
                "".join(e.get("chunk", "") for e in service.stream(sid))
                state = service.state(sid)
                waiting = views.awaiting(state)
            number = views.question_number(waiting)
            return {**out, question_html: views.question_html(state, waiting["content"], number, complete=True),
                    current_q: number, progress_md: views.progress_text(state), **dict(zip(answer_inputs, inputs_on))}

        demo.load(on_load, [user_id], [user_id, session, setup_col, interview_col, start_error, analysis_md,
                                       *final_outputs, current_q],
                  js="(uid) => [window.practiceUserId ? window.practiceUserId() : '']", show_progress="hidden")
    return demo


# System fonts: the default theme would fetch Google Fonts, which an offline browser cannot. Darker
# indigo than Soft's defaults, so text on buttons and labels meets WCAG AA contrast.
THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "monospace"]).set(
    button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="#ffffff", block_label_text_color="*primary_800", block_title_text_color="*primary_800",
    body_text_color_subdued="#4b5563")


def mount_ui(app, get_service: Callable[[], InterviewService], settings: Settings, path: str = "/"):
    # CORS: Gradio's own middleware lets any origin read the UI's routes, with credentials, whenever the
    # server's host is not localhost (and any localhost origin when it is). A CORSMiddleware on the parent
    # app replaces it (Gradio then adds no CORS headers of its own, as mount_gradio_app documents): only the
    # UI's own page, plus the origins in UI_ALLOWED_ORIGINS, none by default. It covers the whole app, the
    # API included (which has no CORS headers without the UI).
    from starlette.middleware.cors import CORSMiddleware

    app.add_middleware(CORSMiddleware, allow_origins=settings.ui_allowed_origin_list, allow_credentials=True,
                       allow_methods=["*"], allow_headers=["*"])
    # Gradio's own per-file limit fires before the server's body limit (api/limits.py), so an oversized
    # upload is refused by Gradio's parser, which then deletes its partial temp file.
    return gr.mount_gradio_app(
        app, build_ui(get_service, settings), path=path, footer_links=[],
        max_file_size=max(settings.max_media_bytes, settings.max_document_bytes),
        css=(HERE / "page.css").read_text(encoding="utf-8"),
        head=f"<script>{(HERE / 'page.js').read_text(encoding='utf-8')}</script>",
        theme=THEME)
