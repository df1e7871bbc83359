"""Running a document: commands, progress, output, results as hints/hover/diagnostics, failures."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from tests.server.conftest import SETTINGS
from tests.server.helpers import SARCASM, diagnostics_for, field, hints, open_document, run, wait_for

LINES = """\
s = "Great, another Monday."
n = count the words in s
for t in ["Great, a flat tyre.", "Nice weather."]:
    print(is_sarcastic(t))
answer = n
"""


async def test_run_shows_hints_hover_and_hint_diagnostics(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", LINES)
    await diagnostics_for(client, uri)
    result = await run(client, uri)
    assert field(result, "status") == "ok" and field(result, "emulated") == 3 and field(result, "answer") == "3"

    found = {h.position.line: h.label for h in await hints(client, uri)}
    assert found == {1: "n = 3", 3: "→ True, False (2×)"}
    assert client.inlay_hint_refreshes >= 1

    emulated = [d for d in client.diagnostics[uri] if d.code == "emulated"]
    assert {d.severity for d in emulated} == {lsp.DiagnosticSeverity.Hint}
    messages = sorted(d.message for d in emulated)
    assert messages == ["emulated by the LM: `is_sarcastic` is not defined", "emulated by the LM: pseudo-code"]
    assert not [d for d in client.diagnostics[uri] if d.code in ("semantic-call", "pseudo-code")]

    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(3, 12))
    )
    text = hover.contents.value
    assert "is_sarcastic('Great, a flat tyre.')" in text and "Value: `True`" in text and "Value: `False`" in text
    assert "Cache hit: no" in text and "latency" in text and "Raw answer" in text


async def test_run_finished_output_and_progress(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", SARCASM)
    await run(client, uri)
    await wait_for(lambda: client.finished and client.outputs)
    (finished,) = client.finished
    for name in (
        "uri",
        "status",
        "exitCode",
        "emulated",
        "lmCalls",
        "cacheHits",
        "seconds",
        "backend",
        "error",
        "answer",
    ):
        field(finished, name)
    assert field(finished, "lmCalls") == 2 and "scripted_backend" in field(finished, "backend")
    assert "".join(field(o, "text") for o in client.outputs) == "done True\n"
    assert any("done True" in m.message for m in client.log_messages)
    (reports,) = client.progress_reports.values()
    assert isinstance(reports[0], lsp.WorkDoneProgressBegin) and reports[0].cancellable
    assert isinstance(reports[-1], lsp.WorkDoneProgressEnd)
    middle = [r for r in reports if isinstance(r, lsp.WorkDoneProgressReport)]
    assert middle and "is_sarcastic" in middle[0].message and middle[0].percentage is not None


async def test_run_to_line_stops_there(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", SARCASM)
    result = await run(client, uri, "coc.runToLine", 2)  # 0-based: stops before the pseudo line
    assert field(result, "status") == "ok" and field(result, "emulated") == 1
    assert [h.position.line for h in await hints(client, uri)] == [1]


async def test_a_negative_line_is_invalid_params_not_a_run_of_everything(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", SARCASM)
    for command in ("coc.runToLine", "coc.reemulateLine"):
        with pytest.raises(JsonRpcException, match=r"a 0-based line, not -5") as caught:
            await run(client, uri, command, -5)
        assert caught.value.code == -32602
    assert client.finished == []  # nothing ran


async def test_reemulate_line_and_clear_results(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", SARCASM)
    result = await run(client, uri, "coc.reemulateLine", 1)
    assert field(result, "status") == "ok"
    assert len(await hints(client, uri)) == 2
    await run(client, uri, "coc.clearResults")
    assert await hints(client, uri) == []
    assert {d.code for d in client.diagnostics[uri]} == {"semantic-call", "pseudo-code"}


async def test_unsaved_buffer_runs_and_leaves_no_copy(client, tmp_path):
    path = tmp_path / "s.coc.py"
    path.write_text("answer = 1\n")
    uri = open_document(client, path, "x = 2\nanswer = is_sarcastic('Great')\n", save=False)
    result = await run(client, uri)
    assert field(result, "answer") == "True"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.coc.py"]


async def test_crashing_program_is_an_error_on_its_line(client, tmp_path):
    text = "x = 1\nraise ValueError('bad input')\n"
    uri = open_document(client, tmp_path / "crash.coc.py", text)
    result = await run(client, uri)
    assert field(result, "status") == "error" and "crash.coc.py:2" in field(result, "error")
    (error,) = [d for d in client.diagnostics[uri] if d.severity == lsp.DiagnosticSeverity.Error]
    assert error.range.start.line == 1 and "ValueError: bad input" in error.message
    await wait_for(lambda: client.messages)
    assert client.messages[-1].type == lsp.MessageType.Error and "crash.coc.py:2" in client.messages[-1].message


async def test_process_dying_without_trace_end(client, tmp_path):
    uri = open_document(client, tmp_path / "die.coc.py", "import os\nprint('bye')\nos._exit(3)\n")
    result = await run(client, uri)
    assert field(result, "status") == "crashed" and field(result, "exitCode") == 3
    assert "exit code 3" in field(result, "error")


async def test_endless_loop_is_killed_after_the_timeout(client, tmp_path):
    client.set_configuration(1, section="coc.timeoutSeconds")
    uri = open_document(client, tmp_path / "loop.coc.py", "while True:\n    pass\n")
    result = await asyncio.wait_for(run(client, uri), 15)
    assert field(result, "status") == "timeout" and "longer than 1 s" in field(result, "error")
    await wait_for(lambda: client.messages)
    assert client.messages[-1].type == lsp.MessageType.Warning


async def test_client_cancels_through_progress(client, tmp_path):
    text = "x = is_sarcastic('Great')\nprint('ready')\nwhile True:\n    pass\n"
    uri = open_document(client, tmp_path / "loop.coc.py", text)
    pending = asyncio.ensure_future(run(client, uri))
    await wait_for(lambda: client.outputs)  # the emulation event came before the output
    (token,) = client.progress_reports
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(pending, 10)
    assert field(result, "status") == "cancelled"
    assert [h.label for h in await hints(client, uri)] == ["→ True"]  # what ran before the cancel


async def test_new_run_cancels_the_old_one(client, tmp_path):
    uri = open_document(client, tmp_path / "loop.coc.py", "while True:\n    pass\n")
    first = asyncio.ensure_future(run(client, uri))
    await wait_for(lambda: client.progress_reports)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text="answer = 42\n")],
        )
    )
    second = await asyncio.wait_for(run(client, uri), 10)
    assert field(await asyncio.wait_for(first, 10), "status") == "cancelled"
    assert field(second, "status") == "ok" and field(second, "answer") == "42"


async def test_program_printing_a_lot_and_reading_stdin(client, tmp_path):
    text = "import sys\nfor i in range(200000):\n    print('line', i)\nanswer = sys.stdin.read()\n"
    uri = open_document(client, tmp_path / "loud.coc.py", text)
    result = await asyncio.wait_for(run(client, uri), 30)
    assert field(result, "status") == "ok" and field(result, "answer") == "''"
    sent = "".join(field(o, "text") for o in client.outputs)
    assert sent.startswith("line 0\nline 1\n") and "more characters of output not shown" in sent
    assert len(sent) < 1_200_000
    # The server still answers.
    assert (
        await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 0)))
        is None
    )


HOSTILE_ANSWER = "x` [run me](command:coc.run) ![seen](https://example.invalid/pixel.png) <b>bold</b> ``y"


async def test_an_lm_answer_in_a_hover_is_code_never_markdown(client, tmp_path):
    """Text from an LM is data: in a hover it is a code span, however many backticks it holds, so
    a link, an image (fetched when shown) or HTML in it is shown as text, never rendered."""
    from markdown_it import MarkdownIt  # CommonMark, the renderer VS Code's hovers use

    (tmp_path / "hostile_backend.py").write_text(
        f"class B:\n    uses_program = False\n    def emulate(self, request):\n        return {HOSTILE_ANSWER!r}\n"
        "def make():\n    return B()\n"
    )
    client.set_configuration({**SETTINGS, "backend": "hostile_backend:make"}, section="coc")
    uri = open_document(client, tmp_path / "h.coc.py", "label = describe('cat')\n")
    assert field(await run(client, uri), "status") == "ok"
    hover = await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(0, 9)))
    rendered = MarkdownIt("commonmark").render(hover.contents.value)
    assert "<a " not in rendered and "<img" not in rendered and "<b>" not in rendered
    assert "run me" in rendered and "pixel.png" in rendered
