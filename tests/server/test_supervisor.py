"""The run supervisor dies as its command died, also of SIGKILL (which takes no handler)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def supervise(code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "coc_lsp.server.supervisor", "--parent", str(os.getpid()), "--", sys.executable, "-c", code]
    # stdin is the supervisor's lifeline from the server: held open until the supervisor has ended
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        stderr = process.stderr.read()
        process.wait(timeout=60)
        return subprocess.CompletedProcess(command, process.returncode, "", stderr)


def test_a_command_killed_by_sigkill():
    done = supervise("import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    assert done.returncode == -signal.SIGKILL
    assert "Traceback" not in done.stderr


def test_a_command_killed_by_sigterm_and_one_that_exits():
    assert supervise("import os, signal; os.kill(os.getpid(), signal.SIGTERM)").returncode == -signal.SIGTERM
    assert supervise("raise SystemExit(3)").returncode == 3
