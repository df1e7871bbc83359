"""The answer in an LM's free-text reply (direct, chain of thought, fallback)."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"the answer is[:\s]*(.+)", re.IGNORECASE),
    re.compile(r"^\s*(?:A|Answer)\s*:\s*(.+)", re.IGNORECASE | re.MULTILINE),
)


def extract_answer(reply: str) -> str:
    """The answer a reply gives: after the last "the answer is", else after an `A:`/`Answer:`
    line, else its first non-empty line; trailing punctuation and quotes removed."""
    text = reply.strip()
    for pattern in _PATTERNS:
        found = pattern.findall(text)
        if found:
            return _clean(found[-1])
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _clean(first)


def _clean(text: str) -> str:
    text = text.strip().split("\n")[0].strip()
    text = text.strip("*`").strip()
    if len(text) > 1 and text[-1] == "." and text[-2] != ".":  # "So the answer is 24." gives 24
        text = text[:-1].rstrip()
    return text.strip("\"'").strip()
