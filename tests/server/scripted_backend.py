"""A deterministic LM backend for the server's tests: `coc run --backend scripted_backend:make`.

The server's tests put this directory on PYTHONPATH; the `coc run` child inherits it.
"""

from __future__ import annotations

import os
import time
from typing import Any


class ScriptedBackend:
    uses_program = False

    def emulate(self, request: Any) -> Any:
        if request.kind == "call":
            if request.function == "is_sarcastic":
                return "Great" in str(request.args[0])
            if request.function == "count_words":
                return len(str(request.args[0]).split())
            if request.function == "slow_thing":  # live runs: a run still going when the next edit comes
                (path := os.environ.get("COC_TEST_SLOW_MARK")) and open(path, "a").write(f"{os.getpid()}\n")
                time.sleep(float(os.environ.get("COC_TEST_SLOW_S", "30")))
                return "slow"
            if request.function == "unanswerable":
                raise RuntimeError("the scripted LM has no answer for this")
            return f"{request.function}!"
        if request.kind == "expression":
            return True if request.returns == "bool" else 7
        if not request.targets:  # free-form pseudo-code: "... store them in n"
            return {"n": 3}
        return {target: 3 for target in request.targets}


def make() -> ScriptedBackend:
    return ScriptedBackend()
