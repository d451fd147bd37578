"""Local HTTP servers that speak the Gemini and OpenAI chat wire APIs, with scriptable replies.

The real client libraries (google-genai under langchain-google-genai, openai under langchain-openai)
are pointed at these through their base-URL settings, so the tests exercise the real integration:
request shapes, SSE parsing, retries on 429, timeouts.

By default each server answers like a sensible model, based on the TASK line our prompts carry:
a question for `write_question`, scores for `evaluate_answer`, notes for `narrative`. A test can push
scripted replies (`server.push(...)`) that are used first, one per request.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional


@dataclass
class Reply:
    status: int = 200
    text: Optional[str] = None  # the model's text; None = the default for the task
    delay: float = 0.0  # seconds before answering
    chunks: Optional[List[str]] = None  # for streams: the text split this way
    chunk_delay: float = 0.0
    drop_after: Optional[int] = None  # close the stream after this many chunks (a provider failing mid-stream)
    retry_after: Optional[str] = None


def default_text(prompt: str) -> str:
    task = re.search(r"TASK: (\w+)", prompt)
    task = task.group(1) if task else ""
    if task == "write_question":
        stage = re.search(r"STAGE: (\w+)", prompt)
        targets = re.search(r"TARGETS: ([^\n]*)", prompt)
        target = (targets.group(1).split(",")[0].strip() if targets else "") or "your recent work"
        return (f"For the {stage.group(1) if stage else 'next'} part, could you walk me through a project "
                f"where {target} mattered, and what you changed as a result?")
    if task == "evaluate_answer":
        answer = re.search(r"<<<BEGIN answer>>>\n(.*?)\n<<<END answer>>>", prompt, re.S)
        words = len(answer.group(1).split()) if answer else 0
        base = 8 if words > 40 else 5 if words > 12 else 2
        first = answer.group(1).split(".")[0][:80] if answer else ""
        return json.dumps({"clarity": base, "relevance": base, "depth": max(1, base - 1),
                           "feedback": "A model's view of the answer.", "evidence": [first]})
    if task == "transcribe":
        return ("At my last company I built a Kafka consumer in Python that processed payment events. "
                "Duplicates were a real problem, so I made the writes to PostgreSQL idempotent. "
                "As a result we stopped losing events, and latency dropped by forty percent.")
    if task == "narrative":
        return json.dumps({"strengths": ["Model: explains decisions with concrete results."],
                           "areas_to_improve": ["Model: quantify the impact more often."]})
    return "OK"


class _Handler(BaseHTTPRequestHandler):
    server: "FakeLLMServer"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus the client's delayed
    # ACK adds ~40 ms to some replies, which would be measured as our overhead.
    disable_nagle_algorithm = True

    def log_message(self, *args):  # keep test output clean
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.record(self.path, body, dict(self.headers))
        reply = self.server.next_reply()
        if reply.delay:
            time.sleep(reply.delay)
        if reply.status != 200:
            payload = json.dumps({"error": {"code": reply.status, "message": "scripted error",
                                            "status": "RESOURCE_EXHAUSTED" if reply.status == 429 else "UNAVAILABLE"}}).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            if reply.retry_after:
                self.send_header("Retry-After", reply.retry_after)
            self.end_headers()
            self.wfile.write(payload)
            return
        prompt = self.server.prompt_of(body)
        text = reply.text if reply.text is not None else default_text(prompt)
        if self.server.is_stream(self.path, body):
            chunks = reply.chunks or re.findall(r"\S+\s*", text)
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for i, piece in enumerate(chunks):
                if reply.drop_after is not None and i >= reply.drop_after:
                    self.wfile.flush()
                    self.close_connection = True
                    return  # the connection ends without a finish: a provider failing mid-stream
                self.wfile.write(self.server.stream_event(piece, i, last=i == len(chunks) - 1))
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
            self.wfile.write(self.server.stream_end())
            self.wfile.flush()
            self.close_connection = True
            return
        payload = json.dumps(self.server.complete_body(text)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeLLMServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: List[dict] = []
        self._replies: List[Reply] = []
        self._lock = threading.Lock()
        self.latency = 0.0  # added to every reply (benchmarks)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "FakeLLMServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def next_reply(self) -> Reply:
        with self._lock:
            reply = self._replies.pop(0) if self._replies else Reply()
        if self.latency and not reply.delay:
            reply = Reply(**{**reply.__dict__, "delay": self.latency})
        return reply

    def record(self, path: str, body: dict, headers: dict) -> None:
        with self._lock:
            self.requests.append({"path": path, "body": body, "headers": headers, "prompt": self.prompt_of(body)})

    def prompts(self, task: str) -> List[str]:
        return [r["prompt"] for r in self.requests if f"TASK: {task}" in r["prompt"]]

    # Wire format hooks ---------------------------------------------------------------------------
    def prompt_of(self, body: dict) -> str:
        raise NotImplementedError

    def is_stream(self, path: str, body: dict) -> bool:
        raise NotImplementedError

    def stream_event(self, piece: str, i: int, last: bool) -> bytes:
        raise NotImplementedError

    def stream_end(self) -> bytes:
        return b""

    def complete_body(self, text: str) -> dict:
        raise NotImplementedError


class FakeGemini(FakeLLMServer):
    """`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`."""

    def prompt_of(self, body: dict) -> str:
        parts = []
        system = body.get("systemInstruction") or body.get("system_instruction") or {}
        for p in system.get("parts", []):
            parts.append(p.get("text", ""))
        for c in body.get("contents", []):
            for p in c.get("parts", []):
                parts.append(p.get("text", ""))
        return "\n".join(parts)

    def is_stream(self, path: str, body: dict) -> bool:
        return ":streamGenerateContent" in path

    @staticmethod
    def _candidate(text: str, finish: Optional[str]) -> dict:
        cand = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
        if finish:
            cand["finishReason"] = finish
        return {"candidates": [cand], "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5,
                                                        "totalTokenCount": 15}, "modelVersion": "fake-gemini"}

    def stream_event(self, piece: str, i: int, last: bool) -> bytes:
        return f"data: {json.dumps(self._candidate(piece, 'STOP' if last else None))}\r\n\r\n".encode()

    def complete_body(self, text: str) -> dict:
        return self._candidate(text, "STOP")


class FakeOpenAI(FakeLLMServer):
    """`POST /v1/chat/completions`, with and without `stream: true`."""

    def prompt_of(self, body: dict) -> str:
        out = []
        for m in body.get("messages", []):
            content = m.get("content")
            if isinstance(content, list):
                content = "".join(c.get("text", "") for c in content if isinstance(c, dict))
            out.append(content or "")
        return "\n".join(out)

    def is_stream(self, path: str, body: dict) -> bool:
        return bool(body.get("stream"))

    def stream_event(self, piece: str, i: int, last: bool) -> bytes:
        delta = {"content": piece} if i else {"role": "assistant", "content": piece}
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": "fake", "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        out = f"data: {json.dumps(chunk)}\n\n"
        if last:
            chunk = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            out += f"data: {json.dumps(chunk)}\n\n"
        return out.encode()

    def stream_end(self) -> bytes:
        return b"data: [DONE]\n\n"

    def complete_body(self, text: str) -> dict:
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": "fake",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


@dataclass
class Provider:
    name: str
    server: FakeLLMServer
    env: dict = field(default_factory=dict)


def provider_env(name: str, server: FakeLLMServer) -> dict:
    if name == "gemini":
        return {"LLM_PROVIDER": "gemini", "GOOGLE_API_KEY": "test-key", "GEMINI_BASE_URL": server.url,
                "GEMINI_MODEL": "gemini-fake"}
    return {"LLM_PROVIDER": "openai", "OPENAI_BASE_URL": server.url + "/v1", "OPENAI_MODEL": "fake-model",
            "OPENAI_API_KEY": "test-key"}


FAKES: dict = {"gemini": FakeGemini, "openai": FakeOpenAI}

