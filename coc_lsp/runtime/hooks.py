"""The hooks a rewritten program calls (as `@coc.<method>`): the only executor code that runs on
the program's own lines. Kept small and import-light, like coverage's pytracer: everything heavy
happens in the session, and only when the LM is really asked.

The hooks object also holds the temporaries of module- and class-level code (`@coc.v0`), so that
nothing generated ever shows among the program's globals or a class's attributes.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import sys
from collections import deque
from collections.abc import Coroutine
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coc_lsp.program.rewrite import RewrittenProgram
    from coc_lsp.program.sites import Site
    from coc_lsp.runtime.session import EmulationSession

# The mark `raise` statements of the program put on their exception (an attribute name no
# identifier can spell): such exceptions are the program's own and never emulated.
OWN = "@coc own"



# Out of memory, processes, files or disk: the machine's limits (the sandbox's among them) speak,
# not a line Python cannot run. An LM answer would hide the limit (a fork bomb asking once per fork).
EXHAUSTED_ERRNOS = frozenset({errno.EAGAIN, errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def exhausted(error: BaseException) -> bool:
    """Is `error` a resource limit (MemoryError, or an OSError such as a refused fork)?"""
    return isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno in EXHAUSTED_ERRNOS)

class Hooks:
    def __init__(self, program: RewrittenProgram, session: EmulationSession) -> None:
        self.sites = program.sites
        self.filename = program.filename
        self.handlers = program.handlers
        self.assert_lines = program.assert_lines
        self.plans = program.plans
        self.session = session
        self.compiled: dict[str, CodeType] = {}

    # -- semantic functions ------------------------------------------------------------------------

    def call(self, site: int, /, *args: Any, **kwargs: Any) -> Any:
        """A call of a semantic function: `is_sarcastic(s)`. A program that defined the name at
        run time (`globals()["f"] = ...`, `exec`) calls its own function instead."""
        where, frame = self.sites[site], self.user_frame()
        if (defined := _defined(frame, where.function)) is not None:
            return defined(*args, **kwargs)
        return self.session.emulate(where, frame, args=args, kwargs=kwargs)

    def acall(self, site: int, /, *args: Any, **kwargs: Any) -> Coroutine[Any, Any, Any]:
        """A call of a semantic function the program awaits: a coroutine, answered when awaited."""
        where, frame = self.sites[site], self.user_frame()

        async def answer() -> Any:
            return self.session.emulate(where, frame, args=args, kwargs=kwargs)

        return answer()

    def ahead(self, plan: int, iterable: Any) -> Any:
        """A loop over `iterable` starts whose semantic calls can be asked ahead (plan `plan`):
        the iterable itself, or an iterator that asks the next items' calls concurrently."""
        return self.session.ahead(self.plans[plan], iterable, self.user_frame())

    def fn(self, site: int) -> SemanticFunction:
        """A semantic function used as a value: `sorted(xs, key=weight_of)`."""
        return SemanticFunction(self, self.sites[site])

    def afn(self, site: int) -> SemanticFunction:
        return SemanticFunction(self, self.sites[site], awaitable=True)

    def missing(self, site: int) -> tuple[Any, ...]:
        """An import failed: each name is imported if it can be, else becomes a semantic function
        (or module) the LM answers calls of."""
        where = self.sites[site]
        values, proxied = [], []
        for name in where.imported:
            value = _import(name)
            if value is None:
                value = MissingName(self, where, name.lstrip("."))
                proxied.append(name.lstrip("."))
            values.append(value)
        if proxied:
            self.session.notice(
                "missing-module",
                where.line,
                f"{self.filename}:{where.line}: {', '.join(proxied)} cannot be imported here: calls of"
                f" {'it' if len(proxied) == 1 else 'them'} are emulated by the LM.",
            )
        return tuple(values)

    # -- lines and expressions Python could not run ------------------------------------------------

    def expr(self, site: int) -> Any:
        """The value of an expression Python could not compute (or that is pseudo-code)."""
        where = self.sites[site]
        value = self.session.emulate(where, self.user_frame(), error=sys.exc_info()[1])
        if where.use in ("context", "async-context"):
            return contextlib.nullcontext(value)
        if where.use == "async-iterable":
            return _AsyncIterator(value)
        return value

    def line(self, site: int, *passed: Any) -> Any:
        """The values of a line's targets that Python stores, in order (for free-form pseudo-code:
        a dict of the names it may store that the LM changed). Objects the line changes are
        updated in place when their type allows, and module globals the scope cannot assign are set
        here; `passed` are the current values of changed objects that are not names (`self.items`)."""
        where = self.sites[site]
        frame = self.user_frame()
        current = self.current_values(where, frame, passed)
        values = self.session.emulate(where, frame, error=sys.exc_info()[1], current=current)
        if where.free_form or not where.targets:
            if frame.f_locals is frame.f_globals:
                _set_globals(frame, values)
        stored: dict[str, Any] = {}
        for target, binding in zip(where.targets, where.bindings, strict=True):
            if target not in values:
                continue  # free-form: the LM did not change it
            value = values[target]
            if target in current:
                value = merged(current[target], value)
            if binding == "global":
                if target not in current or value is not current[target]:
                    frame.f_globals[target] = value
            else:
                stored[target] = value
        return stored if where.free_form else tuple(stored.values())

    @staticmethod
    def current_values(where: Site, frame: FrameType, passed: tuple[Any, ...]) -> dict[str, Any]:
        """The values now of the targets a line changes: names read from the frame, the others
        passed in by the rewritten code."""
        current: dict[str, Any] = {}
        given = iter(passed)
        for target, binding in zip(where.targets, where.bindings, strict=True):
            if binding not in ("merge", "global"):
                continue
            if target.isidentifier():
                for scope in (frame.f_locals, frame.f_globals):
                    if target in scope:
                        current[target] = scope[target]
                        break
            else:
                current[target] = next(given)
        return current

    def record(self, site: int) -> None:
        """After Python ran an assignment: report the values it bound (`--trace-values`)."""
        where = self.sites[site]
        scope = self.user_frame().f_locals
        self.session.record(where, {name: scope[name] for name in where.targets if name in scope})

    # -- exceptions ----------------------------------------------------------------------------------

    def own(self, error: Any) -> Any:
        """`raise X` of the program: X is marked as the program's own."""
        if isinstance(error, type) and issubclass(error, BaseException):
            error = error()
        if isinstance(error, BaseException):
            with contextlib.suppress(AttributeError, TypeError):
                setattr(error, OWN, True)
        return error

    def own_active(self) -> None:
        """A bare `raise` of the program: the exception it re-raises becomes the program's own."""
        self.own(sys.exc_info()[1])

    def propagates(self, site: int) -> bool:
        """Inside a guard's handler: True when the exception must go on (it is control flow, the
        program's own, or handled by the program here or in a caller), False to emulate."""
        error = sys.exc_info()[1]
        if not isinstance(error, Exception) or isinstance(error, (StopIteration, StopAsyncIteration)):
            return True
        if getattr(error, OWN, False) or (isinstance(error, AssertionError) and self.raised_by_assert(error)):
            return True
        if exhausted(error):
            return True
        frame: FrameType | None = sys._getframe(1)
        line: int | None = self.sites[site].line
        while frame is not None:
            if frame.f_code.co_filename == self.filename and line is not None:
                if any(self.catches(text, error, frame) for text in self.handlers.get(line, ())):
                    return True
            frame = frame.f_back
            line = frame.f_lineno if frame is not None else None
        return False

    def raised_by_assert(self, error: AssertionError) -> bool:
        """Did an `assert` of the program raise it (its innermost frame of the program is on an
        assert's line)?"""
        tb, line = error.__traceback__, None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self.filename:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line in self.assert_lines

    def catches(self, text: str | None, error: BaseException, frame: FrameType) -> bool:
        """Would a handler `except <text>:` of the program catch `error`? The handler's type is the
        program's own expression (from its source, never LM text), evaluated where the handler
        would evaluate it."""
        if text is None:
            return True  # bare `except:`
        try:
            if text not in self.compiled:
                self.compiled[text] = compile(text, self.filename, "eval")
            kind = eval(self.compiled[text], frame.f_globals, frame.f_locals)  # noqa: S307 - program code, see above
            return isinstance(error, kind)
        except Exception:
            return True  # let Python decide: not emulating is the safe side

    def user_frame(self) -> FrameType:
        """The innermost frame running the program's own code (the hook's caller, normally)."""
        frame = sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_filename != self.filename:
            frame = frame.f_back
        return frame


