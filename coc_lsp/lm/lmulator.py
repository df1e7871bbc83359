"""The LMulator: an emulation request in, a checked value out, with the cache in front.

`LMulator.emulate(request)` looks the request up in the cache, else asks the backend's
`answer()`, checks the value against the type or targets asked for, asks once more with `feedback`
when the answer is unusable, and stores what worked. Failures come out as LMError subclasses:
AnswerError (naming the program file and line) for unusable answers, BackendError for a backend
that raised, EndpointError from the endpoint backends as they are.

The LMulator talks to a full request.Backend; an object with only emulate() (a custom backend
given directly) is adapted once, here, by custom.adapt.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from coc_lsp.lm.cache import Cache, cache_key, generation_key
from coc_lsp.lm.custom import adapt
from coc_lsp.lm.errors import AnswerError, BackendError, LMError
from coc_lsp.lm.recorded import RecordedAnswers
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import Answer, Backend, Completion, EmulationRequest, Emulator, Messages
from coc_lsp.lm.types import check

MAX_ATTEMPTS = 2  # the first answer and one retry with feedback


@dataclass
class LMResult:
    """What the runtime gets back and the trace records. `origin` says where the value came from:
    "lm" (asked now), "cache", or "answers" (a recorded answers file). A value not asked now costs
    no tokens and no attempts (`attempts == 0`); `raw` is the answer text the value was read from."""

    value: Any
    raw: str
    origin: str
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1

    @property
    def cached(self) -> bool:
        return self.origin != "lm"


class LMulator:
    """Emulates requests with one backend, through an optional cache. `identity` (what the cache
    keys answers by) defaults to the backend's own."""

    def __init__(
        self,
        backend: Backend | Emulator,
        cache: Cache | None,
        identity: str | None = None,
        *,
        answers: RecordedAnswers | None = None,
        record: RecordedAnswers | None = None,
    ) -> None:
        self.backend: Backend = (
            backend
            if isinstance(backend, Backend)
            else adapt(backend, identity or type(backend).__name__)
        )
        self.identity = identity if identity is not None else self.backend.identity
        self.cache = cache
        self.answers = answers  # consulted first: recorded or pinned answers
        self.record = record  # where every answer used is kept (`coc run --record`)

    def __repr__(self) -> str:
        return f"LMulator({self.identity!r}, cache={self.cache!r})"

    @property
    def max_in_flight(self) -> int:
        """How many requests the backend takes at once (its optional `max_in_flight`; 1 when it
        has none): more than 1 lets the executor fetch a loop's answers ahead, from threads."""
        value = getattr(self.backend, "max_in_flight", 1)
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1

    @property
    def answers_depend_on_state(self) -> bool:
        """Whether an answer may depend on more than its cache key without the state (then a
        call asked ahead of time, without the state of that time, could differ)."""
        return self.backend.uses_program

    def key(self, request: EmulationRequest) -> str:
        """What the cache keys `request` by: two requests with one key get one answer."""
        return cache_key(self.identity, request, include_program=self.backend.uses_program)

    def emulate(self, request: EmulationRequest, *, bypass_cache: bool = False) -> LMResult:
        """The checked value for `request`: a recorded answer, else the cache's, else the
        backend's. `bypass_cache` asks the backend anew (and stores it)."""
        return self.used(request, self.fetch(request, bypass_cache=bypass_cache))

    def fetch(self, request: EmulationRequest, *, bypass_cache: bool = False) -> LMResult:
        """`emulate` without recording the answer as used: safe to call from several threads at
        once (the cache locks, the endpoint client is per thread) when `max_in_flight` > 1."""
        return self._answer(request, bypass_cache)

    def used(self, request: EmulationRequest, result: LMResult) -> LMResult:
        """The program used `result` for `request` (`--record` keeps it)."""
        if self.record is not None:
            self.record.record(request, result.value, pinned=result.origin == "answers")
        return result

    def _answer(self, request: EmulationRequest, bypass_cache: bool) -> LMResult:
        started = time.perf_counter()
        if self.answers is not None and (entry := self.answers.lookup(request)) is not None:
            try:
                value = self._checked(self.answers.value_of(entry), request)
            except AnswerError as error:
                raise AnswerError(
                    f"{_where(request)}: the recorded answer {entry.value!r} does not fit: {error}"
                ) from None
            return LMResult(value, entry.value, "answers", time.perf_counter() - started, attempts=0)
        key = None
        if self.cache is not None:
            key = self.key(request)
            hit = None if bypass_cache else self.cache.get(key)
            if hit is not None:
                try:
                    value = self._checked(hit.value, request)
                except AnswerError:
                    pass  # stored by an older, laxer version: ask again and replace it
                else:
                    elapsed = time.perf_counter() - started
                    return LMResult(value, hit.raw, "cache", elapsed, attempts=0)
        prompt_tokens = completion_tokens = 0
        asked = request
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                answer = self._ask(asked)
                prompt_tokens += answer.prompt_tokens
                completion_tokens += answer.completion_tokens
                value = self._checked(answer.value, request)
            except AnswerError as error:
                prompt_tokens += error.prompt_tokens
                completion_tokens += error.completion_tokens
                if attempt < MAX_ATTEMPTS:
                    asked = dataclasses.replace(request, feedback=str(error))
                    continue
                raise AnswerError(
                    f"{_where(request)}: the LM's answer could not be used after {attempt}"
                    f" attempts: {error}",
                    raw=error.raw,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                ) from error
            if self.cache is not None and key is not None:
                self.cache.put(
                    key, value, answer.raw, answer.prompt_tokens, answer.completion_tokens
                )
            elapsed = time.perf_counter() - started
            return LMResult(
                value, answer.raw, "lm", elapsed, prompt_tokens, completion_tokens, attempt
            )
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def generate(self, messages: Messages, *, max_tokens: int, stop: list[str]) -> Completion:
        """Free text for a chat prompt (a program for a question), through the cache."""
        key = generation_key(self.identity, messages, max_tokens, stop) if self.cache is not None else None
        if self.cache is not None and key is not None and (hit := self.cache.get(key)) is not None and isinstance(hit.value, str):
            return Completion(hit.value, origin="cache")
        try:
            completion = self.backend.generate(messages, max_tokens=max_tokens, stop=stop)
        except LMError:
            raise
        except Exception as error:  # noqa: BLE001 - a custom backend may raise anything
            raise BackendError(f"The backend {self.identity} failed to write text: {type(error).__name__}: {error}") from error
        if self.cache is not None and key is not None:
            self.cache.put(key, completion.text, completion.text, completion.prompt_tokens, completion.completion_tokens)
        return completion

    def _ask(self, request: EmulationRequest) -> Answer:
        """The backend's Answer; a backend's own exception becomes BackendError."""
        try:
            return self.backend.answer(request)
        except LMError:
            raise
        except Exception as error:  # noqa: BLE001 - a custom backend may raise anything
            raise BackendError(
                f"The backend {self.identity} failed: {type(error).__name__}: {error}"
            ) from error

    def _checked(self, value: Any, request: EmulationRequest) -> Any:
        return checked(value, request)


