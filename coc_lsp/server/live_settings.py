"""The live-run settings (`coc.liveRun`, `coc.liveRunDelayMs`; live.py says what they do)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MODES = ("off", "onSave", "onType")
DEFAULT_MODE = "off"
DEFAULT_DELAY_MS = 400


@dataclass(frozen=True)
class LiveSettings:
    mode: str = DEFAULT_MODE
    delay_s: float = DEFAULT_DELAY_MS / 1000

    @classmethod
    def from_section(cls, section: Any) -> LiveSettings:
        """From the client's `coc` object: `liveRun`, `liveRunDelayMs`; bad values: defaults."""
        if not isinstance(section, dict):
            return cls()
        mode = section.get("liveRun")
        delay = section.get("liveRunDelayMs")
        valid_delay = isinstance(delay, (int, float)) and not isinstance(delay, bool) and 0 <= delay <= 10_000
        return cls(
            mode=mode if mode in MODES else DEFAULT_MODE,
            delay_s=delay / 1000 if valid_delay else DEFAULT_DELAY_MS / 1000,
        )
