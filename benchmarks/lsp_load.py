"""The language server under load, over stdio against the real server: does it stay responsive?

Two scenarios, each with a small program already run (so hovers and code actions have answers):

- 50 documents of 2,000 distinct lines opened at once: hover and code-action latency on the
  small program while their analyses run, the time until all 50 have diagnostics, and the peak
  memory of the server and its analysis worker;
- a 10 MB document (over the analysis limit) edited a character at a time: the latency of a
  hover sent right after each edit (the edit is handled first), and the memory.

Latencies are sampled every 20 ms from the client's side (send to reply). Prints markdown tables.
`--compare-thread` also runs the first scenario with analysis in a thread of the server process
(COC_LSP_ANALYSIS=thread) instead of the worker process; `--server-tree DIR` runs the server of
another checkout (e.g. `git archive` of an older commit) to compare.

    .venv/bin/python benchmarks/lsp_load.py [--documents 50] [--lines 2000] [--compare-thread]
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

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
BACKEND_DIR = ROOT / "tests" / "server"
SAMPLE_S = 0.02
OTHER_TREE = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)];"
    " sys.path.insert(0, {tree!r}); from coc_lsp.cli import main; sys.exit(main(['lsp']))"
)
SMALL = "s = 'Great, another Monday.'\nflag = is_sarcastic(s)\ncount the words in s and store them in n\nanswer = flag\n"


def program(lines: int, tag: str = "") -> str:
    """A hybrid program of distinct lines (analysis caches chunks by text): functions, semantic
    calls and a pseudo-code line every 10 lines. `tag` keeps two documents' lines apart."""
    t = f"_{tag}" if tag else ""
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += [
            f"def helper{t}_{i}(x):",
            f"    y = x + {i}",
            "    if is_big(y):",
            "        return y * 2",
            "    return y",
            f"s{t}_{i} = 'hello {i}'",
            f"flag{t}_{i} = is_sarcastic(s{t}_{i})",
            f"count the words in s{t}_{i} and store them in n{t}_{i}",
            f"total{t}_{i} = helper{t}_{i}(3) + len(s{t}_{i})",
            "",
        ]
        i += 1
    return "\n".join(out[:lines]) + "\n"


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` and its children (the analysis worker, runs), in KiB."""
    total = 0
    for candidate in [pid, *children(pid)]:
        try:
            with open(f"/proc/{candidate}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    if int(stat.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


class Bench:
    source_tree: str | None = None  # --server-tree: run the server from another checkout

    def __init__(self, analysis: str) -> None:
        self.analysis = analysis
        self.client = LanguageClient("coc-lsp-load", "1")
        self.published: dict[str, float] = {}

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(_ls: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, time.perf_counter())

        @self.client.feature(lsp.WORKSPACE_CONFIGURATION)
        def configuration(_ls: LanguageClient, params: lsp.ConfigurationParams) -> list[object]:
            return [{"backend": "scripted_backend:make", "noCache": True}]

        for method in ("coc/output", "coc/runFinished", lsp.WINDOW_LOG_MESSAGE, lsp.WINDOW_SHOW_MESSAGE):
            self.client.feature(method)(lambda _ls, _params: None)

    async def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(BACKEND_DIR), "COC_LSP_ANALYSIS": self.analysis}
        command = ["-m", "coc_lsp", "lsp"]
        if self.source_tree:  # the editable install's finder would win over PYTHONPATH: drop it
            command = ["-c", OTHER_TREE.format(tree=self.source_tree)]
        await self.client.start_io(sys.executable, *command, env=env)
        capabilities = lsp.ClientCapabilities(workspace=lsp.WorkspaceClientCapabilities(configuration=True))
        await self.client.initialize_async(lsp.InitializeParams(capabilities=capabilities))
        self.client.initialized(lsp.InitializedParams())

    @property
    def pid(self) -> int:
        assert self.client._server is not None
        return self.client._server.pid

    def open(self, path: Path, text: str) -> str:
        path.write_text(text)
        uri = path.as_uri()
        item = lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
        return uri

    async def run_small(self, folder: Path) -> str:
        uri = self.open(folder / "small.coc.py", SMALL)
        arguments: list[object] = [uri]
        await self.client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="coc.run", arguments=arguments))
        while True:  # the run answers at once; its hover shows when it has finished
            if await self.hover(uri) is not None:
                return uri
            await asyncio.sleep(0.05)

    async def hover(self, uri: str) -> lsp.Hover | None:
        params = lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(1, 10))
        return await self.client.text_document_hover_async(params)

    async def code_action(self, uri: str) -> object:
        where = lsp.Range(lsp.Position(1, 10), lsp.Position(1, 10))
        params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), where, lsp.CodeActionContext(diagnostics=[]))
        return await self.client.text_document_code_action_async(params)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def timed(call) -> float:  # noqa: ANN001 - an awaitable factory
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def many_documents(analysis: str, documents: int, lines: int) -> dict[str, object]:
    bench = Bench(analysis)
    await bench.start()
    folder = Path(tempfile.mkdtemp(prefix="coc-lsp-load-"))
    small = await bench.run_small(folder)
    texts = [(folder / f"doc{i}.coc.py", program(lines, f"d{i}")) for i in range(documents)]
    base_rss = rss_kib(bench.pid)
    started = time.perf_counter()
    uris = [bench.open(path, text) for path, text in texts]
    # The first hover waits behind the 50 didOpen messages (reading and parsing them).
    first = await timed(lambda: bench.hover(small))
    hovers: list[float] = []
    actions: list[float] = []
    peak = base_rss
    while not all(uri in bench.published for uri in uris):
        hovers.append(await timed(lambda: bench.hover(small)))
        actions.append(await timed(lambda: bench.code_action(small)))
        peak = max(peak, rss_kib(bench.pid))
        await asyncio.sleep(SAMPLE_S)
    all_published = max(bench.published[uri] for uri in uris) - started
    await bench.stop()
    return {
        "first": first,
        "hover": hovers or [first],
        "action": actions or [first],
        "published_s": all_published,
        "rss_before_mib": base_rss / 1024,
        "rss_peak_mib": peak / 1024,
    }


async def big_document(megabytes: int, edits: int) -> dict[str, object]:
    bench = Bench("process")
    await bench.start()
    folder = Path(tempfile.mkdtemp(prefix="coc-lsp-load-"))
    small = await bench.run_small(folder)
    base_rss = rss_kib(bench.pid)
    text = program(10, "big")
    text = text * (megabytes * 1_000_000 // len(text) + 1)
    started = time.perf_counter()
    uri = bench.open(folder / "big.coc.py", text)
    opened = await timed(lambda: bench.hover(small)) + (time.perf_counter() - started)
    after_edit: list[float] = []
    actions: list[float] = []
    for version in range(2, edits + 2):
        change = lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(5000, 3), lsp.Position(5000, 3)), text="x"
        )
        params = lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
        edit_started = time.perf_counter()
        bench.client.text_document_did_change(params)
        await bench.hover(small)
        after_edit.append(time.perf_counter() - edit_started)
        actions.append(await timed(lambda: bench.code_action(small)))
        await asyncio.sleep(SAMPLE_S)
    await asyncio.sleep(1.0)  # past the debounce: an analysis would start now
    settled = [await timed(lambda: bench.hover(small)) for _ in range(5)]
    peak = rss_kib(bench.pid)
    await bench.stop()
    return {
        "open_s": opened,
        "hover_after_edit": after_edit,
        "hover_after_pause": settled,
        "action": actions,
        "rss_before_mib": base_rss / 1024,
        "rss_after_mib": peak / 1024,
        "chars": len(text),
    }


def quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90, ordered[-1]


def row(name: str, samples: list[float]) -> str:
    median, p90, worst = quantiles(samples)
    return f"| {name} | {median * 1000:.1f} | {p90 * 1000:.1f} | {worst * 1000:.1f} | {len(samples)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=10)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--compare-thread", action="store_true")
    parser.add_argument("--server-tree", help="run the server from this source tree (an older version, to compare)")
    parser.add_argument("--label", help="what to call the analysis of --server-tree in the table")
    args = parser.parse_args()
    Bench.source_tree = args.server_tree
    load = os.getloadavg()[0]
    print(
        f"LSP under load, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" {time.strftime('%Y-%m-%d')}, load average {load:.1f} at start\n"
    )
    modes = ["process", "thread"] if args.compare_thread else ["process"]
    if args.server_tree:
        modes = ["process"]  # whatever that version does; labelled with --label
    print("| analysis in | measurement | median ms | p90 ms | max ms | n |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    figures = {}
    for mode in modes:
        found = asyncio.run(many_documents(mode, args.documents, args.lines))
        figures[mode] = found
        what = f"{args.documents} × {args.lines:,} lines opened at once"
        label = args.label or mode
        print(row(f"{label} | first hover, sent right after the {args.documents} didOpen", [found["first"]]))  # type: ignore[list-item]
        for name, key in (("hover", "hover"), ("code action", "action")):
            print(row(f"{label} | {name} while {what}, then every 20 ms", found[key]))  # type: ignore[arg-type]
    print()
    for mode, found in figures.items():
        print(
            f"- analysis in {args.label or 'a ' + mode}: all {args.documents} documents had diagnostics after"
            f" {found['published_s']:.1f} s; server + worker RSS {found['rss_before_mib']:.0f} MiB before,"
            f" {found['rss_peak_mib']:.0f} MiB at the peak"
        )
    big = asyncio.run(big_document(args.megabytes, args.edits))
    print(f"\n{big['chars']:,}-character document (over the analysis limit), edited {args.edits} times:\n")
    print("| measurement | median ms | p90 ms | max ms | n |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(row("didChange of one character, then a hover: until the hover's reply", big["hover_after_edit"]))  # type: ignore[arg-type]
    print(row("code action after the edit", big["action"]))  # type: ignore[arg-type]
    print(row("hover 1 s after the last edit (once analysis would have started)", big["hover_after_pause"]))  # type: ignore[arg-type]
    print(
        f"\n- opening it (didOpen, then a hover answered): {big['open_s'] * 1000:.0f} ms; server + worker RSS"
        f" {big['rss_before_mib']:.0f} MiB before, {big['rss_after_mib']:.0f} MiB after the edits"
    )


if __name__ == "__main__":
    main()
