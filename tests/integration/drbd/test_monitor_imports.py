"""A monitor or probe of ocf:dualroot:drbd loads none of the costly standard modules, `os` included (an
agent pays for every import on every monitor; bench/bench_drbd_agent.py), and still gives the right
code on the stub DRBD tools."""

import subprocess
from pathlib import Path

import pytest

from bench.bench_drbd_agent import base_env
from tests.integration.drbd.drbd_stubs import build_stub_root

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("os", "_collections_abc", "typing", "dataclasses", "inspect", "subprocess", "json", "xml.etree",
         "pathlib", "re", "enum", "logging", "signal", "collections", "fnmatch", "urllib", "syslog",
         "traceback", "dualroot.drbd.config")
# What only a monitor that found the resource running needs: the score and the outcome, the runner's poll.
RUNNING_ONLY = ("select", "dualroot.ocf.promotion", "dualroot.drbd.state_policy")

CASES = [
    # (DRBD state, interval in ms, expected exit code)
    ("primary", "10000", 8),
    ("secondary", "20000", 0),
    ("down", "0", 7),
]


@pytest.mark.parametrize(("state", "interval", "rc"), CASES, ids=[c[0] for c in CASES])
def test_monitor_imports_nothing_heavy(tmp_path: Path, state: str, interval: str, rc: int) -> None:
    stubs = build_stub_root(tmp_path / "stubs", state)
    watched = HEAVY + (RUNNING_ONLY if state == "down" else ())
    code = (
        "import sys\n"
        "from dualroot.drbd.agent import AGENT\n"
        "from dualroot.ocf.dispatcher import run_agent\n"
        "rc = run_agent(AGENT, ['drbd', 'monitor'])\n"
        f"print(rc, ' '.join(m for m in {watched!r} if m in sys.modules))\n"
    )
    env = {**base_env(interval), **stubs.env_for_dualroot(), "PYTHONPATH": str(REPO)}
    out = subprocess.run(["/usr/bin/python3", "-S", "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == str(rc), out.stdout + out.stderr  # the expected code, nothing heavy loaded
    if state == "down":
        assert stubs.calls() == []  # a probe with nothing up runs no command
    else:
        assert stubs.calls() == ["drbdadm -c /etc/drbd.conf sh-minor r0",
                                 "crm_attribute --promotion=drbd_r0 -l reboot -v 10000"]


@pytest.mark.parametrize(("state", "interval", "rc"), CASES, ids=[c[0] for c in CASES])
def test_the_executable_exits_with_the_monitor_code(tmp_path: Path, state: str, interval: str,
                                                    rc: int) -> None:
    """agents/drbd ends its process with _exit (dualroot.ocf.dispatcher.exit_process): same code, and the
    second monitor takes drbdadm's answer from the state file."""
    stubs = build_stub_root(tmp_path / "stubs", state)
    env = {**base_env(interval), **stubs.env_for_dualroot(), "PYTHONPATH": str(REPO)}
    for _ in range(2):
        done = subprocess.run([str(REPO / "agents" / "drbd"), "monitor"], capture_output=True, text=True,
                              env=env, check=False)
        assert (done.returncode, done.stdout, done.stderr) == (rc, "", "")
    assert stubs.calls().count("drbdadm -c /etc/drbd.conf sh-minor r0") == (0 if state == "down" else 1)
