"""Video benchmark: face-signal analysis time per second of video, and a filmed answer end to end.

Builds 60-second webcam-like clips (30 fps, H.264) at 640x480 and 1280x720 from the committed
one_face fixture, then measures in process:

- video analysis alone (sampling ~2 frames a second, mediapipe face detection + mesh);
- the whole filmed answer (transcription, voice and video analysis running side by side);
- peak memory of this process.

    python bench/video.py [--runs 3] [--quick]
"""
from __future__ import annotations

import argparse
import io
import resource
import sys
import time
from fractions import Fraction

import av

from _common import ROOT, pct, progress

sys.path.insert(0, str(ROOT))
from interview_engine import Settings  # noqa: E402
from interview_engine.speech import SpeechPipeline  # noqa: E402
from interview_engine.vision import analyse_video  # noqa: E402

SOURCE = ROOT / "tests" / "fixtures" / "video" / "one_face.mp4"


def webcam_clip(width: int, height: int, seconds: int, fps: int = 30) -> bytes:
    """The fixture's frames and sound, scaled and looped to `seconds`, as a 30 fps mp4."""
    with av.open(str(SOURCE)) as src:
        pictures = [f.reformat(width=width, height=height, format="yuv420p") for f in src.decode(video=0)]
    with av.open(str(SOURCE)) as src:
        sound = [f for f in src.decode(audio=0)]
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "crf": "28"})
        vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
        aus = out.add_stream("aac", rate=48000)
        for i in range(seconds * fps):
            frame = pictures[(i * 10 // fps) % len(pictures)]  # source is 10 fps
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for p in vs.encode(frame):
                out.mux(p)
        for p in vs.encode():
            out.mux(p)
        pts, total = 0, 0
        while total < seconds * 48000:
            for f in sound:
                f.pts = pts
                pts += f.samples
                total += f.samples
                for p in aus.encode(f):
                    out.mux(p)
                if total >= seconds * 48000:
                    break
        for p in aus.encode():
            out.mux(p)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 run, 20-second clips")
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    seconds = 20 if args.quick else 60
    settings = Settings()
    pipeline = SpeechPipeline(settings)
    pipeline.transcriber.model()
    analyse_video((ROOT / "tests" / "fixtures" / "video" / "one_face.webm").read_bytes(), 600)  # load models once
    rows = []
    for width, height in ((640, 480), (1280, 720)):
        data = webcam_clip(width, height, seconds)
        video_t, answer_t, transcribe_t = [], [], []
        for i in range(runs):
            progress(f"{width}x{height}, {seconds} s", i + 1, runs)
            t0 = time.perf_counter()
            result = analyse_video(data, 600)
            video_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            spoken = pipeline.process(None, ("answer.mp4", data))
            answer_t.append(time.perf_counter() - t0)
            transcribe_t.append(spoken.timings["decode"] + spoken.timings["transcription"] + spoken.timings["voice"])
        rows.append((f"{width}x{height}", len(data), result["frames_sampled"], pct(video_t, .5),
                     pct(video_t, .5) / seconds, pct(transcribe_t, .5), pct(answer_t, .5)))
    pipeline.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nVideo answers, {seconds} s at 30 fps, {runs} run(s) each, {settings.speech_workers} speech worker(s)\n")
    print(f"{'size':<10} {'bytes':>11} {'frames':>7} {'video analysis':>15} {'per video s':>12} "
          f"{'audio path':>11} {'whole answer':>13}   aim: 60 s answer < 5 s")
    for size, nbytes, nframes, v, per_s, audio, whole in rows:
        print(f"{size:<10} {nbytes:>11,d} {nframes:>7d} {v:>14.2f}s {per_s * 1000:>10.1f}ms {audio:>10.2f}s {whole:>12.2f}s")
    print(f"\npeak memory of this process (ru_maxrss): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
