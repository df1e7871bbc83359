"""Results follow edits; settings come from workspace/configuration; debug traces show as hints."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
from lsprotocol import types as lsp

from coc_lsp.runtime.trace import Emulation, RequestInfo, Start, encode
from tests.server.conftest import CAPABILITIES, SETTINGS
from tests.server.helpers import SARCASM, change, field, hints, open_document, run, wait_for
from tests.server.processes import own_server


async def test_results_shift_with_edits_and_drop_on_changed_lines(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", SARCASM)
    await run(client, uri)
    assert [h.position.line for h in await hints(client, uri)] == [1, 2]
    change(client, uri, 2, (0, 0), (0, 0), "# a comment\n# another\n")
    assert [(h.position.line, h.label) for h in await hints(client, uri)] == [(3, "→ True"), (4, "n = 3")]
    change(client, uri, 3, (3, 7), (3, 19), "is_ironic")  # the emulated call itself changed
    assert [h.position.line for h in await hints(client, uri)] == [4]
    change(client, uri, 4, (4, 40), (4, 40), "\nprint(1)")  # a new line after the emulated one
    assert [h.position.line for h in await hints(client, uri)] == [4]


async def test_configuration_change_is_used_by_the_next_run(client, tmp_path):
    uri = open_document(client, tmp_path / "s.coc.py", "answer = is_sarcastic('Great')\n")
    client.set_configuration("python", section="coc.mode")  # no LM: the undefined call fails
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    result = await run(client, uri)
    assert field(result, "status") == "error" and "NameError" in field(result, "error")
    client.set_configuration("interweave", section="coc.mode")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    assert field(await run(client, uri), "status") == "ok"


async def test_pushed_settings_last_for_a_client_that_cannot_be_asked(tmp_path):
    """A client without workspace/configuration sends its settings with didChangeConfiguration;
    every run uses the last ones pushed (each run re-reads the settings)."""
    workspace = lsp.WorkspaceClientCapabilities(configuration=False)
    async with own_server(capabilities=attrs.evolve(CAPABILITIES, workspace=workspace)) as (client, _):
        uri = open_document(client, tmp_path / "s.coc.py", "answer = is_sarcastic('Great')\n")
        for mode, status in (("python", "error"), ("interweave", "ok"), ("python", "error")):
            client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"coc": {**SETTINGS, "mode": mode}}))
            result = await run(client, uri)
            assert field(result, "status") == status, (mode, result)
            if status == "error":
                assert "NameError" in field(result, "error")


async def test_python_values_setting_shows_hints_for_python_run_lines(client, tmp_path):
    uri = open_document(client, tmp_path / "v.coc.py", "n = 0\nfor i in range(3):\n    n += i\nflag = is_sarcastic('Great')\n")
    await run(client, uri)
    assert [(h.position.line, h.label) for h in await hints(client, uri)] == [(3, "→ True")]
    client.set_configuration({"pythonValues": True}, section="coc.inlayHints")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await run(client, uri)
    found = [(h.position.line, h.label) for h in await hints(client, uri)]
    assert found == [(0, "n = 0"), (2, "n = 0, 1, 3 (3×)"), (3, "→ True")]
    client.set_configuration({"pythonValues": False}, section="coc.inlayHints")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    assert [h.position.line for h in await hints(client, uri)] == [3]


def trace_path(program: Path) -> Path:
    """Where debug runs leave their trace (runtime.trace.default_trace_path with the server's
    XDG_CACHE_HOME)."""
    from coc_lsp.runtime import trace
    from tests.server.conftest import CACHE_HOME

    return trace.default_trace_path(program, os.path.join(CACHE_HOME, "coc-lsp"))


async def test_debug_trace_file_shows_as_hints(client, tmp_path):
    path = tmp_path / "d.coc.py"
    uri = open_document(client, path, SARCASM)
    events = [
        Start(program=str(path), pid=1),
        Emulation(
            site=0,
            line=2,
            col=7,
            end_line=2,
            end_col=22,
            kind="call",
            trigger="undefined-call",
            source="is_sarcastic(s)",
            function="is_sarcastic",
            request=RequestInfo(args=["'Great, another Monday.'"]),
            raw="false",
            value="False",
            origin="cache",
            latency_ms=1.0,
        ),
    ]
    target = trace_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(encode(e) + "\n" for e in events))
    client.protocol.notify("coc/traceWritten", {"uri": uri})
    await wait_for(lambda: client.inlay_hint_refreshes > 0)
    assert [(h.position.line, h.label) for h in await hints(client, uri)] == [(1, "→ False")]
