"""Launch arguments: every attribute of the launch schema (vscode-extension/package.json) is checked
by type, and a wrong one gets a failed `launch` response naming the attribute and the type expected,
never a crash or a hang (issue 11.14); right ones launch. Other bad launches fail the same way."""

from __future__ import annotations

import json
from pathlib import Path

from tests.debug.conftest import HERE
from tests.debug.dap_client import DAPClient

SCHEMA = json.loads((HERE.parent.parent / "vscode-extension" / "package.json").read_text())
LAUNCH = SCHEMA["contributes"]["debuggers"][0]["configurationAttributes"]["launch"]["properties"]

# attribute -> (values of a wrong type, words of the type the message must name)
WRONG = {
    "program": ([5, ["a.coc.py"]], "a string (the path of a .coc.py file)"),
    "args": ([5, "one two", ["one", 2]], "a list of strings"),
    "cwd": ([5, True], "a string (a directory)"),
    "env": ([5, ["A=1"], {"A": 1}], "an object whose values are strings"),
    "mode": (["turbo", 5], 'one of "interweave", "python", "lm"'),
    "model": ([["m"], 5], "a string"),
    "modelPath": ([5], "a string"),
    "baseUrl": ([5, {"url": "x"}], "a string"),
    "backend": ([5], 'a string ("openai", "embedded" or "MODULE:FACTORY")'),
    "cacheDir": ([5], "a string"),
    "noCache": (["no", 1], "true or false"),
    "timeout": ([True, -1, 0, "soon"], "a number of seconds greater than 0"),
    "stopOnEmulation": (["false", 0], "true or false"),
    "prefetch": (["off", 0], "true or false"),
    "justMyCode": (["yes"], "true or false"),
}


def failed_launch(dap: DAPClient, arguments: dict) -> str:
    """Send a launch that must fail; its message (the adapter stays up for another launch)."""
    response = dap.response(dap.send("launch", arguments), timeout=15)
    assert response["success"] is False, response
    assert response["body"]["error"]["showUser"] is True
    return response["message"]


def test_every_schema_attribute_has_wrong_values_tested():
    assert set(WRONG) == set(LAUNCH)


def test_a_wrongly_typed_attribute_fails_the_launch_naming_it(dap, launch_arguments):
    dap.initialize()  # one adapter answers them all: a failed launch leaves it serving
    for attribute, (values, expected) in WRONG.items():
        for value in values:
            message = failed_launch(dap, launch_arguments("sarcasm.coc.py", **{attribute: value}))
            assert message == f'Invalid launch attribute "{attribute}": expected {expected}, got {json.dumps(value)}.'


def test_right_types_for_every_attribute_launch(dap, launch_arguments, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    arguments = launch_arguments(
        "launch_check.coc.py",
        args=["one", "-two"],
        cwd=str(work),
        env={"PYTHONPATH": str(HERE), "COC_LAUNCH_CHECK": "yes", "UNSET_ME": None},
        mode="interweave",
        model="m",
        modelPath=str(tmp_path / "unused.gguf"),
        baseUrl="http://127.0.0.1:9/v1",
        timeout=2.5,
        noCache=True,
        stopOnEmulation=False,
        prefetch=False,
        justMyCode=True,
        __configurationTarget=5,  # VS Code's own attributes are not ours to check
        preLaunchTask="build",
    )
    assert set(LAUNCH) <= set(arguments)
    dap.launch(arguments)
    assert dap.wait_event("exited")["exitCode"] == 0
    stdout = dap.output("stdout")
    assert f"argv: ['one', '-two']\ncwd: {work}\nenv: yes\nverdict: True\n" in stdout
    assert "coc: 1 emulations on 1 lines, 1 LM calls, 0 cache hits" in dap.output("console")


def test_missing_program_file(dap, launch_arguments, tmp_path):
    missing = tmp_path / "nowhere.coc.py"
    dap.initialize()
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(missing)))
    assert str(missing) in message and "no such file" in message


def test_no_program_attribute(dap, launch_arguments):
    arguments = launch_arguments("sarcasm.coc.py")
    del arguments["program"]
    dap.initialize()
    assert "'program' is required" in failed_launch(dap, arguments)


def test_not_a_python_file(dap, launch_arguments, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x = 1\n")
    dap.initialize()
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(notes)))
    assert "notes.txt" in message and "not a hybrid program" in message


def test_file_that_does_not_parse_even_tolerantly(dap, launch_arguments, tmp_path):
    broken = tmp_path / "broken.coc.py"
    broken.write_text("x = 1\ndef f(:\n    return x\n")
    dap.initialize()
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(broken)))
    assert f"{broken}:2" in message and "not a hybrid program" in message


def test_working_directory_that_does_not_exist(dap, launch_arguments, tmp_path):
    dap.initialize()
    message = failed_launch(dap, launch_arguments("sarcasm.coc.py", cwd=str(tmp_path / "gone")))
    assert "gone" in message and "'cwd'" in message


def test_adapter_exits_after_a_failed_launch(launch_arguments):
    dap = DAPClient()
    dap.initialize()
    failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(Path("/nonexistent/x.coc.py"))))
    assert dap.close() == 0


def test_a_nul_byte_or_bytes_not_utf8_name_their_line(dap, launch_arguments, tmp_path):
    dap.initialize()
    for content, cause in [(b"x = 1\ny = 2\x00\n", "null bytes"), (b"x = 1\ny = 'caf\xe9'\n", "not UTF-8")]:
        program = tmp_path / "odd.coc.py"
        program.write_bytes(content)
        message = failed_launch(dap, launch_arguments("sarcasm.coc.py", program=str(program)))
        assert f"{program}:2" in message and cause in message and "unexpectedly" not in message
