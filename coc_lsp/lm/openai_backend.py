"""The OpenAI-compatible backend: chat completions from OpenAI, vLLM, llama.cpp server, Ollama...

The `openai` package is imported on the first answer, not at import time: a run whose lines all
run in Python never pays for it. Requests ask for JSON-schema structured output; an endpoint that
rejects `response_format` (or `temperature`) with HTTP 400 or 422 is asked again without it, and
that is remembered for the rest of the process. 429, 5xx and connection errors are retried with
exponential backoff a few times, then become one EndpointError naming the base URL.

`timeout` bounds one answer end to end: every attempt, the waits between them and the reading of
the whole reply. The client's own timeouts only bound each read (a reply trickling one byte a
second never trips them), so each attempt runs in a worker thread that the caller waits for until
the deadline at most. At the deadline the caller closes that worker's client, which makes its
read fail at the next byte (or its read timeout, set to the time that was left), so abandoned
workers end soon after and never pile up; the next attempt gets a new client.

The API key lives in a `Secret` that never shows itself, and so does the base URL when it carries
credentials (`https://user:KEY@host/v1`, `?api-key=KEY`): `base_url` is the URL with those masked,
which is what summaries, traces, cache identities and errors show. Everything the endpoint sends
(answer text, refusals, error bodies, headers, the client's exception messages) enters the backend
through `_received`, which scrubs the key and those credentials out before anything is truncated,
raised, traced or cached.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coc_lsp.lm.answers import parse_answer
from coc_lsp.lm.config import DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT_S
from coc_lsp.lm.errors import AnswerError, EndpointError
from coc_lsp.lm.prompts import answer_schema, messages
from coc_lsp.lm.reprs import truncate
from coc_lsp.lm.request import Answer, Completion, EmulationRequest, Messages
from coc_lsp.lm.secret import Secret, split_url

if TYPE_CHECKING:  # imported on the first answer, not with this module
    import openai

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY = "unused"  # local servers want no key, the openai client wants one
BACKOFF_START_S = 0.25
BACKOFF_MAX_S = 4.0
DETAIL_LIMIT = 300
# Optional request parameters some endpoints reject, dropped after their 400 names them.
_OPTIONAL_PARAMETERS = {
    "response_format": ("response_format", "json_schema"),
    "temperature": ("temperature",),
    "stop": ("stop",),
    "max_tokens": ("max_tokens",),
}
_dropped: dict[tuple[str, str], set[str]] = {}
_dropped_lock = threading.Lock()


@dataclass(frozen=True)
class _Reply:
    """A chat completion as received, its text already scrubbed of the key."""

    content: str
    refusal: str
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class _Failure:
    """An attempt that failed, as received. `kind`: "status" (an HTTP error status), "connection",
    "certificate" (the endpoint's TLS certificate is not trusted: asking again cannot help),
    "timeout" or "malformed" (a reply that is not a chat completion). `text` is scrubbed."""

    kind: str
    text: str = ""
    status: int = 0
    retry_after: float | None = None

    @property
    def transient(self) -> bool:
        return self.kind == "connection" or self.status == 429 or self.status >= 500

    def describe(self) -> str:
        detail = f" ({truncate(self.text, DETAIL_LIMIT)})" if self.text else ""
        return f"HTTP {self.status}{detail}" if self.kind == "status" else self.text


class _Clients(threading.local):
    """One openai client per calling thread: closing one at a deadline aborts no other thread's
    request."""

    client: openai.OpenAI | None = None


def _tls_context() -> ssl.SSLContext:
    """The TLS context a client would build for itself (its CA bundle loaded: ~25 ms of CPU),
    built once and shared by every thread's client."""
    try:
        from httpx2 import create_ssl_context
    except ImportError:  # openai before 3.x is built on httpx
        from httpx import create_ssl_context  # type: ignore[no-redef]
    return create_ssl_context()


class OpenAIBackend:
    """Answers emulation requests with an OpenAI-compatible chat completions endpoint."""

    uses_program = False  # prompts.messages() never shows the whole program

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_retries: int = 2,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        self.model = model
        # Requests sent at once from the executor's threads (clients are per thread).
        self.max_in_flight = max(1, int(max_in_flight))
        url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.base_url, url_secrets = split_url(url)  # shown everywhere; the client alone gets `url`
        self._url = Secret(url)
        self.timeout = float(timeout)
        self.max_retries = max(0, int(max_retries))
        self._api_key = Secret(api_key or "")
        self._secrets = [self._api_key, *map(Secret, url_secrets)]
        self._clients = _Clients()
        self._tls: ssl.SSLContext | None = None
        self._tls_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.model!r}, base_url={self.base_url!r})"

    @property
    def identity(self) -> str:
        """What the cache keys answers by: model and endpoint, never the key."""
        return f"openai:{self.model}@{self.base_url}"

    @property
    def description(self) -> str:
        return f"openai {self.model} at {self.base_url}"

    def emulate(self, request: EmulationRequest) -> Any:
        """The value alone (the Backend protocol)."""
        return self.answer(request).value

    def answer(self, request: EmulationRequest) -> Answer:
        """Ask the endpoint; parse the reply into the value the request's kind wants."""
        raw, prompt_tokens, completion_tokens = self.complete(request)
        try:
            value = parse_answer(raw, request.kind, request.targets)
        except AnswerError as error:
            raise error.with_cost(raw, prompt_tokens, completion_tokens) from None
        return Answer(value, raw, prompt_tokens, completion_tokens)

    def generate(self, messages: Messages, *, max_tokens: int, stop: list[str]) -> Completion:
        """Free text for `messages` (a program, a direct answer), within `timeout`."""
        deadline = time.monotonic() + self.timeout
        parameters: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
            **({"stop": stop[:4]} if stop else {}),  # OpenAI takes at most four
        }
        while True:
            reply = self._with_retries(parameters, deadline)
            if isinstance(reply, _Reply):
                return Completion(reply.content, reply.prompt_tokens, reply.completion_tokens)
            parameters.pop(reply, None)

    def complete(self, request: EmulationRequest) -> tuple[str, int, int]:
        """(raw answer text, prompt tokens, completion tokens) for `request`, within `timeout`."""
        deadline = time.monotonic() + self.timeout
        parameters: dict[str, Any] = {
            "model": self.model,
            "messages": messages(request),
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "emulation",
                    "schema": answer_schema(request),
                    "strict": False,
                },
            },
        }
        while True:
            with _dropped_lock:
                dropped = set(_dropped.get((self.base_url, self.model), ()))
            for name in dropped:
                parameters.pop(name, None)
            reply = self._with_retries(parameters, deadline)
            if isinstance(reply, _Reply):
                break
            with _dropped_lock:
                _dropped.setdefault((self.base_url, self.model), set()).add(reply)
        if not reply.content:
            reason = f" (refusal: {truncate(reply.refusal, 200)!r})" if reply.refusal else ""
            raise AnswerError(f"The model {self.model} returned an empty answer{reason}.").with_cost(
                "", reply.prompt_tokens, reply.completion_tokens
            )
        return reply.content, reply.prompt_tokens, reply.completion_tokens

    def _with_retries(self, parameters: dict[str, Any], deadline: float) -> _Reply | str:
        """The reply, or the name of an optional parameter the endpoint rejected; retries
        transient failures with backoff until the retries or the time run out (EndpointError)."""
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(parameters, deadline)
            if isinstance(outcome, _Reply):
                return outcome
            if outcome.kind == "timeout":
                raise EndpointError(self._gave_up(attempt, None))
            if outcome.status in (400, 422):
                rejected = _rejected_parameter(outcome.text, parameters)
                if rejected:
                    return rejected
            if not outcome.transient:
                raise EndpointError(self._refused(outcome))
            if attempt > self.max_retries:
                raise EndpointError(self._gave_up(attempt, outcome))
            delay = _backoff(attempt, outcome.retry_after)
            if time.monotonic() + delay >= deadline:
                raise EndpointError(self._gave_up(attempt, outcome, out_of_time=True))
            time.sleep(delay)

    def _attempt(self, parameters: dict[str, Any], deadline: float) -> _Reply | _Failure:
        """One exchange with the endpoint in a worker thread, waited for until `deadline`."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _Failure("timeout")
        client = self._client()
        outcome: list[_Reply | _Failure] = []
        sent = dict(parameters)  # the caller may drop parameters while an abandoned worker runs
        worker = threading.Thread(
            target=lambda: outcome.append(self._exchange(client, sent, remaining)),
            name="coc-lm-request",
            daemon=True,  # an abandoned worker must never hold up the interpreter's exit
        )
        worker.start()
        worker.join(remaining)
        if outcome:
            return outcome[0]
        self._abandon(client)
        return _Failure("timeout")

    def _exchange(self, client: openai.OpenAI, parameters: dict[str, Any], timeout: float) -> _Reply | _Failure:
        """One HTTP exchange (runs in the worker): what the endpoint said, scrubbed."""
        import openai

        try:
            completion = client.chat.completions.create(**parameters, timeout=timeout)
        except openai.APITimeoutError:
            return _Failure("timeout")
        except openai.APIConnectionError as error:
            kind = "certificate" if _caused_by(error, ssl.SSLCertVerificationError) else "connection"
            return _Failure(kind, self._received(_root_cause(error)))
        except openai.APIStatusError as error:
            headers = error.response.headers
            request_id = headers.get("x-request-id")
            text = _error_detail(error) + (f" [request id {request_id}]" if request_id else "")
            return _Failure(
                "status", self._received(text), error.status_code, _retry_after(headers)
            )
        except Exception as error:  # noqa: BLE001 - a reply the client cannot read: say what it was
            return _Failure("malformed", self._received(f"{type(error).__name__}: {error}"))
        return self._completion(completion)

    def _completion(self, completion: Any) -> _Reply | _Failure:
        """The reply's text and token counts; a malformed reply (no choices, no message) says so.
        The client does not validate replies, so any attribute may be missing or of any type."""
        try:
            message = completion.choices[0].message if completion.choices else None
            content = message.content if message is not None else None
            refusal = getattr(message, "refusal", None)
            usage = completion.usage
            prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
            completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        except (AttributeError, TypeError, ValueError, IndexError, KeyError):
            return _Failure("malformed", self._received(repr(completion)))
        if content is not None and not isinstance(content, str):
            return _Failure("malformed", self._received(repr(completion)))
        return _Reply(
            self._received(content or ""),
            self._received(refusal or ""),
            prompt_tokens,
            completion_tokens,
        )

    def _received(self, value: object) -> str:
        """The one door for text from the endpoint: as a str, with the API key (and any credentials
        in the base URL) scrubbed out."""
        text = str(value)
        for secret in self._secrets:
            text = secret.scrub(text)
        return text

    def prepare(self) -> None:
        """Import the client library and make this thread's client now, not at the first request
        (a run the language server starts ahead: `coc run --start-when`)."""
        self._client()

    def _client(self) -> openai.OpenAI:
        client = self._clients.client
        if client is None:
            import openai

            with self._tls_lock:
                if self._tls is None:
                    self._tls = _tls_context()
            client = self._clients.client = openai.OpenAI(
                base_url=self._url.reveal(),
                api_key=self._api_key.reveal() or NO_KEY,
                timeout=self.timeout,
                max_retries=0,  # retried here, with our bounds and one clear error at the end
                http_client=openai.DefaultHttpxClient(verify=self._tls),
            )
        return client

    def _abandon(self, client: openai.OpenAI) -> None:
        """Close a client whose request outlived the deadline, so that its worker's read fails;
        this thread's next attempt gets a new client."""
        if self._clients.client is client:
            self._clients.client = None
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing is best effort: the worker ends anyway
            pass

    def _gave_up(self, attempts: int, last: _Failure | None, out_of_time: bool = False) -> str:
        """Why the answer failed after `attempts`: the last failure, and the timeout if it ran out."""
        limit = f" within {self.timeout:g} s (the timeout for one answer)"
        if last is None:
            return f"The LM endpoint {self.base_url} did not answer{limit} after {_attempts(attempts)}."
        if last.kind == "connection":
            cause = f"could not be reached ({truncate(last.text, DETAIL_LIMIT)})"
        else:
            cause = f"kept failing with {last.describe()}"
        spent = limit if out_of_time else ""
        return f"The LM endpoint {self.base_url} {cause} after {_attempts(attempts)}{spent}."

    def _refused(self, failure: _Failure) -> str:
        if failure.kind == "certificate":
            return (
                f"The LM endpoint {self.base_url} has a TLS certificate this machine does not trust"
                f" ({truncate(failure.text, DETAIL_LIMIT)}); set SSL_CERT_FILE to its CA's bundle."
            )
        if failure.kind == "malformed":
            return (
                f"The LM endpoint {self.base_url} sent a reply that is not a chat completion:"
                f" {truncate(failure.text, DETAIL_LIMIT)}."
            )
        return (
            f"The LM endpoint {self.base_url} refused the request for model {self.model!r}:"
            f" {failure.describe()}."
        )


def _attempts(count: int) -> str:
    return f"{count} attempt" + ("s" if count != 1 else "")


def _rejected_parameter(text: str, parameters: dict[str, Any]) -> str:
    """The optional parameter a 400 complains about, if it is one we sent and can drop."""
    lowered = text.lower()
    for name, words in _OPTIONAL_PARAMETERS.items():
        if name in parameters and any(word in lowered for word in words):
            return name
    return ""


def _error_detail(error: openai.APIStatusError) -> str:
    """What an error reply says: its JSON message and param, or its text (not yet scrubbed)."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        param = inner.get("param") if isinstance(inner, dict) else None
        if message:
            return f"{message} (param: {param})" if param else str(message)
    if isinstance(body, str) and body:
        return body
    return str(error.message or body or "")


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, kind):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds a 429 or 503 asks us to wait (Retry-After, Retry-After-Ms), when sane."""
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(header)) * scale
        except (TypeError, ValueError):
            continue
        if 0 <= seconds <= BACKOFF_MAX_S:
            return seconds
    return None


def _backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before attempt `attempt + 1`: what the endpoint asked, else exponential."""
    if retry_after is not None:
        return retry_after
    return min(BACKOFF_START_S * 2 ** (attempt - 1), BACKOFF_MAX_S)
