"""One run's emulation session: from a site and the program's live state to a checked value.

`EmulationSession.emulate` is a pipeline of four small steps: build the request (`requests.py`),
announce it (the `emulating` event and the debugger's pause), ask the LMulator (created on first
use, so a run that never needs an LM never loads one) and record the answer (totals and the
`emulation` event). Nothing here runs on lines Python runs itself.

With `prefetch`, a planned loop's semantic calls are asked ahead, concurrently (`ahead.py`); the
call still announces and records its own emulation, taking the answer asked ahead when its request
is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

from coc_lsp.lm.errors import LMError
from coc_lsp.lm.recorded import literal_text, request_key
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.program.sites import AheadPlan, Site
from coc_lsp.runtime.ahead import Ahead, Prefetcher, materialised
from coc_lsp.runtime.errors import EmulationError
from coc_lsp.runtime.requests import build_request, short_prompt

if TYPE_CHECKING:  # the LMulator (sqlite, prompts, ...) is imported only when an LM is asked
    from coc_lsp.lm.lmulator import LMResult, LMulator

from coc_lsp.runtime.trace import (
    BackendChosen,
    Emulating,
    Emulation,
    Error,
    Notice,
    RequestInfo,
    Totals,
    TraceWriter,
    Values,
)

REPR_LIMIT = 2000
RECORDS_PER_SITE = 20  # values of Python-run lines: enough for hints, bounded for loops

# Called before the LM is asked (site, request): the debugger's stop-on-emulation hook.
BeforeEmulation = Callable[[Site, EmulationRequest], None]
# Builds the LMulator on first use: (lmulator, description of backend and model).
LMulatorFactory = Callable[[], "tuple[LMulator, str]"]


class RunTotals:
    """The running counts behind the `end` event's totals."""

    def __init__(self) -> None:
        self.totals = Totals()
        self.lines: set[int] = set()

    def add(self, site: Site, result: LMResult) -> None:
        totals = self.totals
        totals.emulations += 1
        self.lines.add(site.line)
        totals.lines = len(self.lines)
        totals.cache_hits += result.cached
        totals.lm_calls += not result.cached
        totals.prompt_tokens += result.prompt_tokens
        totals.completion_tokens += result.completion_tokens


