"""The sandbox's LM channel: a sandboxed program asks the parent, over a pipe, for its emulations.

The child never holds an LM client, a key or a cache. Its run's `make_lmulator` is
`remote_factory(channel)`, whose `RemoteLMulator.emulate(request, bypass_cache=...)` sends the
request to the parent and returns the parent's `LMResult` (or raises the parent's LMError as the
same subclass, so the run reports it at the right line). The parent's `LMServer.handle(line)`
answers one message with the LMulator it creates on the run's first emulation.

Wire format: one JSON object per line, UTF-8, strictly one answer per message, in order.

    child -> parent   {"op": "open"}
                      {"op": "emulate", "bypass_cache": BOOL, "request": REQUEST}
    parent -> child   {"ok": {"description": STR}}                     (open)
                      {"ok": {"value": REPR, "raw": STR, "origin": STR, "latency_s": NUM,
                              "prompt_tokens": INT, "completion_tokens": INT, "attempts": INT}}
                      {"error": {"type": "AnswerError", "message": STR, "raw": STR,
                                 "prompt_tokens": INT, "completion_tokens": INT}}

REQUEST holds the EmulationRequest's fields but `program` (the parent has the program) and
`feedback` (set by the parent's LMulator on a retry). Each value (args, kwargs, state, labels,
current) is {"literal": REPR} when its repr reads back with `ast.literal_eval` to an equal value
(the parent gets the real value back), else {"shown": TEXT}: the child's `safe_repr`, a `Shown`
in the parent. Answers are checked values, so literals.

Everything the parent reads here is hostile: sizes are bounded, JSON is strict, values are read
with `ast.literal_eval` only, and anything off raises ProtocolError (the run stops).
"""

from __future__ import annotations

import ast
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coc_lsp.lm.cache import KEY_VALUE_LIMIT
from coc_lsp.lm.errors import AnswerError, BackendError, ConfigError, EndpointError, LMError
from coc_lsp.lm.reprs import Shown, safe_repr, truncate
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.lm.secret import Secret

if TYPE_CHECKING:
    from coc_lsp.lm.lmulator import LMResult, LMulator

# The longest repr of a value sent is the longest the cache keys answers on, so a sandboxed run
# and an in-process run of a program share cache entries.
VALUE_LIMIT = KEY_VALUE_LIMIT
SMALLER_VALUE_LIMITS = (2_000, 200)  # tried in turn when a request would not fit MESSAGE_LIMIT
MESSAGE_LIMIT = 4 * 1024 * 1024  # longest request line the parent reads
MESSAGES_LIMIT = 64 * 1024 * 1024  # request bytes of one run: reading them costs the parent CPU
ANSWER_LIMIT = 32 * 1024 * 1024  # longest answer line the child reads
TEXT_LIMIT = 200_000  # longest text field of a request (source, context, error)
NAME_LIMIT = 1_000  # longest name, type or scope
ITEMS_LIMIT = 10_000  # most values or names in one field
LINE_LIMIT = 10_000_000
EXIT_PARENT_GONE = 70  # the runner's exit status when the parent's end of the channel closed

_ERRORS: dict[str, type[LMError]] = {
    cls.__name__: cls for cls in (LMError, AnswerError, BackendError, ConfigError, EndpointError)
}
_SCALARS = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis))
_KINDS = ("call", "expression", "line", "pseudo")


class ProtocolError(Exception):
    """A message from the sandbox that breaks the protocol; the parent stops the run."""


# -- values -------------------------------------------------------------------------------------


def encode_value(value: Any, limit: int = VALUE_LIMIT) -> dict[str, str]:
    """{"literal": repr} when the repr reads back to an equal value, else {"shown": text}."""
    text = safe_repr(value, limit)
    if len(text) < limit:  # shorter than the limit: not cut
        try:
            back = ast.literal_eval(text)
        except Exception:  # noqa: BLE001 - any repr that does not read back is shown, not sent
            pass
        else:
            if same_value(value, back):
                return {"literal": text}
    return {"shown": text}


def decode_value(encoded: Any) -> Any:
    """The parent's value for an encoded one: the literal read back, or a Shown."""
    if not isinstance(encoded, dict) or len(encoded) != 1:
        raise ProtocolError(f"a value must be {{'literal': repr}} or {{'shown': text}}, not {safe_repr(encoded, 80)}")
    (form, text), = encoded.items()
    if not isinstance(text, str) or len(text) > VALUE_LIMIT:
        raise ProtocolError(f"a value's text must be a string of at most {VALUE_LIMIT} characters")
    if form == "shown":
        return Shown(text)
    if form != "literal":
        raise ProtocolError(f"unknown value form {safe_repr(form, 40)}")
    try:
        return ast.literal_eval(text)
    except Exception:  # noqa: BLE001 - hostile text: any failure (syntax, depth, size) is a protocol error
        raise ProtocolError(f"a literal value does not read back: {safe_repr(text, 80)}") from None


