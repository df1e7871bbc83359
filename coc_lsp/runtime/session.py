"""One run's emulation session: turns a site plus the program's live state into an
`EmulationRequest`, asks the LMulator (created on first use, so a run that never needs an LM never
loads one), records the answer in the trace and keeps the run's totals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any

from coc_lsp.lm.errors import LMError
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.program.sites import Site
from coc_lsp.runtime.hooks import EmulationError
from coc_lsp.runtime.trace import TraceWriter

REPR_LIMIT = 2000
RECORDS_PER_SITE = 20  # values of Python-run lines: enough for hints, bounded for loops


@dataclass
class Totals:
    emulations: int = 0
    lines: set[int] = field(default_factory=set)
    lm_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "emulations": self.emulations,
            "lines": len(self.lines),
            "lm_calls": self.lm_calls,
            "cache_hits": self.cache_hits,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


# Called before the LM is asked (site, request): the debugger's stop-on-emulation hook.
BeforeEmulation = Callable[[Site, Any], None]


class Session:
    def __init__(
        self,
        *,
        filename: str,
        source: str,
        mode: str,
        trace: TraceWriter,
        make_lmulator: Callable[[], tuple[Any, str]],
        refresh_lines: frozenset[int] = frozenset(),
        before_emulation: BeforeEmulation | None = None,
        line_count: int = 1,
    ) -> None:
        self.filename = filename
        self.source = source
        self.mode = mode
        self.trace = trace
        self.make_lmulator = make_lmulator
        self.refresh_lines = refresh_lines
        self.before_emulation = before_emulation
        self.line_count = max(line_count, 1)
        self.totals = Totals()
        self.lmulator: Any = None
        self.backend_description: str | None = None
        self.furthest_line = 0
        self.records: dict[int, int] = {}

    def lm(self) -> Any:
        if self.lmulator is None:
            self.lmulator, self.backend_description = self.make_lmulator()
            self.trace.write("backend", description=self.backend_description)
        return self.lmulator

    def record(self, site: Site, values: dict[str, Any]) -> None:
        """A `values` trace event for an assignment Python ran (at most RECORDS_PER_SITE a site)."""
        count = self.records.get(site.id, 0)
        if count >= RECORDS_PER_SITE:
            return
        self.records[site.id] = count + 1
        self.trace.write(
            "values",
            **_span(site),
            values={name: safe_repr(value, 200) for name, value in values.items()},
        )

    def emulate(
        self,
        site: Site,
        frame: FrameType,
        *,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> Any:
        request = EmulationRequest(
            kind=site.kind,
            source=site.source,
            lineno=site.line,
            function=site.function,
            args=args,
            kwargs=dict(kwargs or {}),
            state=visible_state(frame),
            targets=list(site.targets),
            program=self.source,
            returns=site.returns,
            target_types=dict(site.target_types),
            context="\n".join(site.context),
            error=f"{type(error).__name__}: {error}" if error is not None else None,
            filename=self.filename,
        )
        self.furthest_line = max(self.furthest_line, site.line)
        self.trace.write(
            "emulating",
            site=site.id,
            line=site.line,
            source=site.source,
            percent=round(100 * self.furthest_line / self.line_count),
        )
        if self.before_emulation is not None:
            self.before_emulation(site, request)
        try:
            lmulator = self.lm()
            result = lmulator.emulate(request, bypass_cache=site.line in self.refresh_lines)
        except LMError as failure:
            message = str(failure)
            if not message.startswith(self.filename):
                message = f"{self.filename}:{site.line}: {message}"
            self.trace.write("error", line=site.line, site=site.id, kind="emulation", message=message)
            raise EmulationError(message) from None
        totals = self.totals
        totals.emulations += 1
        totals.lines.add(site.line)
        totals.cache_hits += result.cached
        totals.lm_calls += not result.cached
        totals.prompt_tokens += result.prompt_tokens
        totals.completion_tokens += result.completion_tokens
        value = result.value
        self.trace.write(
            "emulation",
            **_span(site),
            kind=site.kind,
            trigger=site.trigger,
            source=site.source,
            function=site.function,
            request={
                "args": [safe_repr(a, REPR_LIMIT) for a in args],
                "kwargs": {k: safe_repr(v, REPR_LIMIT) for k, v in (kwargs or {}).items()},
                "targets": list(site.targets),
                "returns": site.returns,
                "error": request.error,
            },
            raw=result.raw,
            value=safe_repr(value, REPR_LIMIT) if site.kind in ("call", "expression") else None,
            values={k: safe_repr(v, REPR_LIMIT) for k, v in value.items()} if isinstance(value, dict) and site.kind in ("line", "pseudo") else None,
            cached=result.cached,
            latency_ms=round(result.latency_s * 1000, 1),
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            attempts=result.attempts,
        )
        return value


def _span(site: Site) -> dict[str, int]:
    """The trace fields that place a site in the file."""
    return {"site": site.id, "line": site.line, "col": site.col, "end_line": site.end_line, "end_col": site.end_col}


def visible_state(frame: FrameType) -> dict[str, Any]:
    """The program's variables visible in `frame`: globals then locals, without modules,
    functions, classes, private and generated names."""
    state: dict[str, Any] = {}
    scopes = [frame.f_globals] if frame.f_locals is frame.f_globals else [frame.f_globals, frame.f_locals]
    for scope in scopes:
        for name, value in scope.items():
            if name.startswith(("_", "@")) or isinstance(value, (ModuleType, type)) or callable(value):
                continue
            state[name] = value
    return state
