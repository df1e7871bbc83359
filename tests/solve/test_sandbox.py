"""The sandbox for untrusted programs: real child processes, real pipes, the real `openai` client
against the scripted endpoint, hostile programs.

Each hostile program must end with a clear error or find nothing while the parent stays
healthy. Runs where the parent must hold the key in its own environment (or be killed) start the
parent as a real subprocess (PARENT below). As root, with a Python any user may read, the key
search, the detached child and the killed parent also run under the fallbacks: a per-run uid
without namespaces, and a non-root parent (user namespace, then same-user).
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coc_lsp.lm.cache import cache_key
from coc_lsp.lm.config import load_config, make_lmulator
from coc_lsp.lm.errors import AnswerError
from coc_lsp.lm.reprs import Shown, safe_repr, stable_repr
from coc_lsp.lm.request import EmulationRequest
from coc_lsp.runtime.trace import Emulation, Output
from coc_lsp.solve.remote import (
    LMServer,
    ProtocolError,
    decode_request,
    decode_value,
    encode_request,
    encode_value,
)
from coc_lsp.solve.sandbox import Limits, isolation, run_untrusted
from tests.solve.processes import alive

ISOLATION = isolation()
pytestmark = pytest.mark.skipif(not ISOLATION.usable, reason=f"no sandbox here: {ISOLATION.reason}")
QUICK = Limits(cpu_seconds=5, wall_seconds=20, memory_bytes=256 << 20, processes=16)
OTHER_UID = 4242  # the non-root parent of the fallback runs (as root only)

# The parent process of the runs below: run_untrusted with the LM configured from its environment.
PARENT = r"""
import json, os, sys
from pathlib import Path
from coc_lsp.runtime.trace import Output
from coc_lsp.solve.sandbox import Limits, isolation, run_untrusted

args = json.loads(sys.argv[1])
program = Path(args["program"])
if args.get("template"):
    text = args["template"].replace("PARENT_PID", str(os.getpid())).replace("PARENT_CWD", repr(os.getcwd()))
    program.write_text(text.replace("REAL_HOME", repr(os.path.expanduser("~"))))

def make():
    from coc_lsp.lm.config import load_config, make_lmulator
    return make_lmulator(load_config(program, {"cache_dir": args["cache"]}))

def on_event(event):
    print(json.dumps({"event": event.name}), flush=True)

result = run_untrusted(program, make, Limits(**args["limits"]), on_event, args["mode"], isolation=isolation(args["kind"]))
output = "".join(e.text for e in result.events if isinstance(e, Output))
print(json.dumps({"status": result.status, "kind": result.isolation.kind, "answer": result.end.answer,
                  "error": result.end.error, "output": output}), flush=True)
"""

# Searches every place it can reach for the key (PATTERN) or the variable's name.
KEY_SEARCH = r"""
import os, re
PATTERN = re.compile(rb"sk-sandbox-[0-9a-f]{32}")
NAME = ("OPENAI" + "_API_KEY").encode()
greeting: str = make_greeting("sandbox")
found, looked = [], {"proc": 0, "files": 0, "memory": 0}

def look(where, data, name_too=True):
    if PATTERN.search(data) or (name_too and NAME in data):
        found.append(where)

def read(path, size=1 << 20):
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)

look("os.environ", repr(dict(os.environ)).encode())
pids = {p for p in os.listdir("/proc") if p.isdigit()} | {"self", str(os.getppid()), str(PARENT_PID)}
for pid in sorted(pids):
    for part in ("environ", "cmdline"):
        try:
            look(f"/proc/{pid}/{part}", read(f"/proc/{pid}/{part}"))
            looked["proc"] += 1
        except OSError:
            pass
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        fds = []
    for fd in fds:
        path = f"/proc/{pid}/fd/{fd}"
        try:
            look(path, os.readlink(path).encode())
            look(path, read(path, 1 << 16), name_too=False)
        except OSError:
            pass
    try:
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
            for line in maps:
                span, perms = line.split()[:2]
                start, end = (int(x, 16) for x in span.split("-"))
                if perms.startswith("r"):
                    try:
                        mem.seek(start)
                        look(f"/proc/{pid}/mem", mem.read(min(end - start, 1 << 26)), name_too=False)
                        looked["memory"] += 1
                    except (OSError, ValueError, OverflowError):
                        pass
    except OSError:
        pass