def _defined(frame: FrameType, name: str | None) -> Any:
    """What `name` means in `frame` when the program bound it after all (static analysis cannot
    see `globals()["f"] = ...`): a callable, or None."""
    if name is None:
        return None
    for scope in (frame.f_locals, frame.f_globals, frame.f_builtins):
        if name in scope:
            value = scope[name]
            return value if callable(value) else None
    return None


def merged(current: Any, new: Any) -> Any:
    """What a changed object becomes: `current` updated in place to `new` when both are the same
    kind of container (or `new` gives attributes of a plain object), so that aliases see the change
    and `self` keeps its identity; otherwise `new`."""
    if current is new:
        return current
    if isinstance(current, (list, bytearray)) and isinstance(new, (list, tuple, bytes, bytearray)):
        current[:] = new
    elif isinstance(current, dict) and isinstance(new, dict):
        current.clear()
        current.update(new)
    elif isinstance(current, deque) and isinstance(new, (list, tuple)):
        current.clear()
        current.extend(new)
    elif isinstance(current, set) and isinstance(new, (set, frozenset, list, tuple)):
        current.clear()
        current.update(new)
    elif (
        isinstance(new, dict)
        and hasattr(current, "__dict__")
        and new
        and all(isinstance(key, str) and key in vars(current) for key in new)
    ):
        for key, value in new.items():
            setattr(current, key, value)
    else:
        return new
    return current


