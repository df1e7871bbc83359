"""Fixtures for the debug adapter's end-to-end tests: a `coc dap` subprocess and launch arguments
for the programs under tests/debug/programs, answered by the scripted backend beside this file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.debug.dap_client import DAPClient

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"


@pytest.fixture
def dap() -> Iterator[DAPClient]:
    client = DAPClient()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def launch_arguments(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Launch arguments for a program in tests/debug/programs; keyword arguments override."""

    def make(name: str, **extra: Any) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "type": "coc",
            "request": "launch",
            "name": "test",
            "program": str(PROGRAMS / name),
            "backend": "scripted_backend:make",
            "cacheDir": str(tmp_path / "cache"),
            "noCache": True,
            "env": {"PYTHONPATH": str(HERE)},
        }
        arguments.update(extra)
        return arguments

    return make
