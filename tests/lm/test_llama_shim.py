"""The llama-cpp-python shim: version check and each fallback, run for real on the embedded model.

A version outside the series the shim knows is simulated by giving it another version string: the
real model then runs on the public-API fallbacks, and must answer as the fast path does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coc_lsp.lm import embedded
from coc_lsp.lm.errors import LlamaVersionWarning
from coc_lsp.lm.llama_shim import LlamaShim, installed_version, known
from coc_lsp.lm.request import EmulationRequest

pytestmark = pytest.mark.usefixtures("embedded_model")

TURNS = [{"role": "user", "content": "Is a salmon a fish? Answer yes or no."}]


@pytest.fixture(scope="module")
def model() -> embedded._Model:
    return embedded.load(embedded.default_model_path())


@pytest.fixture(scope="module")
def fallback() -> Iterator[embedded._Model]:
    """The same model file loaded as if llama-cpp-python were 0.4: public API only."""
    with pytest.warns(LlamaVersionWarning, match=r"llama-cpp-python 0\.4\.0 is not the 0\.3\.x"):
        loaded = embedded._Model(embedded.default_model_path(), version="0.4.0")
    yield loaded
    loaded.llama.close()  # before interpreter teardown, as embedded._close_all does for shared ones


def call(function: str, arg: str, returns: str) -> EmulationRequest:
    return EmulationRequest(kind="call", source=f"{function}({arg!r})", lineno=1, function=function, args=(arg,), returns=returns)


def test_the_installed_version_is_the_known_series() -> None:
    assert known(installed_version())
    assert known("0.3.0") and known("0.3.99")
    assert not known("0.4.0") and not known("1.3.0") and not known("unknown")


def test_the_known_version_uses_the_internals_without_warning(model, recwarn) -> None:
    shim = LlamaShim(model.llama)
    assert shim.internals and not [w for w in recwarn if w.category is LlamaVersionWarning]


def test_special_tokens_from_the_public_api_give_the_same_chat_prompt(model, fallback) -> None:
    assert not fallback.shim.internals
    bos = model.llama.token_bos()
    assert fallback.shim.special_text(bos) == model.shim.special_text(bos) == "<|im_start|>"
    assert fallback.chat(TURNS) == model.chat(TURNS)
    assert model.chat(TURNS).endswith("<|im_start|>assistant\n")


def test_without_a_template_turns_are_plain_text(model) -> None:
    assert model.shim.chat_formatter(None) is None and model.shim.chat_formatter("") is None


def test_scores_without_rewinding_equal_the_fast_path(model, fallback) -> None:
    assert fallback.shim.rewind(3) is False
    texts = ["It is a fish", "Yes", "No, it is not"]
    with model.lock:
        fast, fast_evaluated = model.loglik(model.chat(TURNS), texts)
    slow, slow_evaluated = fallback.loglik(fallback.chat(TURNS), texts)
    assert fast == pytest.approx(slow, abs=1e-2)
    assert slow_evaluated > fast_evaluated  # the prefix was evaluated again, not rewound


@pytest.mark.parametrize(
    "request_",
    [call("is_fish", "salmon", "bool"), call("classify", "salmon", "Literal['mammal', 'bird', 'fish']")],
    ids=["bool", "labels"],
)
def test_the_fallback_model_answers_closed_sets(fallback, request_) -> None:
    answer = embedded._Turns(fallback, request_).by_question("auto")
    expected = (True, False) if request_.returns == "bool" else ("mammal", "bird", "fish")
    assert answer.value in expected


def test_without_scores_a_closed_set_is_chosen_under_a_grammar(model) -> None:
    turns = embedded._Turns(model, call("is_fish", "salmon", "bool"))
    with model.lock:
        value = turns.constrained(TURNS, [True, False], ["Yes", "No"])
    assert value in (True, False)
    assert turns.texts[-1] in ('"Yes"', '"No"')
    assert turns.prompt_tokens > 0
