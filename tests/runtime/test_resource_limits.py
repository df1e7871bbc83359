"""A resource limit (memory, processes, files, disk) is the machine speaking, not a line Python
cannot run: it propagates as in Python and the LM is never asked to pretend it went well."""

from __future__ import annotations

from pathlib import Path

import pytest

from coc_lsp.lm.request import EmulationRequest
from tests.runtime.scripted import run_program


def never(request: EmulationRequest) -> object:
    raise AssertionError(f"the LM was asked: {request.kind} {request.source!r}")


@pytest.mark.parametrize(
    ("raising", "name"),
    [
        ("raise MemoryError()", "MemoryError"),
        ("import errno, os\nraise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))", "BlockingIOError"),
        ("import errno, os\nraise OSError(errno.EMFILE, os.strerror(errno.EMFILE))", "OSError"),
        ("import errno, os\nraise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))", "OSError"),
    ],
)
def test_exhausted_resources_are_never_emulated(tmp_path: Path, raising: str, name: str) -> None:
    # The exception comes from a library call, as a refused fork does, not from a `raise` of the program.
    module = f"limits_{tmp_path.name}"  # a module name of its own: the runs share sys.modules
    (tmp_path / f"{module}.py").write_text("def use():\n" + "".join(f"    {line}\n" for line in raising.splitlines()))
    source = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nfrom {module} import use\nuse()\nanswer = 1\n"
    run = run_program(tmp_path, source, never)
    assert run.result.exit_code == 1
    assert f"{name}" in run.stderr and run.requests == []


def test_other_os_errors_are_still_emulated(tmp_path: Path) -> None:
    source = "text = open('notes-that-do-not-exist.txt').read()\nanswer = text\n"
    run = run_program(tmp_path, source, lambda request: {"text": "hello"})
    assert run.result.exit_code == 0, run.stderr
    assert run.answer == "'hello'" and len(run.requests) == 1
