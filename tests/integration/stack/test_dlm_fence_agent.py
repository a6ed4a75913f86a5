"""The installed-style executable agents/dualroot-dlm-fence, as dlm_controld runs it (arguments on stdin),
in front of a stub dlm_stonith that records what it got: fail_time moved back by the grace, the rest as
given, dlm_stonith's exit code passed through."""

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
AGENT = REPO / "agents" / "dualroot-dlm-fence"


@pytest.mark.parametrize("rc", [0, 1])
def test_the_agent_hands_dlm_stonith_the_adjusted_arguments(tmp_path, rc):
    sbin = tmp_path / "usr" / "sbin"
    sbin.mkdir(parents=True)
    stub = sbin / "dlm_stonith"
    stub.write_text(f"#!/bin/sh\ncat > {tmp_path}/got\nexit {rc}\n")
    stub.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "DUALROOT_TOOL_ROOT": str(tmp_path),
           "HA_LOGFACILITY": "none", "HA_LOGFILE": str(tmp_path / "log")}
    done = subprocess.run([str(AGENT)], input="node=2\nfail_time=1795644599\ngrace=5\n", env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == rc, done.stderr
    assert (tmp_path / "got").read_text() == "node=2\nfail_time=1795644594\n"
    assert "fail_time 1795644599 taken as 1795644594 (grace 5 s)" in (tmp_path / "log").read_text()
