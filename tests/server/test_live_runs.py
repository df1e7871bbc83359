"""Live runs over stdio (`coc.liveRun`): the server runs the document by itself after typing stops
or a save, streams hints, stops a stale run at once, keeps stale hints while the text does not
parse, and stops at the first emulation the LM cannot answer, saying so on that line."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types as lsp

from tests.server.conftest import SETTINGS
from tests.server.helpers import change, field, hints, open_document, wait_for
from tests.server.processes import alive, own_server

PROGRAM = """\
s = "Great, another Monday."
flag = is_sarcastic(s)
answer = flag
"""
ON_TYPE = {**SETTINGS, "liveRun": "onType", "liveRunDelayMs": 50}


def labels(found: list[lsp.InlayHint]) -> dict[int, str]:
    return {h.position.line: str(h.label) for h in found}


async def hint_at(client, uri: str, line: int, text: str, timeout: float = 30.0) -> None:
    async def has() -> bool:
        return labels(await hints(client, uri)).get(line) == text

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await has():
        if loop.time() > deadline:
            raise AssertionError(f"no hint {text!r} on line {line + 1}: {labels(await hints(client, uri))}")
        await asyncio.sleep(0.05)


def live_progress(client) -> list[str]:
    return [
        report.title
        for reports in client.progress_reports.values()
        for report in reports
        if isinstance(report, lsp.WorkDoneProgressBegin) and "(live run)" in report.title
    ]


async def test_typing_a_pseudo_code_line_shows_its_hint_without_any_command(tmp_path: Path) -> None:
    async with own_server(settings=ON_TYPE) as (client, _):
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
        change(client, uri, 2, (2, 0), (2, 0), "n = count the words in s\n")
        await hint_at(client, uri, 2, "n = 3")
        assert labels(await hints(client, uri))[1] == "→ True"
        assert live_progress(client) and all("p.coc.py" in title for title in live_progress(client))
        assert not client.messages  # live runs show no messages


async def test_live_runs_are_off_by_default_and_on_save_waits_for_the_save(tmp_path: Path) -> None:
    async with own_server() as (client, _):  # the test settings say nothing of liveRun
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
        change(client, uri, 2, (2, 0), (2, 0), "n = count the words in s\n")
        await asyncio.sleep(1.5)
        assert client.finished == [] and await hints(client, uri) == []  # type: ignore[attr-defined]
    async with own_server(settings={**SETTINGS, "liveRun": "onSave", "liveRunDelayMs": 50}) as (client, _):
        uri = open_document(client, tmp_path / "q.coc.py", PROGRAM)
        change(client, uri, 2, (2, 0), (2, 0), "n = count the words in s\n")
        await asyncio.sleep(1.5)
        assert client.finished == []  # type: ignore[attr-defined]
        (tmp_path / "q.coc.py").write_text(PROGRAM.replace("answer", "n = count the words in s\nanswer"))
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        await hint_at(client, uri, 2, "n = 3")


async def test_an_edit_stops_the_stale_run_at_once_and_shows_none_of_its_hints(tmp_path: Path) -> None:
    mark = tmp_path / "slow.pids"
    async with own_server(settings=ON_TYPE, env={"COC_TEST_SLOW_MARK": str(mark), "COC_TEST_SLOW_S": "60"}) as (client, _):
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
        change(client, uri, 2, (3, 0), (3, 0), "later = slow_thing(s)\n")
        await wait_for(lambda: mark.exists() and mark.read_text().endswith("\n"), 30)
        (pid,) = [int(p) for p in mark.read_text().split()]
        await hint_at(client, uri, 1, "→ True")  # streamed: the slow run is still going
        assert client.finished == []  # type: ignore[attr-defined]
        change(client, uri, 3, (3, 0), (4, 0), "")  # remove the slow line: the run is stale
        await wait_for(lambda: not alive(pid), 5)
        await wait_for(lambda: any(field(f, "status") == "cancelled" for f in client.finished), 10)  # type: ignore[attr-defined]
        assert 3 not in labels(await hints(client, uri))
        # The next live run, of the text as it is now, ends normally.
        await wait_for(lambda: any(field(f, "status") == "ok" for f in client.finished), 30)  # type: ignore[attr-defined]


async def test_text_that_does_not_parse_keeps_the_last_hints_marked_stale(tmp_path: Path) -> None:
    async with own_server(settings=ON_TYPE) as (client, _):
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
        change(client, uri, 2, (2, 0), (2, 0), "x = 1\n")
        await hint_at(client, uri, 1, "→ True")
        change(client, uri, 3, (2, 0), (2, 5), "x = (")  # mid-edit: '(' never closed
        await hint_at(client, uri, 1, "→ True (stale)")
        await asyncio.sleep(0.5)
        assert not client.messages
        errors = [d for d in client.diagnostics.get(uri, []) if d.code == "run-syntax"]
        assert errors == []  # no run error for a program being typed
        change(client, uri, 4, (2, 4), (2, 5), "(1)")
        await hint_at(client, uri, 1, "→ True")


async def test_a_live_run_stops_at_the_first_emulation_the_lm_cannot_answer(tmp_path: Path) -> None:
    async with own_server(settings=ON_TYPE) as (client, _):
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM)
        change(client, uri, 2, (2, 0), (2, 0), "mood = unanswerable(s)\nn = count the words in s\n")

        def said_on_line_3() -> bool:
            return any(d.range.start.line == 2 and "no answer" in d.message for d in client.diagnostics.get(uri, []))

        await wait_for(said_on_line_3, 30)
        assert 3 not in labels(await hints(client, uri))  # it stopped: line 4 never ran
        assert not client.messages


def spares_of(path: Path) -> list[int]:
    """Pids of `coc run` processes started ahead for `path`, waiting to be used."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # `coc run` itself: not its supervisor, nor the supervisor's fork before it becomes `coc run`
        if argv[1:4] == [b"-m", b"coc_lsp", b"run"] and b"--start-when" in argv and str(path).encode() in argv:
            found.append(int(entry.name))
    return found


