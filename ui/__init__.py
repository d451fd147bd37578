"""The Gradio demo UI lands with its own issue; it will call InterviewService in-process."""
