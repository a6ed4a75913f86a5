"""dualroot(1) from argparse: every subcommand at every depth, roff escaping, stable bytes, not stale."""

import argparse
from pathlib import Path

import pytest

from dualroot.cli import build_parser
from dualroot.cli.manpage import render_manpage, walk

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "man" / "dualroot.1"


def sample_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dualroot", description="Sample tool.\n\nSecond paragraph.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lab = sub.add_parser("lab", help="the lab", description="Drive the lab.")
    actions = lab.add_subparsers(dest="action", metavar="ACTION")
    up = actions.add_parser("up", help="boot it", epilog="Exit status 3 when --fail-fast hit.")
    up.add_argument("--accel", choices=["kvm", "tcg"], default="tcg", help="accelerator for dual-primary")
    up.add_argument("--count", type=int, default=2, help="nodes (default %(default)s)")
    up.add_argument("names", nargs="*", metavar="NAME", help=".dot first and a \\ backslash")
    up.add_argument("--hidden", help=argparse.SUPPRESS)
    sub.add_parser("drill", help="drills")
    return parser


def test_the_committed_page_is_what_the_parser_renders():
    fresh = render_manpage(build_parser())
    assert COMMITTED.read_text(encoding="utf-8") == fresh, (
        "man/dualroot.1 is stale: python3 -m dualroot.cli.manpage man/dualroot.1")


def test_every_subcommand_at_every_depth_has_a_section():
    page = render_manpage(build_parser())
    names = [command.name for command in walk(build_parser())][1:]
    assert {"dualroot lab", "dualroot lab up", "dualroot cib check", "dualroot drill"} <= set(names)
    for name in names:
        assert f'.SS "{name.replace("-", chr(92) + "-")}"' in page, name


def test_sections_arguments_and_escaping():
    page = render_manpage(sample_parser(), version="9.9")
    order = [".TH DUALROOT 1", ".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS",
             ".SH COMMANDS", ".SH EXIT STATUS", ".SH SEE ALSO"]
    positions = [page.index(s) for s in order]
    assert positions == sorted(positions)
    assert page.startswith('.TH DUALROOT 1 "" "dualroot 9.9" "User Commands"\n')
    assert "\nSecond paragraph.\n" in page
    # option names are minus signs; a hyphen inside a word stays a hyphen
    assert "\\fB\\-\\-accel {kvm,tcg}\\fR\naccelerator for dual-primary (default: tcg)\n" in page
    assert "nodes (default 2)\n" in page and "(default 2) (default" not in page
    assert "\\&.dot first and a \\e backslash" in page
    assert "hidden" not in page
    assert "Exit status 3 when \\-\\-fail\\-fast hit." in page
    # the synopsis lists the top and the leaves, not the intermediate "dualroot lab"
    synopsis = page.split(".SH SYNOPSIS\n.nf\n")[1].split("\n.fi\n")[0]
    assert synopsis.splitlines()[0] == "dualroot [\\-h] COMMAND ..."
    assert any(line.startswith("dualroot lab up ") for line in synopsis.splitlines())
    assert not any(line.startswith("dualroot lab [") for line in synopsis.splitlines())
    assert "dualroot drill [\\-h]" in synopsis


def test_output_does_not_depend_on_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    narrow = render_manpage(build_parser())
    monkeypatch.setenv("COLUMNS", "200")
    assert render_manpage(build_parser()) == narrow
    usage_lines = narrow.split(".SH SYNOPSIS\n.nf\n")[1].split("\n.fi\n")[0].splitlines()
    assert max(len(line.replace("\\-", "-")) for line in usage_lines) <= 72