def same_value(original: Any, back: Any, depth: int = 0) -> bool:
    """Whether `back` (read back from a repr) equals `original`, type for type, without calling
    any method of the program's objects (only builtin types compare)."""
    kind = type(original)
    if kind is not type(back) or depth > 100:
        return False
    if kind in _SCALARS:
        return bool(original == back)
    if kind in (list, tuple):
        return len(original) == len(back) and all(same_value(a, b, depth + 1) for a, b in zip(original, back, strict=True))
    if kind is dict:
        return len(original) == len(back) and all(
            same_value(ka, kb, depth + 1) and same_value(va, vb, depth + 1)
            for (ka, va), (kb, vb) in zip(original.items(), back.items(), strict=True)
        )
    if kind in (set, frozenset):
        return len(original) == len(back) and all(_plain(item, depth + 1) for item in original) and original == back
    return False


def _plain(value: Any, depth: int) -> bool:
    """A hashable value made of builtin scalars and tuples only (a set element)."""
    if type(value) in _SCALARS:
        return True
    return type(value) is tuple and depth < 100 and all(_plain(item, depth + 1) for item in value)


# -- requests (child -> parent) -----------------------------------------------------------------


def encode_request(request: EmulationRequest, limit: int = VALUE_LIMIT) -> dict[str, Any]:
    def values(items: Any) -> list[dict[str, str]]:
        return [encode_value(item, limit) for item in items]

    def mapping(items: dict[str, Any]) -> dict[str, dict[str, str]]:
        return {str(name): encode_value(value, limit) for name, value in items.items()}

    return {
        "kind": request.kind,
        "source": request.source,
        "lineno": request.lineno,
        "function": request.function,
        "args": values(request.args),
        "kwargs": mapping(request.kwargs),
        "state": mapping(request.state),
        "targets": list(request.targets),
        "returns": request.returns,
        "target_types": dict(request.target_types),
        "context": request.context,
        "error": request.error,
        "filename": request.filename,
        "labels": values(request.labels),
        "current": mapping(request.current),
        "scope": request.scope,
    }


def decode_request(record: Any, program: str) -> EmulationRequest:
    """The EmulationRequest of a request record from the sandbox (ProtocolError if malformed);
    `program` is the parent's own copy of the program's source."""
    fields = _Fields(record, "request")
    return EmulationRequest(
        kind=fields.choice("kind", _KINDS),  # type: ignore[arg-type]
        source=fields.text("source"),
        lineno=fields.integer("lineno", 0, LINE_LIMIT),
        function=fields.text("function", NAME_LIMIT, optional=True),
        args=tuple(decode_value(v) for v in fields.items("args", list)),
        kwargs=fields.value_map("kwargs"),
        state=fields.value_map("state"),
        targets=[_name(t) for t in fields.items("targets", list)],
        program=program,
        returns=fields.text("returns", NAME_LIMIT, optional=True),
        target_types={_name(k): _name(v) for k, v in fields.items("target_types", dict).items()},
        context=fields.text("context"),
        error=fields.text("error", optional=True),
        filename=fields.text("filename", NAME_LIMIT),
        labels=[decode_value(v) for v in fields.items("labels", list)],
        current=fields.value_map("current"),
        scope=fields.text("scope", NAME_LIMIT),
    )


class _Fields:
    """Typed, bounded access to the fields of one record from the sandbox; every field is
    required and no other field may be present."""

    def __init__(self, record: Any, what: str, names: tuple[str, ...] | None = None) -> None:
        if not isinstance(record, dict):
            raise ProtocolError(f"the {what} must be a JSON object")
        expected = set(names) if names is not None else _REQUEST_FIELDS
        if set(record) != expected:
            raise ProtocolError(f"the {what} must have exactly the fields {', '.join(sorted(expected))}")
        self.record = record
        self.what = what

    def get(self, name: str) -> Any:
        return self.record[name]

    def text(self, name: str, limit: int = TEXT_LIMIT, *, optional: bool = False) -> Any:
        value = self.record[name]
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise ProtocolError(f"{self.what}.{name} must be a string of at most {limit} characters")
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        value = self.record[name]
        if type(value) is not int or not low <= value <= high:
            raise ProtocolError(f"{self.what}.{name} must be an integer from {low} to {high}")
        return value

    def flag(self, name: str) -> bool:
        value = self.record[name]
        if type(value) is not bool:
            raise ProtocolError(f"{self.what}.{name} must be true or false")
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.record[name]
        if value not in choices:
            raise ProtocolError(f"{self.what}.{name} must be one of {', '.join(choices)}")
        return value

    def items(self, name: str, kind: type) -> Any:
        value = self.record[name]
        if type(value) is not kind or len(value) > ITEMS_LIMIT:
            raise ProtocolError(f"{self.what}.{name} must be a JSON {'array' if kind is list else 'object'} of at most {ITEMS_LIMIT} items")
        return value

    def value_map(self, name: str) -> dict[str, Any]:
        return {_name(key): decode_value(value) for key, value in self.items(name, dict).items()}


