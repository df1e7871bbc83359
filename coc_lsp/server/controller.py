"""Per-document state and the work behind the handlers: documents, analysis, runs, results.

For each open document: its text (documents.py), its latest static analysis (analyser.py, off the
event loop), the results of its last run or of a debug run's trace file, and the run under way.
Handlers in main.py call one method each; this module talks back to the client (diagnostics,
`coc/output`, `coc/runFinished`, messages, inlay hint refresh) through the pygls server object.

One run per document: starting a run stops the one under way (it reports `cancelled` and its
results are dropped) and waits for it to end before the new process starts. Edits made while a
run is under way are replayed on its results when they arrive, so they land on the lines the
code moved to.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from coc_lsp.program.parse import split_lines
from coc_lsp.program.static import StaticAnalysis
from coc_lsp.runtime.trace import Emulating, Event, Output, TraceVersionError, default_trace_path, read_trace
from coc_lsp.server import diagnostics, messages, modules
from coc_lsp.server.analyser import Analyser, Analysis, AnalysisOff, Snapshot
from coc_lsp.server.documents import Change, Document, Edit
from coc_lsp.server.live import LiveRuns, LiveStream
from coc_lsp.server.output import OutputForwarder
from coc_lsp.server.progress import RunProgress
from coc_lsp.server.results import RunResults
from coc_lsp.server.runs import RunOutcome, RunRequest, Stoppable, execute
from coc_lsp.server.settings import Settings
from coc_lsp.server.solves import Solves

log = logging.getLogger(__name__)
TRACE_POLL_S = 2.0
SHUTDOWN_WAIT_S = 8.0  # for runs and solves to end when the server shuts down


@dataclass
class Run(Stoppable):
    """A run of one document, from the command to its end."""

    number: int  # tells this run's `coc/runFinished` from others'
    path: Path
    source: str
    stop_line: int | None
    refresh_line: int | None
    live: bool = False  # started by the server itself (live.py)
    edits: list[Edit] = field(default_factory=list)  # incremental edits made since it started


@dataclass
class OpenDocument:
    document: Document
    results: RunResults | None = None
    analysis: Analysis | None = None
    analysed_revision: int = -1
    run: Run | None = None
    trace_mtime: float | None = None


def _directory(uri: str) -> Path | None:
    path = to_fs_path(uri)
    return Path(path).parent if path else None


class Controller:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self.open: dict[str, OpenDocument] = {}
        self.analyser = Analyser(self._snapshot, self._analysed)
        self._settings: Settings | None = None
        self._pushed: Any = None  # the "coc" section a client that cannot be asked last pushed
        self._watcher: asyncio.Task[None] | None = None
        self._runs: set[asyncio.Task[None]] = set()
        self._run_numbers = itertools.count(1)
        self.output_as_log = True  # mirror program output as window/logMessage (see main.initialize)
        self.hover_markdown = True  # the client renders markdown in hovers
        self.edit_value_prompt = False  # the client asks for an edited value itself (pin_commands.py)
        self.live = LiveRuns(self)
        self.solves = Solves(server, self)  # "Solve a Question" (solves.py)

    # -- documents and diagnostics -------------------------------------------------------------

    def lines(self, uri: str) -> Sequence[str]:
        state = self.open.get(uri)
        return state.document.lines if state is not None else ()

    def results(self, uri: str) -> RunResults | None:
        state = self.open.get(uri)
        return state.results if state is not None else None

    def analysis(self, uri: str) -> StaticAnalysis | None:
        """The analysis of the document's current text, if there is one yet (never computed here)."""
        state = self.open.get(uri)
        if state is None or state.analysed_revision != state.document.revision:
            return None
        return state.analysis if isinstance(state.analysis, StaticAnalysis) else None

    def opened(self, item: lsp.TextDocumentItem) -> None:
        self.open[item.uri] = OpenDocument(Document(item.uri, item.text, item.version))
        self.load_trace_file(item.uri)
        self.analyser.schedule(item.uri, delay=0)

    def changed(self, uri: str, version: int | None, changes: Sequence[Change]) -> None:
        """Apply the edits; move results with them now; re-analyse after a pause in typing."""
        state = self.open.get(uri)
        if state is None:
            return
        for change in changes:
            edit = state.document.apply(change, version)
            if state.results is not None and edit is not None:
                state.results.shift(edit)
            if state.run is not None and edit is not None:
                state.run.edits.append(edit)
        if state.results is not None:
            state.results.revalidate(state.document.lines)
        if state.run is not None and state.run.live:
            state.run.stop_for("edited")  # its text is gone: stop it now, show nothing of it
        self.live.edited(uri)
        self.analyser.schedule(uri)

    def closed(self, uri: str) -> None:
        state = self.open.pop(uri, None)
        self.live.forget(uri)
        if state is not None and state.run is not None:
            state.run.stop_for("closed")
        self.analyser.forget(uri)
        self._publish_diagnostics(uri, [])

    def publish(self, uri: str) -> None:
        """Diagnostics for the document's current text. Static findings come from the analysis of
        this very text: while it is pending, only the run's results are published, and the
        analysis publishes everything when it is done."""
        state = self.open.get(uri)
        if state is None:
            return
        lines, analysis = state.document.lines, state.analysis
        if state.analysed_revision != state.document.revision:
            analysis = None
            if not self.analyser.pending(uri):
                self.analyser.schedule(uri, delay=0)
        if isinstance(analysis, AnalysisOff):
            found = diagnostics.lsp_diagnostics(lines, None, state.results)
            found.insert(0, diagnostics.analysis_off_diagnostic(analysis.reason))
        else:
            absent = modules.missing(analysis.imports, _directory(uri)) if analysis is not None else []
            found = diagnostics.lsp_diagnostics(lines, analysis, state.results, absent)
        self._publish_diagnostics(uri, found)

    def _publish_diagnostics(self, uri: str, found: list[lsp.Diagnostic]) -> None:
        self.server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found))

    def _snapshot(self, uri: str) -> Snapshot | None:
        state = self.open.get(uri)
        if state is None:
            return None
        document = state.document
        return Snapshot(document.revision, len(document.lines), document.length, lambda: document.source)

    def _analysed(self, uri: str, revision: int, analysis: Analysis) -> None:
        state = self.open.get(uri)
        if state is None:
            return
        state.analysis, state.analysed_revision = analysis, revision
        self.publish(uri)

    # -- settings --------------------------------------------------------------------------------

    async def settings(self, refresh: bool = False) -> Settings:
        if self._settings is None or refresh:
            section: Any = self._pushed
            workspace = self.server.client_capabilities.workspace
            if workspace is not None and workspace.configuration:
                try:
                    found = await self.server.workspace_configuration_async(
                        lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section="coc")])
                    )
                    section = found[0] if found else None
                except Exception as error:  # noqa: BLE001 - a client failing the request: use defaults
                    log.warning("workspace/configuration failed: %s", error)
            self._settings = Settings.from_section(section)
        return self._settings

    def configuration_changed(self, pushed: Any) -> None:
        self._settings = None
        if isinstance(pushed, dict) and isinstance(pushed.get("coc"), dict):
            workspace = self.server.client_capabilities.workspace
            if workspace is None or not workspace.configuration:
                self._pushed = pushed["coc"]

    # -- runs ------------------------------------------------------------------------------------

    def start_run(
        self,
        uri: str,
        stop_line: int | None = None,
        refresh_line: int | None = None,
        request_id: Any = None,
        live: bool = False,
    ) -> dict[str, Any]:
        """Start a run of the document (1-based stop/refresh lines), replacing the one under way;
        answers at once ({"accepted": true, "uri", "run": number}). The run reports through
        progress, diagnostics, hints and `coc/runFinished` (whose `run` is that number)."""
        state = self.open.get(uri)
        if state is None:
            raise JsonRpcInvalidParams(f"{uri}: the document is not open.")
        run = Run(next(self._run_numbers), self._path(uri), state.document.source, stop_line, refresh_line, live, request_id=request_id)
        previous, state.run = state.run, run
        if previous is not None:
            previous.stop_for("replaced")
        run.task = asyncio.create_task(self._run(uri, run, previous))
        self._runs.add(run.task)
        run.task.add_done_callback(self._runs.discard)
        return {"accepted": True, "uri": uri, "run": run.number}

    def stop(self, uri: str, reason: str = "cancelled") -> None:
        state = self.open.get(uri)
        if state is not None and state.run is not None:
            state.run.stop_for(reason)

    def request_cancelled(self, request_id: Any) -> None:
        """$/cancelRequest of the command that started a run stops the run (even once answered)."""
        for state in self.open.values():
            if state.run is not None and state.run.request_id == request_id:
                state.run.stop_for("cancelled")
        self.solves.request_cancelled(request_id)

    async def shutdown(self) -> None:
        """Stop every run and solve and wait (bounded, once for all) for them to end; stop analysing."""
        for state in self.open.values():
            if state.run is not None:
                state.run.stop_for("shutdown")
        if tasks := set(self._runs) | self.solves.stop_all():
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT_S)
        self.analyser.close()
        self.live.close()
        if self._watcher is not None:
            self._watcher.cancel()

    async def _run(self, uri: str, run: Run, previous: Run | None) -> None:
        if previous is not None and previous.task is not None:
            await asyncio.wait({previous.task})  # one process per document at a time
        outcome = RunOutcome("cancelled", None)
        settings = await self.settings(refresh=True)
        request = RunRequest(run.path, run.source, settings, run.stop_line, run.refresh_line)
        try:
            if not run.stop.is_set():
                outcome = await self._execute(uri, request, run)
        finally:
            self._finish(uri, run, request, outcome)

    async def _execute(self, uri: str, request: RunRequest, run: Run) -> RunOutcome:
        name = f"{request.path.name} (live run)" if run.live else request.path.name
        progress = await RunProgress.begin(self.server, name, lambda: run.stop_for("cancelled"))
        output = OutputForwarder(self.server, uri, as_log=self.output_as_log)
        state = self.open.get(uri)
        stream = LiveStream(self, uri, run, state.results if state is not None else None) if run.live else None

        def on_event(event: Event) -> None:
            if stream is not None:
                stream.add(event)
            if isinstance(event, Emulating):
                progress.report(f"line {event.line}: {event.source}", event.percent)
            elif isinstance(event, Output):
                output.add(event.stream, event.text)

        outcome = RunOutcome("crashed", None)
        try:
            spare = self.live.take_spare(uri) if run.live else None
            outcome = await execute(request, on_event, run.stop, spare)
        finally:
            output.close()
            progress.end(outcome.status)
        return outcome

    def _finish(self, uri: str, run: Run, request: RunRequest, outcome: RunOutcome) -> None:
        if run.stopped_because is not None and outcome.status not in ("ok", "error"):
            outcome.status = "cancelled"  # a stop the server asked for, not a timeout
        results = RunResults.from_events(str(request.path), outcome.events, split_lines(request.source))
        state = self.open.get(uri)
        if state is not None and run.live:
            self.live.prepare(uri, request)  # the next live run starts warm
        current = state is not None and state.run is run  # not replaced, the document not closed
        if state is not None and current and run.live and (run.stopped_because is not None or _unparsed(results)):
            # A stopped live run shows nothing more; one that does not parse keeps the last hints.
            state.run = None
            if state.results is not None and run.stopped_because is None:
                state.results.stale = True
                self.refresh_hints()
            current = False
        elif state is not None and current:
            for edit in run.edits:
                results.shift(edit)
            results.revalidate(state.document.lines)
            state.results, state.run = results, None
            self.publish(uri)
            self.refresh_hints()
        payload = {**messages.run_finished(uri, request, outcome, results), "run": run.number}
        self.server.protocol.notify("coc/runFinished", payload)
        if current and run.stopped_because is None and not run.live:
            shown = messages.run_message(request, outcome, results, payload, quiet_success=not self.output_as_log)
            if shown is not None:
                self.server.window_show_message(shown)

    def clear(self, uri: str) -> None:
        self.stop(uri)
        state = self.open.get(uri)
        if state is not None:
            state.results = None
        self.publish(uri)
        self.refresh_hints()

    def document_path(self, uri: str) -> Path:
        return self._path(uri)

    def answers_changed(self, uri: str) -> None:
        """A pin was written or removed (pin_commands.py)."""
        self.publish(uri)
        self.live.answers_changed(uri)

    def refresh_hints(self) -> None:
        workspace = self.server.client_capabilities.workspace
        inlay = workspace.inlay_hint if workspace is not None else None
        if inlay is not None and inlay.refresh_support:
            self.server.workspace_inlay_hint_refresh(None)

    @staticmethod
    def _path(uri: str) -> Path:
        path = to_fs_path(uri)
        if not path or not Path(path).parent.is_dir():
            raise JsonRpcInvalidParams(f"{uri}: only files on disk can be run; save the document first.")
        return Path(path)

    # -- trace files of debug runs ---------------------------------------------------------------

    def load_trace_file(self, uri: str, force: bool = False) -> bool:
        """Show the trace a debug run left for this document when it is newer than what we show."""
        state = self.open.get(uri)
        path = to_fs_path(uri)
        if state is None or not path:
            return False
        trace = default_trace_path(path)
        try:
            mtime = trace.stat().st_mtime
        except OSError:
            return False
        shown = state.results
        if not force and (state.trace_mtime == mtime or (shown is not None and shown.loaded_at >= mtime)):
            return False
        state.trace_mtime = mtime
        try:
            with trace.open(encoding="utf-8", errors="replace") as stream:
                events = [e for e in read_trace(stream) if not isinstance(e, Output)]
            ran = split_lines(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, TraceVersionError) as error:
            log.warning("cannot read the trace %s: %s", trace, error)
            return False
        results = RunResults.from_events(path, events, ran)
        results.loaded_at = time.time()
        results.revalidate(state.document.lines)
        state.results = results
        return True

    def trace_written(self, uri: str) -> None:
        if self.load_trace_file(uri, force=True):
            self.publish(uri)
            self.refresh_hints()

    def saved(self, uri: str) -> None:
        """After a save: a module may have been installed meanwhile (the analysis republishes
        when it is done), and a debug run may have left a trace."""
        modules.forget()
        if uri in self.open:
            self.analyser.schedule(uri, delay=0)
            self.live.saved(uri)
        self.trace_changed(uri)

    def trace_changed(self, uri: str) -> None:
        if self.load_trace_file(uri):
            self.publish(uri)
            self.refresh_hints()

    def start_watching(self) -> None:
        if self._watcher is None:
            self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        """Every few seconds, compare the mtimes of the open documents' trace files (cheap)."""
        while True:
            await asyncio.sleep(TRACE_POLL_S)
            for uri, state in list(self.open.items()):
                if state.run is not None:
                    continue
                try:
                    self.trace_changed(uri)
                except Exception:  # noqa: BLE001 - never let the watcher die
                    log.exception("checking the trace file of %s failed", uri)


def _unparsed(results: RunResults) -> bool:
    return results.error is not None and results.error.kind == "syntax"
