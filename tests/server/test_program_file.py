"""The copy of an unsaved buffer runs with its folder's settings as `coc run` options."""

from __future__ import annotations

from pathlib import Path

from coc_lsp.server.program_file import program_file


def test_a_copy_gets_every_folder_setting_a_run_reads(tmp_path: Path) -> None:
    (tmp_path / "coc.toml").write_text('model = "m"\nmax_in_flight = 1\ntimeout = 7\n')
    copy = program_file(tmp_path / "p.coc.py", "x = 2\n")
    try:
        assert copy.is_copy
        assert copy.options == ["--model", "m", "--timeout", "7.0", "--max-in-flight", "1"]
    finally:
        copy.remove()


def test_the_environment_never_becomes_an_option(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-never-on-a-command-line")
    monkeypatch.setenv("OPENAI_MODEL", "env-model")
    copy = program_file(tmp_path / "p.coc.py", "x = 2\n")
    try:
        assert copy.options == []
    finally:
        copy.remove()
