"""Recorded answers: emulation answers kept in a file, used before the cache and the LM.

`coc run --record FILE` writes one from a run; `coc run --answers FILE` answers from it; the
editor's "Pin this answer" / "Edit emulated value…" write `PROGRAM.coc.answers.json` beside the
program; the exemplars of `coc solve` carry theirs. One format, this one:

    {"coc_answers": 1,
     "answers": [{"scope": "count", "source": "is_sarcastic(s)", "sees": {"args": ["'Oh great.'"]},
                  "value": "True", "pinned": false}]}

An entry is found by the site's source text and enclosing function (`scope`), not its line, so it
survives edits elsewhere in the program, and by what the site sees: a call's arguments, or the
variables an expression or line refers to (and the current values of what it changes), each as a
stable repr. `value` is the answer as a Python literal (read with ast.literal_eval, never eval).
"""

from __future__ import annotations

import ast
import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coc_lsp.lm.errors import ConfigError
from coc_lsp.lm.reprs import stable_repr
from coc_lsp.lm.request import EmulationRequest

FORMAT_VERSION = 1
SEES_VALUE_LIMIT = 2_000
ANSWERS_SUFFIX = ".answers.json"


def answers_path(program: str | os.PathLike[str]) -> Path:
    """The answers file the editor keeps beside a program: `prog.coc.py` -> `prog.coc.answers.json`."""
    path = Path(program)
    return path.with_name(path.name.removesuffix(".py") + ANSWERS_SUFFIX)


def sees(request: EmulationRequest) -> dict[str, Any]:
    """What a site sees when it is asked, as stable reprs: a call's arguments, or the variables
    an expression or line refers to and the current values of what it changes."""
    from coc_lsp.lm.prompts import referenced_state  # not at start-up: prompts pulls in types

    if request.kind == "call":
        return {
            "args": [stable_repr(arg, SEES_VALUE_LIMIT) for arg in request.args],
            "kwargs": {name: stable_repr(value, SEES_VALUE_LIMIT) for name, value in request.kwargs.items()},
        }
    shown = {name: stable_repr(value, SEES_VALUE_LIMIT) for name, value in referenced_state(request).items()}
    shown.update({name: stable_repr(value, SEES_VALUE_LIMIT) for name, value in request.current.items()})
    return shown


@dataclass
class Entry:
    scope: str
    source: str
    sees: dict[str, Any]
    value: str  # a Python literal
    pinned: bool = False
    function: str | None = None  # for calls through a module that is not installed
    line: int | None = None  # where it was recorded: informative only

    def key(self) -> tuple[str, str, str]:
        return (self.scope, self.source, json.dumps(self.sees, sort_keys=True, ensure_ascii=False))

    def to_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"scope": self.scope, "source": self.source, "sees": self.sees, "value": self.value}
        if self.pinned:
            record["pinned"] = True
        if self.function:
            record["function"] = self.function
        if self.line is not None:
            record["line"] = self.line
        return record


def _new_file_mode() -> int:
    """The mode open() gives a new file: 0666 less the process's umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def request_key(request: EmulationRequest) -> tuple[str, str, str]:
    source = request.function if request.kind == "call" and request.function and "." in request.function else request.source
    return (request.scope, source, json.dumps(sees(request), sort_keys=True, ensure_ascii=False))


def literal_text(value: Any) -> str | None:
    """`value` as the Python literal an answers file keeps; None when its repr is not one."""
    text = repr(value)
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return text


@dataclass
class RecordedAnswers:
    """Answers by site and what it sees. `path` is where `save()` writes (None: in memory only)."""

    path: Path | None = None
    entries: dict[tuple[str, str, str], Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike[str], missing_ok: bool = False) -> RecordedAnswers:
        """The answers in `path`; ConfigError naming the file and what is wrong with it."""
        path = Path(path)
        if path.exists() and not path.is_file():  # reading a pipe would wait for a writer forever
            raise ConfigError(f"{path}: not a regular file (a directory, pipe or device); an answers file is a JSON file.")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if missing_ok:
                return cls(path)
            raise ConfigError(f"{path}: no such answers file.") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot be read: {error}.") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{path}:{error.lineno}: not JSON: {error.msg}.") from None
        except (ValueError, RecursionError) as error:  # a number of more than 4300 digits; nesting
            cause = "nested too deeply" if isinstance(error, RecursionError) else str(error)
            raise ConfigError(f"{path}: cannot be read as JSON: {cause}.") from None
        return cls.from_json(data, path)

    @classmethod
    def from_json(cls, data: Any, path: Path | None = None) -> RecordedAnswers:
        where = str(path) if path else "answers"
        if not isinstance(data, dict) or data.get("coc_answers") != FORMAT_VERSION or not isinstance(data.get("answers"), list):
            raise ConfigError(
                f"{where}: not a recorded answers file (expected {{\"coc_answers\": {FORMAT_VERSION}, \"answers\": [...]}})."
            )
        recorded = cls(path)
        for index, item in enumerate(data["answers"]):
            recorded.add(entry_from_json(item, f"{where}: answer {index + 1}"))
        return recorded

    def to_json(self) -> dict[str, Any]:
        return {"coc_answers": FORMAT_VERSION, "answers": [entry.to_json() for entry in self.entries.values()]}

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: Entry) -> None:
        self.entries[entry.key()] = entry

    def lookup(self, request: EmulationRequest) -> Entry | None:
        return self.entries.get(request_key(request))

    def value_of(self, entry: Entry) -> Any:
        return ast.literal_eval(entry.value)

    def record(self, request: EmulationRequest, value: Any, pinned: bool = False) -> Entry | None:
        """Keep `value` as the answer for `request`; None when it is not a literal (not kept)."""
        text = literal_text(value)
        if text is None:
            return None
        scope, source, _ = request_key(request)
        entry = Entry(scope, source, sees(request), text, pinned, request.function, request.lineno)
        self.add(entry)
        return entry

    def remove(self, key: tuple[str, str, str]) -> bool:
        return self.entries.pop(key, None) is not None

    def save(self) -> None:
        """Write the file atomically (a reader never sees half of it); a symlink's target is
        written, the link kept. ConfigError naming the file when it cannot be written."""
        if self.path is None:
            return
        import tempfile

        path = self.path.resolve() if self.path.is_symlink() else self.path
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        try:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory")
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _new_file_mode()
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            os.chmod(temporary, mode)  # mkstemp's 0600 would replace the file's own mode
        except OSError as error:
            raise ConfigError(f"{self.path}: cannot be written: {error.strerror or error}.") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException as error:
            Path(temporary).unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise ConfigError(f"{self.path}: cannot be written: {error.strerror or error}.") from None
            raise


def entry_from_json(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected an object.")
    for name, kind in (("scope", str), ("source", str), ("sees", dict), ("value", str)):
        if not isinstance(item.get(name), kind):
            raise ConfigError(f"{where}: `{name}` must be a {kind.__name__}.")
    try:
        ast.literal_eval(item["value"])
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ConfigError(f"{where}: `value` must be a Python literal, not {item['value'][:80]!r}.") from None
    line = item.get("line")
    function = item.get("function")
    return Entry(
        item["scope"],
        item["source"],
        item["sees"],
        item["value"],
        item.get("pinned") is True,
        function if isinstance(function, str) else None,
        line if isinstance(line, int) and not isinstance(line, bool) else None,
    )
