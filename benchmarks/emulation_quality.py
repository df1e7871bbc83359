"""How well the embedded model emulates: accuracy per category and strategy, latency, and Chain of
Code against direct answering on the samples.

    .venv/bin/python benchmarks/emulation_quality.py [--cases] [--samples] [--strategies auto,direct]
        [--set tuning|held-out|both]
        [--model-path FILE.gguf] [--limit N] [--category NAME] [-v]

Part 1 runs the cases in benchmarks/data (EmulationRequest fields plus the expected answer) through
EmbeddedBackend with each strategy and checks each value with the same type check the LMulator
applies; an answer that does not parse or fit counts as wrong. Two sets, reported apart:
emulation_cases.json is the tuning set (prompt changes may be tried against it) and
emulation_heldout.json the held-out set, written before the tuning of issue 16 and never tuned
against: its figure is the one to trust. Strategies run interleaved case by case, so a slow spell
on the shared machine costs each of them alike.

Part 2 runs every samples/*.coc.py with the embedded backend (Chain of Code, no cache) and compares
the program's `answer` with its `# expected:` comment; then asks the same model the sample's
question (its leading comment or docstring) directly and reads the answer the same way.

Prints markdown tables; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coc_lsp.lm.embedded import EmbeddedBackend  # noqa: E402
from coc_lsp.lm.errors import LMError  # noqa: E402
from coc_lsp.lm.request import EmulationRequest  # noqa: E402
from coc_lsp.lm.types import check  # noqa: E402
from coc_lsp.runtime.trace import End, read_trace  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
CASE_SETS = {"tuning": DATA / "emulation_cases.json", "held-out": DATA / "emulation_heldout.json"}
SAMPLES = ROOT / "samples"
STRATEGY_NAMES = {
    "direct": "direct JSON (schema grammar)",
    "loglik": "log-likelihood on the question (bool, labels); else question + extraction",
    "question": "question + free sentence + constrained extraction",
    "auto": "auto (the default)",
}


# -- part 1: emulation cases -------------------------------------------------------------------


def load_cases(path: Path) -> list[dict[str, Any]]:
    cases = json.loads(path.read_text())["cases"]
    for case in cases:
        fields = dict(case["request"])
        fields["args"] = tuple(fields.get("args", ()))
        case["request"] = EmulationRequest(**fields)
    return cases


def same(value: Any, expected: Any) -> bool:
    """Equal, with strings compared case-insensitively and without surrounding punctuation."""
    if isinstance(expected, str):
        return isinstance(value, str) and value.strip(" .!'\"").casefold() == expected.casefold()
    if isinstance(expected, bool) or isinstance(value, bool):
        return type(value) is type(expected) and value == expected
    if isinstance(expected, list):
        return isinstance(value, (list, tuple)) and len(value) == len(expected) and all(
            same(v, e) for v, e in zip(value, expected, strict=True)
        )
    if isinstance(expected, dict):
        return isinstance(value, dict) and set(value) == set(expected) and all(same(value[k], expected[k]) for k in expected)
    return value == expected


def checked(value: Any, request: EmulationRequest) -> Any:
    """The value as the LMulator would pass it on (types.check), or raises AnswerError."""
    if request.kind in ("call", "expression"):
        return check(value, request.returns)
    if not isinstance(value, dict) or set(value) != set(request.targets):
        raise LMError(f"wrong targets: {value!r}")
    return {t: check(value[t], request.target_types.get(t)) for t in request.targets}


def run_cases(backends: dict[str, EmbeddedBackend], cases: list[dict[str, Any]], verbose: bool) -> dict[str, Any]:
    """Each case through each backend in turn (interleaved): {strategy: right/latencies/parsed}."""
    results: dict[str, Any] = {
        name: {"right": defaultdict(list), "latencies": [], "parsed": 0} for name in backends
    }
    for case in cases:
        request = case["request"]
        for name, backend in backends.items():
            result = results[name]
            started = time.perf_counter()
            try:
                answer = backend.answer(request)
                value = checked(answer.value, request)
                raw = answer.raw
                result["parsed"] += 1
            except LMError as error:
                value, raw = f"<error: {error}>", getattr(error, "raw", "")
            result["latencies"].append(time.perf_counter() - started)
            ok = any(same(value, expected) for expected in [case["expected"], *case.get("accept", [])])
            result["right"][case["category"]].append(ok)
            if verbose:
                print(f"  {name:8} {'ok ' if ok else 'BAD'} {request.source[:50]:50} -> {value!r:30.30} | {raw[:90]!r}",
                      file=sys.stderr)
    return results


def cases_table(results: dict[str, dict[str, Any]], cases: list[dict[str, Any]]) -> str:
    categories = list(dict.fromkeys(case["category"] for case in cases))
    header = "| strategy | " + " | ".join(f"{c} ({sum(x['category'] == c for x in cases)})" for c in categories)
    lines = [header + " | all | parses | median s |", "|---" * (len(categories) + 4) + "|"]
    for strategy, result in results.items():
        cells = []
        for category in categories:
            marks = result["right"][category]
            cells.append(f"{100 * sum(marks) / len(marks):.0f} %")
        every = [mark for marks in result["right"].values() for mark in marks]
        lines.append(
            f"| {STRATEGY_NAMES.get(strategy, strategy)} | " + " | ".join(cells)
            + f" | {100 * sum(every) / len(every):.0f} % | {100 * result['parsed'] / len(every):.0f} %"
            + f" | {statistics.median(result['latencies']):.2f} |"
        )
    return "\n".join(lines)


# -- part 2: samples, Chain of Code against direct answers -------------------------------------

_EXPECTED = re.compile(r"#\s*expected:\s*(.+)$", re.MULTILINE)


def sample_question(source: str) -> str:
    """The sample's question: its module docstring, else its leading comment block."""
    try:
        docstring = ast.get_docstring(ast.parse(source))
    except SyntaxError:
        docstring = None
    if docstring is None:  # a sample with pseudo-code lines does not parse: read the string itself
        found = re.match(r'\s*(?:"""|\'\'\')(.*?)(?:"""|\'\'\')', source, re.DOTALL)
        docstring = found.group(1) if found else None
    if docstring:
        return " ".join(docstring.split())
    lines = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#!") or (not lines and not stripped):
            continue
        if not stripped.startswith("#"):
            break
        text = stripped.lstrip("#").strip()
        if not text.lower().startswith("expected:"):
            lines.append(text)
    return " ".join(lines).strip()


