"""Progress of a bench run: a bar redrawn in place on a terminal, one plain line per item otherwise."""

from __future__ import annotations

import threading
import time
from typing import Any, TextIO

BAR_WIDTH = 24


class Progress:
    def __init__(self, total: int, done: int, correct: int, stream: TextIO, tty: bool | None = None) -> None:
        self.total = total
        self.done = done  # including the items recorded by earlier runs
        self.correct = correct
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self._started = time.monotonic()
        self._fresh = 0  # items finished by this run: the rate counts only these
        self._lock = threading.Lock()

    def update(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.done += 1
            self._fresh += 1
            self.correct += bool(record.get("correct"))
            line = self.line()
            if self.tty:
                self.stream.write(f"\r{line}\x1b[K")
            else:
                mark = "right" if record.get("correct") else "wrong"
                self.stream.write(f"coc bench: {line} | {record['key']}: {mark}\n")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = self._fresh / elapsed
        left = self.total - self.done
        eta = _clock(left / rate) if rate > 0 else "?"
        accuracy = f"{100 * self.correct / self.done:.1f}%" if self.done else "-"
        share = self.done / self.total if self.total else 1.0
        bar = "#" * round(share * BAR_WIDTH)
        head = f"[{bar:<{BAR_WIDTH}}] " if self.tty else ""
        return f"{head}{self.done}/{self.total} | accuracy {accuracy} | {rate:.2f} q/s | ETA {eta}"

    def close(self) -> None:
        if self.tty and self._fresh:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
