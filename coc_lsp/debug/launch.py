"""A `coc` launch request -> debugpy's launch of `python -m coc_lsp run PROGRAM --trace ...`.

Runs in the adapter process. Pure apart from reading the program (to check that it parses) and
creating the trace directory. Bad arguments raise `LaunchError`, whose message the proxy returns in
a failed `launch` response.

Launch attributes (ATTRIBUTES, checked by type before anything else): `program` (required), `args`,
`cwd`, `env`, the options of `coc run` (`mode`, `backend`, `model`, `baseUrl`, `modelPath`,
`cacheDir`, `noCache`, `timeout`, `prefetch`), `stopOnEmulation` (which also turns prefetching
off: each emulation pauses in turn), `justMyCode`, and debugpy's own `name`,
`python`, `noDebug`, `logToFile`, which go on to it. Unknown attributes are ignored; null is unset.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coc_lsp.program.parse import read_program, tolerant_parse
from coc_lsp.runtime.executor import MODES
from coc_lsp.runtime.trace import default_trace_path

# The installed package (editable installs too: it is not in site-packages): its frames are the
# executor's, never the user's, so debugpy's `rules` leave them out of stacks and stepping.
PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)

# launch attribute -> `coc run` option taking a value
_VALUE_OPTIONS = {
    "mode": "--mode",
    "backend": "--backend",
    "model": "--model",
    "baseUrl": "--base-url",
    "modelPath": "--model-path",
    "cacheDir": "--cache-dir",
    "timeout": "--timeout",
}


class LaunchError(Exception):
    """The launch request cannot start a run; the message says why, naming the bad value."""


@dataclass(frozen=True)
class Attribute:
    expected: str  # what the error message says the value must be
    valid: Callable[[Any], bool]


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _environment(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) or v is None for v in value.values())


def _seconds(value: Any) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value) and value > 0


STRING = Attribute("a string", _string)
BOOLEAN = Attribute("true or false", _boolean)
ATTRIBUTES: dict[str, Attribute] = {
    "program": Attribute("a string (the path of a .coc.py file)", _string),
    "args": Attribute("a list of strings", _strings),
    "cwd": Attribute("a string (a directory)", _string),
    "env": Attribute("an object whose values are strings", _environment),
    "mode": Attribute(f"one of {', '.join(map(json.dumps, MODES))}", lambda value: value in MODES),
    "backend": Attribute('a string ("openai", "embedded" or "MODULE:FACTORY")', _string),
    "model": STRING,
    "baseUrl": STRING,
    "modelPath": STRING,
    "cacheDir": STRING,
    "noCache": BOOLEAN,
    "timeout": Attribute("a number of seconds greater than 0", _seconds),
    "stopOnEmulation": BOOLEAN,
    "prefetch": BOOLEAN,
    "justMyCode": BOOLEAN,
    "name": STRING,
    "python": Attribute("a string (the path of a Python interpreter)", _string),
    "noDebug": BOOLEAN,
    "logToFile": BOOLEAN,
}


def check_types(arguments: dict[str, Any]) -> None:
    """Raise LaunchError for the first attribute of ATTRIBUTES whose value has the wrong type."""
    for name, attribute in ATTRIBUTES.items():
        value = arguments.get(name)
        if value is not None and not attribute.valid(value):
            shown = json.dumps(value)
            if len(shown) > 60:
                shown = shown[:59] + "…"
            raise LaunchError(f'Invalid launch attribute "{name}": expected {attribute.expected}, got {shown}.')


@dataclass
class Launch:
    program: Path  # absolute
    trace_path: Path
    stop_on_emulation: bool
    debugpy_arguments: dict[str, Any]


def translate(arguments: dict[str, Any]) -> Launch:
    check_types(arguments)
    program = _program(arguments)
    options = _run_options(arguments)
    cache_dir = arguments.get("cacheDir")
    trace_path = default_trace_path(program, str(cache_dir) if cache_dir else None)
    try:
        trace_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LaunchError(f"Cannot create the trace directory {trace_path.parent}: {error.strerror}.") from None
    stop_on_emulation = arguments.get("stopOnEmulation") is True
    program_args = arguments.get("args") or []
    run_args = ["run", "--trace", str(trace_path), "--quiet", *options]
    if stop_on_emulation:
        run_args.append("--stop-on-emulation")
    run_args.append(str(program))
    if program_args:
        run_args += ["--", *program_args]
    cwd = arguments.get("cwd") or str(program.parent)
    if not Path(cwd).is_dir():
        raise LaunchError(f"The working directory {cwd!r} (launch attribute 'cwd') does not exist.")
    env = arguments.get("env") or {}
    rules: list[dict[str, Any]] = [{"path": PACKAGE_DIR, "include": False}]
    backend = arguments.get("backend")
    if isinstance(backend, str) and ":" in backend:
        # A custom backend runs inside the program's process: stepping into a line the LM
        # emulates must not land in the backend's code.
        rules.append({"module": backend.partition(":")[0].strip(), "include": False})
    debugpy_arguments: dict[str, Any] = {
        "type": "python",
        "request": "launch",
        "name": arguments.get("name", "coc"),
        "module": "coc_lsp",
        "args": run_args,
        "python": [arguments.get("python") or sys.executable],
        "cwd": cwd,
        "env": {k: ("" if v is None else str(v)) for k, v in env.items()},
        "console": "internalConsole",
        "redirectOutput": True,
        "justMyCode": arguments.get("justMyCode") is not False,
        "rules": rules,
        "showReturnValue": True,
        "subProcess": False,
    }
    for passthrough in ("__sessionId", "noDebug", "logToFile"):
        if passthrough in arguments:
            debugpy_arguments[passthrough] = arguments[passthrough]
    return Launch(program, trace_path, stop_on_emulation, debugpy_arguments)


def _program(arguments: dict[str, Any]) -> Path:
    value = arguments.get("program")
    if not value or not isinstance(value, str):
        raise LaunchError("The launch attribute 'program' is required: the path of a .coc.py file.")
    base = arguments.get("cwd") or os.getcwd()
    path = Path(base, os.path.expanduser(value)).resolve()
    if not path.is_file():
        raise LaunchError(f"{path}: no such file (launch attribute 'program').")
    if not path.name.endswith(".py"):
        raise LaunchError(f"{path}: not a hybrid program; expected a .coc.py (or .py) file.")
    try:
        source = read_program(path)
    except OSError as error:
        raise LaunchError(f"{path}: cannot be read: {error.strerror or error}.") from None
    except SyntaxError as error:  # not UTF-8, a NUL
        raise LaunchError(f"{path}:{error.lineno}: cannot be run: {error.msg}.") from None
    try:
        tolerant_parse(source, str(path))
    except SyntaxError as error:
        raise LaunchError(
            f"{path}:{error.lineno}: not a hybrid program: SyntaxError: {error.msg}"
            " (a line that is neither Python nor pseudo-code)."
        ) from None
    return path


def _run_options(arguments: dict[str, Any]) -> list[str]:
    options: list[str] = []
    for attribute, flag in _VALUE_OPTIONS.items():
        value = arguments.get(attribute)
        if value is None or value == "":
            continue
        options.append(f"{flag}={value}")  # one argument: a value may start with "-"
    if arguments.get("noCache") is True:
        options.append("--no-cache")
    if arguments.get("prefetch") is False:
        options.append("--no-prefetch")
    return options
