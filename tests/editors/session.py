"""What the editor tests share: the program, the slow scripted LM, the editor's environment, and
the transcript kept as an artifact when a test fails.

The LM is the scripted OpenAI-compatible server of tests/conftest.py on 127.0.0.1, reached through
OPENAI_BASE_URL / OPENAI_API_KEY in the editor's environment (the documented settings say
`backend = "openai"` and are loaded unchanged). Every answer takes EMULATION_S seconds and the
program has three emulated lines, so a run lasts about 12 s: longer than eglot's 10 s wait for a
command, which a run command must not make the client wait for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "editors"
EMULATION_S = 4.0
EDITOR_TIME_LIMIT_S = 55.0

PROGRAM_NAME = "review.coc.py"
PROGRAM = """\
review = "Great, another Monday."
sarcastic = is_sarcastic(review)
count the words in review and store them in n
mood = describe_mood(review)
answer = (sarcastic, n, mood)
print("answer:", answer)
"""
CALL_LINE = 1  # 0-based line of `is_sarcastic(review)`, where the test hovers
MOOD = "weary"
ANSWER_LINE = "answer = (True, 4, 'weary')"  # how the finish message gives the program's answer


class ScriptedLM:
    """The LM's answers by what a request asks about, and when (wall clock) each request came."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []

    def __call__(self, body: Any) -> Any:
        self.arrivals.append(time.time())
        messages = body.get("messages", []) if isinstance(body, dict) else []
        asked = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
        if "is_sarcastic" in asked:
            return {"value": True}
        if "describe_mood" in asked:
            return {"value": MOOD}
        return {"n": 4}

    def replied_during_run(self, reply_time: float) -> bool:
        """Whether a reply at `reply_time` came while the run still had emulations to ask for:
        before the third LM request, which comes two 4 s answers after the first."""
        return len(self.arrivals) >= 3 and reply_time < self.arrivals[2]


def require(program: str, install: str) -> str:
    """The path of `program`, or a failure naming it and the step that installs it."""
    found = shutil.which(program, path=editor_path())
    if found is None:
        raise AssertionError(f"{program} is not installed (not on PATH nor in {Path(sys.executable).parent}): {install}")
    return found


def editor_path() -> str:
    """PATH with this Python's scripts first: `coc` (and the venv's nvim) as a user has them."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def editor_env(home: Path, backend_env: dict[str, str], transcript: Path) -> dict[str, str]:
    """The editor's environment: a private home and caches (no user config, no LM cache from
    earlier runs), the scripted LM's address and key, and where the driver writes its transcript."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OPENAI_", "XDG_", "COC_"))}
    env.update(backend_env)
    env.update(
        PATH=editor_path(),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        COC_TRANSCRIPT=str(transcript),
    )
    return env


@dataclass
class Workspace:
    """A folder holding the program, the editor's configuration file, its environment (see
    editor_env, plus COC_PROGRAM and COC_HOVER_LINE for the driver) and the slow scripted LM."""

    folder: Path
    config: Path
    env: dict[str, str]
    transcript: Path
    lm: ScriptedLM


def workspace(tmp_path: Path, scripted_openai: Any, config_name: str, config_text: str) -> Workspace:
    lm = ScriptedLM()
    scripted_openai.script(lm)
    scripted_openai.delay = EMULATION_S
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / PROGRAM_NAME).write_text(PROGRAM, encoding="utf-8")
    config = tmp_path / config_name
    config.write_text(config_text, encoding="utf-8")
    transcript = tmp_path / "transcript.txt"
    env = editor_env(tmp_path / "home", scripted_openai.env(), transcript)
    env.update(COC_PROGRAM=PROGRAM_NAME, COC_HOVER_LINE=str(CALL_LINE))
    return Workspace(folder, config, env, transcript, lm)


@dataclass
class EditorRun:
    """What an editor session left: its exit status, output, and the driver's transcript."""

    name: str
    returncode: int | None
    stdout: str
    stderr: str
    transcript: str
    seconds: float

    def text(self) -> str:
        return (
            f"== {self.name}: exit status {self.returncode}, {self.seconds:.1f} s\n"
            f"== transcript (what the editor saw)\n{self.transcript}\n"
            f"== stdout\n{self.stdout}\n== stderr\n{self.stderr}\n"
        )


def run_editor(name: str, command: list[str], cwd: Path, env: dict[str, str], transcript: Path) -> EditorRun:
    """Run the editor to its end (its driver quits it), killed at EDITOR_TIME_LIMIT_S."""
    start = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=EDITOR_TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        stdout, stderr = process.communicate()
        stderr += f"\n[test] killed after {EDITOR_TIME_LIMIT_S:.0f} s\n"
    seen = transcript.read_text(encoding="utf-8", errors="replace") if transcript.exists() else "(no transcript)"
    return EditorRun(name, process.returncode, stdout, stderr, seen, time.monotonic() - start)


def result_of(run: EditorRun) -> dict[str, Any]:
    """The driver's last line, "RESULT {json}": what it saw, for the test to check."""
    if run.returncode != 0 or "\nRESULT {" not in "\n" + run.transcript:
        raise AssertionError(f"{run.name} did not finish its steps (exit status {run.returncode})")
    return json.loads(run.transcript.rsplit("RESULT ", 1)[1])


@contextmanager
def transcript_on_failure(run: EditorRun, requests: list[Any]) -> Iterator[None]:
    """On any failure inside, write the run's transcript (and the LM requests the scripted server
    received) to test-artifacts/editors/NAME-transcript.txt and name that path in the failure."""
    path = ARTIFACTS / f"{run.name}-transcript.txt"
    path.unlink(missing_ok=True)
    try:
        yield
    except Exception as failure:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        lines = [f"{r.method} {r.path} {str(r.user_message)[:200]!r}" for r in requests]
        path.write_text(run.text() + "== LM requests received\n" + "\n".join(lines) + "\n", encoding="utf-8")
        raise AssertionError(f"{failure!r}\nwhat {run.name} saw: {path}") from None


def servers_left(work: Workspace, wait_s: float = 20.0) -> list[int]:
    """The `coc lsp` processes the editor started (their HOME is the workspace's) that are still
    alive `wait_s` after it quit: a server must end with its client."""
    home = f"HOME={work.env['HOME']}".encode()

    def alive() -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
                environment = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
                state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if b"lsp" in command and home in environment and state != b"Z":
                found.append(int(entry))
        return found

    deadline = time.monotonic() + wait_s
    while (left := alive()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