async def test_the_next_live_run_is_started_ahead_and_ended_with_the_document(tmp_path: Path) -> None:
    path = tmp_path / "p.coc.py"
    async with own_server(settings={**SETTINGS, "liveRun": "onSave"}) as (client, _):
        uri = open_document(client, path, PROGRAM)
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        await wait_for(lambda: len(client.finished) == 1, 30)  # type: ignore[attr-defined]
        await wait_for(lambda: len(spares_of(path)) == 1, 30)
        (spare,) = spares_of(path)
        path.write_text(PROGRAM.replace("answer = flag", "n = count the words in s\nanswer = flag"))
        change(client, uri, 2, (2, 0), (2, 0), "n = count the words in s\n")
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        await hint_at(client, uri, 2, "n = 3")
        assert field(client.finished[-1], "status") == "ok"  # type: ignore[attr-defined]
        await wait_for(lambda: spare not in spares_of(path), 10)  # this run was the spare
        await wait_for(lambda: len(spares_of(path)) == 1, 30)  # and the next one is waiting
        (waiting,) = spares_of(path)
        client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        await wait_for(lambda: not alive(waiting), 10)


async def test_typing_never_replaces_a_run_the_user_started(tmp_path: Path) -> None:
    async with own_server(settings=ON_TYPE, env={"COC_TEST_SLOW_S": "3"}) as (client, _):
        uri = open_document(client, tmp_path / "p.coc.py", PROGRAM + "later = slow_thing(s)\n")
        accepted = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="coc.run", arguments=[uri]))
        await asyncio.sleep(0.5)
        change(client, uri, 2, (0, 0), (0, 0), "# typed while it runs\n")
        await wait_for(lambda: len(client.finished) >= 1, 30)  # type: ignore[attr-defined]
        (first, *_) = client.finished  # type: ignore[attr-defined]
        assert field(first, "run") == field(accepted, "run") and field(first, "status") == "ok"
