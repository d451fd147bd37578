"""Sample frames from an uploaded video by timestamp, through PyAV.

Browser webm carries no frame count and often no duration, so frames are picked by their own
timestamps (about SAMPLE_FPS a second), never by index. Long videos are sampled more sparsely so at
most MAX_SAMPLES frames are analysed, and only the picked frames are converted to pixels.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import BadRequest

SAMPLE_FPS = 2.0
MAX_SAMPLES = 240
MAX_WIDTH = 640  # analysis resolution: enough for a face at webcam distance, cheap to process


@dataclass
class SampledFrame:
    t: float  # seconds from the start
    rgb: np.ndarray  # H x W x 3, uint8


@dataclass
class VideoInfo:
    width: int
    height: int
    codec: str
    header_duration: Optional[float]


def open_video(data: bytes):
    import av

    if not data:
        raise BadRequest("The video is empty")
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise BadRequest(f"Could not read the video: it is not a supported video format, or it is damaged ({exc})")
    if not container.streams.video:
        container.close()
        raise BadRequest("The video has no picture: send it as audio_file, or record with the camera on")
    return container


def sample_frames(data: bytes, max_seconds: float) -> tuple:
    """(VideoInfo, list of SampledFrame). Raises 400 when no frame can be decoded."""
    import av

    container = open_video(data)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        header = None
        if stream.duration is not None and stream.time_base is not None:
            header = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            header = container.duration / 1_000_000
        step = 1.0 / SAMPLE_FPS
        if header and header * SAMPLE_FPS > MAX_SAMPLES:
            step = header / MAX_SAMPLES
        info = VideoInfo(width=stream.codec_context.width, height=stream.codec_context.height,
                         codec=stream.codec_context.name, header_duration=header)
        frames = []
        next_t = 0.0
        start = None
        try:
            for frame in container.decode(stream):
                t = _time(frame)
                if t is None:
                    continue
                if start is None:
                    start = t
                t -= start
                if t > max_seconds + 1:
                    break
                if t + 1e-6 < next_t:
                    continue  # decoded (inter frames need it) but not converted or analysed
                frames.append(SampledFrame(t=round(t, 3), rgb=_rgb(frame)))
                next_t = t + step
                if len(frames) >= MAX_SAMPLES:  # no (or a wrong) duration: thin out as we go
                    frames = frames[::2]
                    step *= 2
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            if not frames:
                raise BadRequest(f"The video is damaged: no frame could be decoded ({exc})")
    if not frames:
        raise BadRequest("The video has no decodable frames")
    return info, frames


def _time(frame) -> Optional[float]:
    if frame.time is not None:
        return float(frame.time)
    return None


def _rgb(frame) -> np.ndarray:
    w, h = frame.width, frame.height
    if w > MAX_WIDTH:
        h = int(round(h * MAX_WIDTH / w / 2) * 2)
        w = MAX_WIDTH
    return frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
