"""The LMulator: cache in front, checks behind, one retry with feedback, clear failures."""

from __future__ import annotations

import dataclasses

import pytest

from coc_lsp.lm.cache import Cache
from coc_lsp.lm.errors import AnswerError, BackendError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.openai_backend import OpenAIBackend
from coc_lsp.lm.request import EmulationRequest


def call_request(**changes) -> EmulationRequest:
    base = EmulationRequest(
        kind="call",
        source="sarcastic = is_sarcastic(sentence)",
        lineno=3,
        function="is_sarcastic",
        args=("Oh great, another Monday.",),
        returns="bool",
        program="sentence = 'Oh great, another Monday.'\nsarcastic = is_sarcastic(sentence)\n",
        filename="moods.coc.py",
    )
    return dataclasses.replace(base, **changes)


def line_request(**changes) -> EmulationRequest:
    base = EmulationRequest(
        kind="pseudo",
        source="count the vowels in word and call it n",
        lineno=7,
        state={"word": "banana"},
        targets=["n"],
        target_types={"n": "int"},
        filename="vowels.coc.py",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def lmulator_for(scripted_openai, tmp_path):
    """LMulator(OpenAIBackend -> scripted server), with a cache in tmp_path unless cache=False."""

    def make(cache: bool = True) -> LMulator:
        backend = OpenAIBackend(model="m", base_url=scripted_openai.base_url, timeout=5)
        store = Cache(tmp_path / "cache.sqlite3") if cache else None
        return LMulator(backend, store, backend.identity)

    return make


class Recorder:
    """A custom backend (emulate() only) that answers from a list and records its requests."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[EmulationRequest] = []

    def emulate(self, request: EmulationRequest):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_good_answer_is_checked_and_timed(lmulator_for, scripted_openai) -> None:
    scripted_openai.queue(scripted_openai.Reply('{"value": "yes"}', usage=(50, 4)))
    result = lmulator_for(cache=False).emulate(call_request())
    assert result.value is True
    assert (result.cached, result.attempts) == (False, 1)
    assert (result.prompt_tokens, result.completion_tokens) == (50, 4)
    assert result.raw == '{"value": "yes"}'
    assert result.latency_s > 0


def test_garbled_answer_is_retried_with_feedback(lmulator_for, scripted_openai) -> None:
    scripted_openai.queue(
        scripted_openai.Reply("I would say it is sarcastic", usage=(40, 6)),
        scripted_openai.Reply('{"value": true}', usage=(60, 4)),
    )
    result = lmulator_for(cache=False).emulate(call_request())
    assert result.value is True
    assert result.attempts == 2
    assert (result.prompt_tokens, result.completion_tokens) == (100, 10)
    first, second = scripted_openai.requests
    assert "rejected" not in first.user_message
    assert "Your previous answer was rejected" in second.user_message
    assert "I would say it is sarcastic" in second.user_message


def test_garbled_twice_names_file_line_and_cause(lmulator_for, scripted_openai) -> None:
    scripted_openai.script(lambda body: "no idea")
    with pytest.raises(AnswerError) as caught:
        lmulator_for().emulate(call_request())
    message = str(caught.value)
    assert message.startswith("moods.coc.py:3:")
    assert "after 2 attempts" in message and "'no idea'" in message
    assert scripted_openai.calls == 2


def test_wrong_type_is_retried_then_refused(lmulator_for, scripted_openai) -> None:
    scripted_openai.script(lambda body: {"value": "perhaps"})
    with pytest.raises(
        AnswerError, match=r"Expected a value of type bool, but the answer was 'perhaps'"
    ):
        lmulator_for().emulate(call_request())
    assert "'perhaps'" in scripted_openai.last.user_message


@pytest.mark.parametrize(
    "template",
    [
        "__import__('os').system('touch {marker}')",
        '{{"value": __import__("os").system("touch {marker}")}}',
        "(lambda: open('{marker}', 'w'))()",
        "exec(\"open('{marker}', 'w')\")",
    ],
)
def test_hostile_answers_from_the_endpoint_never_run(
    template, lmulator_for, scripted_openai, tmp_path
) -> None:
    marker = tmp_path / "pwned"
    scripted_openai.script(lambda body: template.format(marker=marker))
    with pytest.raises(AnswerError):
        lmulator_for().emulate(call_request())
    with pytest.raises(AnswerError):
        lmulator_for().emulate(line_request(targets=["x"], target_types={}))
    assert not marker.exists()


def test_repeat_is_a_cache_hit(lmulator_for, scripted_openai) -> None:
    scripted_openai.script(lambda body: {"value": True})
    lmulator = lmulator_for()
    assert lmulator.emulate(call_request()).cached is False
    again = lmulator_for().emulate(call_request())  # a new run: new LMulator, same cache file
    assert scripted_openai.calls == 1
    assert (again.value, again.cached, again.attempts, again.prompt_tokens) == (True, True, 0, 0)
    assert again.raw == '{"value": true}'


def test_bypass_cache_asks_again_and_stores_the_new_answer(lmulator_for, scripted_openai) -> None:
    scripted_openai.queue('{"value": true}', '{"value": false}')
    lmulator = lmulator_for()
    assert lmulator.emulate(call_request()).value is True
    fresh = lmulator.emulate(call_request(), bypass_cache=True)
    assert (fresh.value, fresh.cached) == (False, False)
    assert scripted_openai.calls == 2
    assert lmulator.emulate(call_request()).value is False
    assert scripted_openai.calls == 2


def test_the_program_text_is_not_in_the_key_of_backends_that_never_send_it(
    lmulator_for, scripted_openai
) -> None:
    scripted_openai.script(lambda body: {"value": True})
    lmulator = lmulator_for()
    lmulator.emulate(call_request())
    lmulator.emulate(call_request(program="# edited elsewhere\n"))
    assert scripted_openai.calls == 1
    lmulator.emulate(call_request(args=("What a lovely day.",)))
    assert scripted_openai.calls == 2


def test_custom_backend_without_answer(tmp_path) -> None:
    backend = Recorder({"n": "3"})
    lmulator = LMulator(backend, Cache(tmp_path / "c.sqlite3"), "custom:mine:make")
    result = lmulator.emulate(line_request())
    assert result.value == {"n": 3}
    assert result.raw == "{'n': '3'}"
    # Custom backends may read the program: editing it is a cache miss.
    backend.answers.append({"n": 3})
    lmulator.emulate(line_request(program="# changed"))
    assert len(backend.requests) == 2


def test_custom_backend_is_told_what_was_wrong() -> None:
    backend = Recorder({"count": 3}, {"n": 3})
    result = LMulator(backend, None, "custom:mine:make").emulate(line_request())
    assert result.value == {"n": 3}
    assert backend.requests[0].feedback is None
    assert "missing n" in backend.requests[1].feedback
    assert "unexpected 'count'" in backend.requests[1].feedback


def test_custom_backend_exception_is_a_backend_error() -> None:
    backend = Recorder(ZeroDivisionError("division by zero"))
    with pytest.raises(
        BackendError,
        match=r"The backend custom:mine:make failed: ZeroDivisionError: division by zero",
    ):
        LMulator(backend, None, "custom:mine:make").emulate(line_request())


@pytest.mark.parametrize(
    ("answers", "match"),
    [
        (["not a dict", "still not"], "Expected a dict"),
        ([{"n": "many"}, {"n": "lots"}], r"n: Expected a value of type int"),
        ([{}, {}], "missing n"),
    ],
)
def test_line_answers_must_fit_the_targets(answers, match) -> None:
    with pytest.raises(AnswerError, match=match) as caught:
        LMulator(Recorder(*answers), None, "custom:x:y").emulate(line_request())
    assert "vowels.coc.py:7" in str(caught.value)


def test_without_targets_any_variable_names_are_accepted() -> None:
    request = line_request(targets=[], target_types={})
    assert LMulator(Recorder({"a": 1, "b_2": [2]}), None, "c:x").emulate(request).value == {
        "a": 1,
        "b_2": [2],
    }
    with pytest.raises(AnswerError, match="variable names"):
        LMulator(Recorder({"not a name": 1}, {1: 2}), None, "c:x").emulate(request)


def test_unstorable_values_are_returned_but_not_cached(tmp_path) -> None:
    marker = object()
    backend = Recorder(marker, marker)
    lmulator = LMulator(backend, Cache(tmp_path / "c.sqlite3"), "c:x")
    request = call_request(returns=None)
    assert lmulator.emulate(request).value is marker
    assert lmulator.emulate(request).cached is False
    assert len(backend.requests) == 2
