"""`stopOnEmulation`: the program pauses on the user's line just before each emulation."""

from __future__ import annotations

from tests.debug.conftest import PROGRAMS
from tests.debug.test_stepping import assert_no_executor_frames, where

PROGRAM = str(PROGRAMS / "sarcasm.coc.py")


def test_pauses_before_each_emulation_on_the_users_line(dap, launch_arguments):
    dap.launch(launch_arguments("sarcasm.coc.py", stopOnEmulation=True))

    stop, frames = dap.stopped()
    thread = stop["threadId"]
    assert stop["description"] == "Paused before the LM emulates line 6: is_sarcastic(text)"
    assert where(frames)[:2] == [("judge", 6), ("<listcomp>", 13)]
    assert_no_executor_frames(frames)
    assert "line 6 emulated" not in dap.output("console")  # not asked yet
    assert dap.evaluate("text", frames[0]["id"]) == "'Oh great, another Monday.'"

    # `next` from the pause finishes the emulation and stops on the following line.
    _, frames = dap.step("next", thread)
    assert where(frames)[0] == ("judge", 7)
    assert "line 6 emulated: is_sarcastic(text) → True\n" in dap.output("console")

    dap.request("continue", {"threadId": thread})
    stop, frames = dap.stopped()
    assert where(frames)[0] == ("judge", 6) and "line 6" in stop["description"]

    dap.request("continue", {"threadId": thread})
    stop, frames = dap.stopped()
    assert where(frames) == [("<module>", 29)]
    assert stop["description"].startswith("Paused before the LM emulates line 29: tally = ")

    # A line Python failed: the pause is inside the guard's handler, whose code has no line
    # number (program/rewrite.py); the stack still shows the user's line.
    dap.request("continue", {"threadId": thread})
    stop, frames = dap.stopped()
    assert stop["description"] == "Paused before the LM emulates line 30: mood = weather_today.mood"
    assert where(frames) == [("<module>", 30)]
    assert "mood" not in dap.locals_of(frames[0]["id"])
    _, frames = dap.step("next", thread)
    assert where(frames) == [("<module>", 31)]
    assert dap.locals_of(frames[0]["id"])["mood"] == "'cheerful'"

    dap.request("continue", {"threadId": thread})
    assert dap.wait_event("exited")["exitCode"] == 0
    assert "tally: 1 cheerful HI! None\n" in dap.output("stdout")
