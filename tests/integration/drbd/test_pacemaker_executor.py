"""The installed agent run by Pacemaker's own executor code (crm_resource --force-*, CIB_file): the
environment Pacemaker really builds (clone meta attributes, instance name, op timeout) drives it
through check/start/promote/demote/stop on stub DRBD tools."""

import os
import subprocess

import pytest
from lxml import etree

from tests.integration.drbd.drbd_clone_cib import dual_primary_cib, install_agents
from tests.integration.drbd.drbd_stubs import build_stub_root

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(tmp_path):
    install_agents()
    cib = dual_primary_cib(tmp_path / "cib.xml")
    stubs = build_stub_root(tmp_path / "stubs", "down")
    env = {**os.environ, "CIB_file": str(cib), **stubs.env_for_dualroot()}
    return stubs, env


def force(env, action: str) -> int:
    out = subprocess.run(
        ["crm_resource", f"--force-{action}", "-r", "drbd_r0", "--output-as=xml"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout
    status = etree.fromstring(out.encode()).find(".//agent-status")
    assert status is not None, out
    return int(status.get("code", "-1"))


def test_full_cycle_through_the_executor(cluster):
    stubs, env = cluster
    assert force(env, "check") == 7
    stubs.clear_calls()
    assert force(env, "start") == 0 and stubs.state() == "secondary"
    # OCF_RESOURCE_INSTANCE as Pacemaker gives it to an anonymous clone: no instance number
    score = "crm_attribute --promotion=drbd_r0 -l reboot -v 10000"
    assert score in stubs.calls()
    assert force(env, "check") == 0
    stubs.clear_calls()
    assert force(env, "promote") == 0 and stubs.state() == "primary"
    calls = stubs.calls()
    # Pacemaker passed promoted-max=2: the dual-primary checks ran before drbdadm primary
    assert calls.index("drbdadm -c /etc/drbd.conf dump-xml") < calls.index(
        "drbdadm -c /etc/drbd.conf primary r0"
    )
    assert "cibadmin --query --scope crm_config" in calls
    # the score is what the start and the probe after it sent moments ago: not sent once more
    assert score not in calls
    assert force(env, "check") == 8
    assert force(env, "demote") == 0 and stubs.state() == "secondary"
    assert force(env, "stop") == 0 and stubs.state() == "down"
    assert force(env, "stop") == 0  # idempotent
    assert stubs.calls()[-1] == "crm_attribute --promotion=drbd_r0 -l reboot -D"
