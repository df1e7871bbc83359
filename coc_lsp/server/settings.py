"""The `coc` settings section (workspace/configuration) and the `coc run` options they become.

API keys are not settings: the run inherits the server's environment (OPENAI_API_KEY, ...), and
nothing here is ever logged with a key in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coc_lsp.runtime.executor import MODES
from coc_lsp.server.live_settings import LiveSettings

DEFAULT_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Settings:
    backend: str | None = None
    model: str | None = None
    base_url: str | None = None
    mode: str = "interweave"
    cache_dir: str | None = None
    no_cache: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    python_values: bool = False
    prefetch: bool = True  # coc.prefetch: ask a loop's semantic calls ahead, concurrently
    live: LiveSettings = LiveSettings()

    @classmethod
    def from_section(cls, section: Any) -> Settings:
        """Settings from the client's `coc` object; unknown or ill-typed values fall back to defaults."""
        if not isinstance(section, dict):
            return cls()
        hints = section.get("inlayHints")
        python_values = hints.get("pythonValues") if isinstance(hints, dict) else section.get("inlayHints.pythonValues")
        mode = section.get("mode")
        timeout = section.get("timeoutSeconds")
        return cls(
            backend=_text(section.get("backend")),
            model=_text(section.get("model")),
            base_url=_text(section.get("baseUrl")),
            mode=mode if mode in MODES else "interweave",
            cache_dir=_text(section.get("cacheDir")),
            no_cache=section.get("noCache") is True,
            timeout_s=float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else DEFAULT_TIMEOUT_S,
            python_values=python_values is True,
            prefetch=section.get("prefetch") is not False,
            live=LiveSettings.from_section(section),
        )

    def run_options(self) -> list[str]:
        """`coc run` options for these settings."""
        options = ["--mode", self.mode, *self.lm_options()]
        if self.python_values:
            options.append("--trace-values")
        if not self.prefetch:
            options.append("--no-prefetch")
        return options

    def lm_options(self) -> list[str]:
        """The LM backend options (`coc run` and `coc solve` share them) for these settings."""
        options: list[str] = []
        for flag, value in (
            ("--backend", self.backend),
            ("--model", self.model),
            ("--base-url", self.base_url),
            ("--cache-dir", self.cache_dir),
        ):
            if value:
                options += [flag, value]
        if self.no_cache:
            options.append("--no-cache")
        return options


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
