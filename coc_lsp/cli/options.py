"""What the subcommands share: the backend options and reading the configuration they override."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a subcommand reads its configuration, not at start-up
    from coc_lsp.lm.config import LMConfig

BACKEND_OPTIONS = ("backend", "model", "base_url", "model_path", "cache_dir", "no_cache", "timeout", "max_in_flight")


class UsageError(Exception):
    """Bad usage: `coc` prints the message and exits with status 2."""


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("LM backend")
    group.add_argument("--backend", help="'openai', 'embedded' or MODULE:FACTORY for a custom backend")
    group.add_argument("--model", help="model name for the endpoint")
    group.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model-path", help="a GGUF model file for the embedded backend")
    group.add_argument("--cache-dir", help="directory of the LM answer cache")
    group.add_argument("--no-cache", action="store_true", default=None, help="neither read nor write the cache")
    group.add_argument(
        "--timeout",
        type=float,
        help="seconds one LM answer may take from an endpoint, all in: every attempt, the waits between"
        " retries and the whole reply (default 60)",
    )
    group.add_argument(
        "--max-in-flight",
        type=int,
        metavar="N",
        help="requests sent to an endpoint at once: a loop's semantic calls are asked ahead, N at a time (default 8)",
    )


def config_for(place: Path, args: argparse.Namespace, **more: object) -> LMConfig:
    """The settings for a program (or the current directory) at `place`, overridden by the
    command line; UsageError when a value is wrong."""
    from coc_lsp.lm.config import load_config
    from coc_lsp.lm.errors import ConfigError

    overrides = {name: getattr(args, name, None) for name in BACKEND_OPTIONS} | more
    try:
        return load_config(place, {k: v for k, v in overrides.items() if v is not None})
    except ConfigError as error:
        raise UsageError(str(error)) from None


def fail(message: str, status: int = 2) -> int:
    print(f"coc: error: {message}", file=sys.stderr)
    return status
