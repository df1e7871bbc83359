"""The API key reaches the endpoint and nowhere else: not messages, reprs, logs or the cache.

An endpoint is untrusted: it may echo the key anywhere (an error body, a refusal, an answer, a
header, a malformed header line the HTTP client quotes). Every one of those paths is driven here
with the real openai client against the scripted server; nothing may show the key or any run of
8 or more of its first characters.
"""

from __future__ import annotations

import json
import logging

import pytest

from coc_lsp.lm.cache import Cache
from coc_lsp.lm.config import choose_backend, load_config
from coc_lsp.lm.errors import LMError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.openai_backend import OpenAIBackend
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.lm.secret import MASK, MIN_PREFIX, Secret

KEY = "sk-proj-TOPSECRET-a1b2c3d4e5f6"
REQUEST = EmulationRequest(kind="call", source="f(1)", lineno=1, function="f", args=(1,), returns="int")


def assert_no_leak(text: str) -> None:
    assert KEY[:MIN_PREFIX] not in text, text


def test_the_key_never_leaks(scripted_openai, tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    environ = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": scripted_openai.base_url}
    config = load_config(
        tmp_path / "prog.coc.py", {"cache_dir": str(tmp_path / "cache"), "timeout": 5}, environ
    )
    backend, identity, description = choose_backend(config)
    cache = Cache(tmp_path / "cache" / "answers.sqlite3")
    lmulator = LMulator(backend, cache, identity)

    scripted_openai.queue('{"value": 2}')
    result = lmulator.emulate(REQUEST)
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
            lmulator.emulate(REQUEST, bypass_cache=True)
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
        assert_no_leak(text)
    files = list((tmp_path / "cache").iterdir())
    assert files
    for path in files:
        assert KEY[:MIN_PREFIX].encode() not in path.read_bytes(), path


PADDING = "x" * 290  # puts the key near character 300, where error text used to be cut
# Endpoints that echo the key, by where they put it: each makes the replies of one failing answer.
ECHOES = {
    "refusal": lambda reply: [reply("", refusal=f"I will not repeat {KEY}")] * 2,
    "error body at char 300 (400)": lambda reply: [reply(status=400, error=PADDING + KEY)],
    "error body at char 300 (500)": lambda reply: [reply(status=500, error=PADDING + KEY)] * 3,
    "plain-text error body": lambda reply: [
        reply(status=503, body=PADDING + KEY, headers={"Content-Type": "text/plain"})
    ]
    * 3,
    "garbage content": lambda reply: [reply(f"here is {KEY}, no JSON"), reply(KEY * 3)],
    "request id header": lambda reply: [reply(status=500, error="boom", headers={"x-request-id": KEY})]
    * 3,
    "malformed header line": lambda reply: [reply(status=500, raw_headers=[f"not a header {KEY}"])] * 3,
    "reply that is not a completion": lambda reply: [reply(body=json.dumps({"choices": KEY}))],
    "key cut short by the endpoint": lambda reply: [reply(status=401, error="bad key " + KEY[:12])],
}


@pytest.mark.parametrize("where", list(ECHOES))
def test_an_echoed_key_is_scrubbed_before_anything_is_cut_or_shown(
    scripted_openai, tmp_path, where
) -> None:
    scripted_openai.queue(*ECHOES[where](scripted_openai.Reply))
    backend = OpenAIBackend(model="m", base_url=scripted_openai.base_url, api_key=KEY, timeout=10)
    lmulator = LMulator(backend, Cache(tmp_path / "c.sqlite3"), backend.identity)
    with pytest.raises(LMError) as caught:
        lmulator.emulate(REQUEST)
    message, raw = str(caught.value), getattr(caught.value, "raw", "")
    assert_no_leak(message)
    assert_no_leak(raw)
    assert MASK in message + raw


def test_a_key_in_a_good_answer_is_scrubbed_before_it_is_cached(scripted_openai, tmp_path) -> None:
    scripted_openai.queue(json.dumps({"value": f"the key is {KEY}"}))
    backend = OpenAIBackend(model="m", base_url=scripted_openai.base_url, api_key=KEY, timeout=10)
    cache = Cache(tmp_path / "c.sqlite3")
    result = LMulator(backend, cache, backend.identity).emulate(
        EmulationRequest(kind="call", source="f()", lineno=1, function="f", returns="str")
    )
    cache.close()
    assert result.value == f"the key is {MASK}" and KEY not in result.raw
    for path in tmp_path.iterdir():
        assert KEY[:MIN_PREFIX].encode() not in path.read_bytes(), path


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (f"a {KEY} b {KEY}", f"a {MASK} b {MASK}"),
        (f"cut at {KEY[:MIN_PREFIX]}", f"cut at {MASK}"),
        (f"cut at {KEY[:15]}", f"cut at {MASK}"),
        (f"{KEY[:MIN_PREFIX - 1]} is too short to tell", f"{KEY[:MIN_PREFIX - 1]} is too short to tell"),
        (f"{KEY}{KEY[:10]}", f"{MASK}{MASK}"),
        (f"{KEY[:12]}-other", f"{MASK}-other"),
        ("nothing to hide", "nothing to hide"),
    ],
)
def test_scrub_masks_the_key_and_its_long_prefixes(text: str, scrubbed: str) -> None:
    assert Secret(KEY).scrub(text) == scrubbed


def test_a_short_key_is_masked_only_whole_and_no_key_masks_nothing() -> None:
    assert Secret("abc").scrub("abcd ab abc") == f"{MASK}d ab {MASK}"
    assert Secret("").scrub("anything") == "anything"
    assert repr(Secret(KEY)) == str(Secret(KEY)) == f"{Secret(KEY)}" == "<secret>"


def test_credentials_in_the_base_url_reach_the_endpoint_and_nothing_else(scripted_openai, tmp_path) -> None:
    """`https://user:KEY@host/v1`: the summary, the trace, the cache and an error that echoes the
    key show the URL with its credentials masked."""
    from tests.runtime.test_cli import coc

    password = "PASSWORD-in-the-url-0123456789"
    url = scripted_openai.base_url.replace("://", f"://me:{password}@")
    program = tmp_path / "size.coc.py"
    program.write_text("print(size_of('ant'))\n")
    args = [str(program), "--model", "scripted", "--cache-dir", str(tmp_path / "cache"), "--trace", str(tmp_path / "t.jsonl")]
    scripted_openai.queue('{"value": 3}')
    ok = coc(*args, env={"OPENAI_BASE_URL": url}, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.splitlines()[0] == "3", ok.stderr
    assert scripted_openai.last.headers["authorization"].startswith("Basic ")  # the credentials were used
    scripted_openai.fail(400, message=f"bad credentials {password}")
    failed = coc(*args, "--no-cache", env={"OPENAI_BASE_URL": url}, cwd=tmp_path)
    assert failed.returncode != 0 and "bad credentials ***" in failed.stderr
    shown = scripted_openai.base_url.replace("://", "://***@")
    assert f"backend: openai scripted at {shown}" in ok.stderr
    for text in (ok.stdout, ok.stderr, failed.stdout, failed.stderr):
        assert password[:MIN_PREFIX] not in text, text
    for path in [tmp_path / "t.jsonl", *(tmp_path / "cache").iterdir()]:
        assert password[:MIN_PREFIX].encode() not in path.read_bytes(), path
