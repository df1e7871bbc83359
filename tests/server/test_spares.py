"""A live run's spare (runs.Spare, started ahead) is used only by a run of the same kind of program
file: one started for the saved file must not run an unsaved buffer, whose text is only in a copy."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from tests.server.helpers import change, open_document, wait_for
from tests.server.processes import alive, own_server
from tests.server.test_live_runs import ON_TYPE, PROGRAM, hint_at, spares_of


async def test_a_spare_for_the_saved_file_does_not_run_an_unsaved_buffer(tmp_path: Path) -> None:
    path = tmp_path / "p.coc.py"
    async with own_server(settings=ON_TYPE) as (client, _):
        uri = open_document(client, path, PROGRAM)
        client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(uri)))
        await wait_for(lambda: len(client.finished) == 1, 30)  # type: ignore[attr-defined]
        await wait_for(lambda: len(spares_of(path)) == 1, 30)  # waiting to run the file itself
        (spare,) = spares_of(path)
        change(client, uri, 2, (2, 0), (2, 0), "n = count the words in s\n")  # not saved: a copy runs
        await hint_at(client, uri, 2, "n = 3")  # the buffer ran, not the file on disk
        await wait_for(lambda: not alive(spare), 10)  # stopped, not used
