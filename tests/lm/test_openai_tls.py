"""An HTTPS endpoint: every thread's client shares one TLS context, which trusts what the default
would (`SSL_CERT_FILE` included) and nothing more. Real `coc run`, real `openai` client, a scripted
endpoint on 127.0.0.1 behind a certificate from a test CA (trustme)."""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.conftest import ScriptedOpenAI
from tests.runtime.test_cli import SECRET, coc

# A loop of semantic calls: asked ahead on several threads, each with its own client.
PROGRAM = "words = ['ant', 'beetle', 'cat', 'dove', 'eel', 'fox']\nprint([size_of(w) for w in words])\n"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_endpoint(ca: trustme.CA) -> Iterator[ScriptedOpenAI]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = ScriptedOpenAI(tls=context)

    def size_of(body: dict) -> str:
        word = re.search(r"size_of\('(\w+)'\)", body["messages"][-1]["content"])
        assert word is not None, body
        return json.dumps({"value": len(word.group(1))})

    server.script(size_of)
    yield server
    server.close()


def test_a_trusted_certificate_serves_every_thread(https_endpoint: ScriptedOpenAI, ca: trustme.CA, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    program = tmp_path / "sizes.coc.py"
    program.write_text(PROGRAM)
    result = coc(str(program), "--no-cache", "--model", "scripted", "--max-in-flight", "4",
                 env={**https_endpoint.env(SECRET), "SSL_CERT_FILE": str(bundle)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "[3, 6, 3, 4, 3, 3]"
    assert https_endpoint.base_url.startswith("https://")
    assert https_endpoint.calls == 6


def test_an_untrusted_certificate_is_refused_with_a_clear_error(https_endpoint: ScriptedOpenAI, tmp_path: Path) -> None:
    program = tmp_path / "sizes.coc.py"
    program.write_text(PROGRAM)
    result = coc(str(program), "--no-cache", "--model", "scripted", "--timeout", "5",
                 env=https_endpoint.env(SECRET), cwd=tmp_path)
    assert result.returncode != 0
    assert https_endpoint.calls == 0  # no request got past the handshake
    assert f"sizes.coc.py:2: The LM endpoint {https_endpoint.base_url} has a TLS certificate this machine does not trust" in result.stderr
    assert "SSL_CERT_FILE" in result.stderr
    assert "attempts" not in result.stderr  # a certificate is refused at once, not retried
    assert SECRET not in result.stderr + result.stdout
