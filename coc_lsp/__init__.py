"""coc-lsp: Chain of Code programs in the editor: run, see and debug what the LM emulates."""

__version__ = "0.1.0"