def checked(value: Any, request: EmulationRequest) -> Any:
    """The value checked against what the request asked for; AnswerError if it does not fit."""
    if request.kind in ("call", "expression"):
        return check(value, request.returns)
    if not isinstance(value, dict):
        raise AnswerError(
            f"Expected a dict of the variables the line sets, but the answer was"
            f" {safe_repr(value, 200)}."
        )
    if request.targets:
        missing = [t for t in request.targets if t not in value]
        extra = [k for k in value if k not in request.targets]
        if missing or extra:
            problem = "; ".join(
                part
                for part in (
                    f"missing {', '.join(map(str, missing))}" if missing else "",
                    f"unexpected {', '.join(safe_repr(k, 40) for k in extra)}" if extra else "",
                )
                if part
            )
            raise AnswerError(
                f"Expected exactly the variables {', '.join(request.targets)}, but the answer"
                f" was {safe_repr(value, 200)} ({problem})."
            )
        return {
            t: _check_target(t, value[t], request.target_types.get(t)) for t in request.targets
        }
    bad = [k for k in value if not (isinstance(k, str) and k.isidentifier())]
    if bad:
        raise AnswerError(
            f"Expected variable names as keys, but the answer had {safe_repr(bad[0], 60)}"
            f" in {safe_repr(value, 200)}."
        )
    return dict(value)


def _check_target(target: str, value: Any, spec: str | None) -> Any:
    try:
        return check(value, spec)
    except AnswerError as error:
        raise AnswerError(f"{target}: {error}") from None


def _where(request: EmulationRequest) -> str:
    return f"{request.filename or '<program>'}:{request.lineno}"
