"""`coc dap` answers from the pins beside the program (`prog.coc.answers.json`, written by the
editor's "Pin this answer" / "Edit emulated value…") before the cache and the LM, by itself."""

from __future__ import annotations

import json
from pathlib import Path


def test_a_debug_run_uses_the_pins_beside_the_program(dap, launch_arguments, tmp_path: Path) -> None:
    program = tmp_path / "fruit.coc.py"
    program.write_text('ripe = is_fruit("tomato")\nprint("ripe:", ripe)\n')
    (tmp_path / "fruit.coc.answers.json").write_text(json.dumps({"coc_answers": 1, "answers": [
        {"scope": "<module>", "source": 'is_fruit("tomato")', "sees": {"args": ["'tomato'"], "kwargs": {}},
         "value": "False", "pinned": True}
    ]}))
    dap.launch({**launch_arguments("sarcasm.coc.py"), "program": str(program)})  # the scripted LM behind
    assert dap.wait_event("exited")["exitCode"] == 0
    assert "ripe: False\n" in dap.output("stdout")  # the scripted LM has no answer for it
    assert "0 LM calls, 1 cache hits" in dap.output("console")