tops = [os.environ["HOME"], os.environ["TMPDIR"], "/tmp", "/var/tmp", "/dev/shm", "/run", PARENT_CWD, REAL_HOME, os.getcwd()]
for top in tops:
    for directory, _, names in os.walk(top):
        for name in names[:200]:
            if looked["files"] < 3000:
                try:
                    look(os.path.join(directory, name), read(os.path.join(directory, name)), name_too=False)
                    looked["files"] += 1
                except OSError:
                    pass
print("looked", looked)
answer = found
"""


@dataclass(frozen=True)
class Setup:
    """How the parent of a run is started: its Python, its user, the isolation it asks for."""

    label: str
    python: str
    kind: str | None
    user: int | None = None


@pytest.fixture(scope="session")
def foreign_python() -> Iterator[str | None]:
    """As root: a venv of a system Python any uid may run, seeing this checkout and the project's
    venv (for a non-root parent and the per-run uid); None where there is none."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/bin:/usr/local/bin")
    if os.geteuid() != 0 or system is None:
        yield None
        return
    home = Path(tempfile.mkdtemp(prefix="coc-foreign-python-", dir="/tmp"))
    try:
        yield _foreign_venv(system, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _foreign_venv(system: str, home: Path) -> str | None:
    subprocess.run([system, "-m", "venv", "--without-pip", str(home)], check=True, capture_output=True)
    site = next((home / "lib").glob("python3*/site-packages"))
    ours = [p for p in sys.path if p.endswith("site-packages")]
    (site / "coc.pth").write_text("\n".join([str(Path(__file__).resolve().parents[2]), *ours]) + "\n")
    for path in (home, *home.rglob("*")):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o555)
    python = str(home / "bin" / "python")
    probe = subprocess.run(
        [python, "-c", "import coc_lsp, openai"], capture_output=True, env={"PATH": "/usr/bin:/bin"}, cwd="/",
        user=OTHER_UID, group=OTHER_UID, extra_groups=[], check=False,
    )  # fmt: skip
    return python if probe.returncode == 0 else None


def setups(foreign: str | None) -> list[Setup]:
    found = [Setup("default", sys.executable, None)]
    if foreign is not None:
        found += [
            Setup("uid", foreign, "uid"),
            Setup("user-namespaces", foreign, "namespaces", OTHER_UID),
            Setup("same-user", foreign, "same-user", OTHER_UID),
        ]
    return found


SETUP_LABELS = ["default", "uid", "user-namespaces", "same-user"]


