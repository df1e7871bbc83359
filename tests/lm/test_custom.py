"""Custom backends: --backend MODULE:FACTORY, and every way loading one can fail."""

from __future__ import annotations

import sys
import uuid

import pytest

from coc_lsp.lm.custom import load_backend
from coc_lsp.lm.errors import BackendError


@pytest.fixture
def module_dir(tmp_path, monkeypatch):
    """Write a module into an importable directory; returns write(source) -> module name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def write(source: str) -> str:
        name = f"custom_backend_{uuid.uuid4().hex[:8]}"
        (tmp_path / f"{name}.py").write_text(source)
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


def test_loads_a_working_backend(module_dir) -> None:
    name = module_dir(
        "class Echo:\n"
        "    def emulate(self, request):\n"
        "        return request.source\n"
        "def make():\n"
        "    return Echo()\n"
    )
    backend = load_backend(f"{name}:make")
    assert type(backend).__name__ == "Echo"


@pytest.mark.parametrize(
    ("source", "factory", "message"),
    [
        (None, "make", "--backend {spec}: module '{name}' not found."),
        (
            "import not_installed_dependency_xyz\n",
            "make",
            "--backend {spec}: importing module '{name}' failed:"
            " module 'not_installed_dependency_xyz' not found.",
        ),
        (
            "raise RuntimeError('bad setup')\n",
            "make",
            "--backend {spec}: importing module '{name}' failed: RuntimeError: bad setup",
        ),
        ("x = 1\n", "make", "--backend {spec}: module '{name}' has no attribute 'make'."),
        ("make = 42\n", "make", "--backend {spec}: 'make' is not callable (42)."),
        (
            "def make():\n    raise ValueError('no model')\n",
            "make",
            "--backend {spec}: calling make() failed: ValueError: no model",
        ),
        (
            "def make():\n    return 'a string'\n",
            "make",
            "--backend {spec}: make() returned 'a string', which has no emulate(request) method.",
        ),
    ],
)
def test_loading_errors_are_backend_errors(module_dir, source, factory, message) -> None:
    name = module_dir(source) if source is not None else f"missing_{uuid.uuid4().hex[:8]}"
    spec = f"{name}:{factory}"
    with pytest.raises(BackendError) as caught:
        load_backend(spec)
    assert str(caught.value) == message.format(spec=spec, name=name)


@pytest.mark.parametrize("spec", ["nocolon", ":make", "mod:"])
def test_malformed_spec(spec) -> None:
    with pytest.raises(BackendError, match="expected MODULE:FACTORY"):
        load_backend(spec)
