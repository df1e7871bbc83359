"""`coc solve --write-only [--json]` (the generation half alone, what the editor uses) and `coc solve`
through the same write_program(), against a scripted OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

QUESTION = "What is 6 times 7?"
PROGRAM = "product = 6 * 7\nanswer = product\n"


def coc(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coc_lsp", "solve", *args, "--backend", "openai", "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_write_only_prints_the_program_and_saves_and_runs_nothing(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM + "# CODE END\nAnswer: 42")
    done = coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f'"""{QUESTION}\n"""\n\n{PROGRAM}'
    assert scripted_openai.calls == 1  # written, not run
    assert list(tmp_path.iterdir()) == []  # nothing saved


def test_write_only_json(scripted_openai, tmp_path):
    scripted_openai.queue(PROGRAM, "# CODE END", "x = (\n")
    found = json.loads(coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only", "--json").stdout)
    assert found["program"] == PROGRAM and found["error"] is None and found["origin"] == "lm"
    assert found["completionTokens"] == len(PROGRAM.split())
    empty = coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only", "--json")
    assert empty.returncode == 1 and json.loads(empty.stdout)["error"] == "the reply holds no program"
    broken = coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only", "--json")
    assert broken.returncode == 1 and json.loads(broken.stdout)["program"] == "x = (\n"
    assert "SyntaxError" in json.loads(broken.stdout)["error"]


def test_write_only_usage(scripted_openai, tmp_path):
    assert coc(tmp_path, scripted_openai.env(), QUESTION, "--json").returncode == 2
    assert coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only", "--out", "x.coc.py").returncode == 2
    assert coc(tmp_path, scripted_openai.env(), QUESTION, "--write-only", "--method", "cot").returncode == 2
    assert scripted_openai.calls == 0


def test_solve_still_writes_saves_and_runs(scripted_openai, tmp_path):
    scripted_openai.script(lambda body: PROGRAM)
    done = coc(tmp_path, scripted_openai.env(), QUESTION)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"
    assert "answer by program" in done.stderr
    (saved,) = tmp_path.glob("*.coc.py")
    assert saved.read_text() == f'"""{QUESTION}\n"""\n\n{PROGRAM}'


def test_solve_without_a_program_path_leaves_no_temporary_file(scripted_openai, tmp_path, monkeypatch):
    """A caller that gives no program path (the library API) gets a temporary copy run and removed."""
    from coc_lsp.lm.config import load_config, make_lmulator
    from coc_lsp.solve.pipeline import SolveOptions, sandboxed, solve

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the temporary copy goes
    scripted_openai.script(lambda body: PROGRAM + "# CODE END\nAnswer: 42")
    config = load_config(tmp_path / "question.coc.py", {"backend": "openai", "no_cache": True}, scripted_openai.env())
    lmulator, _ = make_lmulator(config)
    result = solve(QUESTION, lmulator, SolveOptions(), sandboxed())
    assert (result.answer, result.path, result.program_path) == ("42", "program", None)
    assert not list(tmp_path.glob("coc-solve-*"))
