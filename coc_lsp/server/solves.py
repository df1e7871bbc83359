"""The editor's "Solve a Question": the LM writes a Chain of Code program for a question, and the
program is inserted as a workspace edit, below the question or in a new file.

    coc.solve [{uri?, question?, range?, target?: "below" | "newFile", folder?}]

The question is `question`, else the text `range` selects in the document `uri`, else its module
docstring (server/questions.py). `target` defaults to "below" for a question in the document and
to "newFile" for a given one; a new file goes in the document's folder (else `folder`, else the
workspace root), named after the question, never one that exists. The command answers at once
({"accepted": true, "solve": N}); the work reports through $/progress (cancellable, as is
$/cancelRequest of the command), then `coc/solveFinished` {solve, status: inserted | error |
cancelled, uri, range, error, warning, backend, promptTokens, completionTokens, seconds} and a
window/showMessage.

The program is written by `coc solve --write-only --json` in a child process under the run
supervisor, as runs are: the LM configuration, the API key (the environment), the embedded model and
the folder's coc.toml reach it exactly as they reach `coc run`, the event loop never waits on the
LM, and a cancel or the timeout ends the child. Nothing the LM wrote runs here: the program is text
to insert.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from coc_lsp.server import questions, runs
from coc_lsp.server.actions import SOLVE
from coc_lsp.server.progress import RunProgress
from coc_lsp.solve.programs import save

if TYPE_CHECKING:
    from coc_lsp.server.controller import Controller

log = logging.getLogger(__name__)
Target = Literal["below", "newFile"]
TITLE_CHARS = 40


@dataclass
class Solve(runs.Stoppable):
    number: int
    question: questions.Question
    target: Target
    directory: Path | None  # where a new file goes and whose coc.toml the child reads; None: an untitled document
    uri: str | None = None  # the document holding the question
    revision: int | None = None  # the document's revision when the command came


@dataclass
class Written:
    """What the child answered; `error` set when there is no program to insert."""

    program: str = ""
    error: str | None = None
    warning: str | None = None  # the program does not parse: inserted all the same, to be fixed
    cancelled: bool = False
    numbers: dict[str, Any] = field(default_factory=dict)


class Solves:
    def __init__(self, server: LanguageServer, controller: Controller) -> None:
        self.server, self.controller = server, controller
        self._numbers = itertools.count(1)
        self._under_way: dict[int, Solve] = {}

    def start(self, argument: Any, request_id: Any) -> dict[str, Any]:
        solve = self._solve_for(argument if argument is not None else {})
        solve.request_id = request_id
        self._under_way[solve.number] = solve
        solve.task = asyncio.create_task(self._run(solve))
        answer: dict[str, Any] = {"accepted": True, "solve": solve.number}
        if solve.uri is not None:
            answer["uri"] = solve.uri
        return answer

    def request_cancelled(self, request_id: Any) -> None:
        for solve in self._under_way.values():
            if solve.request_id == request_id:
                solve.stop_for("cancelled")

    def stop_all(self) -> set[asyncio.Task[None]]:
        """The server shuts down: stop every solve; the tasks to wait for."""
        for solve in self._under_way.values():
            solve.stop_for("shutdown")
        return {s.task for s in self._under_way.values() if s.task is not None}

    # -- the command's argument ------------------------------------------------------------------

    def _solve_for(self, argument: Any) -> Solve:
        if not isinstance(argument, dict):
            raise JsonRpcInvalidParams(f"{SOLVE} takes one object {{uri?, question?, range?, target?}}, not {type(argument).__name__}.")
        uri, given, target = argument.get("uri"), argument.get("question"), argument.get("target")
        if uri is not None and not isinstance(uri, str):
            raise JsonRpcInvalidParams(f"{SOLVE}: `uri` must be a string.")
        if given is not None and (not isinstance(given, str) or not given.strip()):
            raise JsonRpcInvalidParams(f"{SOLVE}: `question` must be a non-empty string.")
        if target not in (None, "below", "newFile"):
            raise JsonRpcInvalidParams(f'{SOLVE}: `target` must be "below" or "newFile", not {target!r}.')
        state = self.controller.open.get(uri) if uri is not None else None
        span = _range(argument.get("range"))
        number = next(self._numbers)
        if given is not None:
            if target == "below":
                raise JsonRpcInvalidParams(f'{SOLVE}: "below" needs the question in the document (a selection or its docstring), not a `question`.')
            question = questions.Question(given.strip(), "given", -1)
            return Solve(number, question, "newFile", self._directory(uri, argument.get("folder")))
        if state is None:
            raise JsonRpcInvalidParams(f"{SOLVE}: give a `question`, or the `uri` of an open document holding one.")
        found = questions.find(state.document.lines, span)
        if found is None:
            raise JsonRpcInvalidParams(
                f"{SOLVE}: {uri} has no question: select its text, or write it as the module docstring."
            )
        target = target or "below"
        # Below the question in a document that is no file (untitled) needs no folder.
        directory = self._directory(uri, argument.get("folder"), required=target != "below")
        return Solve(number, found, target, directory, uri, state.document.revision)

    def _directory(self, uri: str | None, folder: Any, required: bool = True) -> Path | None:
        candidates = []
        if uri is not None and (path := to_fs_path(uri)):
            candidates.append(Path(path).parent)
        if isinstance(folder, str) and (path := to_fs_path(folder)):
            candidates.append(Path(path))
        if (root := self.server.workspace.root_path) is not None:
            candidates.append(Path(root))
        for directory in candidates:
            if directory.is_dir():
                return directory
        if not required:
            return None
        raise JsonRpcInvalidParams(f"{SOLVE}: no folder for a new file: give the `uri` of a saved document or a `folder`.")

    # -- the work --------------------------------------------------------------------------------

    async def _run(self, solve: Solve) -> None:
        written = Written(cancelled=True)
        where: tuple[str, lsp.Range] | None = None
        try:
            if not solve.stop.is_set():
                written = await self._write(solve)
            if not written.cancelled and written.error is None and not solve.stop.is_set():
                where, written.error = await self._insert(solve, written.program)
        except Exception as error:  # noqa: BLE001 - report it; never leave the client waiting
            log.exception("solve %d failed", solve.number)
            written.error, written.cancelled = f"{type(error).__name__}: {error}", False
        finally:
            self._under_way.pop(solve.number, None)
            self._finish(solve, written, where)

    async def _write(self, solve: Solve) -> Written:
        settings = await self.controller.settings(refresh=True)
        title = solve.question.text.splitlines()[0]
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        progress = await RunProgress.begin(self.server, f"solving “{title}”", lambda: solve.stop_for("cancelled"))
        progress.report("the LM is writing a program", None)
        status = "failed"
        try:
            private = Path(tempfile.mkdtemp(prefix="coc-lsp-question-"))
            question_file = private / "question.txt"
            question_file.write_text(solve.question.text, encoding="utf-8")
            child = [sys.executable, "-m", "coc_lsp", "solve", "-f", str(question_file), "--write-only", "--json"]
            if solve.directory is not None:
                child += ["--settings-from", str(solve.directory)]
            # The child works in the private directory: `python -m` puts its working directory first on
            # sys.path, and a folder's own files must not stand in for the project's modules.
            output = await runs.output_of(child + settings.lm_options(), private, settings.timeout_s, solve.stop, private)
            written = _read(output, settings.timeout_s)
            status = "cancelled" if written.cancelled else "failed" if written.error else "written"
            return written
        finally:
            progress.end(status)

    async def _insert(self, solve: Solve, program: str) -> tuple[tuple[str, lsp.Range] | None, str | None]:
        """Apply the edit; (where the program went, None) or (None, why not)."""
        state = self.controller.open.get(solve.uri) if solve.uri is not None else None
        if solve.target == "below" and state is not None:
            question = solve.question
            if state.document.revision != solve.revision:  # edited meanwhile: find the question again
                question = _again(state.document.lines, question)
            if question is not None:
                edit = questions.below(state.document.lines, question.end_line, program)
                identifier = lsp.OptionalVersionedTextDocumentIdentifier(uri=state.document.uri, version=state.document.version)
                change = lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=identifier, edits=[edit])])
                failure = await self._apply(change)
                return (None, failure) if failure else ((state.document.uri, _inserted(edit)), None)
        return await self._new_file(solve, program)

    async def _new_file(self, solve: Solve, program: str) -> tuple[tuple[str, lsp.Range] | None, str | None]:
        if solve.directory is None:
            return None, "no folder for a new file: save the document first"
        path = questions.new_file(solve.question.text, solve.directory)
        text = questions.new_file_text(solve.question.text, program)
        start = lsp.Position(0, 0)
        end = lsp.Position(text.count("\n"), 0)
        if self._can_create_files():
            uri = path.as_uri()
            change = lsp.WorkspaceEdit(
                document_changes=[
                    lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False)),
                    lsp.TextDocumentEdit(
                        text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                        edits=[lsp.TextEdit(lsp.Range(start, start), text)],
                    ),
                ]
            )
            failure = await self._apply(change)
            return (None, failure) if failure else ((uri, lsp.Range(start, end)), None)
        # A client that cannot create files: the server writes it (exclusively) and asks to show it.
        try:
            save(path, text)
        except OSError as error:
            return None, f"cannot write {path}: {error}"
        window = self.server.client_capabilities.window
        if window is not None and window.show_document is not None and window.show_document.support:
            await self.server.window_show_document_async(lsp.ShowDocumentParams(uri=path.as_uri(), take_focus=True))
        return (path.as_uri(), lsp.Range(start, end)), None

    async def _apply(self, change: lsp.WorkspaceEdit) -> str | None:
        result = await self.server.workspace_apply_edit_async(
            lsp.ApplyWorkspaceEditParams(edit=change, label="Chain of Code: Solve a Question")
        )
        if result.applied:
            return None
        return f"the editor did not apply the edit ({result.failure_reason or 'no reason given'})"

    def _can_create_files(self) -> bool:
        workspace = self.server.client_capabilities.workspace
        edit = workspace.workspace_edit if workspace is not None else None
        if edit is None or not edit.document_changes or not edit.resource_operations:
            return False
        return lsp.ResourceOperationKind.Create in edit.resource_operations

    def _finish(self, solve: Solve, written: Written, where: tuple[str, lsp.Range] | None) -> None:
        status = "cancelled" if written.cancelled or (where is None and written.error is None) else "error" if where is None else "inserted"
        payload: dict[str, Any] = {
            "solve": solve.number,
            "status": status,
            "uri": where[0] if where else solve.uri,
            "range": _plain(where[1]) if where else None,
            "error": written.error if status == "error" else None,
            "warning": written.warning,
            **written.numbers,
        }
        self.server.protocol.notify("coc/solveFinished", payload)
        if status == "cancelled":
            return
        if status == "error":
            message = f"coc: no program was written for the question: {written.error}"
            self.server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))
            return
        assert where is not None
        name = Path(to_fs_path(where[0]) or where[0]).name
        place = f"below the {solve.question.source}" if solve.target == "below" and where[0] == solve.uri else "as a new file"
        if written.warning:
            message = f"coc: the program the LM wrote is in {name} ({place}), but it does not parse: {written.warning}"
            self.server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=message))
        elif self.controller.output_as_log:  # clients that show coc/solveFinished themselves get no message
            message = f"coc: the program the LM wrote is in {name} ({place}); run it with “Run as Chain of Code”."
            self.server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=message))


def _read(output: runs.ChildOutput, timeout_s: float) -> Written:
    """The child's JSON answer (the last line of its output that is a JSON object)."""
    if output.status == "cancelled":
        return Written(cancelled=True)
    if output.status == "timeout":
        return Written(error=f"the LM took longer than {timeout_s:g} s (coc.timeoutSeconds) to write the program; it was stopped.")
    found: Any = None
    for line in reversed(output.stdout.splitlines()):
        try:
            found = json.loads(line)
        except ValueError:
            continue
        if isinstance(found, dict):
            break
    if not isinstance(found, dict):
        tail = " / ".join(output.stderr.strip().splitlines()[-3:])
        return Written(error=f"`coc solve --write-only` ended without an answer (exit code {output.exit_code})" + (f": {tail}" if tail else "."))
    numbers = {k: found[k] for k in ("backend", "origin", "promptTokens", "completionTokens", "seconds") if k in found}
    program = found.get("program") if isinstance(found.get("program"), str) else ""
    error = found.get("error") if isinstance(found.get("error"), str) else None
    if found.get("lmError") or not program.strip():
        return Written(error=error or "the LM's reply holds no program", numbers=numbers)
    return Written(program=program, warning=error, numbers=numbers)


