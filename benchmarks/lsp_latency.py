"""Latency of the language server as an editor sees it, over stdio against the real server.

Measures: diagnostics published after a didChange (debounce excluded: the figure is the time from
the change to the notification minus the server's debounce) on generated 2,000- and 10,000-line
programs, cold (open) and warm (one-line edit); a run to its `coc/runFinished`; inlay hints and
hover after a run of a small program with a deterministic custom backend. Behaviour under load is
in lsp_load.py. Prints a markdown table (median and p90 over N rounds).

    .venv/bin/python benchmarks/lsp_latency.py [--rounds 20] [--server-tree DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsp_load import OTHER_TREE, program
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from coc_lsp.server.analyser import DEBOUNCE_S

ROOT = Path(__file__).resolve().parent.parent
BACKEND_DIR = ROOT / "tests" / "server"


class Client:
    def __init__(self) -> None:
        self.client = LanguageClient("coc-lsp-bench", "1")
        self.diagnostics: dict[str, asyncio.Future[float]] = {}
        self.finished: asyncio.Queue[object] = asyncio.Queue()

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(_ls: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
            waiter = self.diagnostics.pop(params.uri, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(time.perf_counter())

        @self.client.feature(lsp.WORKSPACE_CONFIGURATION)
        def configuration(_ls: LanguageClient, params: lsp.ConfigurationParams) -> list[object]:
            return [{"backend": "scripted_backend:make", "noCache": True}]

        @self.client.feature("coc/runFinished")
        def run_finished(_ls: LanguageClient, params: object) -> None:
            self.finished.put_nowait(params)

        for method in ("coc/output", lsp.WINDOW_LOG_MESSAGE, lsp.WINDOW_SHOW_MESSAGE):
            self.client.feature(method)(lambda _ls, _params: None)

    async def start(self, server_tree: str | None = None) -> None:
        env = {**os.environ, "PYTHONPATH": str(BACKEND_DIR)}
        command = ["-c", OTHER_TREE.format(tree=server_tree)] if server_tree else ["-m", "coc_lsp", "lsp"]
        await self.client.start_io(sys.executable, *command, env=env)
        capabilities = lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(configuration=True))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=capabilities))
        self.client.initialized(lsp.InitializedParams())

    def expect_diagnostics(self, uri: str) -> asyncio.Future[float]:
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.diagnostics[uri] = waiter
        return waiter

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


async def measure(rounds: int, server_tree: str | None = None) -> list[tuple[str, list[float]]]:
    bench = Client()
    await bench.start(server_tree)
    rows: list[tuple[str, list[float]]] = []
    workdir = Path(tempfile.mkdtemp(prefix="coc-lsp-bench-"))
    c = bench.client
    for size in (2000, 10000):
        text = program(size)
        path = workdir / f"gen{size}.coc.py"
        path.write_text(text)
        uri = path.as_uri()
        opened: list[float] = []
        edited: list[float] = []
        for r in range(rounds):
            waiter = bench.expect_diagnostics(uri)
            started = time.perf_counter()
            item = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text + f"# round {r}\n")
            c.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
            opened.append(await waiter - started)
            for version in range(2, 5):
                waiter = bench.expect_diagnostics(uri)
                started = time.perf_counter()
                change = lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(5, 10), lsp.Position(5, 10)), text=f"{version}"
                )
                c.text_document_did_change(
                    lsp.DidChangeTextDocumentParams(
                        lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
                    )
                )
                edited.append(await waiter - started - DEBOUNCE_S)
            c.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
            await asyncio.sleep(0.05)
        rows.append((f"diagnostics on open, {size:,} lines (first open is cold)", opened))
        rows.append((f"diagnostics after a one-line didChange, {size:,} lines (debounce excluded)", edited))

    path = workdir / "run.coc.py"
    text = "".join(f"flag_{i} = is_sarcastic('Great day {i}')\ncount the words in flag_{i}\n" for i in range(100))
    path.write_text(text)
    uri = path.as_uri()
    c.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    started = time.perf_counter()
    await c.workspace_execute_command_async(lsp.ExecuteCommandParams(command="coc.run", arguments=[uri]))
    await bench.finished.get()  # the command answers at once; the run ends with coc/runFinished
    rows.append(
        (
            "`coc.run` of a 200-line program, 200 emulations (scripted backend, no cache)",
            [time.perf_counter() - started],
        )
    )
    hint_times, hover_times = [], []
    document = lsp.TextDocumentIdentifier(uri)
    for _ in range(rounds):
        started = time.perf_counter()
        hints = await c.text_document_inlay_hint_async(
            lsp.InlayHintParams(text_document=document, range=lsp.Range(lsp.Position(0, 0), lsp.Position(200, 0)))
        )
        hint_times.append(time.perf_counter() - started)
        assert hints and len(hints) == 200, len(hints or [])
        started = time.perf_counter()
        hover = await c.text_document_hover_async(
            lsp.HoverParams(text_document=document, position=lsp.Position(100, 12))
        )
        hover_times.append(time.perf_counter() - started)
        assert hover is not None
    rows.append(("inlay hints after the run (200 hints)", hint_times))
    rows.append(("hover on an emulated call after the run", hover_times))
    await bench.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--server-tree", help="run the server from this source tree (an older version, to compare)")
    args = parser.parse_args()
    rows = asyncio.run(measure(args.rounds, args.server_tree))
    print(
        f"LSP latency, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}, {args.rounds} rounds\n"
    )
    print("| measurement | median ms | p90 ms | n |")
    print("| --- | ---: | ---: | ---: |")
    for name, samples in rows:
        median, p90 = quantiles(samples)
        print(f"| {name} | {median * 1000:.1f} | {p90 * 1000:.1f} | {len(samples)} |")


if __name__ == "__main__":
    main()
