"""Diagnostics before a run: what the LM will emulate, and real syntax errors."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from tests.server.helpers import SARCASM, diagnostics_for, open_document, wait_for


async def test_semantic_call_is_information_on_the_call(client, tmp_path):
    uri = open_document(client, tmp_path / "a.coc.py", SARCASM)
    found = [d for d in await diagnostics_for(client, uri) if d.code == "semantic-call"]
    assert len(found) == 1
    assert found[0].severity == lsp.DiagnosticSeverity.Information
    assert found[0].range == lsp.Range(lsp.Position(1, 7), lsp.Position(1, 22))
    assert "`is_sarcastic` is not defined in this file: the LM will emulate its calls" in found[0].message


async def test_pseudo_code_line_is_information_on_the_line(client, tmp_path):
    uri = open_document(client, tmp_path / "a.coc.py", SARCASM)
    found = [d for d in await diagnostics_for(client, uri) if d.code == "pseudo-code"]
    assert [(d.range.start.line, d.range.start.character, d.range.end.character) for d in found] == [(2, 0, 40)]
    assert found[0].severity == lsp.DiagnosticSeverity.Information


async def test_real_syntax_error_stays_an_error(client, tmp_path):
    text = "x = 1\ndef broken()\n    return 2\ny = f(x)\n"
    uri = open_document(client, tmp_path / "b.coc.py", text)
    found = await diagnostics_for(client, uri)
    errors = [d for d in found if d.severity == lsp.DiagnosticSeverity.Error]
    assert len(errors) == 1 and errors[0].code == "syntax-error"
    assert errors[0].range.start.line == 1
    # The rest of the file is still analysed.
    assert [d.range.start.line for d in found if d.code == "semantic-call"] == [3]


async def test_change_updates_diagnostics_after_a_pause(client, tmp_path):
    uri = open_document(client, tmp_path / "c.coc.py", "x = 1\n")
    assert await diagnostics_for(client, uri) == []
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(lsp.Position(1, 0), lsp.Position(1, 0)), text="y = summarize(x)\n"
                )
            ],
        )
    )
    await wait_for(lambda: any(d.code == "semantic-call" for d in client.diagnostics[uri]), 5)
    (found,) = client.diagnostics[uri]
    assert found.range.start == lsp.Position(1, 4) and "`summarize`" in found.message


async def test_a_module_that_is_not_installed_is_said_on_its_import(client, tmp_path):
    (tmp_path / "sibling.py").write_text("X = 1\n")
    text = "import json\nimport sibling\nfrom no_such_package_xyz.sub import helper\nx = helper(json.dumps(1))\n"
    uri = open_document(client, tmp_path / "m.coc.py", text)
    found = [d for d in await diagnostics_for(client, uri) if d.code == "missing-module"]
    assert [(d.range.start.line, d.severity) for d in found] == [(2, lsp.DiagnosticSeverity.Information)]
    assert "`no_such_package_xyz` is not installed here" in found[0].message


@pytest.mark.parametrize(
    ("odd", "message"), [("\x00", "null bytes"), ("'\ud800'", "lone surrogate U+D800")], ids=["nul", "lone surrogate"]
)
async def test_a_character_python_cannot_parse_is_a_syntax_error_on_its_line(client, tmp_path, odd, message):
    # CPython's parser refuses both without a line: no SyntaxError line (NUL), a UnicodeEncodeError
    text = f"x = 1\ny = {odd}\nz = summarize(x)\n"
    uri = open_document(client, tmp_path / "odd.coc.py", text, save=False)
    await wait_for(lambda: any(d.code == "semantic-call" for d in client.diagnostics.get(uri, [])), 10)
    errors = [d for d in client.diagnostics[uri] if d.severity == lsp.DiagnosticSeverity.Error]
    assert [(d.code, d.range.start.line) for d in errors] == [("syntax-error", 1)]
    assert message in errors[0].message
