"""The lab guests' fence agent, run as the fencer runs it (no host service needed for these actions)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.unit

AGENT = Path(__file__).resolve().parents[3] / "dualroot/lab/provision/files/usr/sbin/fence_vmlab"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/usr/bin/python3", str(AGENT), *args], input=stdin, text=True,
                          capture_output=True, timeout=30, check=False)


@pytest.mark.parametrize("args", [("-o", "metadata"), ("--action=metadata",), ("--action", "metadata")])
def test_metadata_in_every_option_form(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert etree.fromstring(result.stdout.encode()).get("name") == "fence_vmlab"


def test_key_value_lines_on_stdin_as_the_fencer_sends_them() -> None:
    assert run(stdin="# comment\naction=validate-all\nplug=node1\n").returncode == 0


@pytest.mark.parametrize(("args", "message"), [(("-x",), "unknown option"), (("-o",), "needs a value"),
                                               (("-o", "off", "-n", "node9"), "unknown node")])
def test_bad_command_lines_fail_with_one_line(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_no_heavy_imports_on_the_fencing_path() -> None:
    probe = ("import runpy, sys; sys.argv = ['fence_vmlab', '-o', 'validate-all']\n"
             f"try: runpy.run_path({str(AGENT)!r}, run_name='__main__')\n"
             "except SystemExit: pass\n"
             "print(sorted(m for m in ('getopt', 'gettext', 'urllib', 'xml.sax') if m in sys.modules))")
    out = subprocess.run(["/usr/bin/python3", "-S", "-c", probe], text=True, capture_output=True, timeout=30,
                         check=True).stdout
    assert out.strip() == "[]"
