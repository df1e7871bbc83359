"""`coc run` end to end: a child process, the real `openai` client, a scripted endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coc_lsp.runtime.trace import Emulation, Output, read_trace

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-test-SECRET-do-not-leak-4242"


def coc(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coc_lsp", "run", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def answer_json(body: dict) -> str:
    """Answers by the shape asked: the user message says which function or line it is."""
    text = body["messages"][-1]["content"]
    if "is_sarcastic" in text:
        return json.dumps({"value": "love" in text or "great" in text.lower()})
    raise AssertionError(f"unexpected request: {text}")


def test_sample_runs_against_an_endpoint_then_from_the_cache(scripted_openai, tmp_path: Path) -> None:
    scripted_openai.script(answer_json)
    env = scripted_openai.env(SECRET)
    args = ["samples/sarcasm.coc.py", "--cache-dir", str(tmp_path / "cache"), "--trace", str(tmp_path / "t.jsonl")]
    first = coc(*args, env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    assert "sarcastic sentences: 2" in first.stdout
    assert "4 emulations on 1 lines, 4 LM calls, 0 cache hits" in first.stderr
    assert "backend: openai" in first.stderr and scripted_openai.base_url in first.stderr
    calls = scripted_openai.calls
    assert calls == 4
    body = scripted_openai.last.json
    assert body["response_format"]["type"] == "json_schema"

    second = coc(*args, env=env, cwd=ROOT)
    assert second.returncode == 0 and "sarcastic sentences: 2" in second.stdout
    assert scripted_openai.calls == calls, "an unchanged re-run must make no LM calls"
    assert "0 LM calls, 4 cache hits" in second.stderr

    events = list(read_trace((tmp_path / "t.jsonl").read_text().splitlines()))
    assert all(e.cached for e in events if isinstance(e, Emulation))
    everything = first.stdout + first.stderr + second.stderr + (tmp_path / "t.jsonl").read_text()
    everything += "".join(p.read_bytes().decode("latin-1") for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert SECRET not in everything
    assert scripted_openai.last.headers["authorization"] == f"Bearer {SECRET}"


HOSTILE = [
    '{"value": "__import__(\'os\').system(\'touch MARKER\')"}',
    "__import__('os').system('touch MARKER')",
    '{"value": __import__("os").system("touch MARKER")}',
    "```python\nexec(\"open('MARKER','w')\")\n```",
    '{"value": (lambda: open("MARKER", "w"))()}',
    "eval(compile('open(\"MARKER\",\"w\")', 'x', 'exec'))",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_answers_never_run(scripted_openai, tmp_path: Path, hostile: str) -> None:
    marker = tmp_path / "MARKER"
    program = tmp_path / "p.coc.py"
    program.write_text("x = 3\nflag = is_big(x)\nprint(flag)\n")
    scripted_openai.script(lambda body: hostile.replace("MARKER", str(marker)))
    result = coc(str(program), "--no-cache", env=scripted_openai.env(SECRET), cwd=tmp_path)
    assert not marker.exists()
    if result.returncode == 0:  # a string answer is data: it may be printed, never run
        assert result.stdout.strip() in ("True", "False") or "__import__" in result.stdout or "MARKER" in result.stdout
    else:
        assert f"{program}:2" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_garbled_answer_is_retried_with_the_error_then_names_the_line(scripted_openai, tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("x = 3\nflag = is_big(x)\n")
    scripted_openai.queue("I think it is big!!", "{{{{ not json")
    result = coc(str(program), "--no-cache", env=scripted_openai.env(), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{program}:2" in result.stderr
    assert scripted_openai.calls == 2
    retry = scripted_openai.last.user_message
    assert "I think it is big" in retry or "previous answer" in retry.lower()


def test_unreachable_endpoint_gives_one_clear_error(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("flag = is_big(3)\n")
    url = "http://127.0.0.1:9/v1"
    started = time.monotonic()
    result = coc(str(program), "--no-cache", "--base-url", url, "--timeout", "2", env={"OPENAI_API_KEY": SECRET}, cwd=tmp_path)
    assert result.returncode == 1
    assert url in result.stderr and f"{program}:1" in result.stderr
    assert result.stderr.count(url) <= 2 and "Traceback" not in result.stderr
    assert SECRET not in result.stderr
    assert time.monotonic() - started < 30


LEAK_KEY = "sk-LEAKCHECK-7f3a9c1e5b2d4086"
# Endpoints that echo the key, by where they put it: each makes the replies of one run.
KEY_ECHOES = {
    "refusal": lambda reply: [reply("", refusal=f"I will not repeat {LEAK_KEY}")] * 2,
    "error body at char 300": lambda reply: [reply(status=500, error="x" * 290 + LEAK_KEY)] * 3,
    "garbage content": lambda reply: [reply(f"the key is {LEAK_KEY}"), reply(LEAK_KEY)],
    "request id header": lambda reply: [reply(status=500, error="boom", headers={"x-request-id": LEAK_KEY})] * 3,
    "malformed header line": lambda reply: [reply(status=500, raw_headers=[f"not a header {LEAK_KEY}"])] * 3,
    "good answer holding the key": lambda reply: [reply(json.dumps({"value": f"key {LEAK_KEY}"}))],
}


@pytest.mark.parametrize("where", list(KEY_ECHOES))
def test_an_echoed_key_never_reaches_output_trace_or_cache(scripted_openai, tmp_path: Path, where: str) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("word = name_of(1)\nprint(word)\n")
    scripted_openai.queue(*KEY_ECHOES[where](scripted_openai.Reply))
    trace, cache = tmp_path / "t.jsonl", tmp_path / "cache"
    result = coc(str(program), "--cache-dir", str(cache), "--trace", str(trace), env=scripted_openai.env(LEAK_KEY), cwd=tmp_path)
    assert scripted_openai.last.headers["authorization"] == f"Bearer {LEAK_KEY}"
    assert result.returncode == (0 if where.startswith("good") else 1), result.stderr
    assert "***" in (result.stdout if result.returncode == 0 else result.stderr)
    everything = result.stdout + result.stderr + trace.read_text()
    everything += "".join(p.read_bytes().decode("latin-1") for p in cache.rglob("*") if p.is_file())
    assert LEAK_KEY[:8] not in everything  # neither the key nor any 8+ character prefix of it


@pytest.mark.parametrize(
    "reply",
    [{"content": json.dumps({"value": True}) + " " * 100, "trickle": 1.0}, {"hang": True}],
    ids=["trickles-one-byte-a-second", "accepts-and-never-answers"],
)
def test_timeout_bounds_an_answer_end_to_end(scripted_openai, tmp_path: Path, reply: dict) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("flag = is_big(3)\n")
    scripted_openai.queue(scripted_openai.Reply(**reply))
    started = time.monotonic()
    result = coc(str(program), "--no-cache", "--timeout", "3", env=scripted_openai.env(SECRET), cwd=tmp_path)
    # Generous: the child starts Python and imports openai on a loaded machine; without one
    # deadline for the answer, these replies take minutes.
    assert time.monotonic() - started < 3 + 10
    assert result.returncode == 1
    assert f"{program}:1" in result.stderr
    assert f"{scripted_openai.base_url} did not answer within 3 s (the timeout for one answer)" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_says_the_timeout_covers_the_whole_answer() -> None:
    result = subprocess.run([sys.executable, "-m", "coc_lsp", "run", "--help"], capture_output=True, text=True, timeout=60)
    assert "every attempt" in " ".join(result.stdout.split())


def test_python_mode_stops_at_the_first_failing_line(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("a = 1\nb = a + 1\nc = is_big(b)\nprint('never')\n")
    result = coc(str(program), "--mode", "python", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{program}:3: NameError: name 'is_big' is not defined" in result.stderr
    assert "never" not in result.stdout


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert coc(str(tmp_path / "missing.coc.py")).returncode == 2
    program = tmp_path / "p.coc.py"
    program.write_text("x = 1\n")
    assert coc(str(program), "--mode", "dream").returncode == 2
    for trace in (tmp_path, tmp_path / "no-such-folder" / "t.jsonl"):  # a folder; a file in no folder
        result = coc(str(program), "--trace", str(trace))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"coc: error: {trace}: the trace cannot be written: " in result.stderr


def test_an_output_naming_an_input_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("print('ran')\n")
    pins = tmp_path / "p.coc.answers.json"
    pins.write_text(json.dumps({"coc_answers": 1, "answers": []}))
    for option, output, named in [
        ("--trace", program, program),  # it was truncated before it was read: an empty run, exit 0
        ("--trace", pins, pins),
        ("--record", tmp_path / "sub" / ".." / "p.coc.py", program),
    ]:
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = coc(str(program), option, str(output))
        assert result.returncode == 2 and f"that is {named}, which writing it would destroy" in result.stderr
        assert "ran" not in result.stdout
    assert program.read_text() == "print('ran')\n" and json.loads(pins.read_text())["answers"] == []


def test_custom_backend_and_trace_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "my_backend.py").write_text(
        "class Backend:\n"
        "    def emulate(self, request):\n"
        "        assert request.kind == 'call' and request.function == 'is_big'\n"
        "        assert request.args == (3,) and request.state['x'] == 3 and 'x = 3' in request.program\n"
        "        return request.args[0] > 2\n"
        "def make():\n"
        "    return Backend()\n"
    )
    program = tmp_path / "p.coc.py"
    program.write_text("x = 3\nprint('before')\nanswer = is_big(x)\n")
    env = {"PYTHONPATH": str(tmp_path)}
    result = coc(str(program), "--backend", "my_backend:make", "--no-cache", "--trace", "-", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    events = list(read_trace(result.stdout.splitlines()))
    assert len(events) == len(result.stdout.splitlines()), "stdout holds only trace events"
    first_output = next(e for e in events if isinstance(e, Output))
    assert (first_output.stream, first_output.text) == ("stdout", "before\n")
    assert events[-1].answer == "True"


def test_python_dash_m_is_the_same_and_openai_is_not_imported_without_an_lm(tmp_path: Path) -> None:
    program = tmp_path / "p.coc.py"
    program.write_text("print(sum(range(10)))\n")
    probe = (
        "import sys\nfrom coc_lsp.cli import main\n"
        f"code = main(['run', {str(program)!r}, '--quiet'])\n"
        "print('openai' in sys.modules, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["45", "False", "0"]
