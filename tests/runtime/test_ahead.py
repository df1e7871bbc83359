"""Asking a loop's semantic calls ahead (issue 15): the real `openai` client against a scripted
endpoint on 127.0.0.1 that counts requests and how many it holds at once.

Every program runs twice, asking ahead and one by one: the output, the answer and each emulation
(line, arguments, value, in order) must be the same.
"""

from __future__ import annotations

import ast
import io
import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from coc_lsp.lm.cache import Cache
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.openai_backend import OpenAIBackend
from coc_lsp.runtime.executor import RunOptions, run_file
from coc_lsp.runtime.trace import Emulation, End, TraceWriter, read_trace
from tests.runtime.scripted import ConcurrentBackend

IN_FLIGHT = 4
GATHER_WAIT = 5.0
_CALL = re.compile(r"^Call: (.*)$", re.MULTILINE)


@dataclass
class Endpoint:
    """Answers `Call: f(args)` prompts from `answers[f](*args)` after `delay` seconds, counting
    the requests it holds at once. With `gather`, each request is held until that many are (or
    GATHER_WAIT seconds passed): how many arrive together does not depend on the machine's load."""

    server: Any
    delay: float = 0.02
    answers: dict[str, Any] = field(default_factory=dict)
    gather: int = 0
    now: int = 0
    peak: int = 0
    asked: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        self.server.script(self.answer)

    def answer(self, body: dict[str, Any]) -> Any:
        user = body["messages"][-1]["content"]
        call = ast.parse(_CALL.search(user)[1], mode="eval").body  # type: ignore[index]
        name, args = call.func.id, tuple(ast.literal_eval(a) for a in call.args)  # type: ignore[attr-defined]
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.asked.append((name, args))
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.now >= self.gather, timeout=GATHER_WAIT)
        time.sleep(self.delay)
        with self.lock:
            self.now -= 1
        return {"value": self.answers[name](*args)}


@dataclass
class Outcome:
    end: End
    stdout: str
    emulations: list[Emulation]

    @property
    def shown(self) -> list[tuple[int, str | None, list[str], str | None]]:
        return [(e.line, e.function, e.request.args, e.value) for e in self.emulations]


def run(tmp_path: Path, endpoint: Endpoint, source: str, *, prefetch: bool = True, cache: Cache | None = None) -> Outcome:
    path = tmp_path / "loop.coc.py"
    path.write_text(source)
    backend = OpenAIBackend(model="scripted", base_url=endpoint.server.base_url, max_in_flight=IN_FLIGHT)
    trace, stdout = io.StringIO(), io.StringIO()
    options = RunOptions(
        make_lmulator=lambda: (LMulator(backend, cache), backend.description),
        stdout=stdout,
        stderr=io.StringIO(),
        prefetch=prefetch,
    )
    end = run_file(str(path), options, TraceWriter(trace))
    events = list(read_trace(trace.getvalue().splitlines()))
    return Outcome(end, stdout.getvalue(), [e for e in events if isinstance(e, Emulation)])


def both(tmp_path: Path, endpoint: Endpoint, source: str) -> tuple[Outcome, Outcome]:
    """(one by one, ahead): the same program, the same answers."""
    one_by_one = run(tmp_path, endpoint, source, prefetch=False)
    ahead = run(tmp_path, endpoint, source)
    assert one_by_one.end.status == "ok", one_by_one.end.error
    assert (ahead.end.status, ahead.end.answer, ahead.stdout) == ("ok", one_by_one.end.answer, one_by_one.stdout)
    assert ahead.shown == one_by_one.shown
    assert not any(e.prefetched for e in one_by_one.emulations)
    return one_by_one, ahead


@pytest.fixture
def endpoint(scripted_openai: Any) -> Endpoint:
    return Endpoint(
        scripted_openai,
        answers={
            "is_fruit": lambda s: s in ("apple", "pear", "plum", "fig", "APPLE"),
            "size_of": len,
            "kind_of": lambda s, *rest: f"{s}-kind{rest}",
            "pair": lambda a, b: f"{a}+{b}",
        },
    )


FRUITS = 'fruits = ["apple", "rock", "pear", "stone", "plum", "fig", "sand", "apple"]\n'


def test_a_loops_calls_are_in_flight_together_and_bounded(tmp_path: Path, endpoint: Endpoint) -> None:
    source = FRUITS + "n = 0\nfor f in fruits:\n    if is_fruit(f):\n        n += 1\nanswer = n\n"
    one_by_one = run(tmp_path, endpoint, source, prefetch=False)
    assert endpoint.peak == 1
    endpoint.peak, endpoint.gather = 0, IN_FLIGHT  # (wall times: benchmarks/prefetch.py)
    ahead = run(tmp_path, endpoint, source)
    assert ahead.end.answer == one_by_one.end.answer == "5"
    assert ahead.shown == one_by_one.shown
    assert endpoint.peak == IN_FLIGHT  # never more than the backend takes
    # "apple" twice: without a cache the LM is asked twice, one by one as ahead.
    assert all(e.prefetched for e in ahead.emulations)
    assert ahead.end.totals.lm_calls == 8 and ahead.end.totals.prefetched_unused == 0