def _set_globals(frame: FrameType, values: dict[str, Any]) -> None:
    """Free-form pseudo-code set these names: module globals (or any name, at module level)."""
    module_level = frame.f_locals is frame.f_globals
    for name, value in values.items():
        if module_level or (name in frame.f_globals and name not in frame.f_locals):
            frame.f_globals[name] = value


def _import(dotted: str) -> Any:
    """The object `dotted` names (a module, or an attribute of one), or None when it cannot be
    imported here."""
    if dotted.startswith("."):
        return None
    module, _, attribute = dotted.rpartition(".")
    for candidate in ([module] if module else []) + [dotted]:
        try:
            found = importlib.import_module(candidate)
        except ImportError:
            continue
        if candidate == dotted:
            return found
        if hasattr(found, attribute):
            return getattr(found, attribute)
    return None


class SemanticFunction:
    """A callable stand-in for a function the program never defines."""

    def __init__(self, hooks: Hooks, site: Site, awaitable: bool = False) -> None:
        self.hooks = hooks
        self.site = site
        self.awaitable = awaitable
        self.__name__ = site.function or "semantic_function"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        frame = self.hooks.user_frame()
        if self.awaitable:

            async def answer() -> Any:
                return self.hooks.session.emulate(self.site, frame, args=args, kwargs=kwargs)

            return answer()
        return self.hooks.session.emulate(self.site, frame, args=args, kwargs=kwargs)

    def __repr__(self) -> str:
        return f"<semantic function {self.__name__} (emulated by the LM)>"


class MissingName:
    """A module or name that could not be imported: attributes give deeper names, calls are
    emulated by the LM as calls of the dotted name (`dateutil.parser.parse(text)`)."""

    def __init__(self, hooks: Hooks, site: Site, name: str) -> None:
        self._hooks, self._site, self.__name__ = hooks, site, name

    def __getattr__(self, attribute: str) -> MissingName:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return MissingName(self._hooks, self._site, f"{self.__name__}.{attribute}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        frame = self._hooks.user_frame()
        return self._hooks.session.emulate(self._site, frame, args=args, kwargs=kwargs, function=self.__name__)

    def __repr__(self) -> str:
        return f"<{self.__name__}: not installed, emulated by the LM>"


class _AsyncIterator:
    """An emulated `async for` iterable: the LM's list, asynchronously."""

    def __init__(self, values: Any) -> None:
        self.items = iter(values)

    def __aiter__(self) -> _AsyncIterator:
        return self

    async def __anext__(self) -> Any:
        try:
            return next(self.items)
        except StopIteration:
            raise StopAsyncIteration from None