@pytest.fixture(params=SETUP_LABELS)
def setup(request: pytest.FixtureRequest, foreign_python: str | None) -> Setup:
    chosen = {s.label: s for s in setups(foreign_python)}.get(request.param)
    if chosen is None:
        pytest.skip(f"{request.param}: needs root and a system Python any user may run")
    return chosen


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory the parent may use whatever its uid: program, cache, HOME, cwd."""
    path = Path(tempfile.mkdtemp(prefix="coc-sandbox-test-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start_parent(setup: Setup, directory: Path, env: dict[str, str], **args: object) -> subprocess.Popen[str]:
    for sub in ("home", "cwd", "cache"):
        (directory / sub).mkdir(exist_ok=True)
        if setup.user is not None:
            os.chown(directory / sub, setup.user, setup.user)
    if setup.user is not None:
        os.chown(directory, setup.user, setup.user)
    settings = {"cache": str(directory / "cache"), "mode": "python", "kind": setup.kind, "limits": {}, **args}
    return subprocess.Popen(
        [setup.python, "-c", PARENT, json.dumps(settings)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(directory / "home"), **env}, cwd=directory / "cwd",
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        user=setup.user, group=setup.user, extra_groups=[] if setup.user is not None else None,
    )  # fmt: skip


def parent_result(parent: subprocess.Popen[str]) -> tuple[dict, str]:
    stdout, stderr = parent.communicate(timeout=120)
    assert parent.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1]), stdout + stderr


def gone(marker: str, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while alive(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def write(directory: Path, text: str, name: str = "prog.coc.py") -> Path:
    path = directory / name
    path.write_text(text)
    path.chmod(0o644)
    return path


def no_lm() -> tuple:
    raise AssertionError("this program needs no LM")


def answer_by_function(body: dict) -> str:
    text = body["messages"][-1]["content"]
    if "is_fruit" in text:
        return json.dumps({"value": "rock" not in text})
    if "make_greeting" in text:
        return json.dumps({"value": "hello"})
    raise AssertionError(f"unexpected request: {text}")


# -- a normal program: the LM in the parent -------------------------------------------------------


def test_semantic_calls_are_answered_by_the_parent_holding_key_and_cache(
    tmp_path: Path, scripted_openai, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-parent-only-" + secrets.token_hex(8)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", scripted_openai.base_url)
    scripted_openai.script(answer_by_function)
    program = write(tmp_path, (
        "import os\n"
        "class Box:\n"
        "    def __repr__(self):\n"
        "        return 'Box()'\n"
        "box = Box()\n"
        "count = 0\n"
        "for thing in ['apple', 'rock', 'pear']:\n"
        "    if is_fruit(thing):\n"
        "        count += 1\n"
        "label: str = make_greeting(box)\n"
        "env = sorted(os.environ)\n"
        "print('environment:', env)\n"
        "answer = (count, [name for name in env if name.startswith('OPENAI')])\n"
    ))  # fmt: skip
    config = load_config(program, {"cache_dir": str(tmp_path / "cache")})
    events = []
    result = run_untrusted(program, lambda: make_lmulator(config), QUICK, on_event=events.append)

    assert result.status == "ok", result.end.error
    assert ast.literal_eval(result.end.answer) == (2, [])
    assert "HOME" in "".join(e.text for e in result.events if isinstance(e, Output))
    assert scripted_openai.calls == 4
    assert all(r.headers["authorization"] == f"Bearer {key}" for r in scripted_openai.requests)
    assert "make_greeting(Box())" in scripted_openai.last.user_message  # a non-literal value: its repr
    assert (tmp_path / "cache").is_dir() and any((tmp_path / "cache").iterdir())
    assert [e.origin for e in result.events if isinstance(e, Emulation)] == ["lm"] * 4
    assert result.end.totals.lm_calls == 4 and result.end.backend and "openai" in result.end.backend
    assert events[-1] is result.end and str(program) in [e.program for e in events if e.name == "start"]
    assert key not in json.dumps([e.to_json() for e in result.events]) + result.stderr

    again = run_untrusted(program, lambda: make_lmulator(config), QUICK)
    assert again.status == "ok" and scripted_openai.calls == 4
    assert [e.origin for e in again.events if isinstance(e, Emulation)] == ["cache"] * 4


def test_an_unusable_answer_fails_at_its_line_as_in_process(tmp_path: Path, scripted_openai, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", scripted_openai.base_url)
    scripted_openai.script(lambda body: '{"value": "not a number"}')
    program = write(tmp_path, "x = 1\nn: int = count_legs('spider')\nanswer = n\n")
    config = load_config(program, {"no_cache": True})
    result = run_untrusted(program, lambda: make_lmulator(config), QUICK)
    assert result.status == "error"
    assert result.end.error.startswith(f"{program}:2: ") and "could not be used after 2 attempts" in result.end.error
    assert scripted_openai.calls == 2


# -- hostile programs, in this process as the parent ----------------------------------------------


@pytest.mark.parametrize(
    ("program", "limits", "status", "message"),
    [
        ("while True:\n    pass\n", Limits(cpu_seconds=1, wall_seconds=30), "cpu", "more than 1 s of CPU time"),
        ("import time\ntime.sleep(600)\n", Limits(wall_seconds=1.5), "timeout", "longer than 1.5 s"),
        ("import os\nwhile True:\n    os.fork()\n", QUICK, "error", "(the sandbox's limit: at most 16 processes)"),
        ("with open('big', 'wb') as f:\n    while True:\n        f.write(bytes(1 << 20))\n", QUICK, "error", "File too large (the sandbox's limit: at most 16 MiB per file)"),
        ("chunks = []\nwhile True:\n    chunks.append(bytearray(1 << 24))\n", QUICK, "error", "MemoryError: (the sandbox's limit: 256 MiB of memory)"),
    ],
    ids=["endless-loop", "sleeps", "fork-bomb", "huge-file", "memory"],
)
def test_a_program_that_exhausts_a_resource_gets_a_clear_error(
    tmp_path: Path, program: str, limits: Limits, status: str, message: str
) -> None:
    result = run_untrusted(write(tmp_path, program), no_lm, limits, mode="python")
    assert result.status == status
    assert message in result.end.error and result.end.status == "error"
    assert run_untrusted(write(tmp_path, "answer = 1\n", "ok.coc.py"), no_lm, QUICK).end.answer == "1"


@pytest.mark.skipif("private-tmp" not in ISOLATION.features, reason="disk use is bounded by the namespace's tmpfs")
def test_many_files_fill_only_the_bounded_tmpfs(tmp_path: Path) -> None:
    program = "i = 0\nwhile True:\n    open(f'f{i}', 'wb').write(bytes(8 << 20))\n    i += 1\n"
    result = run_untrusted(write(tmp_path, program), no_lm, QUICK, mode="python")
    assert result.status == "error" and "No space left on device" in result.end.error


def test_output_is_capped(tmp_path: Path) -> None:
    program = "for i in range(20000):\n    print('x' * 99)\nanswer = 'done'\n"
    result = run_untrusted(write(tmp_path, program), no_lm, Limits(output_chars=50_000), mode="python")
    assert result.status == "ok" and result.end.answer == "'done'"
    assert sum(len(e.text) for e in result.events if isinstance(e, Output)) <= 50_000 + 8192
    assert [e.kind for e in result.events if e.name == "notice"] == ["output-truncated"]


# What a program writes into every pipe it holds (so into its request pipe too).
WRITE_TO_PIPES = """
import os
for fd in map(int, os.listdir("/proc/self/fd")):
    if fd > 2:
        try:
            os.write(fd, PAYLOAD)
        except OSError:
            pass
