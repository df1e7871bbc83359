"""`coc run | solve | bench | lsp | dap`: the command line.

Each subcommand lives in its own module; heavy modules (the language server, the debugger, LM
clients) are imported only by the subcommand that needs them. Exit status 2 is bad usage.
"""

from __future__ import annotations

import argparse
import sys

from coc_lsp.cli import run
from coc_lsp.cli.options import UsageError, fail


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coc", description="Chain of Code: run hybrid Python/LM programs.")
    commands = parser.add_subparsers(dest="command", required=True)
    run.add_parser(commands)
    from coc_lsp.cli import solve

    solve.add_parser(commands)
    from coc_lsp.cli import bench

    bench.add_parser(commands)
    lsp = commands.add_parser("lsp", help="serve the language server (stdio)")
    lsp.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT instead of stdio")
    commands.add_parser("dap", help="serve the debug adapter (stdio)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    program_args: list[str] = []
    if "--" in argv:  # everything after `--` belongs to the program
        split = argv.index("--")
        argv, program_args = argv[:split], argv[split + 1 :]
    args = build_parser().parse_args(argv)
    args.args = program_args
    try:
        if args.command == "lsp":
            from coc_lsp.server.main import serve

            serve(tcp_port=args.tcp)
            return 0
        if args.command == "dap":
            from coc_lsp.debug.adapter import serve as serve_dap

            return serve_dap()
        return int(args.handler(args))
    except UsageError as error:
        return fail(str(error))
