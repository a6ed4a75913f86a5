"""The dualroot(1) man page, rendered from the argparse parser the command itself runs with.

Every subcommand, at every depth (`dualroot lab up`, `dualroot cib check`, ...), gets its usage,
description, arguments and epilog, so the page cannot drift from `--help`. The page carries no date and
its usage lines are wrapped at a fixed width (not the terminal's), so an unchanged parser gives the same
bytes; man/dualroot.1 is committed and a unit test fails when it is stale.

Regenerate:  python3 -m dualroot.cli.manpage man/dualroot.1
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dualroot import __version__
from dualroot.ocf.manpage import roff_escape

# Usage lines are wrapped here, not at $COLUMNS, so the output does not depend on who generated it.
USAGE_WIDTH = 72  # man indents by 7: the widest line still fits 80 columns

SEE_ALSO = ("ocf_dualroot_drbd(7)", "ocf_dualroot_o2cb(7)", "ocf_dualroot_ocfs2(7)", "pcs(8)", "crm(8)",
            "crm_verify(8)", "drbdadm(8)", "mount.ocfs2(8)")

EXIT_STATUS = (
    ("0", "Success."),
    ("1", "The command ran, but what it checked or exercised failed (for example a drill scenario); "
          "its output says which."),
    ("2", "Bad arguments, or an error the command explains in one line on stderr, with what to do next."),
    ("130", "Interrupted."),
)

# An option-like token in prose: "-x" or "--name" not inside a word ("dual-primary" keeps its hyphen).
_OPTION_IN_PROSE = re.compile(r"(?<![\w\\])--?\w[\w-]*")


@dataclass(frozen=True)
class Command:
    """One parser of the tree: its full name ("dualroot lab up"), the one-line help its parent gave it."""

    words: tuple[str, ...]
    parser: argparse.ArgumentParser
    summary: str

    @property
    def name(self) -> str:
        return " ".join(self.words)


def _code(text: str) -> str:
    """Command-line text (usage, option names): every hyphen is a real minus sign in roff."""
    return roff_escape(text).replace("-", "\\-")


def _prose(text: str) -> str:
    """A paragraph: whitespace folded to one line; hyphens of options escaped, word hyphens kept."""
    return _OPTION_IN_PROSE.sub(lambda m: m.group(0).replace("-", "\\-"), roff_escape(" ".join(text.split())))


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    out = []
    for chunk in text.strip().split("\n\n"):
        if chunk.strip():
            out += [".PP", _prose(chunk)]
    return out


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n")[0]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    # argparse has no public way to walk a parser's arguments; _actions is what its own help uses.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def walk(parser: argparse.ArgumentParser, words: tuple[str, ...] = ("dualroot",),
         summary: str = "") -> Iterator[Command]:
    """The parser and every subcommand below it, depth first, in the order they were added."""
    yield Command(words, parser, summary)
    sub = _subparsers(parser)
    if sub is None:
        return
    helps = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    seen: set[int] = set()
    for name, child in sub.choices.items():
        if id(child) in seen:  # an alias points at a parser already listed
            continue
        seen.add(id(child))
        yield from walk(child, (*words, name), helps.get(name, ""))


def _formatter(command: Command) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(command.name, width=USAGE_WIDTH)


def _usage(command: Command) -> str:
    formatter = _formatter(command)
    formatter.add_usage(command.parser.usage, command.parser._actions,
                        command.parser._mutually_exclusive_groups, prefix="")
    return formatter.format_help().strip()


def _arguments(command: Command, with_help: bool = False) -> list[str]:
    formatter = _formatter(command)
    out: list[str] = []
    for action in command.parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._HelpAction) and not with_help:
            continue  # said once, under OPTIONS, for every command
        text = formatter._expand_help(action) if action.help else ""
        takes_value = action.nargs != 0 and not isinstance(action, argparse._VersionAction)
        if (takes_value and action.option_strings and action.default not in (None, argparse.SUPPRESS)
                and "default" not in text):
            text = f"{text} (default: {action.default})".strip()
        invocation = formatter._format_action_invocation(action)
        out += [".TP", f"\\fB{_code(invocation)}\\fR", _prose(text) if text else "\\&"]
    return out


def _command_list(command: Command) -> list[str]:
    sub = _subparsers(command.parser)
    if sub is None:
        return []
    out = [".PP", "Commands:"]
    for choice in sub._choices_actions:
        out += [".TP", f"\\fB{_code(choice.dest)}\\fR", _prose(choice.help or "")]
    return out


def render_manpage(parser: argparse.ArgumentParser, version: str = __version__,
                   see_also: Sequence[str] = SEE_ALSO) -> str:
    commands = list(walk(parser))
    top = commands[0]
    out = [
        f'.TH DUALROOT 1 "" "dualroot {roff_escape(version)}" "User Commands"',
        ".SH NAME",
        f"dualroot \\- {_prose(_first_paragraph(parser.description or 'the dualroot command'))}",
        ".SH SYNOPSIS",
        ".nf",
    ]
    # The synopsis lists the commands that do something: the leaves of the tree.
    for command in commands:
        if command is top or _subparsers(command.parser) is None:
            out.append(_code(_usage(command)))
    out += [".fi", ".SH DESCRIPTION"]
    out += _paragraphs(parser.description)
    out += _paragraphs(parser.epilog)
    out += [".PP", _prose("Every command below answers -h and --help with its usage.")]
    out += [".SH OPTIONS", *_arguments(top, with_help=True), ".SH COMMANDS"]
    for command in commands[1:]:
        out += [f'.SS "{_code(command.name)}"']
        out += _paragraphs(command.summary)
        out += [".PP", ".nf", _code(_usage(command)), ".fi"]
        if command.parser.description and command.parser.description != command.summary:
            out += _paragraphs(command.parser.description)
        out += _arguments(command)
        out += _command_list(command)
        out += _paragraphs(command.parser.epilog)
    out.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS:
        out += [".TP", f"\\fB{code}\\fR", _prose(meaning)]
    if see_also:
        out += [".SH SEE ALSO", ", ".join(_code(name) for name in see_also)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    from dualroot.cli import build_parser

    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        sys.stderr.write("usage: python3 -m dualroot.cli.manpage [OUTPUT]\n")
        return 2
    text = render_manpage(build_parser())
    if args:
        with open(args[0], "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