class EmulationSession:
    def __init__(
        self,
        *,
        filename: str,
        source: str,
        trace: TraceWriter,
        make_lmulator: LMulatorFactory,
        refresh_lines: frozenset[int] = frozenset(),
        before_emulation: BeforeEmulation | None = None,
        prefetch: bool = True,
    ) -> None:
        self.filename = filename
        self.source = source
        self.trace = trace
        self.make_lmulator = make_lmulator
        self.refresh_lines = refresh_lines
        self.before_emulation = before_emulation
        self.line_count = max(source.count("\n") + 1, 1)
        self.counts = RunTotals()
        self.lmulator: LMulator | None = None
        self.backend_description: str | None = None
        self.furthest_line = 0
        self.records: dict[int, int] = {}
        self.notices: list[str] = []
        # Pausing before each emulation (the debugger's stopOnEmulation) must see them one by one.
        self.prefetch = prefetch and before_emulation is None
        self.sites: list[Site] = []  # the program's, once rewritten
        self.prefetcher: Prefetcher | None = None

    def emulate(
        self,
        site: Site,
        frame: FrameType,
        *,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        error: BaseException | None = None,
        function: str | None = None,
        current: dict[str, Any] | None = None,
    ) -> Any:
        """The checked answer for `site` as the program sees it now (`function`: the dotted name of
        a call through a module that is not installed; `current`: values of changed objects)."""
        request = build_request(site, frame, self.source, self.filename, args, kwargs or {}, error, function, current)
        self.announce(site, request)
        result, prefetched = self.ask(site, request)
        self.counts.add(site, result)
        self.trace.write(emulation_event(site, request, result, prefetched))
        return result.value

    def announce(self, site: Site, request: EmulationRequest) -> None:
        self.furthest_line = max(self.furthest_line, site.line)
        percent = round(100 * self.furthest_line / self.line_count)
        self.trace.write(
            Emulating(site=site.id, line=site.line, source=site.source, percent=percent, prompt=short_prompt(request))
        )
        if self.before_emulation is not None:
            self.before_emulation(site, request)

    def ask(self, site: Site, request: EmulationRequest) -> tuple[LMResult, bool]:
        """The LMulator's result, and whether it was asked ahead; an LM failure becomes
        EmulationError naming file and line."""
        try:
            lm = self.lm()
            if self.prefetcher is not None and (ready := self.prefetcher.take(request)) is not None:
                return lm.used(request, ready), True
            return lm.emulate(request, bypass_cache=site.line in self.refresh_lines), False
        except LMError as failure:
            message = str(failure)
            if not message.startswith(self.filename):
                message = f"{self.filename}:{site.line}: {message}"
            self.trace.write(Error(line=site.line, site=site.id, kind="emulation", message=message))
            raise EmulationError(message) from None

    def lm(self) -> LMulator:
        if self.lmulator is None:
            self.lmulator, self.backend_description = self.make_lmulator()
            self.trace.write(BackendChosen(description=self.backend_description))
        return self.lmulator

    def ahead(self, plan: AheadPlan, iterable: Any, frame: FrameType) -> Any:
        """A planned loop starts over `iterable`: asking its calls ahead when this run does."""
        if not materialised(iterable):
            return iterable  # nothing to ask ahead: not even the LM is started for it
        prefetcher = self.start_prefetcher()
        return iterable if prefetcher is None else Ahead(prefetcher, plan, iterable, frame, self.call_request)

    def start_prefetcher(self) -> Prefetcher | None:
        """The run's prefetcher, started by the first planned loop when the backend takes more
        than one request at once and answers calls from what their cache key holds."""
        if self.prefetcher is None and self.prefetch:
            self.prefetch = False  # decided once
            try:
                lm = self.lm()
            except LMError:
                return None  # the loop's first call reports it, as without prefetching
            if lm.max_in_flight > 1 and not lm.answers_depend_on_state:
                self.prefetcher = Prefetcher(lm, lm.max_in_flight, lambda request: request.lineno in self.refresh_lines)
        return self.prefetcher

    def call_request(self, site: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> EmulationRequest:
        """The request a call at `site` makes with these arguments, asked ahead (without state)."""
        return build_request(self.sites[site], None, self.source, self.filename, args, kwargs, None)

    def finish(self, wait: bool = True) -> None:
        """The run ended: answers asked ahead and never used are counted apart (those in flight
        once they come, with `wait`; an interrupted run waits for nothing)."""
        if self.prefetcher is not None:
            self.counts.totals.prefetched_unused += len(self.prefetcher.finish(wait))
            self.prefetcher = None

    def record(self, site: Site, values: dict[str, Any]) -> None:
        """A `values` event for an assignment Python ran (at most RECORDS_PER_SITE a site)."""
        count = self.records.get(site.id, 0)
        if count >= RECORDS_PER_SITE:
            return
        self.records[site.id] = count + 1
        reprs = {name: safe_repr(value, 200) for name, value in values.items()}
        self.trace.write(Values(**where(site), values=reprs))

    def notice(self, kind: str, line: int | None, message: str) -> None:
        """Something the user should know at the end of the run (a module that is not installed)."""
        if message not in self.notices:
            self.notices.append(message)
            self.trace.write(Notice(kind=kind, line=line, message=message))

    @property
    def totals(self) -> Totals:
        return self.counts.totals


def where(site: Site) -> dict[str, int]:
    """The trace fields that place a site in the program."""
    return {"site": site.id, "line": site.line, "col": site.col, "end_line": site.end_line, "end_col": site.end_col}


def emulation_event(site: Site, request: EmulationRequest, result: LMResult, prefetched: bool = False) -> Emulation:
    value = result.value
    whole_line = site.kind in ("line", "pseudo")
    return Emulation(
        **where(site),
        kind=site.kind,
        trigger=site.trigger,
        source=site.source,
        function=request.function,
        request=RequestInfo(
            args=[safe_repr(a, REPR_LIMIT) for a in request.args],
            kwargs={k: safe_repr(v, REPR_LIMIT) for k, v in request.kwargs.items()},
            targets=list(request.targets),
            returns=request.returns,
            error=request.error,
            target_types=dict(request.target_types),
        ),
        raw=result.raw,
        value=None if whole_line else safe_repr(value, REPR_LIMIT),
        values={str(k): safe_repr(v, REPR_LIMIT) for k, v in value.items()} if whole_line and isinstance(value, dict) else None,
        origin=result.origin,
        latency_ms=round(result.latency_s * 1000, 1),
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        attempts=result.attempts,
        prefetched=prefetched,
        answer_key=list(request_key(request)),
        answer=literal_text(value),
    )
