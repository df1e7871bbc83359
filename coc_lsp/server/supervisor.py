"""The supervisor every run of the language server starts under: a run never outlives its limit,
its program or the server.

    python -m coc_lsp.server.supervisor --parent PID [--remove DIR] -- COMMAND...

The server starts this module (stdlib only, single-threaded, nothing of the project but
lifetime.py) instead of `coc run` itself. It
starts COMMAND in a process group of its own and, when any of these happens, kills COMMAND and
every process COMMAND started, then exits:

- COMMAND ends (the program finished or crashed): processes it left behind must not keep the
  run, and the pipe the server reads its trace from, open;
- SIGTERM, SIGINT or SIGHUP: how the server stops a run (cancel, timeout, a new run, didClose,
  shutdown, exit, end of its input);
- the server is gone: on Linux the kernel sends SIGTERM when the server dies, even by SIGKILL
  (PR_SET_PDEATHSIG); everywhere, stdin is a pipe from the server that reaches end of file when
  the server's end closes (the server never writes to it).

Finding "every process COMMAND started" without cgroups: on Linux the supervisor is a child
subreaper (PR_SET_CHILD_SUBREAPER), so a descendant whose parent dies is re-parented to the
supervisor instead of to init, also after setsid() or a double fork; the supervisor kills every
process whose parent chain in /proc leads to it, until none is left. COMMAND itself gets
PR_SET_PDEATHSIG(SIGKILL) in case the supervisor is killed. Elsewhere, the process group of
COMMAND is killed: processes that left it are not tracked there.

`--remove DIR` removes DIR (the private copy of an unsaved buffer) when the run is over.
The exit status is COMMAND's; when COMMAND died of a signal, the supervisor dies of the same one.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time

from coc_lsp.server.lifetime import PRCTL, become_subreaper, die_with_parent

POLL_S = 0.05
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Supervisor:
    def __init__(self, command: list[str], remove: str | None) -> None:
        self.command = command
        self.remove = remove
        self.stop_signal: int | None = None
        self.child: subprocess.Popen[bytes] | None = None
        self.status: int | None = None  # os.waitpid status of COMMAND
        self.tracking = PRCTL is not None and os.path.isdir("/proc") and become_subreaper()

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._stop)
        me = os.getpid()
        try:
            self.child = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                preexec_fn=lambda: _child_setup(me),  # noqa: PLW1509 - this process has no threads
            )
        except OSError as error:
            print(f"coc: cannot start the run: {error}", file=sys.stderr)
            self._clean_up()
            return 127
        try:
            self._wait()
        finally:
            self.kill_all()
            self._clean_up()
        return self._exit_code()

    def _stop(self, signum: int, _frame: object) -> None:
        self.stop_signal = signum

    def _wait(self) -> None:
        """Until COMMAND ends, a stop signal arrives or the server's pipe (stdin) closes."""
        while self.stop_signal is None:
            self._reap()
            if self.status is not None:
                return
            try:
                readable, _, _ = select.select([0], [], [], POLL_S)
                if readable and not os.read(0, 4096):
                    return  # the server is gone
            except OSError:
                return  # no pipe to watch: treat it as closed

    def _reap(self) -> None:
        """Collect exited children (COMMAND, and orphans re-parented here)."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if self.child is not None and pid == self.child.pid:
                self.status = status
                self.child.returncode = os.waitstatus_to_exitcode(status)

    def kill_all(self) -> None:
        """Kill COMMAND and everything it started."""
        if self.child is None:
            return
        if not self.tracking:
            with contextlib.suppress(OSError):
                os.killpg(self.child.pid, signal.SIGKILL)
            if self.status is None:
                self.status = _wait_status(self.child.pid)
            return
        for _ in range(200):  # each round kills what the previous one missed (a fork in between)
            found = descendants(os.getpid())
            if not found:
                break
            for pid in found:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)
            self._reap()
        if self.status is None:
            self.status = _wait_status(self.child.pid)
        self._reap()

    def _clean_up(self) -> None:
        if self.remove:
            shutil.rmtree(self.remove, ignore_errors=True)

    def _exit_code(self) -> int:
        status = self.status
        if status is None:
            return 1
        if os.WIFSIGNALED(status):
            signum = os.WTERMSIG(status)
            if self.stop_signal is None:  # die as COMMAND died, so the server sees the same
                with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP take no handler
                    signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            return 128 + signum
        return os.waitstatus_to_exitcode(status)


def _child_setup(supervisor: int) -> None:
    os.setpgid(0, 0)
    die_with_parent(signal.SIGKILL, supervisor)


def _wait_status(pid: int) -> int | None:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def descendants(root: int) -> list[int]:
    """Live processes whose parent chain leads to `root` (from /proc; zombies left out)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and fields[0] != b"Z":
            parents[int(entry)] = int(fields[1])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coc_lsp.server.supervisor")
    parser.add_argument("--parent", type=int, required=True, help="the server's pid")
    parser.add_argument("--remove", help="a directory to remove when the run is over")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    die_with_parent(signal.SIGTERM, args.parent)
    return Supervisor(command, args.remove).run()


if __name__ == "__main__":
    sys.exit(main())
