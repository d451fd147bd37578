"""Structured, quiet logs: one JSON object a line, INFO for lifecycle and slow events only.

Nothing a client sent as a secret reaches a line (RedactFilter): query strings are removed from every path
(uvicorn logs each WebSocket handshake with its path and query, where a client may have put a key), request
header values other than a few harmless ones are replaced (websockets logs every handshake header at
DEBUG), WebSocket frames are logged by kind and size only, and ids appear as a short hash, the same for the
same id: `s:` + the first 10 hex digits of the id's SHA-256 (`u:` for a user id, `d:` for a document id),
in the fields session_id, user_id, doc_id/document_id and id, and in /interview/v2 paths
(`python -m interview_engine log-id ID` prints it).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from urllib.parse import unquote

_MARK = "_redacted"
_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", _MARK}
_ID_FIELDS = {"session_id": "s", "user_id": "u", "doc_id": "d", "document_id": "d", "id": "i"}
_ROUTE_KINDS = {"state": "s", "stream": "s", "live": "s", "performance": "s", "complete": "s", "sessions": "s",
                "users": "u", "documents": "d"}
_SHORT = re.compile(r"[sudi]:[0-9a-f]{10}")
_ID_PATH = re.compile(r"(/interview/v2/(%s)/)([^/?#\s\"'<>\\]+)" % "|".join(_ROUTE_KINDS))
# A path or URL followed by a query: `/a/b?x=1`, `http://host/a?x=1`, `wss://host?x=1`.
_URL_QUERY = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#\"'<>]+)?/[^\s?#\"'<>]*"
                        r"|[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#\"'<>]+)\?[^\s\"'<>#]+")
# Request and response headers websockets logs at DEBUG ("< %s: %s"): only these keep their values.
_SHOWN_HEADERS = {"host", "upgrade", "connection", "sec-websocket-version", "sec-websocket-extensions",
                  "sec-websocket-protocol", "sec-websocket-accept", "user-agent", "origin", "content-type",
                  "content-length", "transfer-encoding", "date", "server", "cache-control", "x-content-type-options",
                  "x-frame-options", "referrer-policy", "content-security-policy", "strict-transport-security"}
_HEADER_MSGS = {"< %s: %s", "> %s: %s"}


def short_id(value, kind: str = "s") -> str:
    """How an id appears in the logs: `s:` (session), `u:` (user) or `d:` (document) + 10 hex digits."""
    return f"{kind}:{hashlib.sha256(str(value).encode('utf-8')).hexdigest()[:10]}"


def _hash_ids(text: str) -> str:
    def sub(m: re.Match) -> str:
        segment = m.group(3)
        if _SHORT.fullmatch(segment):
            return m.group(0)  # hashed already
        return m.group(1) + short_id(unquote(segment), _ROUTE_KINDS[m.group(2)])
    return _ID_PATH.sub(sub, text)


def redact_path(path: str) -> str:
    """A request path as logged: no query string, ids after the /interview/v2 routes as short hashes."""
    return _hash_ids(path.split("?", 1)[0])


def redact_text(text: str) -> str:
    """Free text: any URL's query string replaced by `?[redacted]`, ids in /interview/v2 paths hashed."""
    if "/" not in text:
        return text
    return _hash_ids(_URL_QUERY.sub(lambda m: m.group(1) + "?[redacted]", text))


def _redact_arg(arg):
    if isinstance(arg, str):
        return redact_path(arg) if arg.startswith("/") else redact_text(arg)
    if type(arg).__name__ == "Frame" and hasattr(arg, "opcode") and hasattr(arg, "data"):  # websockets
        return f"{getattr(arg.opcode, 'name', arg.opcode)} [{len(arg.data)} bytes]"
    return arg


def redact_record(record: logging.LogRecord) -> None:
    """Rewrites a record in place (once): its message and arguments, and the id and text fields it carries."""
    if getattr(record, _MARK, False):
        return
    args = record.args
    if isinstance(args, tuple) and args:
        header = isinstance(record.msg, str) and record.msg in _HEADER_MSGS and len(args) == 2
        if header and str(args[0]).lower() not in _SHOWN_HEADERS:
            args = (args[0], "[redacted]")
        record.args = tuple(_redact_arg(a) for a in args)
    elif isinstance(args, dict) and args:
        record.args = {k: _redact_arg(v) for k, v in args.items()}
    if isinstance(record.msg, str):
        if record.args:  # a query or an id in the format string itself: redact the formatted message
            try:
                message = record.getMessage()
            except Exception:  # a broken format: logging reports it when a handler formats the record
                message = None
            if message is not None and redact_text(message) != message:
                record.msg, record.args = redact_text(message), ()
        else:
            record.msg = redact_text(record.msg)
    for key, value in list(record.__dict__.items()):
        if key in _RESERVED or value is None:
            continue
        if key in _ID_FIELDS and isinstance(value, (str, int)):
            setattr(record, key, short_id(value, _ID_FIELDS[key]))
        elif isinstance(value, str):
            setattr(record, key, redact_path(value) if key in ("path", "url") else redact_text(value))
    setattr(record, _MARK, True)


class RedactFilter(logging.Filter):
    """Attached to the JSON handler and to uvicorn's loggers, so other handlers get clean records too."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_or_blank(record)
        return True


def _redact_or_blank(record: logging.LogRecord) -> None:
    try:
        redact_record(record)
    except Exception:  # never let logging raise into the caller, nor pass on what could not be cleaned
        record.msg, record.args, record.exc_info, record.exc_text = "[log record not redactable]", (), None, None
        record.__dict__.update({k: None for k in list(record.__dict__) if k not in _RESERVED})
        setattr(record, _MARK, True)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not getattr(record, _MARK, False):  # a record that passed no RedactFilter: redact a copy
            record = logging.makeLogRecord(record.__dict__)
            _redact_or_blank(record)
        out = {"ts": round(record.created, 3), "level": record.levelname.lower(), "logger": record.name,
               "msg": record.getMessage()}
        out.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            out["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(out, default=str)


def configure_logging(level: str = "INFO") -> None:
    # uvicorn's loggers (no handlers of their own with api/server.py's log_config=None: their records
    # propagate to the root's JSON handler) get the filter themselves, so a record is clean before any
    # handler sees it, including ones others installed (uvicorn's own, with `uvicorn app:app`). Each
    # worker process (WORKERS>1) imports app:app, which calls this.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())  # every record that reaches the root: app loggers, websockets, libraries
    root.addHandler(handler)  # keep handlers others installed (test capture, hosting platforms)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpx2", "httpcore", "httpcore2", "pymongo", "uvicorn.access", "multipart",
                  "python_multipart"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def now() -> float:
    return time.time()
