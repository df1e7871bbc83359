"""A scripted LM backend for the extension's end-to-end test: `coc.backend` = "fake_backend:make".

Runs inside the program's process (the language server's `coc run` child), found through
PYTHONPATH, which e2e/run.sh points at this directory. It answers every emulation request with a
plausible fixed value so the test needs no model and no network, and writes the same program
(PROGRAM) for every question "Solve a Question…" asks about (`coc solve --write-only` child).
"""

from __future__ import annotations

from typing import Any

PROGRAM = """\
items = ["apple", "violin", "banana"]
fruits = [item for item in items if is_fruit(item)]
answer = len(fruits)
"""
_BY_TYPE: dict[str, Any] = {"bool": True, "int": 1, "float": 1.0, "str": "emulated", "list": [], "dict": {}}


def _value_for(type_text: str | None) -> Any:
    """A value of the asked type when it is a simple one; True otherwise."""
    if not type_text:
        return True
    base = type_text.split("[", 1)[0].strip()
    return _BY_TYPE.get(base, True)


class FakeBackend:
    """Implements the LMulator backend protocol: `emulate(request)`."""

    identity = "e2e-fake-backend"
    description = "scripted e2e backend"

    def emulate(self, request: Any) -> Any:
        kind = getattr(request, "kind", "call")
        if kind in ("line", "pseudo"):
            types = getattr(request, "target_types", {}) or {}
            return {target: (_value_for(types.get(target)) if target in types else 1) for target in request.targets}
        if kind == "call":
            return _value_for(getattr(request, "returns", None)) if getattr(request, "returns", None) else True
        return _value_for(getattr(request, "returns", None))

    def generate(self, messages: Any, *, max_tokens: int, stop: list[str]) -> str:
        """The program for any question, as a completion model continues after `# CODE START`."""
        return PROGRAM


def make() -> FakeBackend:
    return FakeBackend()
