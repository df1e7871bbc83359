"""Emacs end to end: the documented configuration in a real Emacs in batch mode (Debian
emacs-nox + elpa-eglot: Emacs 28, eglot 1.9), eglot talking to `coc lsp`, a run whose three
emulations take 4 s each: longer than eglot's 10 s synchronous wait for a command."""

from __future__ import annotations

from pathlib import Path

from tests.editors import session
from tests.editors.snippets import documented

DRIVER = Path(__file__).with_name("emacs_driver.el")
INSTALL = "bash tools/test-system-deps.sh (apt-get install emacs-nox elpa-eglot)"


def test_documented_emacs_config_runs_a_slow_program(tmp_path: Path, scripted_openai) -> None:
    emacs = session.require("emacs", INSTALL)
    work = session.workspace(tmp_path, scripted_openai, "init.el", documented("Emacs", "elisp"))
    command = [emacs, "--batch", "-l", str(work.config), "-l", str(DRIVER)]
    run = session.run_editor("emacs", command, work.folder, work.env, work.transcript)
    with session.transcript_on_failure(run, scripted_openai.requests):
        result = session.result_of(run)
        assert result.get("attached")
        assert "is_sarcastic" in result["diagnostic"]["message"] and result["diagnostic"]["line"] == session.CALL_LINE
        assert "Run as Chain of Code" in result["actions"]
        assert result["command_error"] is None, f"the run command failed in eglot: {result['command_error']}"
        assert result["command_accepted"] is True
        assert work.lm.replied_during_run(result["reply_time"]), "the run command must answer when the run starts, not when it ends"
        finish = result["finish_message"]
        assert finish.startswith("coc: ran review.coc.py") and session.ANSWER_LINE in finish, finish
        assert "Server reports" in result["echoed"] and session.ANSWER_LINE in result["echoed"]
        assert any(h["line"] == session.CALL_LINE and "True" in h["label"] for h in result["hints"]), result["hints"]
        hover = result["hover"]
        assert "is_sarcastic('Great, another Monday.')" in hover and "True" in hover, hover
        assert "**" not in hover and "`" not in hover, "eglot without markdown-mode asks for plain text hovers"
        assert result["coc_run"] is True, f"M-x coc-run: {result['coc_run']}"
        assert scripted_openai.calls >= 3
        assert session.servers_left(work) == [], "coc lsp outlived the editor"