@pytest.mark.parametrize(
    "source",
    [
        # comprehension, generator expression, set/dict comprehensions, map and filter
        FRUITS + "answer = ([size_of(f) for f in fruits], sum(size_of(f) for f in fruits),"
        " {f: kind_of(f) for f in fruits}, list(map(size_of, fruits)), list(filter(is_fruit, fruits)),"
        " sorted(fruits, key=size_of), max(fruits, key=size_of))\n",
        # the first condition of a comprehension is asked ahead; its element only when it passes
        FRUITS + "answer = [kind_of(f) for f in fruits if is_fruit(f)]\n",
        # nested loops: the inner loop's calls depend on both targets
        FRUITS + "answer = []\nfor a in fruits[:3]:\n    for b in ['x', 'y']:\n        answer.append(pair(a, b))\n",
        # tuple targets, enumerate, a dict's items, attributes and subscripts of the item
        FRUITS + "answer = []\nfor i, f in enumerate(fruits):\n    answer.append(kind_of(f, i))\n"
        "for k, v in {'a': 'apple', 'b': 'rock'}.items():\n    answer.append(kind_of(v, k))\n"
        "rows = [{'name': f} for f in fruits]\nfor row in rows:\n    answer.append(size_of(row['name']))\n",
        # a name the loop does not rebind is read; one it rebinds makes the call its own
        FRUITS + "suffix = '!'\nanswer = []\nfor f in fruits:\n    answer.append(kind_of(f, suffix))\n"
        "    g = f.upper()\n    answer.append(is_fruit(g))\n",
        # the loop appends to the list it iterates: later items are read as the loop reads them
        "xs = ['apple', 'rock', 'pear']\nanswer = []\nfor f in xs:\n    answer.append(size_of(f))\n"
        "    if len(xs) < 6:\n        xs.append(f + 's')\n",
    ],
    ids=["comprehensions-map-filter", "condition", "nested", "targets", "rebinding", "appended"],
)
def test_same_result_as_one_by_one(tmp_path: Path, endpoint: Endpoint, source: str) -> None:
    _, ahead = both(tmp_path, endpoint, source)
    assert any(e.prefetched for e in ahead.emulations)
    assert endpoint.peak <= IN_FLIGHT


def test_a_call_whose_arguments_changed_is_asked_itself(tmp_path: Path, endpoint: Endpoint) -> None:
    """The loop changes the next item before its call: the answer asked ahead is not used (it
    is counted apart), the call asks for what it really passes."""
    source = FRUITS + "answer = []\nfor i, f in enumerate(fruits):\n    answer.append(size_of(f))\n" + (
        "    if i + 1 < len(fruits):\n        fruits[i + 1] = fruits[i + 1] * 2\n"
    )
    one_by_one, ahead = both(tmp_path, endpoint, source)
    assert [e.prefetched for e in ahead.emulations] == [True] + [False] * 7
    assert ahead.end.totals.prefetched_unused >= 1
    assert ahead.end.totals.lm_calls == one_by_one.end.totals.lm_calls == 8


def test_breaking_early_costs_at_most_the_requests_in_flight(tmp_path: Path, endpoint: Endpoint) -> None:
    source = "words = [f'w{i}' for i in range(30)]\nanswer = 0\nfor w in words:\n    answer += size_of(w)\n" + (
        "    if answer > 5:\n        break\n"
    )
    _, ahead = both(tmp_path, endpoint, source)
    extra = ahead.end.totals.prefetched_unused
    assert ahead.end.totals.lm_calls == 3 and 1 <= extra <= IN_FLIGHT
    assert len(endpoint.asked) == 3 + 3 + extra  # one by one, then ahead
    # The unused answers went to the cache: a run that goes further (6 items) finds them there.
    cache = Cache(tmp_path / "cache.sqlite3")
    unused = run(tmp_path, endpoint, source, cache=cache).end.totals.prefetched_unused
    further = run(tmp_path, endpoint, source.replace("answer > 5", "answer > 11"), prefetch=False, cache=cache)
    assert further.end.totals.cache_hits == 3 + unused


