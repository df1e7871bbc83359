"""Bad launch arguments get a failed `launch` response naming the problem, never a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.debug.dap_client import DAPClient


def failed_launch(dap: DAPClient, arguments: dict) -> str:
    dap.initialize()
    response = dap.response(dap.send("launch", arguments), timeout=15)
    assert response["success"] is False
    return response["message"]


def test_missing_program_file(dap, launch_arguments, tmp_path):
    missing = tmp_path / "nowhere.coc.py"
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(missing)))
    assert str(missing) in message and "no such file" in message


def test_no_program_attribute(dap, launch_arguments):
    arguments = launch_arguments("sarcasm.coc.py")
    del arguments["program"]
    assert "'program' is required" in failed_launch(dap, arguments)


def test_not_a_python_file(dap, launch_arguments, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x = 1\n")
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(notes)))
    assert "notes.txt" in message and "not a hybrid program" in message


def test_file_that_does_not_parse_even_tolerantly(dap, launch_arguments, tmp_path):
    broken = tmp_path / "broken.coc.py"
    broken.write_text("x = 1\ndef f(:\n    return x\n")
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(broken)))
    assert f"{broken}:2" in message and "not a hybrid program" in message


def test_unknown_mode(dap, launch_arguments):
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", mode="turbo"))
    assert "'turbo'" in message and "interweave" in message


@pytest.mark.parametrize("attribute, value, words", [("args", 5, "'args'"), ("timeout", "soon", "'timeout'")])
def test_badly_typed_attributes(dap, launch_arguments, attribute, value, words):
    assert words in failed_launch(dap, launch_arguments("sarcasm.coc.py", **{attribute: value}))


def test_adapter_exits_after_a_failed_launch(launch_arguments):
    dap = DAPClient()
    failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(Path("/nonexistent/x.coc.py"))))
    assert dap.close() == 0
