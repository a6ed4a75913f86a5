"""Fencing is real: node1 fences node2 through Pacemaker, the host resets node2's VM over QMP, and
node2 comes back by itself: it rejoins, resyncs and mounts again."""

from __future__ import annotations

import time

import pytest

from dualroot.lab.health import wait_healthy

pytestmark = pytest.mark.lab


def boot_id(lab, node):
    return lab.run(node, ["cat", "/proc/sys/kernel/random/boot_id"], timeout=20).stdout.strip()


def test_node1_fences_node2_which_rejoins_resyncs_and_mounts(lab):
    before = boot_id(lab, "node2")
    marker = f"/srv/ocfs2/written-while-node2-was-fenced-{int(time.time())}"
    asked = time.time()
    result = lab.run("node1", ["stonith_admin", "--reboot", "node2", "--tolerance", "0s",
                               "--timeout", "90"], timeout=120)
    assert result.rc == 0, result.stderr
    events = [e for e in lab.fence_events() if e.time >= asked - 1 and e.target == "node2"]
    assert any(e.action == "reboot" and e.requester == "node1" and e.answer.startswith("OK")
               for e in events), events
    # writes on the survivor while node2 is away must be on node2 after its resync
    lab.run("node1", ["sh", "-c", f"echo survivor > {marker} && sync"], timeout=60).check()
    wait_healthy(lab, 600)
    assert boot_id(lab, "node2") != before, "node2 was not really reset"
    assert lab.run("node2", ["cat", marker], timeout=30).check().stdout == "survivor\n"
    lab.run("node1", ["rm", "-f", marker]).check()