def expected_of(source: str) -> Any:
    found = _EXPECTED.search(source)
    if found is None:
        return None
    text = found.group(1).strip()
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def run_coc(path: Path) -> tuple[Any, float, str]:
    """(the program's `answer`, seconds, error text) from `coc run --backend embedded`."""
    started = time.perf_counter()
    process = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "coc"), "run", str(path), "--backend", "embedded", "--no-cache", "--trace", "-"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    answer: Any = None
    for event in read_trace(process.stdout.splitlines()):
        if isinstance(event, End):
            answer = event.answer
    error = "" if process.returncode == 0 else (process.stderr.strip().splitlines() or ["failed"])[-1]
    return answer, elapsed, error


def literal(text: Any) -> Any:
    """The trace holds reprs; read them back as literals where they are."""
    if not isinstance(text, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def type_text(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, str)):
        return type(value).__name__
    if isinstance(value, list):
        inner = {type_text(v) for v in value}
        return f"list[{inner.pop()}]" if len(inner) == 1 else "list"
    return "Any"


def sample_data(source: str) -> str:
    """The sample's data as the direct question shows it: its top-level `name = <literal>` lines
    (read line by line: a sample may hold pseudo-code that does not parse as Python)."""
    lines, data = source.splitlines(), []
    for index, line in enumerate(lines):
        found = re.match(r"([A-Za-z_]\w*)\s*=\s*(.*)$", line)
        if not found:
            continue
        for end in range(index, min(index + 40, len(lines))):
            text = "\n".join([found.group(2), *lines[index + 1 : end + 1]])
            try:
                value = ast.literal_eval(text.strip())
            except (ValueError, SyntaxError):
                continue
            data.append(f"{found.group(1)} = {value!r}")
            break
    return "\n".join(data)