_REQUEST_FIELDS = {
    "kind", "source", "lineno", "function", "args", "kwargs", "state", "targets", "returns",
    "target_types", "context", "error", "filename", "labels", "current", "scope",
}  # fmt: skip


def _name(value: Any) -> str:
    if not isinstance(value, str) or len(value) > NAME_LIMIT:
        raise ProtocolError(f"a name must be a string of at most {NAME_LIMIT} characters")
    return value


def read_message(line: bytes) -> dict[str, Any]:
    """One message line from the sandbox as a JSON object (ProtocolError otherwise)."""
    if len(line) > MESSAGE_LIMIT:
        raise ProtocolError(f"a message longer than {MESSAGE_LIMIT} bytes")
    try:
        record = json.loads(line.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError(f"a message that is not JSON: {safe_repr(line[:60], 80)}") from None
    if not isinstance(record, dict):
        raise ProtocolError("a message that is not a JSON object")
    return record


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# -- the parent's side --------------------------------------------------------------------------


@dataclass
class Served:
    """One emulation the parent answered: what the run's totals count."""

    line: int
    result: LMResult


class LMServer:
    """Answers one sandboxed run's messages. The LMulator comes from `make_lmulator`, called on
    the run's first emulation (so a run that needs no LM loads none). At most `max_requests`
    messages (MESSAGES_LIMIT bytes) are answered; the next one is a ProtocolError."""

    def __init__(
        self, make_lmulator: Callable[[], tuple[LMulator, str]], program: str, max_requests: int
    ) -> None:
        self.make_lmulator = make_lmulator
        self.program = program
        self.max_requests = max_requests
        self.requests = 0
        self.received = 0
        self.lmulator: LMulator | None = None
        self.description: str | None = None
        self.served: list[Served] = []
        # Belt and braces: nothing the parent sends into the sandbox may carry the key, even if
        # a backend let an echo of it through.
        self.secret = Secret(os.environ.get("OPENAI_API_KEY", ""))

    def handle(self, line: bytes) -> bytes:
        """The answer line (newline included) to one message line; ProtocolError if hostile."""
        self.requests += 1
        self.received += len(line)
        if self.requests > self.max_requests:
            raise ProtocolError(f"more than {self.max_requests} LM requests (the limit of one run)")
        if self.received > MESSAGES_LIMIT:
            raise ProtocolError(f"more than {MESSAGES_LIMIT} bytes of requests (the limit of one run)")
        message = read_message(line)
        op = message.get("op")
        if op == "open":
            _Fields(message, "open message", ("op",))
            reply = self._open()
        elif op == "emulate":
            fields = _Fields(message, "emulate message", ("op", "bypass_cache", "request"))
            request = decode_request(fields.get("request"), self.program)
            reply = self._emulate(request, fields.flag("bypass_cache"))
        else:
            raise ProtocolError(f"unknown op {safe_repr(op, 40)}")
        text = json.dumps(reply, ensure_ascii=True)
        return self.secret.scrub(text).encode("ascii") + b"\n"

    def _open(self) -> dict[str, Any]:
        try:
            self._lmulator()
        except Exception as error:  # noqa: BLE001 - reported to the run, at its line
            return _error_reply(error)
        return {"ok": {"description": self.description}}

    def _lmulator(self) -> LMulator:
        if self.lmulator is None:
            self.lmulator, self.description = self.make_lmulator()
        return self.lmulator

    def _emulate(self, request: EmulationRequest, bypass_cache: bool) -> dict[str, Any]:
        try:
            result = self._lmulator().emulate(request, bypass_cache=bypass_cache)
            value = _value_text(result.value)
        except Exception as error:  # noqa: BLE001 - reported to the run, at its line
            return _error_reply(error)
        self.served.append(Served(request.lineno, result))
        return {
            "ok": {
                "value": value,
                "raw": result.raw,
                "origin": result.origin,
                "latency_s": result.latency_s,
                "prompt_tokens": result.prompt_tokens,
                "completion_tokens": result.completion_tokens,
                "attempts": result.attempts,
            }
        }


def _value_text(value: Any) -> str:
    """The repr the child reads back to `value`; AnswerError for a value no literal gives (nan)."""
    text = repr(value)
    try:
        back = ast.literal_eval(text)
    except Exception:  # noqa: BLE001 - see below
        back = _UNREADABLE
    if not same_value(value, back):
        raise AnswerError(f"The answer {safe_repr(value, 200)} cannot be passed to the sandboxed program (it is not a literal).")
    return text


_UNREADABLE = object()


def _error_reply(error: Exception) -> dict[str, Any]:
    if not isinstance(error, LMError):
        error = BackendError(f"The LM failed in the parent: {type(error).__name__}: {truncate(str(error), 300)}")
    reply: dict[str, Any] = {"type": type(error).__name__ if type(error).__name__ in _ERRORS else "LMError", "message": str(error)}
    if isinstance(error, AnswerError):
        reply.update(raw=error.raw, prompt_tokens=error.prompt_tokens, completion_tokens=error.completion_tokens)
    return {"error": reply}


# -- the child's side ---------------------------------------------------------------------------


class Channel:
    """The child's end of the channel: a request written, its answer read back. If the parent is
    gone (EOF, a broken pipe), the runner exits at once: nobody is left to report to."""

    def __init__(self, request_fd: int, answer_fd: int) -> None:
        self.request_fd = request_fd
        self.answers = os.fdopen(answer_fd, "rb")
        self.lock = threading.Lock()  # a program's threads may emulate at once
        self.owner = os.getpid()

    def ask(self, message: dict[str, Any]) -> dict[str, Any]:
        if os.getpid() != self.owner:
            # A forked copy of the runner shares the pipes but not the lock: its requests and
            # answers would interleave with the runner's, and each could read the other's answer.
            raise BackendError("The LM cannot be asked from a process the program forked (only the program's own process may emulate).")
        data = json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"
        if len(data) > MESSAGE_LIMIT:
            raise BackendError(f"The request is too large for the sandbox's channel ({len(data)} bytes).")
        with self.lock:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.request_fd, view) :]
                line = self.answers.readline(ANSWER_LIMIT)
            except OSError:
                line = b""
        if not line.endswith(b"\n"):
            os._exit(EXIT_PARENT_GONE)
        reply = json.loads(line)
        if not isinstance(reply, dict):
            raise BackendError("The parent sent an answer that is not a JSON object.")
        return reply


