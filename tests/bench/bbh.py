"""Where the bench tests find BIG-Bench Hard: ../shared/bbh beside the repository (as CI has it), or
$COC_BBH_DIR (a checkout of suzgunmirac/BIG-Bench-Hard); never vendored. Missing data fails."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

BBH = Path(os.environ.get("COC_BBH_DIR") or Path(__file__).resolve().parents[3] / "shared" / "bbh")


def bbh_dir() -> Path:
    if not (BBH / "bbh").is_dir():
        pytest.fail(f"BIG-Bench Hard data not found at {BBH} (expected bbh/ and cot-prompts/ there; or set COC_BBH_DIR)")
    return BBH


def examples(task: str) -> list[dict[str, str]]:
    return json.loads((bbh_dir() / "bbh" / f"{task}.json").read_text(encoding="utf-8"))["examples"]
