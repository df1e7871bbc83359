"""A bench run's folder: `run.json` (the settings its results depend on) and `results.jsonl` (one
line per finished question and method), which a stopped run resumes from.

Each line is written whole with one `write` on an O_APPEND descriptor and fsync'ed, under a lock:
a kill leaves at most a last line cut short, which loading drops (and truncates away) so that the
question is simply done again. Reports read these files, never the runner.
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESULTS = "results.jsonl"
SETTINGS = "run.json"
# Settings that change answers: a run may not resume with different ones.
FIXED_SETTINGS = ("backend", "shots", "cross_task")


class ResultsError(Exception):
    """The folder holds a run with other settings, or a file that cannot be read."""


def item_key(task: str, index: int, method: str) -> str:
    return f"{task}/{index}/{method}"


class Results:
    """The records of one run folder, loaded once; `append` adds one durably (thread-safe)."""

    def __init__(self, folder: Path, settings: dict[str, Any]) -> None:
        self.folder = folder
        self.path = folder / RESULTS
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._closed = False
        folder.mkdir(parents=True, exist_ok=True)
        self._check_settings(settings)
        self.records = {record["key"]: record for record in load_records(folder, repair=True)}
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def done(self, key: str) -> bool:
        return key in self.records

    def append(self, record: dict[str, Any]) -> bool:
        """Write `record` as one line; False once closed (an interrupted run writes no more)."""
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            if self._closed:
                return False
            os.write(self._fd, line)
            os.fsync(self._fd)
            self.records[record["key"]] = record
            return True

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._fd)

    def _check_settings(self, settings: dict[str, Any]) -> None:
        path = self.folder / SETTINGS
        if path.exists():
            saved = read_settings(self.folder)
            changed = [name for name in FIXED_SETTINGS if saved.get(name) != settings.get(name)]
            if changed and (self.folder / RESULTS).exists():
                described = "; ".join(f"{name}: {saved.get(name)!r} there, {settings.get(name)!r} now" for name in changed)
                raise ResultsError(
                    f"{self.folder} holds results of a run with other settings ({described}); resume it with the"
                    " same settings or choose another --out."
                )
            settings = {**saved, **settings, "methods": sorted({*saved.get("methods", []), *settings.get("methods", [])}),
                        "tasks": sorted({*saved.get("tasks", []), *settings.get("tasks", [])})}  # fmt: skip
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)


def read_settings(folder: Path) -> dict[str, Any]:
    path = folder / SETTINGS
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file; is {folder} the --out folder of a `coc bench bbh` run?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsError(f"{path}: cannot be read: {error}.") from None
    if not isinstance(settings, dict):
        raise ResultsError(f"{path}: expected a JSON object.")
    return settings


def load_records(folder: Path, *, repair: bool = False) -> Iterator[dict[str, Any]]:
    """The records of `results.jsonl`. A last line without its newline (a run killed while writing
    it) is dropped, and with `repair` cut from the file; any other bad line is a ResultsError."""
    path = folder / RESULTS
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as error:
        raise ResultsError(f"{path}: cannot be read: {error}.") from None
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) < len(data):
        warnings.warn(f"{path}: dropped a last line cut short (the run was stopped while writing it).", stacklevel=2)
        if repair:
            with path.open("r+b") as stream:
                stream.truncate(len(complete))
    for number, line in enumerate(complete.decode("utf-8", "replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ResultsError(f"{path}: line {number}: not valid JSON: {error.msg}.") from None
        if not isinstance(record, dict) or not isinstance(record.get("key"), str):
            raise ResultsError(f"{path}: line {number}: expected a result record with a 'key'.")
        yield record
