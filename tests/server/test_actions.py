"""Code lens, command code actions, and the quick fixes built from the LM's answers."""

from __future__ import annotations

from lsprotocol import types as lsp

from tests.server.helpers import diagnostics_for, open_document, run

PROGRAM = """\
import math

s = "Great, another Monday."
flag = is_sarcastic(s)
n = count the words in s
answer = (flag, is_sarcastic("Nice day " + s), math.pi)
"""


async def actions_at(client, uri: str, line: int, character: int) -> list[lsp.CodeAction]:
    position = lsp.Position(line, character)
    found = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri),
            range=lsp.Range(position, position),
            context=lsp.CodeActionContext(diagnostics=[]),
        )
    )
    return list(found or [])


async def test_code_lens_runs_the_file(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(lsp.TextDocumentIdentifier(uri)))
    (lens,) = lenses
    assert lens.range.start.line == 0
    assert (lens.command.title, lens.command.command, list(lens.command.arguments)) == (
        "Run as Chain of Code",
        "coc.run",
        [uri],
    )


async def test_command_actions_where_they_apply(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    before = {a.command.command for a in await actions_at(client, uri, 3, 0) if a.command}
    assert before == {"coc.run", "coc.runToLine"}
    await run(client, uri)
    after = {a.command.command: list(a.command.arguments) for a in await actions_at(client, uri, 3, 0) if a.command}
    assert after["coc.reemulateLine"] == [uri, 3] and after["coc.runToLine"] == [uri, 3] and "coc.clearResults" in after


async def test_replace_call_with_emulated_value(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await diagnostics_for(client, uri)
    await run(client, uri)
    fixes = {a.title: a for a in await actions_at(client, uri, 3, 10) if a.kind == lsp.CodeActionKind.QuickFix}
    (edit,) = fixes["Replace with the emulated value"].edit.changes[uri]
    assert edit.range == lsp.Range(lsp.Position(3, 7), lsp.Position(3, 22)) and edit.new_text == "True"


async def test_replace_line_with_emulated_values(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    fixes = {a.title: a for a in await actions_at(client, uri, 4, 3)}
    (edit,) = fixes["Replace with the emulated value"].edit.changes[uri]
    assert edit.range == lsp.Range(lsp.Position(4, 0), lsp.Position(4, 24)) and edit.new_text == "n = 3"


async def test_define_function_stub_before_first_use(client, tmp_path):
    uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
    await run(client, uri)
    fixes = {a.title: a for a in await actions_at(client, uri, 5, 30)}
    (edit,) = fixes["Define `is_sarcastic` as a Python function"].edit.changes[uri]
    assert edit.range.start == edit.range.end == lsp.Position(3, 0)  # before `flag = is_sarcastic(s)`
    assert edit.new_text == (
        "def is_sarcastic(s):\n"
        '    """\n'
        "    >>> is_sarcastic('Great, another Monday.')\n"
        "    True\n"
        "    >>> is_sarcastic('Nice day Great, another Monday.')\n"
        "    True\n"
        '    """\n'
        "    raise NotImplementedError\n\n\n"
    )
    # The second call's argument is not a plain name: the hovered site decides the names.
    fixes = {a.title: a for a in await actions_at(client, uri, 5, 30)}
    assert "Replace with the emulated value" in fixes


async def test_stub_parameters_from_the_call_site(client, tmp_path):
    text = "text = 'a b c'\n\n\n@staticmethod\ndef main():\n    return summarize(1 + 2, text, style='short')\n\n\nanswer = main.__func__()\n"
    uri = open_document(client, tmp_path / "q.coc.py", text)
    await run(client, uri)
    fixes = {a.title: a for a in await actions_at(client, uri, 5, 15)}
    (edit,) = fixes["Define `summarize` as a Python function"].edit.changes[uri]
    assert edit.range.start == lsp.Position(3, 0)  # before the decorator
    assert edit.new_text.startswith("def summarize(arg0, text, style):\n")
