"""Custom backends: --backend MODULE:FACTORY, the adapter to the full Backend protocol, and every
way loading one can fail."""

from __future__ import annotations

import sys
import uuid

import pytest

from coc_lsp.lm.custom import CustomBackend, load_backend
from coc_lsp.lm.errors import BackendError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.openai_backend import OpenAIBackend
from coc_lsp.lm.request import Answer, Backend, EmulationRequest

REQUEST = EmulationRequest(kind="call", source="f(2)", lineno=1, function="f", args=(2,), returns="int")


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
    assert isinstance(backend, CustomBackend) and isinstance(backend, Backend)
    assert backend.identity == f"custom:{name}:make"
    assert backend.description == f"custom backend {name}:make"
    assert backend.uses_program is True  # it may read the program: the cache keys on it
    assert backend.max_in_flight == 1  # one request at a time unless it says more
    answer = backend.answer(REQUEST)
    assert (answer.value, answer.raw) == ("f(2)", "'f(2)'")


def test_optional_members_are_read_once_when_loaded(module_dir) -> None:
    name = module_dir(
        "from coc_lsp.lm.request import Answer\n"
        "class Full:\n"
        "    identity = 'mine-v2'\n"
        "    description = 'my rules engine'\n"
        "    uses_program = False\n"
        "    max_in_flight = 6\n"
        "    def emulate(self, request):\n"
        "        return 1\n"
        "    def answer(self, request):\n"
        "        return Answer(request.args[0] * 2, raw='doubled', prompt_tokens=5)\n"
        "def make():\n"
        "    return Full()\n"
    )
    backend = load_backend(f"{name}:make")
    assert (backend.identity, backend.description, backend.uses_program) == ("mine-v2", "my rules engine", False)
    assert backend.max_in_flight == 6 and LMulator(backend, None).max_in_flight == 6
    assert backend.answer(REQUEST) == Answer(4, raw="doubled", prompt_tokens=5)
    result = LMulator(backend, None).emulate(REQUEST)
    assert (result.value, result.raw, result.prompt_tokens) == (4, "doubled", 5)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("identity = 42", "identity must be a non-empty str, not 42."),
        ("description = ''", "description must be a non-empty str, not ''."),
        ("uses_program = 'no'", "uses_program must be True or False, not 'no'."),
        ("max_in_flight = 0", "max_in_flight must be an int from 1 to 256, not 0."),
        ("max_in_flight = True", "max_in_flight must be an int from 1 to 256, not True."),
        ("max_in_flight = 10**9", "max_in_flight must be an int from 1 to 256, not 1000000000."),  # a thread each
        ("answer = 'text'", "answer must be a method answer(request), not 'text'."),
        ("@property\n    def identity(self):\n        raise KeyError('k')", "reading identity failed: KeyError: 'k'"),
    ],
)
def test_optional_members_of_the_wrong_type_are_clear_errors(module_dir, member, message) -> None:
    name = module_dir(f"class B:\n    {member}\n    def emulate(self, request):\n        return 1\ndef make():\n    return B()\n")
    with pytest.raises(BackendError) as caught:
        load_backend(f"{name}:make")
    assert str(caught.value) == f"The backend {name}:make: {message}"


def test_an_answer_method_must_return_an_answer(module_dir) -> None:
    name = module_dir(
        "class B:\n    def emulate(self, request):\n        return 1\n"
        "    def answer(self, request):\n        return 1\ndef make():\n    return B()\n"
    )
    with pytest.raises(BackendError, match=r"returned 1 from answer\(\); expected a coc_lsp.lm.request.Answer"):
        LMulator(load_backend(f"{name}:make"), None).emulate(REQUEST)


def test_the_lmulator_adapts_a_plain_emulator_given_directly() -> None:
    class Plain:
        def emulate(self, request):
            return 3

    lmulator = LMulator(Plain(), None, "scripted")
    assert isinstance(lmulator.backend, CustomBackend)
    assert lmulator.identity == "scripted"
    assert LMulator(Plain(), None).identity == "custom:Plain"
    assert lmulator.emulate(REQUEST).value == 3
    with pytest.raises(BackendError, match="has no emulate"):
        LMulator(object(), None)  # type: ignore[arg-type]


def test_built_in_backends_implement_the_full_protocol() -> None:
    backend = OpenAIBackend(model="m", base_url="http://127.0.0.1:9/v1")
    assert isinstance(backend, Backend)
    assert LMulator(backend, None).backend is backend


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
