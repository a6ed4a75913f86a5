"""Both agents run by Pacemaker's own executor (crm_resource, no cluster): the exit code and the
`ocf-exit-reason:` reach Pacemaker as `agent-status code=... reason=...`."""

import os
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.integration.ocfs2.agent_process import installed

pytestmark = pytest.mark.integration


def validate(agent: str, **options: str) -> etree._Element:
    argv = ["crm_resource", "--validate", "--class", "ocf", "--provider", "dualroot", "--agent", agent,
            "--output-as=xml"]
    for key, value in options.items():
        argv += ["--option", f"{key}={value}"]
    result = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    status = etree.fromstring(result.stdout.encode()).find(".//agent-status")
    assert status is not None, result.stdout + result.stderr
    return status


@pytest.mark.parametrize(("agent", "options", "code", "word"), [
    ("ocfs2", {"device": "/dev/drbd0", "directory": "/srv/ocfs2"}, "0", ""),
    ("ocfs2", {"device": "/dev/drbd0", "directory": "/srv/ocfs2", "fstype": "xfs"}, "6", "fstype"),
    ("ocfs2", {"device": "/dev/drbd0", "directory": "/"}, "6", "directory"),
    ("ocfs2", {"directory": "/srv/ocfs2"}, "6", "device"),
    ("o2cb", {"stack": "gfs2"}, "6", "stack"),
    ("o2cb", {"stack": "o2cb", "heartbeat_mode": "global"}, "6", "heartbeat_regions"),
])
def test_validate_through_crm_resource(agent: str, options: dict[str, str], code: str, word: str) -> None:
    with installed(agent):
        status = validate(agent, **options)
    assert status.get("code") == code
    assert word in (status.get("reason") or "")


def test_force_check_and_stop_through_crm_resource(tmp_path: Path) -> None:
    cib = tmp_path / "cib.xml"
    cib.write_text(subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True).stdout)
    env = dict(os.environ, CIB_file=str(cib))
    with installed("ocfs2", "o2cb"):
        for argv in (["pcs", "-f", str(cib), "property", "set", "stonith-enabled=false"],
                     ["pcs", "-f", str(cib), "resource", "create", "fs", "ocf:dualroot:ocfs2",
                      "device=/dev/drbd0", "directory=/srv/dualroot-executor-test", "--no-default-ops"],
                     ["pcs", "-f", str(cib), "resource", "create", "stack", "ocf:dualroot:o2cb",
                      "--no-default-ops"]):
            subprocess.run(argv, capture_output=True, text=True, check=True)
        for resource in ("fs", "stack"):
            check = subprocess.run(["crm_resource", "--force-check", "-r", resource], env=env,
                                   capture_output=True, text=True, check=False)
            assert check.returncode == 7, check.stdout + check.stderr  # not running
            stop = subprocess.run(["crm_resource", "--force-stop", "-r", resource], env=env,
                                  capture_output=True, text=True, check=False)
            assert stop.returncode == 0, stop.stdout + stop.stderr  # stop of a stopped resource
