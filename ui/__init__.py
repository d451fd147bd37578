"""The Gradio demo UI (ui.app.mount_ui), its view models (ui.views) and plotly figures (ui.figures)."""