class RemoteLMulator:
    """The child's LMulator: every emulation is answered by the parent's."""

    # One request at a time over the channel, so a loop's calls are never asked ahead here.
    max_in_flight = 1
    answers_depend_on_state = True

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def emulate(self, request: EmulationRequest, *, bypass_cache: bool = False) -> LMResult:
        from coc_lsp.lm.lmulator import LMResult

        reply = self.channel.ask(
            {"op": "emulate", "bypass_cache": bypass_cache, "request": _fitting_request(request)}
        )
        answer = _answer(reply)
        if not isinstance(answer.get("value"), str):
            raise BackendError("The parent sent an answer without a value.")
        return LMResult(
            value=ast.literal_eval(answer["value"]),
            raw=str(answer.get("raw", "")),
            origin=str(answer.get("origin", "lm")),
            latency_s=float(answer.get("latency_s", 0.0)),
            prompt_tokens=int(answer.get("prompt_tokens", 0)),
            completion_tokens=int(answer.get("completion_tokens", 0)),
            attempts=int(answer.get("attempts", 1)),
        )


def remote_factory(channel: Channel) -> Callable[[], tuple[RemoteLMulator, str]]:
    """The child run's `make_lmulator`: the parent creates its LMulator and names it."""

    def make() -> tuple[RemoteLMulator, str]:
        answer = _answer(channel.ask({"op": "open"}))
        return RemoteLMulator(channel), str(answer.get("description", ""))

    return make


def _fitting_request(request: EmulationRequest) -> dict[str, Any]:
    """The encoded request, with shorter reprs of values when the full ones would not fit."""
    encoded = encode_request(request)
    for limit in SMALLER_VALUE_LIMITS:
        if len(json.dumps(encoded, ensure_ascii=True)) < MESSAGE_LIMIT - 1024:
            break
        encoded = encode_request(request, limit)
    return encoded


def _answer(reply: dict[str, Any]) -> dict[str, Any]:
    """The `ok` part of a reply; an `error` reply raised as the LMError subclass it names."""
    if "error" in reply:
        error = reply["error"] if isinstance(reply["error"], dict) else {}
        cls = _ERRORS.get(str(error.get("type")), LMError)
        message = str(error.get("message", "The LM failed in the parent."))
        if cls is AnswerError:
            raise AnswerError(
                message,
                raw=str(error.get("raw", "")),
                prompt_tokens=int(error.get("prompt_tokens", 0)),
                completion_tokens=int(error.get("completion_tokens", 0)),
            )
        raise cls(message)
    answer = reply.get("ok")
    if not isinstance(answer, dict):
        raise BackendError("The parent sent an answer without a result.")
    return answer
