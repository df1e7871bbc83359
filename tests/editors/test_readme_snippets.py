"""The README's editor snippets are excerpts of docs/editors.md's, which the e2e tests load."""

from __future__ import annotations

import pytest

from tests.editors.snippets import after_label, documented


@pytest.mark.parametrize(
    ("label", "section", "language", "own_part"),
    [("**Neovim**", "Neovim", "lua", "-- debugging with nvim-dap"), ("**Emacs**", "Emacs", "elisp", None)],
)
def test_readme_snippet_lines_are_the_tested_ones(label: str, section: str, language: str, own_part: str | None) -> None:
    readme = after_label(label, language)
    if own_part is not None:  # what the README adds beyond the language server (the debugger)
        readme = readme.split(own_part)[0]
    tested = {line.strip() for line in documented(section, language).splitlines()}
    untested = [line for line in readme.splitlines() if line.strip() and line.strip() not in tested]
    assert not untested, f"README.md {label} lines not in docs/editors.md's tested {section} config: {untested}"