def run_direct(backend: EmbeddedBackend, question: str, data: str, expected: Any) -> Any:
    """The model asked the sample's question (with its data) directly: a free one-sentence answer,
    read into the type of the expected answer the same way the backend reads its answers."""
    from coc_lsp.lm.embedded import ANSWER_HINT, _Turns

    request = EmulationRequest(kind="expression", source="answer", lineno=1, returns=type_text(expected))
    model = backend.model()
    with model.lock:
        turns_ = _Turns(model, request)
        asked = f"{data}\n{question}" if data else question
        turns = [{"role": "user", "content": asked + ANSWER_HINT}]
        sentence = turns_.generate(turns, 48, stop=["\n"])
        try:
            return checked(turns_.value(turns + [{"role": "assistant", "content": sentence}], sentence, request.returns), request)
        except LMError as error:
            return f"<error: {error}>"


def samples_table(backend: EmbeddedBackend, verbose: bool) -> str:
    rows = ["| sample | expected | Chain of Code | direct | CoC s |", "|---|---|---|---|---|"]
    coc_right = direct_right = total = 0
    for path in sorted(SAMPLES.glob("*.coc.py")):
        source = path.read_text()
        expected = expected_of(source)
        if expected is None:
            continue
        total += 1
        coc, seconds, error = run_coc(path)
        coc = literal(coc)
        direct = run_direct(backend, sample_question(source), sample_data(source), expected)
        coc_ok, direct_ok = same(coc, expected), same(direct, expected)
        coc_right += coc_ok
        direct_right += direct_ok
        shown = error if error and coc is None else repr(coc)
        rows.append(
            f"| {path.name} | {expected!r} | {'✓' if coc_ok else '✗'} {shown[:40]} | {'✓' if direct_ok else '✗'} "
            f"{str(direct)[:40]!s} | {seconds:.1f} |"
        )
        if verbose:
            print(rows[-1], file=sys.stderr)
    if total:
        rows.append(f"| **all ({total})** | | **{100 * coc_right / total:.0f} %** | **{100 * direct_right / total:.0f} %** | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", action="store_true", help="only the emulation cases")
    parser.add_argument("--samples", action="store_true", help="only the samples")
    parser.add_argument("--strategies", default="direct,loglik,question,auto")
    parser.add_argument("--model-path")
    parser.add_argument("--set", choices=("tuning", "held-out", "both"), default="both", help="which case set")
    parser.add_argument("--limit", type=int, default=0, help="run the first N cases only")
    parser.add_argument("--category", help="run these categories only (comma-separated)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    both = not args.cases and not args.samples
    if args.cases or both:
        backends = {name: EmbeddedBackend(args.model_path, strategy=name) for name in args.strategies.split(",")}
        for set_name, path in CASE_SETS.items():
            if args.set not in ("both", set_name):
                continue
            cases = load_cases(path)
            if args.category:
                cases = [c for c in cases if c["category"] in args.category.split(",")]
            if args.limit:
                cases = cases[: args.limit]
            if args.verbose:
                print(f"{set_name} set", file=sys.stderr)
            results = run_cases(backends, cases, args.verbose)
            print(f"### Emulation cases, {set_name} set ({len(cases)}): accuracy per category\n")
            print(cases_table(results, cases))
            print()
    if args.samples or both:
        print("### Samples: Chain of Code vs. direct answer, same model\n")
        print(samples_table(EmbeddedBackend(args.model_path), args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
