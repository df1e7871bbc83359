"""The answer in a free-text reply (direct, chain of thought, fallback)."""

from __future__ import annotations

import pytest

from coc_lsp.solve.answers import extract_answer


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("There are 2 apples and 4 pears. So the answer is 6.", "6"),
        ("So the answer is (B).", "(B)"),
        ("A: yes", "yes"),
        ("Let me think.\nAnswer: **No**", "No"),
        ("The answer is 3.5.", "3.5"),
        ("A:\nA: 7", "7"),
        ("A: A: 7", "7"),
        ("  \n'Paris'\nmore text", "Paris"),
    ],
)
def test_the_answer_is_read_from_the_reply(reply: str, answer: str) -> None:
    assert extract_answer(reply) == answer


@pytest.mark.parametrize("reply", ["", "   \n", "A:", "A:\nA:\nA:", "Answer:\n", "`A:`", "**Answer:**"])
def test_a_reply_without_an_answer_gives_none(reply: str) -> None:
    assert extract_answer(reply) == ""
