"""`coc solve` end to end: the real CLI in a child process, the real `openai` client over HTTP, a
scripted endpoint (tests/conftest.py) that writes known programs (scripted_solver.py), and the
program run in the real sandbox."""

from __future__ import annotations

import ast
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coc_lsp.runtime.trace import Generated, Solved, read_trace
from coc_lsp.solve import exemplars, prompts
from coc_lsp.solve.pipeline import CROSS_TASKS
from coc_lsp.solve.sandbox import isolation
from tests.solve.processes import alive
from tests.solve.scripted_solver import SolverScript

pytestmark = pytest.mark.skipif(not isolation().usable, reason=f"no sandbox here: {isolation().reason}")

ROOT = Path(__file__).resolve().parents[2]
BBH = Path(os.environ.get("COC_BBH_DIR", ROOT.parent / "shared" / "bbh"))
KEY = "sk-solve-" + secrets.token_hex(16)
QUESTION = "I have an apple, a rock and a pear. How many fruits do I have?"
SLUG = "i-have-an-apple-a-rock.coc.py"
FRUITS = (
    "count = 0\n"
    "for thing in ['apple', 'rock', 'pear']:\n"
    "    if is_fruit(thing):\n"
    "        count += 1\n"
    "answer = str(count)\n"
)
FRUIT_CALLS = {"is_fruit('apple')": True, "is_fruit('rock')": False, "is_fruit('pear')": True}


