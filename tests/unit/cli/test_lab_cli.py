"""`dualroot lab` on bad input: one line saying what to do, exit 2, nothing left running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from contextlib import ExitStack

import pytest

from dualroot.lab.topology import host_ports

pytestmark = pytest.mark.unit


def dualroot(*args: str, home) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DUALROOT_LAB_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "dualroot", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[0].startswith("usage:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[-1]


def test_unknown_node(tmp_path):
    line = one_error_line(dualroot("lab", "ssh", "node7", "--", "true", home=tmp_path))
    assert "unknown node 'node7'" in line and "node1, node2" in line


def test_unknown_subcommand(tmp_path):
    line = one_error_line(dualroot("lab", "explode", home=tmp_path))
    assert "invalid choice: 'explode'" in line


def test_ssh_to_a_node_that_is_down(tmp_path):
    line = one_error_line(dualroot("lab", "ssh", "node2", "--", "true", home=tmp_path))
    assert "node2 is not running" in line and "dualroot lab up" in line


def test_ssh_without_a_command(tmp_path):
    line = one_error_line(dualroot("lab", "ssh", "node1", home=tmp_path))
    assert "no command given" in line


def test_up_while_another_lab_holds_the_ports(tmp_path):
    with ExitStack() as stack:
        for proto, port in host_ports():  # hold what is free; the rest is held by a running lab
            sock = stack.enter_context(socket.socket(
                socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM))
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                pass
        line = one_error_line(dualroot("lab", "up", "--agents", "stock", home=tmp_path))
    assert "ports on 127.0.0.1 are in use" in line and "tcp/2221" in line
    # nothing was started for this lab: no QEMU, no fencing service, no disks
    run = tmp_path / "run"
    assert not run.exists() or not any(run.glob("*.pid"))
    assert not any(tmp_path.rglob("*.img"))
