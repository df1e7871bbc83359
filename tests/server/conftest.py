"""The language server under test: `python -m coc_lsp lsp` over stdio, driven by pytest-lsp.

Runs use the scripted backend of this directory (deterministic, no network) without the cache;
the server's user cache dir (where debug runs leave traces) is a temporary directory.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Union

import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

HERE = Path(__file__).parent
CACHE_HOME = tempfile.mkdtemp(prefix="coc-lsp-tests-cache-")
SETTINGS = {"backend": "scripted_backend:make", "noCache": True, "timeoutSeconds": 20}
SERVER_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    "XDG_CACHE_HOME": CACHE_HOME,
}
CAPABILITIES = lsp.ClientCapabilities(
    workspace=lsp.WorkspaceClientCapabilities(
        configuration=True,
        inlay_hint=lsp.InlayHintWorkspaceClientCapabilities(refresh_support=True),
    ),
    window=lsp.WindowClientCapabilities(work_done_progress=True),
    text_document=lsp.TextDocumentClientCapabilities(
        inlay_hint=lsp.InlayHintClientCapabilities(),
        code_action=lsp.CodeActionClientCapabilities(),
    ),
)


def make_client() -> LanguageClient:
    client = pytest_lsp.make_test_lsp_client()
    converter = client.protocol._converter

    def command_or_action(obj: Any, _: Any) -> lsp.Command | lsp.CodeAction:
        # lsprotocol reads any object with a `command` key as a Command, even a CodeAction whose
        # `command` is an object: tell them apart by the key's type.
        kind = lsp.Command if isinstance(obj.get("command"), str) else lsp.CodeAction
        return converter.structure(obj, kind)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], command_or_action)  # noqa: UP007 - the key lsprotocol uses
    client.inlay_hint_refreshes = 0  # type: ignore[attr-defined]
    client.outputs = []  # type: ignore[attr-defined]
    client.finished = []  # type: ignore[attr-defined]
    client.solved = []  # type: ignore[attr-defined]
    client.edits = []  # type: ignore[attr-defined]
    client.apply_edits = True  # type: ignore[attr-defined]

    @client.feature(lsp.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_hint_refresh(ls: LanguageClient, params: None) -> None:
        ls.inlay_hint_refreshes += 1  # type: ignore[attr-defined]

    @client.feature("coc/output")
    def output(ls: LanguageClient, params: Any) -> None:
        ls.outputs.append(params)  # type: ignore[attr-defined]

    @client.feature("coc/runFinished")
    def run_finished(ls: LanguageClient, params: Any) -> None:
        ls.finished.append(params)  # type: ignore[attr-defined]

    @client.feature("coc/solveFinished")
    def solve_finished(ls: LanguageClient, params: Any) -> None:
        ls.solved.append(params)  # type: ignore[attr-defined]

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: LanguageClient, params: lsp.ApplyWorkspaceEditParams) -> lsp.ApplyWorkspaceEditResult:
        ls.edits.append(params.edit)  # type: ignore[attr-defined]
        if ls.apply_edits:  # type: ignore[attr-defined]
            return lsp.ApplyWorkspaceEditResult(applied=True)
        return lsp.ApplyWorkspaceEditResult(applied=False, failure_reason="the test refused it")

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "coc_lsp", "lsp"], server_env=SERVER_ENV, client_factory=make_client
    )
)
async def client(lsp_client: LanguageClient):
    lsp_client.set_configuration(dict(SETTINGS), section="coc")
    await lsp_client.initialize_session(lsp.InitializeParams(capabilities=CAPABILITIES, root_uri=None))
    yield
    await lsp_client.shutdown_session()
