"""The `coc` settings become `coc run` options (the server passes them to its child runs)."""

from __future__ import annotations

from coc_lsp.server.settings import Settings


def test_prefetch_is_on_unless_the_setting_is_false() -> None:
    assert "--no-prefetch" not in Settings.from_section({}).run_options()
    assert "--no-prefetch" not in Settings.from_section({"prefetch": "no"}).run_options()  # ill-typed: default
    assert "--no-prefetch" in Settings.from_section({"prefetch": False}).run_options()