@pytest.mark.parametrize(
    "loop",
    [
        "for f in iter(fruits):\n    answer.append(size_of(f))\n",  # an iterator: never consumed ahead
        "for f in (g for g in fruits):\n    answer.append(size_of(f))\n",  # a generator
        "for f in fruits:\n    if f.startswith('s'):\n        continue\n    answer.append(size_of(f))\n",  # conditional
        "for f in fruits:\n    answer.append(f.startswith('x') or is_fruit(f))\n",  # under `or`
        "for f in fruits:\n    answer.append(size_of(f.upper()))\n",  # an argument that calls
        "for f in fruits:\n    f = f.upper()\n    answer.append(is_fruit(f))\n",  # the target rebound
    ],
    ids=["iterator", "generator", "after-continue", "under-or", "calling-argument", "target-rebound"],
)
def test_not_asked_ahead(tmp_path: Path, endpoint: Endpoint, loop: str) -> None:
    _, ahead = both(tmp_path, endpoint, FRUITS + "answer = []\n" + loop)
    assert not any(e.prefetched for e in ahead.emulations)
    assert endpoint.peak == 1 and ahead.end.totals.prefetched_unused == 0


def test_a_backend_whose_answers_may_read_the_state_is_asked_one_by_one(tmp_path: Path) -> None:
    """A custom backend that keys its answers on the whole program and state (the default) is
    never asked ahead, however many requests it takes at once."""
    threads: set[int] = set()

    def answer(request: Any) -> Any:
        threads.add(threading.get_ident())
        return len(request.args[0])

    class Stateful(ConcurrentBackend):
        uses_program = True

    path = tmp_path / "stateful.coc.py"
    path.write_text(FRUITS + "answer = [size_of(f) for f in fruits]\n")
    trace = io.StringIO()
    backend = Stateful(answer)
    options = RunOptions(make_lmulator=lambda: (LMulator(backend, None), "stateful"), stdout=io.StringIO(), stderr=io.StringIO())
    end = run_file(str(path), options, TraceWriter(trace))
    emulations = [e for e in read_trace(trace.getvalue().splitlines()) if isinstance(e, Emulation)]
    assert end.status == "ok" and len(emulations) == 8 and not any(e.prefetched for e in emulations)
    assert threads == {threading.get_ident()}


def test_trace_marks_answers_asked_ahead(tmp_path: Path, endpoint: Endpoint) -> None:
    ahead = run(tmp_path, endpoint, FRUITS + "answer = [size_of(f) for f in fruits]\n")
    record = json.loads(json.dumps(ahead.emulations[0].to_json()))
    assert record["prefetched"] is True and record["origin"] == "lm" and record["line"] == 2


def test_attributes_of_plain_instances_and_dataclasses_are_read_ahead(tmp_path: Path, endpoint: Endpoint) -> None:
    source = (
        "from dataclasses import dataclass\n"
        "@dataclass\nclass Item:\n    name: str\n"
        "class Plain:\n    def __init__(self, name):\n        self.name = name\n"
        + FRUITS
        + "answer = [size_of(i.name) for i in [Item(f) for f in fruits]] + [size_of(p.name) for p in [Plain(f) for f in fruits]]\n"
    )
    _, ahead = both(tmp_path, endpoint, source)
    assert all(e.prefetched for e in ahead.emulations[1:8]) and all(e.prefetched for e in ahead.emulations[9:])


def test_a_dict_whose_keys_run_program_code_is_not_read_ahead(tmp_path: Path, endpoint: Endpoint) -> None:
    """Looking "b" up compares it with a stored key of equal hash: the program's __eq__ must run
    when the program looks, not ahead of it."""
    source = (
        "log = []\n"
        "class K:\n    def __hash__(self):\n        return hash('b')\n"
        "    def __eq__(self, other):\n        log.append(('eq', other))\n        return False\n"
        "table = {K(): 0, 'a': 'apple', 'b': 'rock', 'c': 'pear'}\n"
        "for w in ['a', 'b', 'c']:\n    log.append(('call', w))\n    log.append(size_of(table[w]))\n"
        "answer = log\n"
    )
    _, ahead = both(tmp_path, endpoint, source)
    assert not any(e.prefetched for e in ahead.emulations)


def test_the_end_of_a_run_does_not_wait_for_answers_it_never_reached(tmp_path: Path) -> None:
    """After a break, requests still in flight for later items are abandoned: the run ends while
    the backend still holds them (a sequential run never sent them)."""
    release = threading.Event()

    def answer(request: Any) -> Any:
        if request.args[0] != "stop":
            release.wait(60)  # an endpoint that hangs on the items the program never reaches
        return request.args[0] == "stop"

    source = "for w in ['stop', 'slow1', 'slow2']:\n    if is_stop(w):\n        break\nanswer = w\n"
    path = tmp_path / "stop.coc.py"
    path.write_text(source)
    backend = ConcurrentBackend(answer)
    options = RunOptions(make_lmulator=lambda: (LMulator(backend, None), "hanging"), stdout=io.StringIO(), stderr=io.StringIO())
    try:
        end = run_file(str(path), options, TraceWriter(io.StringIO()))
        assert end.status == "ok" and end.answer == "'stop'"
        assert not release.is_set()  # it ended with the other requests still held
        assert end.totals.prefetched_unused == 0  # abandoned answers are not counted as unused ones
    finally:
        release.set()
