"""The API key reaches the endpoint and nowhere else: not messages, reprs, logs or the cache."""

from __future__ import annotations

import logging

import pytest

from coc_lsp.lm.cache import Cache
from coc_lsp.lm.config import choose_backend, load_config
from coc_lsp.lm.errors import LMError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.request import EmulationRequest

KEY = "sk-proj-TOPSECRET-a1b2c3d4e5f6"


def test_the_key_never_leaks(scripted_openai, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    environ = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": scripted_openai.base_url}
    config = load_config(
        tmp_path / "prog.coc.py", {"cache_dir": str(tmp_path / "cache"), "timeout": 5}, environ
    )
    backend, identity, description = choose_backend(config)
    cache = Cache(tmp_path / "cache" / "answers.sqlite3")
    lmulator = LMulator(backend, cache, identity)
    request = EmulationRequest(
        kind="call", source="f(1)", lineno=1, function="f", args=(1,), returns="int"
    )

    scripted_openai.queue('{"value": 2}')
    result = lmulator.emulate(request)
    assert result.value == 2
    assert (
        scripted_openai.last.headers["authorization"] == f"Bearer {KEY}"
    )  # the key is really used

    failures: list[str] = []
    for script in (
        lambda: scripted_openai.fail(401, message=f"Incorrect API key provided: {KEY}."),
        lambda: scripted_openai.fail(500, times=3, message=f"crashed handling key {KEY}"),
        lambda: scripted_openai.queue(f"my key is {KEY}", f"still {KEY}"),
    ):
        script()
        with pytest.raises(LMError) as caught:
            lmulator.emulate(request, bypass_cache=True)
        failures.append(str(caught.value))
    cache.close()

    assert len(failures) == 3
    shown = [
        *failures,
        repr(config),
        str(config),
        repr(backend),
        repr(lmulator),
        identity,
        description,
        caplog.text,
    ]
    for text in shown:
        assert KEY not in text, text
    files = list((tmp_path / "cache").iterdir())
    assert files
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path
