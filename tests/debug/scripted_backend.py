"""A deterministic LM for the debugger's tests: `--backend scripted_backend:make`.

Answers from fixed rules on the request (kind, function, source, arguments); anything it was not
written for fails loudly, so a test sees an unexpected emulation as an error, not a guess.
"""

from __future__ import annotations

import time
from typing import Any


class ScriptedBackend:
    def emulate(self, request: Any) -> Any:
        if request.kind == "call" and request.function == "is_sarcastic":
            return "great" in str(request.args[0]).lower()
        if request.kind == "call" and request.function == "word_count":
            return len(str(request.args[0]).split())
        if request.kind == "call" and request.function == "rating":
            time.sleep(0.05)  # the executor asks the next items' calls meanwhile
            return len(str(request.args[0]))
        if request.kind in ("line", "pseudo"):
            if "sarcastic verdicts" in request.source:
                verdicts = request.state.get("answer", [])
                return {"tally": sum(v == "sarcastic" for v in verdicts)}
            if "mood" in request.targets:
                return {"mood": "cheerful"}
            if request.targets == ["size"]:  # len(word) + bonus_letters
                return {"size": len(request.state["word"]) + 1}
            if request.targets == ["last"]:
                return {"last": "done"}
        if request.kind == "expression":
            if request.source == "size > loud_threshold":
                return request.state["size"] > 3
            if request.source == "mood_is_known":
                return True
            if request.source == "items_of_the_day":
                return ["apple", "pear"]
        raise ValueError(f"scripted backend: no answer for {request.kind} {request.source!r}")


def make() -> ScriptedBackend:
    return ScriptedBackend()


class ConcurrentBackend(ScriptedBackend):
    """The same, answering several requests at once from their arguments: the executor asks a
    loop's calls ahead with it."""

    uses_program = False
    max_in_flight = 4


def make_concurrent() -> ConcurrentBackend:
    return ConcurrentBackend()