def coc_solve(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coc_lsp", "solve", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout,
        input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture
def endpoint(scripted_openai) -> SolverScript:
    script = SolverScript(programs=[FRUITS], calls=dict(FRUIT_CALLS))
    scripted_openai.script(script)
    return script


@pytest.fixture
def run(scripted_openai, endpoint: SolverScript, tmp_path: Path):
    """`coc solve ARGS` against the scripted endpoint, in tmp_path/work, with its own cache."""
    work = tmp_path / "work"
    work.mkdir()

    def solve(*args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return coc_solve(*args, "--cache-dir", str(tmp_path / "cache"), cwd=work, env=scripted_openai.env(KEY), stdin=stdin, timeout=timeout)

    return solve


def answered_by(result: subprocess.CompletedProcess[str], path: str) -> bool:
    return f"coc: answer by {path} (" in result.stderr


def user_message(body: dict) -> str:
    return body["messages"][-1]["content"]


# -- the question, the saved program, the answer ---------------------------------------------------


@pytest.mark.parametrize("source", ["argv", "file", "stdin"])
def test_the_question_is_read_and_becomes_the_saved_programs_docstring(run, endpoint: SolverScript, tmp_path: Path, source: str) -> None:
    (tmp_path / "question.txt").write_text(f"\n{QUESTION}\n")
    args = {"argv": [QUESTION], "file": ["-f", str(tmp_path / "question.txt")], "stdin": []}[source]
    result = run(*args, stdin=f"{QUESTION}\n" if source == "stdin" else None)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "2\n"
    assert answered_by(result, "program") and "3 emulations" in result.stderr
    saved = tmp_path / "work" / SLUG
    assert f"coc: program saved to {saved}" in result.stderr
    tree = ast.parse(saved.read_text())
    assert ast.get_docstring(tree) == QUESTION
    assert saved.read_text().endswith(FRUITS)
    assert f"Q: {QUESTION}\n{prompts.CODE_START}\n" in user_message(endpoint.of("program")[0])


def test_the_default_name_never_overwrites_and_out_is_refused_when_it_exists(run, scripted_openai, tmp_path: Path) -> None:
    taken = tmp_path / "work" / SLUG
    taken.write_text("mine\n")
    result = run(QUESTION)
    assert result.returncode == 0, result.stderr
    assert taken.read_text() == "mine\n"
    assert (tmp_path / "work" / SLUG.replace(".coc.py", "-2.coc.py")).read_text().endswith(FRUITS)

    calls = scripted_openai.calls
    refused = run(QUESTION, "--out", str(taken))
    assert refused.returncode == 2 and f"{taken} exists" in refused.stderr and refused.stdout == ""
    assert taken.read_text() == "mine\n" and scripted_openai.calls == calls

    chosen = run(QUESTION, "--out", "fruits.coc.py")
    assert chosen.returncode == 0 and (tmp_path / "work" / "fruits.coc.py").is_file()


def test_the_trace_records_generation_run_and_answer(run, tmp_path: Path) -> None:
    result = run(QUESTION, "--trace", str(tmp_path / "trace.jsonl"))
    assert result.returncode == 0, result.stderr
    events = list(read_trace((tmp_path / "trace.jsonl").read_text().splitlines()))
    names = [e.name for e in events]
    assert names[0] == "generated" and names[-1] == "solved" and names.count("emulation") == 3
    generated = next(e for e in events if isinstance(e, Generated))
    assert generated.program == FRUITS and generated.path == str(tmp_path / "work" / SLUG) and generated.error is None
    solved = events[-1]
    assert isinstance(solved, Solved) and (solved.answer, solved.path, solved.method) == ("2", "program", "coc")


# -- the methods -----------------------------------------------------------------------------------


def test_coc_interweaves_python_with_emulated_helpers(run, endpoint: SolverScript) -> None:
    result = run(QUESTION, "--method", "coc")
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["program", "emulation", "emulation", "emulation"]
    assert [user_message(b).split("Call: ")[1].split("\n")[0] for b in endpoint.of("emulation")] == list(FRUIT_CALLS)
    assert "4 LM calls" in result.stderr


def test_coc_python_falls_back_when_a_helper_is_undefined(run, endpoint: SolverScript) -> None:
    endpoint.replies["fallback"] = "A: 2"
    result = run(QUESTION, "--method", "coc-python")
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["program", "fallback"]
    assert answered_by(result, "fallback")
    assert "the program did not give the answer" in result.stderr and "is_fruit" in result.stderr
    fallback = user_message(endpoint.of("fallback")[0])
    assert FRUITS.rstrip() in fallback and "NameError" in fallback and "is_fruit" in fallback


def test_coc_lm_has_the_lm_emulate_every_line(run, endpoint: SolverScript) -> None:
    endpoint.programs = ["x = 2 + 2\nanswer = str(x)\n"]
    endpoint.lines = {"x = 2 + 2": {"x": 5}, "answer = str(x)": {"answer": "five"}}
    result = run("What is 2 + 2?", "--method", "coc-lm")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "five\n" and answered_by(result, "program")
    assert endpoint.kinds() == ["program", "emulation", "emulation"]


def test_try_python_except_lm_reads_the_program_when_python_fails(run, endpoint: SolverScript) -> None:
    endpoint.replies["program-read"] = "A: 2"
    result = run(QUESTION, "--method", "coc-try-python-except-lm")
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["program", "program-read"] and answered_by(result, "program-read")
    assert FRUITS.rstrip() in user_message(endpoint.of("program-read")[0])

    endpoint.programs = ["answer = str(len(['apple', 'pear']))\n"]
    python = run(QUESTION, "--method", "coc-try-python-except-lm", "--out", "python.coc.py", "--no-cache")
    assert python.stdout == "2\n" and answered_by(python, "program")
    assert endpoint.kinds()[2:] == ["program"], "Python succeeded: no LM after the program"


def test_try_python_except_lm_state_reruns_with_the_lm_on_every_line(run, endpoint: SolverScript) -> None:
    endpoint.programs = ["count = len(fruits_in('apple, rock, pear'))\nanswer = str(count)\n"]
    endpoint.lines = {
        "count = len(fruits_in('apple, rock, pear'))": {"count": 2},
        "answer = str(count)": {"answer": "2"},
    }
    result = run(QUESTION, "--method", "coc-try-python-except-lm-state")
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["program", "emulation", "emulation"] and answered_by(result, "lm-rerun")


def test_cot_uses_the_chain_of_thought_prompt(run, endpoint: SolverScript, tmp_path: Path) -> None:
    prompt = BBH / "cot-prompts" / "object_counting.txt"
    endpoint.replies["cot"] = "apple (1), pear (1): 1 + 1 = 2. So the answer is 2."
    result = run(QUESTION, "--method", "cot", "--cot-prompt", str(prompt))
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["cot"] and answered_by(result, "cot")
    sent = user_message(endpoint.of("cot")[0])
    assert sent.startswith("Q: I have a blackberry, a clarinet") and "canary" not in sent
    assert sent.endswith(f"Q: {QUESTION}\nA: {prompts.COT_TRIGGER}")
    assert list((tmp_path / "work").iterdir()) == [], "no program, no file"


def test_direct_answers_from_the_tasks_exemplar_answers(run, endpoint: SolverScript) -> None:
    endpoint.replies["direct"] = "2"
    result = run(QUESTION, "--method", "direct", "--task", "object_counting")
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert endpoint.kinds() == ["direct"] and answered_by(result, "direct")
    sent = user_message(endpoint.of("direct")[0])
    shown = exemplars.load("object_counting")
    assert sent == "".join(f"Q: {e.question}\nA: {e.target}\n\n" for e in shown) + f"Q: {QUESTION}\nA:"


# -- the fallback ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "said"),
    [
        ("if True:\nanswer = 2\n", "the program does not parse: line 2"),
        ("raise ValueError('no fruit here')\n", "ValueError: no fruit here"),
        ("count = 2\n", "the program did not set `answer`"),
    ],
    ids=["does-not-parse", "run-fails", "no-answer"],
)
def test_a_program_that_does_not_give_the_answer_falls_back(run, endpoint: SolverScript, program: str, said: str) -> None:
    endpoint.programs = [program]
    endpoint.replies["fallback"] = "I count them: the answer is 2."
    result = run(QUESTION)
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert answered_by(result, "fallback") and said in result.stderr
    assert said in user_message(endpoint.of("fallback")[0])


def test_no_answer_at_all_exits_1(run, endpoint: SolverScript) -> None:
    endpoint.programs = ["count = 2\n"]
    endpoint.replies["fallback"] = "   "
    result = run(QUESTION)
    assert result.returncode == 1 and result.stdout == "", result.stderr
    assert "the program did not set `answer`" in result.stderr
    assert "coc: no answer: the fallback reply gave none" in result.stderr


# -- the prompts -----------------------------------------------------------------------------------


def exemplar_questions(body: dict) -> list[str]:
    text = user_message(body)
    return [part.split(f"\n{prompts.CODE_START}\n")[0] for part in text.split("Q: ")[1:-1]]


def test_the_default_prompt_shows_three_exemplars_of_other_tasks_in_the_papers_format(run, endpoint: SolverScript) -> None:
    assert run(QUESTION).returncode == 0
    body = endpoint.of("program")[0]
    assert body["messages"][0] == {"role": "system", "content": prompts.FEW_SHOT_INSTRUCTION}
    assert prompts.FEW_SHOT_INSTRUCTION.startswith("Pretend you are a completion model that is prompted with three examples.")
    text = user_message(body)
    assert text.count(prompts.CODE_START) == 4 and text.count(prompts.CODE_END) == 3
    assert text.endswith(f"Q: {QUESTION}\n{prompts.CODE_START}\n")
    assert exemplar_questions(body) == [exemplars.load(task)[0].question for task in CROSS_TASKS[:3]]
    first = exemplars.load(CROSS_TASKS[0])[0]
    assert f"{prompts.CODE_START}\n{first.program.rstrip()}\n{prompts.CODE_END}\nAnswer: {first.target}\n" in text
    assert prompts.CODE_END in body["stop"] and body["temperature"] == 0


def test_task_shots_and_cross_task_choose_the_exemplars(run, endpoint: SolverScript) -> None:
    navigate = [e.question for e in exemplars.load("navigate")]
    assert run(QUESTION, "--task", "navigate", "--shots", "2", "--out", "a.coc.py").returncode == 0
    assert exemplar_questions(endpoint.of("program")[-1]) == navigate[:2]
    assert run(QUESTION, "--task", "navigate", "--cross-task", "--out", "b.coc.py").returncode == 0
    crossed = exemplar_questions(endpoint.of("program")[-1])
    assert len(crossed) == 3 and not set(crossed) & set(navigate)
    assert crossed == [exemplars.load(task)[0].question for task in CROSS_TASKS if task != "navigate"][:3]


def test_zero_shots_asks_for_a_program_with_the_instruction(run, endpoint: SolverScript) -> None:
    assert run(QUESTION, "--shots", "0").returncode == 0
    body = endpoint.of("program")[0]
    assert body["messages"] == [
        {"role": "system", "content": prompts.ZERO_SHOT_INSTRUCTION},
        {"role": "user", "content": f"Q: {QUESTION}\n{prompts.CODE_START}\n"},
    ]
    assert "undefined helper functions" in prompts.ZERO_SHOT_INSTRUCTION and "`answer`" in prompts.ZERO_SHOT_INSTRUCTION


# -- bad usage, a dead endpoint, the key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "said"),
    [
        ([QUESTION, "-f", "question.txt"], None, "give the question or -f FILE, not both"),
        ([], "  \n", "the question is empty"),
        (["-f", "missing.txt"], None, "missing.txt: cannot be read"),
        ([QUESTION, "--task", "no_such_task"], None, "unknown task 'no_such_task'"),
        ([QUESTION, "--shots", "-1"], None, "--shots must be 0 or more"),
        ([QUESTION, "--out", "no/such/dir/x.coc.py"], None, "no/such/dir"),
        ([QUESTION, "--method", "guess"], None, "invalid choice: 'guess'"),
        ([QUESTION, "--cot-prompt", "missing.txt", "--method", "cot"], None, "missing.txt: cannot be read"),
    ],
    ids=["question-and-file", "empty", "missing-file", "unknown-task", "negative-shots", "out-dir-missing", "bad-method", "missing-cot-prompt"],
)
def test_bad_usage_exits_2_with_a_clear_error_and_asks_nothing(run, scripted_openai, args: list[str], stdin: str | None, said: str) -> None:
    result = run(*args, stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr and result.stdout == ""
    assert scripted_openai.calls == 0


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_endpoint_is_one_clear_error_without_the_key(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{unused_port()}/v1"
    trace = tmp_path / "trace.jsonl"
    result = coc_solve(QUESTION, "--trace", str(trace), "--cache-dir", str(tmp_path / "cache"), "--timeout", "5",
                       cwd=tmp_path, env={"OPENAI_BASE_URL": url, "OPENAI_API_KEY": KEY})  # fmt: skip
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("coc: error:") and url in result.stderr and "Traceback" not in result.stderr
    assert KEY not in result.stderr and KEY[:12] not in result.stderr
    assert not (tmp_path / SLUG).exists()
    assert KEY not in everything_written(tmp_path)


def everything_written(directory: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in directory.rglob("*") if p.is_file())


def test_the_key_reaches_no_output_trace_cache_or_program_even_when_echoed(run, endpoint: SolverScript, tmp_path: Path) -> None:
    endpoint.programs = [f"note = 'the key is {KEY}'\n" + FRUITS]
    endpoint.replies["fallback"] = f"A: [{KEY}]"
    result = run(QUESTION, "--trace", str(tmp_path / "trace.jsonl"))
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    assert (tmp_path / "cache").is_dir() and (tmp_path / "trace.jsonl").is_file()
    assert KEY not in everything_written(tmp_path)
    assert "***" in (tmp_path / "work" / SLUG).read_text()

    endpoint.programs = ["raise ValueError('no')\n"]
    echoed = run(QUESTION, "--out", "echo.coc.py", "--no-cache")
    assert echoed.returncode == 0 and echoed.stdout == "[***]\n" and answered_by(echoed, "fallback")
    assert KEY not in echoed.stderr + everything_written(tmp_path)


# -- hostile programs the LM wrote ----------------------------------------------------------------


LOOP = "answer = 0\nwhile True:\n    answer += 1\n"
FORKS = (
    "import os, subprocess, sys\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'MARKER'], start_new_session=True)\n"
    "while True:\n"
    "    os.fork()\n"
)
KEY_SEARCH = (
    "import os\n"
    "found = []\n"
    "for pid in os.listdir('/proc'):\n"
    "    for part in ('environ', 'cmdline'):\n"
    "        try:\n"
    "            data = open(f'/proc/{pid}/{part}', 'rb').read()\n"
    "        except OSError:\n"
    "            continue\n"
    "        if b'sk-solve-' in data or b'OPENAI' in data:\n"
    "            found.append(f'/proc/{pid}/{part}')\n"
    "found += [name for name in os.environ if 'OPENAI' in name]\n"
    "answer = found\n"
)


@pytest.mark.parametrize(
    ("program", "method", "said"),
    [
        (LOOP, "coc", "ran longer than 3 s"),
        (FORKS, "coc-python", "at most 32 processes"),
        # interweaved too: a refused fork is a resource limit, never emulated
        (FORKS, "coc", "at most 32 processes"),
    ],
    ids=["endless-loop", "fork-bomb-python", "fork-bomb-interweaved"],
)
def test_a_hostile_program_hits_a_limit_and_leaves_nothing_behind(run, endpoint: SolverScript, program: str, method: str, said: str) -> None:
    marker = "coc-solve-orphan-" + secrets.token_hex(6)
    endpoint.programs = [program.replace("MARKER", marker)]
    endpoint.lines["os.fork()"] = {}  # what a failed fork does, as the LM sees it: nothing
    endpoint.replies["fallback"] = "A: 2"
    started = time.monotonic()
    result = run(QUESTION, "--method", method, "--time-limit", "3", timeout=90)
    assert result.returncode == 0 and result.stdout == "2\n", result.stderr
    assert said in result.stderr and answered_by(result, "fallback"), result.stderr
    assert said in user_message(endpoint.of("fallback")[0])
    assert time.monotonic() - started < 60
    assert alive(marker) == []


def test_a_program_searching_for_the_key_finds_nothing(run, endpoint: SolverScript) -> None:
    endpoint.programs = [KEY_SEARCH]
    result = run(QUESTION)
    assert result.returncode == 0, result.stderr
    assert answered_by(result, "program") and result.stdout == "[]\n"
    assert "the program ran isolated" in result.stderr


# -- the embedded model, offline -------------------------------------------------------------------


NAVIGATE = (
    "If you follow these instructions, do you return to the starting point? Take 2 steps forward. Take 2 steps backward.\n"
    "Options:\n- Yes\n- No"
)


@pytest.mark.usefixtures("embedded_model")
def test_the_embedded_model_runs_the_pipeline_offline(tmp_path: Path) -> None:
    """navigate's exemplars make a prompt of ~1,200 tokens: more than the model's context was."""
    trace = tmp_path / "trace.jsonl"
    result = coc_solve(NAVIGATE, "--backend", "embedded", "--task", "navigate", "--no-cache", "--trace", str(trace), cwd=tmp_path, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr and "backend: embedded" in result.stderr
    events = list(read_trace(trace.read_text().splitlines()))
    assert isinstance(events[0], Generated) and events[0].origin == "lm" and events[0].completion_tokens > 0
    solved = events[-1]
    assert isinstance(solved, Solved) and solved.path in ("program", "fallback")
    assert answered_by(result, solved.path)
    assert result.stdout == ("" if solved.answer is None else f"{solved.answer}\n")
    assert (result.returncode == 0) == (solved.answer is not None)
    if events[0].error is None:
        assert ast.get_docstring(ast.parse(Path(events[0].path).read_text())) == NAVIGATE
    assert json.loads(trace.read_text().splitlines()[-1])["event"] == "solved"
