"""The OpenAI-compatible backend: chat completions from OpenAI, vLLM, llama.cpp server, Ollama...

The `openai` package is imported on the first answer, not at import time: a run whose lines all
run in Python never pays for it. Requests ask for JSON-schema structured output; an endpoint that
rejects `response_format` (or `temperature`) with HTTP 400 or 422 is asked again without it, and
that is remembered for the rest of the process. 429, 5xx, timeouts and connection errors are
retried with exponential backoff a few times, then become one EndpointError naming the base URL.

The API key lives in a `_Secret` that never shows itself: not in repr(), not in messages (server
text is scrubbed of it), not in the identity the cache uses.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from coc_lsp.lm.answers import parse_answer
from coc_lsp.lm.errors import AnswerError, EndpointError
from coc_lsp.lm.prompts import answer_schema, messages
from coc_lsp.lm.reprs import truncate
from coc_lsp.lm.request import Answer, EmulationRequest

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
NO_KEY = "unused"  # local servers want no key, the openai client wants one
BACKOFF_START_S = 0.25
BACKOFF_MAX_S = 4.0
# Optional request parameters some endpoints reject, dropped after their 400 names them.
_OPTIONAL_PARAMETERS = {
    "response_format": ("response_format", "json_schema"),
    "temperature": ("temperature",),
}
_dropped: dict[tuple[str, str], set[str]] = {}
_dropped_lock = threading.Lock()


class _Secret:
    """A string that does not show itself in repr(), str() or f-strings."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class OpenAIBackend:
    """Answers emulation requests with an OpenAI-compatible chat completions endpoint."""

    uses_program = False  # prompts.messages() never shows the whole program

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ) -> None:
        self.model = model
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = float(timeout)
        self.max_retries = max(0, int(max_retries))
        self._api_key = _Secret(api_key or NO_KEY)
        self._client: Any = None
        self._client_lock = threading.Lock()

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

    def complete(self, request: EmulationRequest) -> tuple[str, int, int]:
        """(raw answer text, prompt tokens, completion tokens) for `request`."""
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
            completion, rejected = self._create(parameters)
            if completion is not None:
                break
            with _dropped_lock:
                _dropped.setdefault((self.base_url, self.model), set()).add(rejected)
        choice = completion.choices[0] if completion.choices else None
        content = choice.message.content if choice is not None else None
        usage = completion.usage
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        if not content:
            refusal = getattr(choice.message, "refusal", None) if choice is not None else None
            reason = f" (refusal: {truncate(str(refusal), 200)!r})" if refusal else ""
            raise AnswerError(
                f"The model {self.model} returned an empty answer{reason}."
            ).with_cost("", prompt_tokens, completion_tokens)
        return self._scrub(content), prompt_tokens, completion_tokens

    def _create(self, parameters: dict[str, Any]) -> tuple[Any, str]:
        """(completion, "") or (None, name of a rejected optional parameter); retries transient
        failures with exponential backoff; EndpointError once they are used up."""
        import openai

        client = self._openai_client()
        deadline = time.monotonic() + (self.max_retries + 1) * (self.timeout + BACKOFF_MAX_S)
        attempt = 0
        while True:
            attempt += 1
            try:
                return client.chat.completions.create(**parameters), ""
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                rejected = _rejected_parameter(error, parameters)
                if rejected:
                    return None, rejected
                raise EndpointError(self._status_message(error)) from None
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APIConnectionError,
            ) as error:
                delay = _backoff(attempt, getattr(error, "response", None))
                if attempt > self.max_retries or time.monotonic() + delay > deadline:
                    raise EndpointError(self._failure_message(error, attempt)) from None
                time.sleep(delay)
            except openai.APIStatusError as error:  # 401, 403, 404, ...: retrying will not help
                raise EndpointError(self._status_message(error)) from None

    def _openai_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(
                    base_url=self.base_url,
                    api_key=self._api_key.reveal(),
                    timeout=self.timeout,
                    max_retries=0,  # retried here, with our bounds and one clear error at the end
                )
            return self._client

    def _failure_message(self, error: Exception, attempts: int) -> str:
        import openai

        tries = f"{attempts} attempt" + ("s" if attempts != 1 else "")
        if isinstance(error, openai.APITimeoutError):
            cause = f"did not answer within {self.timeout:g} s"
        elif isinstance(error, openai.APIConnectionError):
            cause = f"could not be reached ({self._scrub(_root_cause(error))})"
        else:
            cause = f"kept failing with {self._status_text(error)}"
        return f"The LM endpoint {self.base_url} {cause} after {tries}."

    def _status_message(self, error: Exception) -> str:
        return (
            f"The LM endpoint {self.base_url} refused the request for model {self.model!r}:"
            f" {self._status_text(error)}."
        )

    def _status_text(self, error: Exception) -> str:
        status = getattr(error, "status_code", "?")
        detail = _error_detail(error)
        return f"HTTP {status}" + (f" ({self._scrub(truncate(detail, 300))})" if detail else "")

    def _scrub(self, text: str) -> str:
        """Server text with the API key blanked out, should a server echo it back."""
        key = self._api_key.reveal()
        return text.replace(key, "***") if key and key != NO_KEY else text


def _rejected_parameter(error: Exception, parameters: dict[str, Any]) -> str:
    """The optional parameter a 400 complains about, if it is one we sent and can drop."""
    text = f"{_error_detail(error)} {getattr(error, 'param', '') or ''}".lower()
    for name, words in _OPTIONAL_PARAMETERS.items():
        if name in parameters and any(word in text for word in words):
            return name
    return ""


def _error_detail(error: Exception) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return str(message)
    return str(getattr(error, "message", "") or body or "")


def _root_cause(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return str(error) or type(error).__name__


def _backoff(attempt: int, response: Any) -> float:
    """Seconds to wait before attempt `attempt + 1`: Retry-After when sane, else exponential."""
    headers = getattr(response, "headers", None) or {}
    for header, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(header)) * scale
        except (TypeError, ValueError):
            continue
        if 0 <= seconds <= BACKOFF_MAX_S:
            return seconds
    return min(BACKOFF_START_S * 2 ** (attempt - 1), BACKOFF_MAX_S)
