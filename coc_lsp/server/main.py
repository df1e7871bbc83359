"""The coc-lsp language server (pygls): feature registration and thin handlers.

Each handler gets the document, asks the controller (state, runs) or a translator (diagnostics,
hints, hover, actions) and returns LSP types. `serve(tcp_port)` is what `coc lsp` calls.

Commands (arguments are JSON values; lines are 0-based like LSP's):
    coc.run [uri]   coc.runToLine [uri, line]   coc.reemulateLine [uri, line]   coc.clearResults [uri]
Custom notifications: server -> client `coc/output` {uri, stream, text} (also sent as
window/logMessage unless initializationOptions say {"outputNotifications": true}) and `coc/runFinished`
{uri, status, exitCode, emulated, lmCalls, cacheHits, seconds, backend, error, answer};
client -> server `coc/traceWritten` {uri} after a debug run wrote the document's trace.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from coc_lsp import __version__
from coc_lsp.server import actions, hints, hover, runs
from coc_lsp.server.controller import Controller

log = logging.getLogger(__name__)


class CocLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("coc-lsp", __version__)
        self.controller = Controller(self)


server = CocLanguageServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: CocLanguageServer, params: lsp.InitializeParams) -> None:
    # A client that shows `coc/output` itself (the VS Code extension) says so; others also get
    # the program's output as window/logMessage.
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    ls.controller.output_as_log = not options.get("outputNotifications", False)


@server.feature(lsp.INITIALIZED)
def initialized(ls: CocLanguageServer, params: lsp.InitializedParams) -> None:
    ls.controller.start_watching()


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: CocLanguageServer, params: None) -> None:
    ls.controller.stop_all()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CocLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.controller.opened(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CocLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.controller.changed(params.text_document.uri, list(params.content_changes))


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CocLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    if ls.controller.load_trace_file(params.text_document.uri):
        ls.controller.publish(params.text_document.uri)
        ls.controller.refresh_hints()


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: CocLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.controller.closed(params.text_document.uri)


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: CocLanguageServer, params: lsp.DidChangeConfigurationParams) -> None:
    ls.controller.configuration_changed(params.settings)
    await ls.controller.settings()
    ls.controller.refresh_hints()


@server.feature("coc/traceWritten")
def trace_written(ls: CocLanguageServer, params: Any) -> None:
    uri = params.get("uri") if isinstance(params, dict) else getattr(params, "uri", None)
    if isinstance(uri, str):
        ls.controller.trace_written(uri)


@server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
async def inlay_hint(ls: CocLanguageServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
    uri = params.text_document.uri
    settings = await ls.controller.settings()
    results = ls.controller.results.get(uri)
    return hints.inlay_hints(ls.controller.lines(uri), results, params.range, settings.python_values)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: CocLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    return hover.hover(ls.controller.lines(uri), ls.controller.results.get(uri), params.position)


@server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: CocLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    uri = params.text_document.uri
    return actions.code_lenses(uri, ls.controller.results.get(uri))


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.Source]),
)
def code_action(ls: CocLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    results = ls.controller.results.get(uri)
    lines = ls.controller.lines(uri)
    fixes = actions.quick_fixes(uri, lines, results, ls.controller.analysis(uri), params.range.start)
    wanted = params.context.only
    found = fixes + actions.command_actions(uri, params.range.start.line, results)
    if wanted:
        found = [a for a in found if any(str(a.kind).startswith(str(kind)) for kind in wanted)]
    return found


@server.command(actions.RUN)
async def run(ls: CocLanguageServer, uri: str) -> dict[str, Any]:
    return await ls.controller.run(uri)


@server.command(actions.RUN_TO_LINE)
async def run_to_line(ls: CocLanguageServer, uri: str, line: int) -> dict[str, Any]:
    return await ls.controller.run(uri, stop_line=line + 1)


@server.command(actions.REEMULATE_LINE)
async def reemulate_line(ls: CocLanguageServer, uri: str, line: int) -> dict[str, Any]:
    return await ls.controller.run(uri, refresh_line=line + 1)


@server.command(actions.CLEAR_RESULTS)
def clear_results(ls: CocLanguageServer, uri: str) -> None:
    ls.controller.clear(uri)


def serve(tcp_port: int | None = None) -> None:
    """Serve over stdio, or on 127.0.0.1:`tcp_port`."""
    logging.basicConfig(level=logging.WARNING, format="coc-lsp: %(levelname)s %(name)s: %(message)s")
    try:
        if tcp_port is not None:
            server.start_tcp("127.0.0.1", tcp_port)
        else:
            server.start_io()
    finally:
        runs.kill_all()
