"""The LMulator: emulation requests in, checked Python values out.

request.py (the protocol) · prompts.py (what the LM is shown) · answers.py (raw text -> literal
values, never code) · types.py (annotation text -> JSON schema and checks) · openai_backend.py,
embedded.py, custom.py (backends) · cache.py (sqlite answer cache) · lmulator.py (cache, backend,
checks and one retry, together) · config.py (settings, and the one place that picks a backend).
Nothing here imports the rest of coc_lsp; heavy packages are imported only when an LM is asked.
"""
