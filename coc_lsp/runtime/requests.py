"""From an emulation site and the program's live frame to the `EmulationRequest` the LM answers
(without a frame: a call asked ahead of time, whose answer depends on its arguments only)."""

from __future__ import annotations

from types import FrameType, ModuleType
from typing import Any

from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.program.sites import Site

PROMPT_LIMIT = 200


def build_request(
    site: Site,
    frame: FrameType | None,
    program: str,
    filename: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: BaseException | None,
    function: str | None = None,
    current: dict[str, Any] | None = None,
) -> EmulationRequest:
    return EmulationRequest(
        kind=site.kind,
        source=site.source,
        lineno=site.line,
        function=function or site.function,
        args=args,
        kwargs=dict(kwargs),
        state=visible_state(frame) if frame is not None else {},
        targets=[] if site.free_form else list(site.targets),
        program=program,
        returns=site.returns,
        target_types=dict(site.target_types),
        context="\n".join(site.context),
        error=f"{type(error).__name__}: {error}" if error is not None else None,
        filename=filename,
        labels=list(site.labels),
        current=dict(current or {}),
        scope=site.scope,
    )


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


def short_prompt(request: EmulationRequest) -> str:
    """What the LM is about to be asked, in one line: `is_fruit('pear') -> bool`."""
    if request.kind == "call" and request.function:
        arguments = [safe_repr(a, 60) for a in request.args]
        arguments += [f"{k}={safe_repr(v, 60)}" for k, v in request.kwargs.items()]
        text = f"{request.function}({', '.join(arguments)})"
    else:
        text = request.source
    if request.targets:
        text += " -> " + ", ".join(request.targets)
    elif request.returns:
        text += f" -> {request.returns}"
    return text if len(text) <= PROMPT_LIMIT else text[: PROMPT_LIMIT - 1] + "…"
