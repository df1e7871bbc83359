"""The answer in an LM's free-text reply (direct, chain of thought, fallback)."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"the answer is[: \t]*(.+)", re.IGNORECASE),
    re.compile(r"^[ \t]*(?:A|Answer)[ \t]*:[ \t]*(.+)", re.IGNORECASE | re.MULTILINE),
)
_LABEL = re.compile(r"^(?:(?:A|Answer)[ \t]*:[ \t]*)+", re.IGNORECASE)


def extract_answer(reply: str) -> str:
    """The answer a reply gives: after the last "the answer is", else after the last `A:` or
    `Answer:` on the same line, else its first non-empty line; trailing punctuation and quotes
    removed. "" when it gives none (a reply of bare `A:` lines)."""
    text = reply.strip()
    for pattern in _PATTERNS:
        found = [answer for answer in map(_clean, pattern.findall(text)) if answer]
        if found:
            return found[-1]
    first = next((line for line in text.splitlines() if line.strip()), "")
    return _clean(first)


def _clean(text: str) -> str:
    text = text.strip().split("\n")[0].strip().strip("*`").strip()
    text = _LABEL.sub("", text).strip("*`").strip()
    if len(text) > 1 and text[-1] == "." and not text.endswith(".."):  # "So the answer is 6."
        text = text[:-1].rstrip()
    return text.strip("\"'").strip()
