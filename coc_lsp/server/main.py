"""The coc-lsp language server (pygls): feature registration and thin handlers.

Each handler gets the document, asks the controller (state, runs) or a translator (diagnostics,
hints, hover, actions) and returns LSP types. `serve(tcp_port)` is what `coc lsp` calls.

Commands (arguments are JSON values; lines are 0-based like LSP's); the run commands answer at once
with {"accepted": true, "uri": ..., "run": N} and the run reports through $/progress, diagnostics, inlay
hints, hovers, `coc/runFinished` and window/showMessage:
    coc.run [uri]   coc.runToLine [uri, line]   coc.reemulateLine [uri, line]   coc.clearResults [uri]
    coc.solve [{uri?, question?, range?, target?, folder?}]: the LM writes a program for a question,
    inserted as a workspace edit; answers {"accepted": true, "solve": N}, reports through $/progress,
    `coc/solveFinished` and window/showMessage (solves.py)
Pins (pin_commands.py; answer at once with the answers file written):
    coc.pinAnswer [uri, line, character]   coc.editEmulatedValue [uri, line, character, value, run?]
    coc.unpinAnswer [uri, line, character]
Custom notifications: server -> client `coc/output` {uri, stream, text} (also sent as
window/logMessage unless initializationOptions say {"outputNotifications": true}) and `coc/runFinished`
{uri, run, status, exitCode, emulated, lmCalls, cacheHits, seconds, backend, error, answer};
client -> server `coc/traceWritten` {uri} after a debug run wrote the document's trace.

The server object, its transports and how it ends are in language_server.py.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from coc_lsp.server import actions, hints, hover, pin_commands
from coc_lsp.server.language_server import CocLanguageServer

server = CocLanguageServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: CocLanguageServer, params: lsp.InitializeParams) -> None:
    # A client that shows `coc/output` itself (the VS Code extension) says so; others also get
    # the program's output as window/logMessage.
    options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
    ls.controller.output_as_log = not options.get("outputNotifications", False)
    ls.controller.hover_markdown = hover.wants_markdown(params.capabilities)
    ls.controller.edit_value_prompt = options.get("editValuePrompt") is True


@server.feature(lsp.INITIALIZED)
def initialized(ls: CocLanguageServer, params: lsp.InitializedParams) -> None:
    ls.controller.start_watching()


@server.feature(lsp.SHUTDOWN)
async def shutdown(ls: CocLanguageServer, params: None) -> None:
    await ls.controller.shutdown()


@server.feature(lsp.EXIT)
def exit_(ls: CocLanguageServer, params: None) -> None:
    ls.stop_everything()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: CocLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.controller.opened(params.text_document)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: CocLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    document = params.text_document
    ls.controller.changed(document.uri, document.version, params.content_changes)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: CocLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.controller.saved(params.text_document.uri)


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
    results = ls.controller.results(uri)
    return hints.inlay_hints(ls.controller.lines(uri), results, params.range, settings.python_values)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def on_hover(ls: CocLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    return hover.hover(
        ls.controller.lines(uri), ls.controller.results(uri), params.position, ls.controller.hover_markdown
    )


@server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: CocLanguageServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    uri = params.text_document.uri
    return actions.code_lenses(uri, ls.controller.results(uri))


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.Source]),
)
def code_action(ls: CocLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    results = ls.controller.results(uri)
    lines = ls.controller.lines(uri)
    fixes = actions.quick_fixes(uri, lines, results, ls.controller.analysis(uri), params.range.start)
    wanted = params.context.only
    pins = pin_commands.pin_actions(uri, lines, results, params.range.start, ls.controller.edit_value_prompt)
    found = fixes + pins + actions.command_actions(uri, params.range.start.line, results)
    found += actions.solve_actions(uri, lines, params.range)
    if wanted:
        found = [a for a in found if any(str(a.kind).startswith(str(kind)) for kind in wanted)]
    return found


@server.command(actions.RUN)
def run(ls: CocLanguageServer, uri: str) -> dict[str, Any]:
    return ls.controller.start_run(uri, request_id=ls.protocol.msg_id)


@server.command(actions.RUN_TO_LINE)
def run_to_line(ls: CocLanguageServer, uri: str, line: int) -> dict[str, Any]:
    return ls.controller.start_run(uri, stop_line=_program_line(line), request_id=ls.protocol.msg_id)


@server.command(actions.REEMULATE_LINE)
def reemulate_line(ls: CocLanguageServer, uri: str, line: int) -> dict[str, Any]:
    return ls.controller.start_run(uri, refresh_line=_program_line(line), request_id=ls.protocol.msg_id)


def _program_line(line: int) -> int:
    """The 1-based line of a command's 0-based `line` (a negative one would stop nowhere)."""
    if line < 0:
        raise JsonRpcInvalidParams(f"expected [uri, line] with a 0-based line, not {line}.")
    return line + 1


@server.command(actions.SOLVE)
def solve(ls: CocLanguageServer, *arguments: Any) -> dict[str, Any]:
    if len(arguments) > 1:
        raise JsonRpcInvalidParams(f"{actions.SOLVE} takes one object argument, got {len(arguments)}.")
    return ls.controller.solves.start(arguments[0] if arguments else None, ls.protocol.msg_id)


@server.command(actions.CLEAR_RESULTS)
def clear_results(ls: CocLanguageServer, uri: str) -> None:
    ls.controller.clear(uri)


@server.command(pin_commands.PIN)
def pin_answer(ls: CocLanguageServer, uri: str, line: int, character: int) -> dict[str, Any]:
    return pin_commands.pin(ls.controller, uri, line, character)


@server.command(pin_commands.EDIT)
def edit_emulated_value(ls: CocLanguageServer, uri: str, line: int, character: int, *rest: Any) -> dict[str, Any]:
    # rest: value (a Python literal as a string), then optionally the run of the site (0-based)
    return pin_commands.edit(ls.controller, uri, line, character, *rest[:2])


@server.command(pin_commands.UNPIN)
def unpin_answer(ls: CocLanguageServer, uri: str, line: int, character: int) -> dict[str, Any]:
    return pin_commands.remove(ls.controller, uri, line, character)


def serve(tcp_port: int | None = None) -> None:
    """Serve over stdio, or on 127.0.0.1:`tcp_port`."""
    logging.basicConfig(level=logging.WARNING, format="coc-lsp: %(levelname)s %(name)s: %(message)s")
    server.serve(tcp_port)
