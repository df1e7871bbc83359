"""A script for the `scripted_openai` endpoint (tests/conftest.py) that plays the LM of `coc solve`.

Every request is sorted by the prompt it carries (the system messages of solve/prompts.py and
lm/prompts.py): a program to write, an emulation, a fallback answer, a program read without
running it, a direct or chain-of-thought answer. Programs come from `by_question` (the program for
the question the prompt ends with) or else `programs` (in order; the last one repeats); emulations from `calls` ("is_fruit('apple')" -> value) and `lines` ("x = 2 + 2" ->
{"x": 5}); the other kinds from `replies`. Anything not scripted fails the request (HTTP 400),
so a test sees an unexpected request as an error, never a guess. benchmarks/solve_pipeline.py uses
it too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from coc_lsp.lm.prompts import SYSTEM_PROMPT as EMULATION_PROMPT
from coc_lsp.solve import prompts

KINDS = {
    prompts.FEW_SHOT_INSTRUCTION: "program",
    prompts.ZERO_SHOT_INSTRUCTION: "program",
    prompts.FALLBACK_INSTRUCTION: "fallback",
    prompts.PROGRAM_ANSWER_INSTRUCTION: "program-read",
    prompts.DIRECT_INSTRUCTION: "direct",
    EMULATION_PROMPT: "emulation",
}
_CALL = re.compile(r"^Call: (.*)$", re.MULTILINE)
_LINE = re.compile(r"^Line: (.*)$", re.MULTILINE)


def kind_of(body: dict[str, Any]) -> str:
    """What the request asks for: program, emulation, fallback, program-read, direct or cot."""
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m.get("role") == "system"), None)
    if system is None:
        user = messages[-1]["content"] if messages else ""
        if user.endswith(prompts.COT_TRIGGER):
            return "cot"
        raise AssertionError(f"scripted solver: a request without a system message: {user[-300:]!r}")
    if system not in KINDS:
        raise AssertionError(f"scripted solver: unknown system message {system[:100]!r}")
    return KINDS[system]


@dataclass
class SolverScript:
    programs: list[str] = field(default_factory=list)
    by_question: dict[str, str] = field(default_factory=dict)
    calls: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, body: dict[str, Any]) -> str:
        kind = kind_of(body)
        self.received.append((kind, body))
        if kind == "emulation":
            return json.dumps(self._emulate(body["messages"][-1]["content"]))
        if kind == "program":
            user = body["messages"][-1]["content"]
            for question, program in self.by_question.items():
                if user.endswith(f"Q: {question}\n{prompts.CODE_START}\n"):
                    return program
            written = sum(k == "program" for k, _ in self.received)
            if not self.programs:
                raise AssertionError("scripted solver: no program scripted")
            return self.programs[min(written, len(self.programs)) - 1]
        if kind not in self.replies:
            raise AssertionError(f"scripted solver: no {kind} reply scripted")
        return self.replies[kind]

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The bodies of the requests of `kind`, in order."""
        return [body for k, body in self.received if k == kind]

    def kinds(self) -> list[str]:
        return [k for k, _ in self.received]

    def _emulate(self, user: str) -> dict[str, Any]:
        if (call := _CALL.search(user)) is not None:
            if call.group(1) in self.calls:
                return {"value": self.calls[call.group(1)]}
            raise AssertionError(f"scripted solver: no answer for the call {call.group(1)}")
        line = _LINE.search(user)
        source = line.group(1) if line else ""
        if source in self.lines:
            return self.lines[source]
        raise AssertionError(f"scripted solver: no answer for the line {source!r}")
