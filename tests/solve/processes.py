"""Processes a sandboxed program may have left behind."""

from __future__ import annotations

import os
from pathlib import Path


def alive(marker: str) -> list[int]:
    """Processes (not zombies) whose command line holds `marker`."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
                state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if marker.encode() in command and state != b"Z":
                pids.append(int(entry))
    return pids
