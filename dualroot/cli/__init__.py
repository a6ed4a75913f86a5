"""The `dualroot` command: parses arguments, calls the library, prints, and exits.

Each subcommand lives in its own module here and exposes `register(subparsers)`, which adds its parser
and sets `func(args) -> int` as the default. Library errors (DualrootError) become one line on stderr
and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from dualroot import __version__
from dualroot.errors import DualrootError

# Subcommand modules, imported when the parser is built; a module still missing is skipped.
SUBCOMMANDS = ("lab", "cib", "drill")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dualroot",
        description="DRBD dual-primary under OCFS2, run by Pacemaker: lab, CIB, drills.",
    )
    parser.add_argument("--version", action="version", version=f"dualroot {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"dualroot.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"dualroot.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except DualrootError as exc:
        print(f"dualroot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dualroot: interrupted", file=sys.stderr)
        return 130
