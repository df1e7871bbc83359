"""Custom backends: `--backend MODULE:FACTORY` imports MODULE and calls FACTORY() for a backend.

The backend needs only `emulate(request)` (see request.Backend). Putting the program's directory
on sys.path, so that a `mymod.py` beside the program imports, is the caller's business. Every way
this can go wrong becomes one BackendError that quotes the spec.
"""

from __future__ import annotations

import importlib
from typing import Any

from coc_lsp.lm.errors import BackendError
from coc_lsp.lm.reprs import safe_repr


def load_backend(spec: str) -> Any:
    """FACTORY() from MODULE for the spec "MODULE:FACTORY"; BackendError saying what failed."""
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
    return backend
