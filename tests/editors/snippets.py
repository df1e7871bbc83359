"""The editor configurations exactly as docs/editors.md shows them, read at test time.

The end-to-end tests load these snippets and nothing else as the editor's configuration, so the
documentation and what the tests prove cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

EDITORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"
README = Path(__file__).resolve().parents[2] / "README.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def documented(section: str, language: str, doc: Path = EDITORS_DOC) -> str:
    """The `language` code blocks of the `## section…` part of `doc`, joined in their order.

    Raises ValueError naming the file and the section when there is no such part or block."""
    text = doc.read_text(encoding="utf-8")
    heading = re.search(rf"^## {re.escape(section)}.*$", text, re.MULTILINE)
    if heading is None:
        raise ValueError(f"{doc}: no section '## {section}'")
    following = re.search(r"^## ", text[heading.end() :], re.MULTILINE)
    body = text[heading.end() : heading.end() + following.start()] if following else text[heading.end() :]
    blocks = [code for lang, code in _FENCE.findall(body) if lang == language]
    if not blocks:
        line = text.count("\n", 0, heading.start()) + 1
        raise ValueError(f"{doc}:{line}: section '{section}' has no ```{language} block")
    return "\n".join(blocks)


def after_label(label: str, language: str, doc: Path = README) -> str:
    """The first `language` code block after the line starting with `label` (README's "**Emacs**")."""
    text = doc.read_text(encoding="utf-8")
    start = text.find("\n" + label)
    block = _FENCE.search(text, start + 1) if start >= 0 else None
    while block is not None and block.group(1) != language:
        block = _FENCE.search(text, block.end())
    if block is None:
        raise ValueError(f"{doc}: no ```{language} block after '{label}'")
    return block.group(2)
