"""The file a run runs: the document's own file, or a private copy of an unsaved buffer.

A document whose text differs from its file on disk runs as a copy in a private temporary
directory (mode 0700, outside the user's folder, so nothing shows in `git status`), under the
document's own name. The run's working directory is the document's directory, which `python -m`
puts first on sys.path: imports of neighbouring modules work as for the saved file. The settings
of the document's folder (coc.toml, [tool.coc] in pyproject.toml) are read here for the document's
path and passed to `coc run` as options, lowest precedence first, so the copy runs with them.
Paths of the copy in trace events and messages are mapped back to the document's path.

Differences that remain for an unsaved buffer: the program's `__file__` is the copy's path.
The copy's directory is removed when the run ends, by the server and by the run's supervisor
(which also outlives a server that is killed).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from coc_lsp.lm.config import LMConfig, load_config
from coc_lsp.runtime.trace import Event, with_paths_replaced

# LMConfig field -> the `coc run` option that sets it.
_OPTIONS = {
    "backend": "--backend",
    "model": "--model",
    "base_url": "--base-url",
    "model_path": "--model-path",
    "cache_dir": "--cache-dir",
    "timeout": "--timeout",
    "mode": "--mode",
    "max_in_flight": "--max-in-flight",
}
_ENVIRONMENT_SOURCES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "command line")


@dataclass
class ProgramFile:
    path: Path  # what `coc run` runs
    document: Path
    directory: Path | None = None  # the copy's private directory; None when the document's file runs
    options: list[str] = field(default_factory=list)  # `coc run` options the copy needs

    @property
    def is_copy(self) -> bool:
        return self.directory is not None

    def text(self, text: str) -> str:
        """`text` with the copy's path replaced by the document's."""
        if not self.is_copy:
            return text
        for old in {str(self.path.resolve()), str(self.path)}:
            text = text.replace(old, str(self.document))
        return text

    def event(self, event: Event) -> Event:
        return with_paths_replaced(event, self.text) if self.is_copy else event

    def remove(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def program_file(document: Path, source: str) -> ProgramFile:
    """The file to run for `document` holding `source`. Raises lm.errors.ConfigError when the
    document's folder has a broken coc.toml or [tool.coc] (as `coc run` of the file would)."""
    return make_program_file(document, source, copy_options(document, source))


def copy_options(document: Path, source: str) -> list[str] | None:
    """None when `document`'s file holds `source` (the file itself runs); else the options a copy
    needs, its folder's settings. Reads the file, and for a copy the folder's settings (ConfigError)."""
    try:
        if document.is_file():  # opening a pipe would wait for a writer, and the server with it
            with open(document, encoding="utf-8", newline="") as stream:  # "\r\n" kept, as the buffer keeps it
                if stream.read() == source:
                    return None
    except (OSError, UnicodeDecodeError):
        pass
    return folder_options(load_config(document))


def make_program_file(document: Path, source: str, options: list[str] | None) -> ProgramFile:
    """The file to run, as `copy_options` said: the document's file, or a copy run with `options`."""
    if options is None:
        return ProgramFile(document, document)
    directory = Path(tempfile.mkdtemp(prefix="coc-lsp-buffer-"))
    copy = directory / document.name
    with open(copy, "w", encoding="utf-8", errors="surrogatepass", newline="") as stream:
        stream.write(source)
    return ProgramFile(copy, document, directory, options)


def folder_options(config: LMConfig) -> list[str]:
    """`coc run` options for the settings that came from configuration files (never the
    environment: the run inherits it, and API keys never go on a command line)."""
    options: list[str] = []
    for name, option in _OPTIONS.items():
        source = config.sources.get(name)
        value = getattr(config, name)
        if source is not None and source not in _ENVIRONMENT_SOURCES and value is not None:
            options += [option, str(value)]
    if config.no_cache and config.sources.get("no_cache") not in (None, *_ENVIRONMENT_SOURCES):
        options.append("--no-cache")
    return options
