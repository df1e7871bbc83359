"""Settings: precedence CLI > coc.toml > pyproject [tool.coc] > environment; picking a backend."""

from __future__ import annotations

import sys

import pytest

from coc_lsp.lm import embedded
from coc_lsp.lm.config import LMConfig, choose_backend, load_config
from coc_lsp.lm.errors import BackendError, ConfigError
from coc_lsp.lm.openai_backend import OpenAIBackend
from coc_lsp.lm.request import EmulationRequest

ENV = {
    "OPENAI_API_KEY": "sk-env",
    "OPENAI_BASE_URL": "http://env.example/v1",
    "OPENAI_MODEL": "env-model",
}


@pytest.fixture
def project(tmp_path):
    """tmp_path/pyproject.toml with [tool.coc]; the program lives in tmp_path/pkg/sub/."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coc]\nmodel = "pyproject-model"\ntimeout = 12\nmodel_path = "models/tiny.gguf"\n'
    )
    program_dir = tmp_path / "pkg" / "sub"
    program_dir.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("[project]\nname = 'no-coc-table'\n")
    program = program_dir / "prog.coc.py"
    program.write_text("x = 1\n")
    return program


def test_environment_alone(tmp_path) -> None:
    config = load_config(tmp_path / "prog.coc.py", {}, ENV)
    assert (config.model, config.base_url, config.api_key) == (
        "env-model",
        "http://env.example/v1",
        "sk-env",
    )
    assert config.sources["api_key"] == "OPENAI_API_KEY"
    assert config.timeout == 60.0 and config.no_cache is False


def test_config_files_beat_environment_and_cli_beats_all(project, tmp_path) -> None:
    config = load_config(project, {}, ENV)
    assert config.model == "pyproject-model"
    assert config.timeout == 12.0
    assert config.model_path == str(tmp_path / "models" / "tiny.gguf")
    assert config.base_url == "http://env.example/v1"
    assert config.sources["model"] == str(tmp_path / "pyproject.toml")

    (project.parent / "coc.toml").write_text(
        'model = "coc-toml-model"\nno_cache = true\nmode = "strict"\n'
    )
    config = load_config(project, {}, ENV)
    assert (config.model, config.no_cache, config.mode, config.timeout) == (
        "coc-toml-model",
        True,
        "strict",
        12.0,
    )

    config = load_config(project, {"model": "cli-model", "timeout": "3.5", "base_url": None}, ENV)
    assert (config.model, config.timeout) == ("cli-model", 3.5)
    assert config.base_url == "http://env.example/v1"
    assert config.sources["model"] == "command line"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("timeout = 'soon'", "timeout must be a positive number of seconds, at most 86400, not 'soon' (from "),
        ("timeout = -1", "timeout must be a positive number of seconds, at most 86400, not -1 (from "),
        ("timeout = inf", "timeout must be a positive number of seconds, at most 86400, not inf (from "),
        ("timeout = nan", "timeout must be a positive number of seconds, at most 86400, not nan (from "),
        ("no_cache = 'yes'", "no_cache must be true or false, not 'yes' (from "),
        ("max_in_flight = 0", "max_in_flight must be a whole number from 1 to 256, not 0 (from "),
        ("max_in_flight = 2.5", "max_in_flight must be a whole number from 1 to 256, not 2.5 (from "),
        # one thread each: a typo must not start a hundred thousand threads
        ("max_in_flight = 100000", "max_in_flight must be a whole number from 1 to 256, not 100000 (from "),
        (
            "base_url = 'localhost:8000'",
            "base_url must start with http:// or https://, not 'localhost:8000' (from ",
        ),
        ("model = 3", "model must be a non-empty string, not 3 (from "),
        ("model = ", "Cannot read "),
    ],
)
def test_bad_values_are_config_errors(tmp_path, toml, message) -> None:
    (tmp_path / "coc.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "p.coc.py", {}, {})
    assert str(caught.value).startswith(message)
    assert str(tmp_path / "coc.toml") in str(caught.value)


@pytest.mark.parametrize("name", ["coc.toml", "pyproject.toml"])
def test_a_config_file_that_is_not_utf8_is_a_config_error_naming_the_line(tmp_path, name) -> None:
    (tmp_path / name).write_bytes(b'[tool.coc]\nmodel = "m"\nbase_url = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "p.coc.py", {}, {})
    assert str(caught.value) == f"Cannot read {tmp_path / name}: not UTF-8, byte b'\\xe9' (at line 3)."


def test_max_in_flight_reaches_the_endpoint_backend(tmp_path) -> None:
    from coc_lsp.lm.config import choose_backend

    (tmp_path / "coc.toml").write_text("max_in_flight = 3\n")
    config = load_config(tmp_path / "p.coc.py", {"base_url": "http://127.0.0.1:9/v1"}, {})
    assert choose_backend(config)[0].max_in_flight == 3  # type: ignore[attr-defined]
    config = load_config(tmp_path / "p.coc.py", {"base_url": "http://127.0.0.1:9/v1", "max_in_flight": 12}, {})
    assert choose_backend(config)[0].max_in_flight == 12  # type: ignore[attr-defined]
    assert load_config(tmp_path / "elsewhere" / "p.coc.py", {}, {}).max_in_flight == 8


def test_unknown_keys_warn(tmp_path) -> None:
    (tmp_path / "coc.toml").write_text('modle = "typo"\n')
    with pytest.warns(UserWarning, match="Unknown key 'modle'"):
        load_config(tmp_path / "p.coc.py", {}, {})
    with pytest.raises(ConfigError, match="Unknown setting 'colour'"):
        load_config(tmp_path / "elsewhere" / "p.coc.py", {"colour": "red"}, {})


def test_api_key_is_not_in_the_repr() -> None:
    config = LMConfig(api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(config)


@pytest.fixture
def not_installed(monkeypatch):
    """The real embedded module, saying its model is not installed (CI installs it)."""
    monkeypatch.setattr(embedded, "available", lambda: False)


def test_endpoint_is_chosen_when_a_base_url_is_set() -> None:
    assert embedded.available()
    backend, identity, description = choose_backend(LMConfig(base_url="http://127.0.0.1:8000/v1"))
    assert isinstance(backend, OpenAIBackend)
    assert identity == "openai:gpt-4o-mini@http://127.0.0.1:8000/v1"
    assert description == "openai gpt-4o-mini at http://127.0.0.1:8000/v1"


def test_api_key_alone_means_openai_itself() -> None:
    backend, identity, _ = choose_backend(LMConfig(api_key="sk-x", model="gpt-4o"))
    assert identity == "openai:gpt-4o@https://api.openai.com/v1"


def test_embedded_is_the_fallback_when_installed(tmp_path) -> None:
    backend, identity, description = choose_backend(LMConfig())
    assert isinstance(backend, embedded.EmbeddedBackend)
    assert backend.path == embedded.default_model_path()
    other = tmp_path / "tiny.gguf"
    other.write_bytes(embedded.default_model_path().read_bytes())
    backend, identity, description = choose_backend(LMConfig(model_path=str(other)))
    assert backend.path == other
    assert "tiny" in identity and "tiny" in description


def test_nothing_configured_says_how_to_get_a_model(not_installed) -> None:
    with pytest.raises(ConfigError) as caught:
        choose_backend(LMConfig())
    assert "pip install 'coc-lsp[embedded]'" in str(caught.value)
    assert "OPENAI_BASE_URL" in str(caught.value)


def test_explicit_backends(not_installed, tmp_path, monkeypatch) -> None:
    with pytest.raises(ConfigError, match="not installed"):
        choose_backend(LMConfig(backend="embedded", base_url="http://127.0.0.1:1/v1"))
    with pytest.raises(ConfigError, match="needs an API key"):
        choose_backend(LMConfig(backend="openai"))
    with pytest.raises(ConfigError, match="Unknown backend 'gpt'"):
        choose_backend(LMConfig(backend="gpt"))
    with pytest.raises(BackendError, match="module 'no_such_backend_mod' not found"):
        choose_backend(
            LMConfig(backend="no_such_backend_mod:make", base_url="http://127.0.0.1:1/v1")
        )
    (tmp_path / "my_cfg_backend.py").write_text(
        "class B:\n    def emulate(self, request):\n        return 1\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "my_cfg_backend", raising=False)
    backend, identity, description = choose_backend(LMConfig(backend="my_cfg_backend:B"))
    assert (identity, description) == ("custom:my_cfg_backend:B", "custom backend my_cfg_backend:B")


def test_a_missing_model_file_is_a_clear_error(tmp_path) -> None:
    missing = tmp_path / "gone.gguf"
    with pytest.raises(BackendError, match=f"The model file {missing} does not exist"):
        choose_backend(LMConfig(model_path=str(missing)))


def test_a_truncated_model_file_fails_when_first_asked(tmp_path) -> None:
    """llama.cpp loads the model on the first request; a broken file is a BackendError then."""
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(embedded.default_model_path().read_bytes()[:4096])
    backend, _, _ = choose_backend(LMConfig(model_path=str(broken)))
    with pytest.raises(BackendError):
        backend.emulate(EmulationRequest(kind="call", source="is_fruit('pear')", lineno=1, function="is_fruit", args=("pear",), returns="bool"))
