"""Stepping through a loop whose semantic calls are asked ahead (issue 15) shows what a run asking
them one by one shows; with `stopOnEmulation` nothing is asked ahead: each call pauses in turn.

tests/debug/programs/loop.coc.py: 3 `for word in words:`, 4 `score = rating(word)` (emulated,
the length of the word), 5 `total += score`, 6 prints the total.
"""

from __future__ import annotations

from coc_lsp.runtime.trace import Emulation, End, default_trace_path, read_trace
from tests.debug.conftest import PROGRAMS
from tests.debug.test_stepping import where

PROGRAM = str(PROGRAMS / "loop.coc.py")
WORDS = ["apple", "fig", "banana", "kiwi"]


def emulations(tmp_path):
    events = list(read_trace(default_trace_path(PROGRAM, str(tmp_path / "cache")).read_text().splitlines()))
    assert isinstance(events[-1], End) and events[-1].status == "ok"
    return [e for e in events if isinstance(e, Emulation)]


def test_stepping_through_a_loop_asked_ahead_shows_each_items_answer(dap, launch_arguments, tmp_path):
    dap.launch(launch_arguments("loop.coc.py", backend="scripted_backend:make_concurrent"), breakpoints={PROGRAM: [5]})
    total = 0
    for word in WORDS:
        stop, frames = dap.stopped()
        assert where(frames) == [("<module>", 5)]
        names = dap.locals_of(frames[0]["id"])
        assert (names["word"], names["score"], names["total"]) == (repr(word), str(len(word)), str(total))
        total += len(word)
        dap.request("continue", {"threadId": stop["threadId"]})
    assert dap.wait_event("exited")["exitCode"] == 0
    assert f"total: {total}\n" in dap.output("stdout")
    found = emulations(tmp_path)
    assert [(e.line, e.request.args, e.value) for e in found] == [(4, [repr(w)], str(len(w))) for w in WORDS]
    assert all(e.prefetched for e in found)


def test_next_steps_through_a_loop_asked_ahead_line_by_line(dap, launch_arguments, tmp_path):
    """`next` goes 5 -> 3 (the loop takes its next item through the executor's iterator, which
    is never a stop) -> 4 -> 5 with that item's answer."""
    dap.launch(launch_arguments("loop.coc.py", backend="scripted_backend:make_concurrent"), breakpoints={PROGRAM: [5]})
    stop, frames = dap.stopped()
    thread = stop["threadId"]
    for word in WORDS[1:3]:
        lines = []
        for _ in range(3):
            _, frames = dap.step("next", thread)
            lines.append(where(frames)[0])
        assert lines == [("<module>", 3), ("<module>", 4), ("<module>", 5)]
        names = dap.locals_of(frames[0]["id"])
        assert (names["word"], names["score"]) == (repr(word), str(len(word)))
    dap.request("continue", {"threadId": thread})
    stop, _ = dap.stopped()
    dap.request("continue", {"threadId": stop["threadId"]})
    assert dap.wait_event("exited")["exitCode"] == 0
    found = emulations(tmp_path)
    assert [(e.line, e.request.args, e.value) for e in found] == [(4, [repr(w)], str(len(w))) for w in WORDS]
    assert all(e.prefetched for e in found)


def test_stop_on_emulation_pauses_before_each_call_of_the_loop(dap, launch_arguments, tmp_path):
    arguments = launch_arguments("loop.coc.py", backend="scripted_backend:make_concurrent", stopOnEmulation=True)
    dap.launch(arguments)
    for word in WORDS:
        stop, frames = dap.stopped()
        assert stop["description"] == "Paused before the LM emulates line 4: rating(word)"
        assert where(frames) == [("<module>", 4)]
        assert dap.evaluate("word", frames[0]["id"]) == repr(word)
        # Not asked yet, nor ahead: the console has the answers of the items before only.
        assert f"line 4 emulated: rating(word) → {len(word)}\n" not in dap.output("console")
        dap.request("continue", {"threadId": stop["threadId"]})
    assert dap.wait_event("exited")["exitCode"] == 0
    assert all(f"line 4 emulated: rating(word) → {len(w)}\n" in dap.output("console") for w in WORDS)
    found = emulations(tmp_path)
    assert [e.value for e in found] == [str(len(w)) for w in WORDS]
    assert not any(e.prefetched for e in found)
