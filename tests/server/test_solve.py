""""Solve a Question" in the editor, end to end: the real server over stdio, its `coc solve
--write-only` child and the real `openai` client against a scripted endpoint on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from tests.server.conftest import CAPABILITIES
from tests.server.helpers import field, open_document, wait_for
from tests.server.processes import own_server

QUESTION = "How many fruits are there: an apple, a banana and a violin?"
PROGRAM = """\
items = ["apple", "banana", "violin"]
fruits = [item for item in items if is_fruit(item)]
answer = len(fruits)
"""
SETTINGS = {"backend": "openai", "noCache": True, "timeoutSeconds": 30}
EDITING = lsp.ClientCapabilities(
    workspace=lsp.WorkspaceClientCapabilities(
        configuration=True,
        workspace_edit=lsp.WorkspaceEditClientCapabilities(
            document_changes=True, resource_operations=[lsp.ResourceOperationKind.Create]
        ),
    ),
    window=lsp.WindowClientCapabilities(work_done_progress=True),
    text_document=CAPABILITIES.text_document,
)


async def solve(client: LanguageClient, argument: dict[str, Any], msg_id: int | None = None) -> Any:
    params = lsp.ExecuteCommandParams(command="coc.solve", arguments=[argument])
    return await client.protocol.send_request_async(lsp.WORKSPACE_EXECUTE_COMMAND, params, msg_id=msg_id)


async def solved(client: LanguageClient, accepted: Any, timeout: float = 60.0) -> Any:
    number = field(accepted, "solve")

    def found() -> Any:
        return next((s for s in client.solved if field(s, "solve") == number), None)  # type: ignore[attr-defined]

    await wait_for(lambda: found() is not None, timeout)
    return found()


def only_edit(client: LanguageClient) -> list[Any]:
    (edit,) = client.edits  # type: ignore[attr-defined]
    return list(edit.document_changes)


async def test_the_program_goes_below_the_docstring(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM + "# CODE END\nAnswer: 2")
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        text = f'"""{QUESTION}"""\n# write the program below\n'
        uri = open_document(client, tmp_path / "fruits.coc.py", text)
        accepted = await solve(client, {"uri": uri})
        assert field(accepted, "accepted") is True and field(accepted, "uri") == uri
        result = await solved(client, accepted)
        assert field(result, "status") == "inserted", field(result, "error")
        (change,) = only_edit(client)
        assert change.text_document.uri == uri and change.text_document.version == 1
        (edit,) = change.edits
        assert edit.range.start == edit.range.end == lsp.Position(1, 0)
        assert edit.new_text == "\n" + PROGRAM + "\n"  # a comment follows: a blank line after it too
        assert field(result, "uri") == uri and field(field(field(result, "range"), "start"), "line") == 1
        (begin, *_, end) = next(iter(client.progress_reports.values()))
        assert isinstance(begin, lsp.WorkDoneProgressBegin) and begin.cancellable and "How many fruits" in begin.title
        assert isinstance(end, lsp.WorkDoneProgressEnd) and end.message == "written"
        await wait_for(lambda: client.messages)
        assert client.messages[-1].type == lsp.MessageType.Info and "fruits.coc.py" in client.messages[-1].message
    assert QUESTION in scripted_openai.last.user_message  # the question reached the LM
    assert "# CODE START" in scripted_openai.last.user_message  # through the pipeline's prompt


async def test_a_selected_question_and_a_new_file_that_never_overwrites(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM)
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        text = f"x = 1\n# {QUESTION}\ny = 2\n"
        uri = open_document(client, tmp_path / "notes.coc.py", text)
        selection = {"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}}
        taken = tmp_path / "how-many-fruits-are-there-an.coc.py"
        taken.write_text("# someone's file\n")
        result = await solved(client, await solve(client, {"uri": uri, "range": selection, "target": "newFile"}))
        assert field(result, "status") == "inserted", field(result, "error")
        create, change = only_edit(client)
        assert isinstance(create, lsp.CreateFile)
        assert create.uri == (tmp_path / "how-many-fruits-are-there-an-2.coc.py").as_uri()
        assert create.options.overwrite is False and create.options.ignore_if_exists is False
        assert change.text_document.uri == create.uri
        assert change.edits[0].new_text == f'"""{QUESTION}\n"""\n\n{PROGRAM}'
        assert taken.read_text() == "# someone's file\n"
        # Below the selection this time.
        client.edits.clear()  # type: ignore[attr-defined]
        result = await solved(client, await solve(client, {"uri": uri, "range": selection}))
        (change,) = only_edit(client)
        assert change.edits[0].range.start == lsp.Position(2, 0)
        assert change.edits[0].new_text == "\n" + PROGRAM + "\n"


async def test_a_given_question_without_a_document(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM)
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        accepted = await solve(client, {"question": QUESTION, "folder": tmp_path.as_uri()})
        result = await solved(client, accepted)
        assert field(result, "status") == "inserted", field(result, "error")
        create, _change = only_edit(client)
        assert create.uri == (tmp_path / "how-many-fruits-are-there-an.coc.py").as_uri()


async def test_a_client_that_cannot_create_files_gets_the_file_written(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM)
    async with own_server(settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        result = await solved(client, await solve(client, {"question": QUESTION, "folder": tmp_path.as_uri()}))
        assert field(result, "status") == "inserted", field(result, "error")
        written = tmp_path / "how-many-fruits-are-there-an.coc.py"
        assert written.read_text() == f'"""{QUESTION}\n"""\n\n{PROGRAM}'
        assert client.edits == []  # type: ignore[attr-defined]


async def test_cancel_through_progress_while_the_lm_writes(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: scripted_openai.Reply(PROGRAM, delay=20))
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        accepted = await solve(client, {"uri": uri})
        await wait_for(lambda: scripted_openai.calls == 1, 30)  # the child is waiting on the LM
        (token,) = client.progress_reports
        client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
        result = await solved(client, accepted, 10)
        assert field(result, "status") == "cancelled"
        assert client.edits == []  # type: ignore[attr-defined]
        assert not [m for m in client.messages if "program" in m.message]


async def test_cancel_request_of_the_command(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: scripted_openai.Reply(PROGRAM, delay=20))
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        accepted = await solve(client, {"uri": uri}, msg_id=5151)
        await wait_for(lambda: scripted_openai.calls == 1, 30)
        client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=5151))
        assert field(await solved(client, accepted, 10), "status") == "cancelled"
        assert client.edits == []  # type: ignore[attr-defined]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_endpoint_is_a_clear_error(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    settings = {**SETTINGS, "baseUrl": url}
    async with own_server(EDITING, settings=settings, env={"OPENAI_API_KEY": "sk-test-unreachable"}) as (client, _):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        result = await solved(client, await solve(client, {"uri": uri}), 60)
        assert field(result, "status") == "error"
        assert client.edits == []  # type: ignore[attr-defined]
        await wait_for(lambda: client.messages)
        message = client.messages[-1]
        assert message.type == lsp.MessageType.Error
        assert "no program was written" in message.message and "127.0.0.1" in message.message
        assert "sk-test-unreachable" not in message.message


async def test_a_reply_without_a_program_and_a_refused_edit(scripted_openai, tmp_path):
    scripted_openai.queue("# CODE END\nAnswer: 2", PROGRAM)
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        result = await solved(client, await solve(client, {"uri": uri}))
        assert field(result, "status") == "error" and "holds no program" in field(result, "error")
        assert client.edits == []  # type: ignore[attr-defined]
        client.apply_edits = False  # type: ignore[attr-defined]
        refused = await solved(client, await solve(client, {"uri": uri}))
        assert field(refused, "status") == "error" and "did not apply" in field(refused, "error")


async def test_no_question_is_an_error_of_the_command(client, tmp_path):
    uri = open_document(client, tmp_path / "plain.coc.py", "x = 1\n")
    with pytest.raises(Exception, match="has no question"):
        await solve(client, {"uri": uri})
    with pytest.raises(Exception, match="target"):
        await solve(client, {"question": "why?", "target": "sideways"})


def _titles(found: Any) -> list[str]:
    return [a.title for a in found or [] if isinstance(a, lsp.CodeAction)]


async def code_actions(client: LanguageClient, uri: str, span: lsp.Range) -> list[str]:
    params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), span, lsp.CodeActionContext(diagnostics=[]))
    return _titles(await client.text_document_code_action_async(params))


async def test_the_code_action_is_offered_only_for_a_question(client, tmp_path):
    cursor = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))
    question = open_document(client, tmp_path / "q.coc.py", f'"""\n{QUESTION}\n"""\n# solve it\n')
    assert "Solve this question with Chain of Code" in await code_actions(client, question, cursor)
    program = open_document(client, tmp_path / "p.coc.py", '"""Counts the fruits."""\nanswer = 2\n')
    assert not [t for t in await code_actions(client, program, cursor) if "Solve" in t]
    selection = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 20))
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(program), selection, lsp.CodeActionContext(diagnostics=[]))
    )
    solving = [a for a in found or [] if isinstance(a, lsp.CodeAction) and a.title.startswith("Solve")]
    assert [a.command.arguments[0]["target"] for a in solving] == ["below", "newFile"]
    assert solving[0].command.arguments[0]["range"]["end"] == {"line": 0, "character": 20}


async def test_the_server_answers_while_the_lm_writes(scripted_openai, tmp_path):
    """The LM call never blocks the event loop: hovers are answered while the child waits."""
    scripted_openai.script(lambda body: scripted_openai.Reply(PROGRAM, delay=5))
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        accepted = await solve(client, {"uri": uri})
        await wait_for(lambda: scripted_openai.calls == 1, 30)
        hover = client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 0)))
        assert await asyncio.wait_for(hover, 3) is None
        assert not client.solved  # type: ignore[attr-defined]
        assert field(await solved(client, accepted), "status") == "inserted"


async def test_edits_made_while_the_lm_writes_move_the_insertion(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: scripted_openai.Reply(PROGRAM, delay=2))
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "q.coc.py", f'"""{QUESTION}"""\n')
        accepted = await solve(client, {"uri": uri})
        await wait_for(lambda: scripted_openai.calls == 1, 30)
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=f'# added\n\n"""{QUESTION}"""\n')],
            )
        )
        assert field(await solved(client, accepted), "status") == "inserted"
        (change,) = only_edit(client)
        assert change.text_document.version == 2
        assert change.edits[0].range.start == lsp.Position(3, 0)


async def test_the_writer_reads_the_folders_settings_and_none_of_its_modules(scripted_openai, tmp_path):
    """The child that writes the program takes the document folder's coc.toml (its model here), but
    works elsewhere: a `coc_lsp` package in the folder does not stand in for the real one."""
    (tmp_path / "coc.toml").write_text('model = "folder-model"\n')
    impostor = tmp_path / "coc_lsp"
    impostor.mkdir()
    (impostor / "__init__.py").write_text("")
    (impostor / "__main__.py").write_text("print('{\"program\": \"impostor = 1\\\\n\"}')\n")
    scripted_openai.script(lambda body: PROGRAM + "# CODE END\nAnswer: 2")
    async with own_server(EDITING, settings=SETTINGS, env=scripted_openai.env()) as (client, _process):
        uri = open_document(client, tmp_path / "fruits.coc.py", f'"""{QUESTION}"""\n')
        result = await solved(client, await solve(client, {"uri": uri}))
        assert field(result, "status") == "inserted", field(result, "error")
        (change,) = only_edit(client)
        assert "impostor" not in change.edits[0].new_text and PROGRAM in change.edits[0].new_text
    assert scripted_openai.last.json["model"] == "folder-model"