def _again(lines: Any, question: questions.Question) -> questions.Question | None:
    """The question in the edited document: the docstring with the same text, or the selected
    question's last line nearest where it was."""
    if question.source == "docstring":
        found = questions.docstring(lines)
        return found if found is not None and found.text == question.text else None
    last = question.text.splitlines()[-1]
    matches = [n for n in range(len(lines)) if last in lines[n]]
    if not matches:
        return None
    return questions.Question(question.text, question.source, min(matches, key=lambda n: abs(n - question.end_line)))


def _inserted(edit: lsp.TextEdit) -> lsp.Range:
    """The range the inserted text covers once applied."""
    start = edit.range.start
    added = edit.new_text.split("\n")
    end_character = len(added[-1]) + (start.character if len(added) == 1 else 0)
    return lsp.Range(start, lsp.Position(start.line + len(added) - 1, end_character))


def _plain(span: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": span.start.line, "character": span.start.character},
        "end": {"line": span.end.line, "character": span.end.character},
    }


def _range(value: Any) -> lsp.Range | None:
    try:
        start, end = value["start"], value["end"]
        return lsp.Range(lsp.Position(int(start["line"]), int(start["character"])), lsp.Position(int(end["line"]), int(end["character"])))
    except (TypeError, KeyError, ValueError):
        return None