import time
time.sleep(30)
"""
EVIL_REQUEST = {
    "op": "emulate", "bypass_cache": False,
    "request": {
        "kind": "call", "source": "f(x)", "lineno": 1, "function": "f",
        "args": [{"literal": "__import__('os').system('touch TMP/PWNED')"}], "kwargs": {}, "state": {},
        "targets": [], "returns": None, "target_types": {}, "context": "", "error": None, "filename": "x",
        "labels": [], "current": {}, "scope": "<module>",
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"\x00garbage {{{\n", "not JSON"),
        (json.dumps(EVIL_REQUEST).encode() + b"\n", "does not read back"),
        (b'{"op": "open", "extra": 1}\n', "exactly the fields"),
        (b'{"op": "emulate", "bypass_cache": NaN, "request": {}}\n', "not JSON"),
        (b"[" * 100_000 + b"\n", "not JSON"),
        (b"x" * (5 << 20), "longer than"),
        (b'{"op": "open"}\n' * 200, "more than 50 LM requests"),
    ],
    ids=["garbage", "code-as-literal", "extra-field", "nan", "deep", "endless-line", "flood"],
)
def test_a_hostile_message_stops_the_run_and_nothing_else(tmp_path: Path, payload: bytes, message: str) -> None:
    payload = payload.replace(b"TMP", str(tmp_path).encode())
    program = write(tmp_path, WRITE_TO_PIPES.replace("PAYLOAD", repr(payload)))
    result = run_untrusted(program, no_lm, Limits(max_requests=50, wall_seconds=30), mode="python")
    assert result.status == "protocol"
    assert message in result.end.error and "the run was stopped" in result.end.error
    assert not (tmp_path / "PWNED").exists()
    assert run_untrusted(write(tmp_path, "answer = 2\n", "ok.coc.py"), no_lm, QUICK).end.answer == "2"


def test_cancel_stops_the_run(tmp_path: Path) -> None:
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    result = run_untrusted(write(tmp_path, "import time\ntime.sleep(600)\n"), no_lm, QUICK, mode="python", cancel=cancel)
    assert result.status == "cancelled" and result.end.error == "The run was cancelled."


# -- hostile programs, with the parent a real process ---------------------------------------------


def test_the_key_is_nowhere_the_program_can_look(setup: Setup, shared_dir: Path, scripted_openai) -> None:
    if setup.user is None and (setup.kind or ISOLATION.kind) == "same-user":
        pytest.skip("same-user: this test process (holding the key) is a process of the program's user")
    key = f"sk-sandbox-{secrets.token_hex(16)}"
    scripted_openai.script(answer_by_function)
    parent = start_parent(
        setup, shared_dir, {"OPENAI_API_KEY": key, "OPENAI_BASE_URL": scripted_openai.base_url},
        program=str(shared_dir / "search.coc.py"), template=KEY_SEARCH, mode="interweave",
        limits={"cpu_seconds": 30, "wall_seconds": 60},
    )  # fmt: skip
    result, everything = parent_result(parent)
    assert result["status"] == "ok", result
    assert setup.kind is None or result["kind"] == setup.kind
    assert result["answer"] == "[]", f"the key was found: {result['answer']}"
    looked = ast.literal_eval(result["output"].split("looked ", 1)[1].splitlines()[0])
    assert looked["proc"] > 0 and looked["memory"] > 0 and looked["files"] > 0
    assert key not in everything
    assert scripted_openai.calls == 1 and scripted_openai.last.headers["authorization"] == f"Bearer {key}"


def test_a_detached_child_does_not_outlive_the_run(setup: Setup, shared_dir: Path) -> None:
    marker = f"9{secrets.randbelow(10**6)}.5"
    program = write(shared_dir, (
        "import subprocess\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "answer = 'started'\n"
    ))  # fmt: skip
    parent = start_parent(setup, shared_dir, {}, program=str(program))
    result, _ = parent_result(parent)
    assert result["status"] == "ok" and result["answer"] == "'started'"
    assert gone("sleep\x00" + marker)


def test_the_run_dies_with_its_killed_parent(setup: Setup, shared_dir: Path) -> None:
    name = f"loop-{secrets.token_hex(6)}.coc.py"
    program = write(shared_dir, "while True:\n    pass\n", name)
    parent = start_parent(setup, shared_dir, {}, program=str(program), limits={"cpu_seconds": 100, "wall_seconds": 100})
    assert parent.stdout is not None
    assert json.loads(parent.stdout.readline()) == {"event": "start"}
    assert alive(name), "the run should be under way"
    parent.kill()
    parent.wait()
    assert gone(name), f"still running after the parent was killed: {alive(name)}"


# -- the isolation report -------------------------------------------------------------------------


def test_isolation_says_what_is_and_is_not_isolated() -> None:
    text = ISOLATION.describe()
    assert text.startswith(f"sandbox: {ISOLATION.kind} (")
    assert "isolated: the environment" in text and "not isolated:" in text
    if ISOLATION.kind == "namespaces":
        assert {"pid-namespace", "private-tmp"} <= set(ISOLATION.features)
    assert isolation("no-such-kind").describe().startswith("sandbox: unavailable")


# -- the protocol, as data ------------------------------------------------------------------------


class Box:
    def __repr__(self) -> str:
        return "Box(at 0x7f00)"


@pytest.mark.parametrize(
    "value", [None, True, 3, -0.5, 2j, "text", b"\x00", (1, "a"), [1, [2, {"k": {1, (2, 3)}}]], {(1, 2): None}, set()]
)
def test_a_value_that_reads_back_travels_as_itself(value: object) -> None:
    encoded = encode_value(value)
    assert list(encoded) == ["literal"]
    back = decode_value(json.loads(json.dumps(encoded)))
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize(
    "value",
    [Box(), float("nan"), 10**5000, [Box()], "x" * 30_000, type("Int", (int,), {})(3), frozenset({1})],
    ids=["object", "nan", "huge-int", "list-of-object", "long-text", "int-subclass", "frozenset"],
)
def test_any_other_value_is_shown_by_its_safe_repr(value: object) -> None:
    encoded = encode_value(value)
    assert list(encoded) == ["shown"]
    shown = decode_value(encoded)
    assert isinstance(shown, Shown) and repr(shown) == safe_repr(value, 20_000)
    assert safe_repr(shown, 300) == safe_repr(value, 300) and stable_repr(shown, 2000) == stable_repr(value, 2000)


def test_a_decoded_request_has_the_cache_key_of_the_original() -> None:
    request = EmulationRequest(
        kind="call", source="f(box, n)", lineno=3, function="f", args=(Box(), 2), kwargs={"k": [1]},
        state={"box": Box(), "n": 2, "names": ["a"]}, program="box = Box()\nf(box, n)\n", returns="bool",
        labels=["x"], current={"box": Box()}, filename="/tmp/p.coc.py",
    )  # fmt: skip
    decoded = decode_request(json.loads(json.dumps(encode_request(request))), request.program)
    for include_program in (True, False):
        assert cache_key("id", decoded, include_program=include_program) == cache_key("id", request, include_program=include_program)


@pytest.mark.parametrize(
    "record",
    [
        [],
        {"kind": "call"},
        {**encode_request(EmulationRequest("call", "f()", 1)), "kind": "shell"},
        {**encode_request(EmulationRequest("call", "f()", 1)), "lineno": True},
        {**encode_request(EmulationRequest("call", "f()", 1)), "args": [{"literal": "1", "shown": "1"}]},
        {**encode_request(EmulationRequest("call", "f()", 1)), "state": {"x": {"literal": "(" * 300 + ")" * 300}}},
        {**encode_request(EmulationRequest("call", "f()", 1)), "source": "s" * 300_000},
        {**encode_request(EmulationRequest("call", "f()", 1)), "program": "import os"},
    ],
    ids=["not-object", "missing", "kind", "bool-line", "two-forms", "deep-literal", "long-source", "program"],
)
def test_a_malformed_request_is_a_protocol_error(record: object) -> None:
    with pytest.raises(ProtocolError):
        decode_request(record, "")


def test_the_server_answers_errors_as_data_and_scrubs_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-scrub-" + secrets.token_hex(8)
    monkeypatch.setenv("OPENAI_API_KEY", key)

    class Echo:
        def emulate(self, request: EmulationRequest) -> object:
            raise AnswerError(f"no good, {key}", raw=key)

    from coc_lsp.lm.lmulator import LMulator

    server = LMServer(lambda: (LMulator(Echo(), None, "echo"), "echo"), "", max_requests=3)
    message = {"op": "emulate", "bypass_cache": False, "request": encode_request(EmulationRequest("call", "f()", 1))}
    reply = server.handle(json.dumps(message).encode())
    assert key not in reply.decode() and json.loads(reply)["error"]["type"] == "AnswerError"
    assert json.loads(server.handle(b'{"op": "open"}'))["ok"] == {"description": "echo"}
    server.handle(b'{"op": "open"}')
    with pytest.raises(ProtocolError, match="more than 3"):
        server.handle(b'{"op": "open"}')


def test_the_server_reads_a_bounded_number_of_bytes() -> None:
    server = LMServer(no_lm, "", max_requests=1000)
    padded = b'{"op": "open"' + b" " * (3 << 20) + b"}"
    with pytest.raises(ProtocolError, match="bytes of requests"):
        for _ in range(30):
            server.handle(padded)
    assert server.requests == 22
