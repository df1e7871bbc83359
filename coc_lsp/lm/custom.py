"""Custom backends: `--backend MODULE:FACTORY` imports MODULE and calls FACTORY() for a backend.

A user's backend needs only `emulate(request)` (request.Emulator). It may also have `answer(request)`
returning an Answer, `identity` and `description` strings, a `uses_program` bool and a
`max_in_flight` int (how many requests it answers at once, from threads; default 1). CustomBackend
reads those optional members once, when the backend is loaded, checks their types, and presents
the object as a full request.Backend, so nothing past this module asks what a backend has.
Putting the program's directory on sys.path, so that a `mymod.py` beside the program imports, is
the caller's business. Every way this can go wrong becomes one BackendError naming the backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from coc_lsp.lm.config import MAX_IN_FLIGHT_LIMIT
from coc_lsp.lm.errors import BackendError
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import Answer, Completion, EmulationRequest, Emulator, Messages

RAW_LIMIT = 2_000  # the raw text recorded for a value returned by emulate()


class CustomBackend:
    """A user's Emulator seen as a full Backend. `name` is how messages and defaults refer to it:
    the --backend spec, or the identity the LMulator was given."""

    def __init__(self, emulator: Emulator, name: str) -> None:
        self._emulator = emulator
        self._name = name
        self._answer = _optional(emulator, "answer", callable, "a method answer(request)", name)
        self._generate = _optional(emulator, "generate", callable, "a method generate(messages, *, max_tokens, stop)", name)
        self.identity: str = _optional(emulator, "identity", _text, "a non-empty str", name) or (
            f"custom:{name}"
        )
        self.description: str = _optional(
            emulator, "description", _text, "a non-empty str", name
        ) or (f"custom backend {name}")
        uses_program = _optional(emulator, "uses_program", _is_bool, "True or False", name)
        # Unless it says otherwise, a custom backend may read the whole program: key on it.
        self.uses_program: bool = True if uses_program is None else uses_program
        # More than 1: the executor may ask it from that many threads at once (a loop's calls).
        self.max_in_flight: int = _optional(emulator, "max_in_flight", _in_flight, f"an int from 1 to {MAX_IN_FLIGHT_LIMIT}", name) or 1

    def __repr__(self) -> str:
        return f"CustomBackend({safe_repr(self._emulator, 80)}, {self._name!r})"

    def emulate(self, request: EmulationRequest) -> Any:
        return self._emulator.emulate(request)

    def answer(self, request: EmulationRequest) -> Answer:
        """The backend's own Answer when it has answer(), else emulate()'s value as an Answer."""
        if self._answer is None:
            value = self._emulator.emulate(request)
            return Answer(value, raw=safe_repr(value, RAW_LIMIT))
        answer = self._answer(request)
        if not isinstance(answer, Answer):
            raise BackendError(
                f"The backend {self._name} returned {safe_repr(answer, 100)} from answer();"
                " expected a coc_lsp.lm.request.Answer."
            )
        return answer


    def generate(self, messages: Messages, *, max_tokens: int, stop: list[str]) -> Completion:
        """The backend's own generate() when it has one; writing programs needs it."""
        if self._generate is None:
            raise BackendError(
                f"The backend {self._name} cannot write text: it has no generate(messages, *, max_tokens, stop)"
                " method (coc solve needs one to have the program written)."
            )
        completion = self._generate(messages, max_tokens=max_tokens, stop=stop)
        if isinstance(completion, str):
            return Completion(completion)
        if not isinstance(completion, Completion):
            raise BackendError(
                f"The backend {self._name} returned {safe_repr(completion, 100)} from generate();"
                " expected a str or a coc_lsp.lm.request.Completion."
            )
        return completion


def _optional(
    emulator: object, member: str, fits: Callable[[Any], bool], expected: str, name: str
) -> Any:
    """The optional `member` of the user's object, or None when it has none; BackendError when
    reading it fails or it is not what the protocol says."""
    try:
        value = getattr(emulator, member, None)
    except Exception as error:  # noqa: BLE001 - a user's property may raise anything
        raise BackendError(
            f"The backend {name}: reading {member} failed: {type(error).__name__}: {error}"
        ) from error
    if value is not None and not fits(value):
        raise BackendError(
            f"The backend {name}: {member} must be {expected}, not {safe_repr(value, 80)}."
        )
    return value


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _in_flight(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_IN_FLIGHT_LIMIT


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def adapt(backend: Emulator, name: str) -> CustomBackend:
    """`backend` as a full Backend; BackendError when it has no emulate(request)."""
    if not callable(getattr(backend, "emulate", None)):
        raise BackendError(
            f"The backend {name} ({safe_repr(backend, 80)}) has no emulate(request) method."
        )
    return CustomBackend(backend, name)


def load_backend(spec: str) -> CustomBackend:
    """FACTORY() from MODULE for the spec "MODULE:FACTORY", as a full Backend; BackendError saying
    what failed."""
    module_name, _, factory_name = spec.partition(":")
    module_name, factory_name = module_name.strip(), factory_name.strip()
    if not module_name or not factory_name:
        raise BackendError(f"--backend {spec}: expected MODULE:FACTORY, e.g. 'mybackends:make'.")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or module_name
        if missing == module_name or module_name.startswith(missing + "."):
            raise BackendError(f"--backend {spec}: module {module_name!r} not found.") from None
        raise BackendError(
            f"--backend {spec}: importing module {module_name!r} failed:"
            f" module {missing!r} not found."
        ) from error
    except Exception as error:  # noqa: BLE001 - the user's module may raise anything on import
        raise BackendError(
            f"--backend {spec}: importing module {module_name!r} failed:"
            f" {type(error).__name__}: {error}"
        ) from error
    factory = getattr(module, factory_name, None)
    if factory is None:
        raise BackendError(
            f"--backend {spec}: module {module_name!r} has no attribute {factory_name!r}."
        )
    if not callable(factory):
        raise BackendError(
            f"--backend {spec}: {factory_name!r} is not callable ({safe_repr(factory, 80)})."
        )
    try:
        backend = factory()
    except Exception as error:  # noqa: BLE001 - the user's factory may raise anything
        raise BackendError(
            f"--backend {spec}: calling {factory_name}() failed: {type(error).__name__}: {error}"
        ) from error
    if not callable(getattr(backend, "emulate", None)):
        raise BackendError(
            f"--backend {spec}: {factory_name}() returned {safe_repr(backend, 80)}, which has no"
            " emulate(request) method."
        )
    return CustomBackend(backend, spec)
