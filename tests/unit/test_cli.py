"""The `dualroot` command's top level: help, version, and a missing subcommand."""

import pytest

from dualroot.cli import main

pytestmark = pytest.mark.unit


def test_no_subcommand_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: dualroot" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert "dualroot 0.1.0" in capsys.readouterr().out
