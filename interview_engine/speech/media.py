"""Decode an uploaded audio or video answer to 16 kHz mono samples, through PyAV (no system ffmpeg).

The container is detected from the bytes (browsers upload files named `blob`); the filename is only
used in messages. Duration limits are checked from the header before decoding, and again while
decoding for streams that carry no duration (browser webm).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import BadRequest, PayloadTooLarge

SAMPLE_RATE = 16000
# A file is called truncated when it decodes to less than this share of the duration its header states.
TRUNCATED_BELOW = 0.8


@dataclass
class DecodedAudio:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    duration: float  # seconds actually decoded
    header_duration: Optional[float]  # what the container says, if anything
    container: str
    codec: str
    has_video: bool

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE


def decode(data: bytes, label: str, max_seconds: float) -> DecodedAudio:
    """Decode the audio track of `data`. `label` ("audio file", "video") names it in messages."""
    import av

    if not data:
        raise BadRequest(f"The {label} is empty")
    try:
        container = av.open(io.BytesIO(data), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise BadRequest(f"Could not read the {label}: it is not a supported audio or video format, or it is "
                         f"damaged ({_reason(exc)})")
    with container:
        has_video = len(container.streams.video) > 0
        if not container.streams.audio:
            if has_video:
                raise BadRequest(f"The {label} has no audio track: record with the microphone on, or send an "
                                 "audio_file with it")
            raise BadRequest(f"The {label} has no audio track")
        stream = container.streams.audio[0]
        header = _header_duration(container, stream, has_video)
        if header is not None and header > max_seconds:
            raise PayloadTooLarge(f"The {label} is {header:.0f} s long (limit {max_seconds:.0f} s)")
        chunks = []
        decoded = 0
        limit = int((max_seconds + 1) * SAMPLE_RATE)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        try:
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler follow samples, not (possibly broken) timestamps
                for out in resampler.resample(frame):
                    arr = out.to_ndarray().reshape(-1)
                    chunks.append(arr)
                    decoded += arr.size
                if decoded > limit:
                    raise PayloadTooLarge(f"The {label} is longer than the limit of {max_seconds:.0f} s")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except PayloadTooLarge:
            raise
        except (av.error.FFmpegError, ValueError, OSError, IndexError, MemoryError) as exc:
            got = sum(c.size for c in chunks) / SAMPLE_RATE
            of = f" of {header:.1f} s" if header else ""
            raise BadRequest(f"The {label} is damaged or incomplete: decoding stopped at {got:.1f} s{of} "
                             f"({_reason(exc)})")
        codec = stream.codec_context.name
        fmt = container.format.name
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    duration = samples.size / SAMPLE_RATE
    if duration < 0.05:
        raise BadRequest(f"The {label} contains no audio")
    if header is not None and duration < TRUNCATED_BELOW * header and header - duration > 1.0:
        raise BadRequest(f"The {label} is truncated: it holds {duration:.1f} s of audio but its header says "
                         f"{header:.1f} s; upload the whole recording")
    return DecodedAudio(samples=samples, duration=duration, header_duration=header, container=fmt, codec=codec,
                        has_video=has_video)


def _header_duration(container, stream, has_video: bool) -> Optional[float]:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    # A video container's duration may belong to its video track; only trust it for audio-only files.
    if container.duration is not None and not has_video:
        return container.duration / 1_000_000
    return None


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.split(":")[0].strip()[:120]
