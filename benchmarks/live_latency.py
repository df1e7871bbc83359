"""Live runs: from the last keystroke to the updated inlay hint, as an editor sees it.

A 200-line program with 20 emulation sites (10 semantic calls, 10 pseudo-code lines) is open in
the real server (`coc lsp`, stdio) with `coc.liveRun` "onType". Each round changes one pseudo-code
line (one didChange, the "last keystroke") and waits until the server's inlay hints show a value on
that line again (hints are asked for at each workspace/inlayHint/refresh). The cache is on, so the
other 19 sites are cache hits and only the changed line reaches the LM. Backends: a scripted
OpenAI-compatible endpoint on 127.0.0.1 (tests/conftest.py, answers at once: the figure is the
server's and the run's own cost) and the embedded model (SmolLM2-135M, llama.cpp). The debounce
(`coc.liveRunDelayMs`) is part of the figure; it is printed with the table.

Rounds are `--pause` seconds apart (a user changing a line after a pause): time for the server to
start the next live run ahead (live.py), as it does after each one.

    .venv/bin/python benchmarks/live_latency.py [--rounds 10] [--delay-ms 400] [--pause 3] [--no-embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import ScriptedOpenAI  # noqa: E402 - the tests' scripted endpoint

BLOCKS = 10  # 20 lines each: 2 emulation sites and 18 lines Python runs
CHANGED_BLOCK = 5


def block(i: int, variant: int = 0) -> list[str]:
    return [
        f"text_{i} = 'the weather on day {i} was lovely and warm'",
        f"words_{i} = text_{i}.split()",
        f"flag_{i} = is_positive(text_{i})",
        f"n_{i} = the number of long words in text_{i} plus {variant}",
        f"total_{i} = 0",
        f"for word in words_{i}:",
        "    total_" + str(i) + " += len(word)",
        f"average_{i} = total_{i} / len(words_{i})",
        f"upper_{i} = text_{i}.upper()",
        f"pairs_{i} = list(zip(words_{i}, words_{i}[1:]))",
        f"first_{i} = words_{i}[0]",
        f"last_{i} = words_{i}[-1]",
        f"vowels_{i} = sum(ch in 'aeiou' for ch in text_{i})",
        f"ratio_{i} = vowels_{i} / len(text_{i})",
        f"seen_{i} = set(words_{i})",
        f"unique_{i} = len(seen_{i})",
        f"squares_{i} = [k * k for k in range({i} + 3)]",
        f"big_{i} = max(squares_{i})",
        f"summary_{i} = (flag_{i}, n_{i}, unique_{i})",
        "",
    ]


def program(variant: int = 0) -> str:
    lines = [line for i in range(BLOCKS) for line in block(i, variant if i == CHANGED_BLOCK else 0)]
    return "\n".join(lines) + "\nanswer = summary_0\n"


CHANGED_LINE = CHANGED_BLOCK * 20 + 3  # 0-based: block 5's pseudo-code line


def endpoint_answer(body: dict[str, Any]) -> Any:
    text = body["messages"][-1]["content"]
    if "is_positive" in text:
        return {"value": True}
    found = re.search(r"(n_\d+) = the number of long words in text_\d+ plus (\d+)", text)
    if found:
        return {found.group(1): 3 + int(found.group(2))}
    return {"value": 0}


class Editor:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.client = LanguageClient("coc-lsp-live-bench", "1")
        self.settings = settings
        self.refreshed = asyncio.Event()
        self.finished: list[Any] = []

        @self.client.feature(lsp.WORKSPACE_CONFIGURATION)
        def configuration(_ls: LanguageClient, params: lsp.ConfigurationParams) -> list[object]:
            return [self.settings for _ in params.items]

        @self.client.feature(lsp.WORKSPACE_INLAY_HINT_REFRESH)
        def refresh(_ls: LanguageClient, params: None) -> None:
            self.refreshed.set()

        @self.client.feature("coc/runFinished")
        def run_finished(_ls: LanguageClient, params: Any) -> None:
            self.finished.append(params)

        for method in ("coc/output", lsp.WINDOW_LOG_MESSAGE, lsp.WINDOW_SHOW_MESSAGE, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS):
            self.client.feature(method)(lambda _ls, _params: None)

    async def start(self, env: dict[str, str]) -> None:
        await self.client.start_io(sys.executable, "-m", "coc_lsp", "lsp", env=env)
        capabilities = lsp.ClientCapabilities(
            workspace=lsp.WorkspaceClientCapabilities(
                configuration=True, inlay_hint=lsp.InlayHintWorkspaceClientCapabilities(refresh_support=True)
            )
        )
        await self.client.initialize_async(lsp.InitializeParams(capabilities=capabilities))
        self.client.initialized(lsp.InitializedParams())

    async def hint_on(self, uri: str, line: int) -> str | None:
        hints = await self.client.text_document_inlay_hint_async(
            lsp.InlayHintParams(lsp.TextDocumentIdentifier(uri), lsp.Range(lsp.Position(0, 0), lsp.Position(250, 0)))
        )
        return next((str(h.label) for h in hints or [] if h.position.line == line), None)

    async def until_hint(self, uri: str, line: int, timeout: float) -> str:
        deadline = time.perf_counter() + timeout
        while True:
            self.refreshed.clear()
            if (label := await self.hint_on(uri, line)) is not None:
                return label
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no hint on line {line + 1} after {timeout} s: {self.finished[-1:]}")
            try:
                await asyncio.wait_for(self.refreshed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def measure(
    backend: dict[str, Any], env: dict[str, str], rounds: int, delay_ms: int, pause: float, timeout: float
) -> tuple[list[float], str]:
    workdir = Path(tempfile.mkdtemp(prefix="coc-live-bench-"))
    settings = {**backend, "liveRun": "onType", "liveRunDelayMs": delay_ms, "cacheDir": str(workdir / "cache")}
    editor = Editor(settings)
    await editor.start(env)
    path = workdir / "live.coc.py"
    text = program()
    path.write_text(text)
    uri = path.as_uri()
    editor.client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    samples: list[float] = []
    label = ""
    old = "plus 0"
    for r in range(rounds + 1):  # round 0 warms the cache (every site asked once); not counted
        column = program(r).split("\n")[CHANGED_LINE].index(old)
        new = f"plus {r + 1}"
        started = time.perf_counter()
        editor.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=r + 2),
                [
                    lsp.TextDocumentContentChangePartial(
                        range=lsp.Range(lsp.Position(CHANGED_LINE, column), lsp.Position(CHANGED_LINE, column + len(old))),
                        text=new,
                    )
                ],
            )
        )
        label = await editor.until_hint(uri, CHANGED_LINE, timeout)
        if r > 0:
            samples.append(time.perf_counter() - started)
        old = new
        await asyncio.sleep(pause)  # the user pauses: the next live run is started ahead meanwhile
    await editor.stop()
    return samples, label


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


async def main_async(args: argparse.Namespace) -> None:
    env = {**os.environ}
    env.pop("OPENAI_API_KEY", None)
    rows: list[tuple[str, list[float], str]] = []
    endpoint = ScriptedOpenAI()
    endpoint.script(endpoint_answer)
    try:
        samples, label = await measure(
            {"backend": "openai", "baseUrl": endpoint.base_url, "model": "scripted"},
            {**env, **endpoint.env()},
            args.rounds,
            args.delay_ms,
            args.pause,
            60,
        )
        rows.append(("scripted endpoint (127.0.0.1, answers at once)", samples, label))
        calls = endpoint.calls
    finally:
        endpoint.close()
    if not args.no_embedded:
        samples, label = await measure({"backend": "embedded"}, env, args.rounds, args.delay_ms, args.pause, 300)
        rows.append(("embedded SmolLM2-135M (llama.cpp, CPU)", samples, label))
    print(f"live_latency: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"200-line program, 20 emulation sites, one pseudo-code line changed per round, {args.pause:g} s apart;"
        f" debounce {args.delay_ms} ms included"
    )
    print(f"scripted endpoint: {calls} LM requests in {args.rounds + 1} runs (20 sites; cache on)\n")
    print("| backend | rounds | median (s) | p90 (s) | last hint |")
    print("| --- | --- | --- | --- | --- |")
    for name, samples, label in rows:
        median, p90 = quantiles(samples)
        print(f"| {name} | {len(samples)} | {median:.2f} | {p90:.2f} | `{label}` |")
    print("\n" + json.dumps({name: [round(s, 3) for s in samples] for name, samples, _ in rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--delay-ms", type=int, default=400)
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between rounds (the user's pause)")
    parser.add_argument("--no-embedded", action="store_true")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
