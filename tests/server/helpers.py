"""Helpers for the server's end-to-end tests: open documents, run them, wait for results."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

SARCASM = """\
s = "Great, another Monday."
flag = is_sarcastic(s)
count the words in s and store them in n
print("done", flag)
answer = flag
"""


def open_document(client: LanguageClient, path: Path, text: str, save: bool = True) -> str:
    if save:
        path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    return uri


async def diagnostics_for(client: LanguageClient, uri: str, timeout: float = 5.0) -> list[lsp.Diagnostic]:
    await wait_for(lambda: uri in client.diagnostics, timeout)
    return list(client.diagnostics[uri])


async def run(client: LanguageClient, uri: str, command: str = "coc.run", *args: Any) -> Any:
    return await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=command, arguments=[uri, *args])
    )


async def hints(client: LanguageClient, uri: str, lines: int = 100) -> list[lsp.InlayHint]:
    found = await client.text_document_inlay_hint_async(
        lsp.InlayHintParams(
            text_document=lsp.TextDocumentIdentifier(uri), range=lsp.Range(lsp.Position(0, 0), lsp.Position(lines, 0))
        )
    )
    return list(found or [])


def field(params: Any, name: str) -> Any:
    """A field of a custom notification's or command's result (a dict or an attribute object)."""
    return params[name] if isinstance(params, dict) else getattr(params, name)


async def wait_for(predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
