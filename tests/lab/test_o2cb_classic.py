"""ocf:dualroot:o2cb with stack=o2cb — the classic in-kernel OCFS2 stack — on a real lab node.

A kernel runs one OCFS2 cluster stack at a time (/sys/fs/ocfs2/cluster_stack can change only while no
volume is mounted), and the lab's cluster runs the pcmk stack on its DRBD volume. So node1 is taken out
of the pcmk stack first: the mount and the stack clone are banned from node1 (Pacemaker stops the mount,
then dlm_controld; node2 keeps serving the volume). On node1 alone, then:

- start with stack=o2cb writes /etc/ocfs2/cluster.conf from corosync's node list, selects the o2cb stack
  and registers the cluster in configfs; monitor says 0, and a second start changes nothing;
- a fresh volume stamped for o2cb (`mkfs.ocfs2 --cluster-stack=o2cb`) on a loop device is mounted by
  ocf:dualroot:ocfs2 (mount.ocfs2 starts the volume's local disk heartbeat), monitored at depth 20;
- stopping the stack while that volume is mounted fails at once, naming the mount;
- the mount stops, the stack stops (the cluster leaves configfs), monitor says 7, a second stop is 0.

Afterwards the bans are lifted and the lab must come back healthy: the pcmk stack's start selects pcmk
again, which proves the switch back works too.
"""

from __future__ import annotations

import pytest

from dualroot.lab.health import wait_healthy

pytestmark = pytest.mark.lab

NODE = "node1"
O2CB = "/usr/lib/ocf/resource.d/dualroot/o2cb"
OCFS2 = "/usr/lib/ocf/resource.d/dualroot/ocfs2"
CLUSTER = "o2labtest"
IMAGE = "/var/tmp/o2cb-classic.img"
DIRECTORY = "/srv/o2cb-classic"
BANNED = ("fs_ocfs2-clone", "o2cb-clone")  # in stop order: the mount before its stack


def env(*extra: str) -> list[str]:
    return ["env", "OCF_ROOT=/usr/lib/ocf", "OCF_RESKEY_CRM_meta_timeout=90000",
            f"OCF_RESKEY_CRM_meta_on_node={NODE}", "OCF_RESOURCE_INSTANCE=o2cb_classic",
            "OCF_RESKEY_stack=o2cb", f"OCF_RESKEY_cluster_name={CLUSTER}", *extra]


def fs_env(device: str, *extra: str) -> list[str]:
    return ["env", "OCF_ROOT=/usr/lib/ocf", "OCF_RESKEY_CRM_meta_timeout=90000",
            f"OCF_RESKEY_CRM_meta_on_node={NODE}", "OCF_RESOURCE_INSTANCE=fs_classic",
            f"OCF_RESKEY_device={device}", f"OCF_RESKEY_directory={DIRECTORY}", *extra]


def read(lab, path: str) -> str:
    return lab.run(NODE, ["cat", path], timeout=30).check().stdout


def mounted(lab, directory: str) -> bool:
    lines = read(lab, "/proc/mounts").splitlines()
    return any(line.split()[1] == directory for line in lines if line.strip())


def registered(lab) -> bool:
    return lab.run(NODE, ["test", "-d", f"/sys/kernel/config/cluster/{CLUSTER}"], timeout=30).rc == 0


@pytest.fixture
def pcmk_stack_off_node1(lab):
    """node1 without the pcmk stack (bans on the mount and the stack clone); lifted afterwards."""
    try:
        for clone in BANNED:
            ban = ["crm_resource", "--ban", "--resource", clone, "--node", NODE]
            lab.run("node2", ban, timeout=60).check()
        lab.wait_for(f"the cluster's OCFS2 unmounted on {NODE}", lambda: not mounted(lab, "/srv/ocfs2"),
                     timeout=240, interval=3)
        lab.wait_for(f"dlm_controld stopped on {NODE}",
                     lambda: lab.run(NODE, ["pidof", "dlm_controld"], timeout=30).rc != 0,
                     timeout=240, interval=3)
        yield lab
    finally:
        if mounted(lab, DIRECTORY):
            lab.run(NODE, ["umount", DIRECTORY], timeout=120)
        if registered(lab):
            lab.run(NODE, ["o2cb", "unregister-cluster", CLUSTER], timeout=60)
        lab.run(NODE, ["sh", "-c", f"losetup -j {IMAGE} -O NAME -n | xargs -r -n1 losetup -d; rm -f {IMAGE}"],
                timeout=60)
        for clone in BANNED:
            lab.run("node2", ["crm_resource", "--clear", "--resource", clone, "--node", NODE], timeout=60)
    wait_healthy(lab, 600)
    assert read(lab, "/sys/fs/ocfs2/cluster_stack").strip() == "pcmk"


def test_classic_o2cb_stack_serves_a_mount_and_stops_cleanly(pcmk_stack_off_node1) -> None:
    lab = pcmk_stack_off_node1
    assert lab.run(NODE, [*env(), O2CB, "monitor"], timeout=60).rc == 7

    result = lab.run(NODE, [*env(), O2CB, "start"], timeout=120)
    assert result.rc == 0, result.stderr
    assert read(lab, "/sys/fs/ocfs2/cluster_stack").strip() == "o2cb"
    assert registered(lab)
    conf = read(lab, "/etc/ocfs2/cluster.conf")
    assert f"name = {CLUSTER}" in conf and "name = node1" in conf and "name = node2" in conf
    assert lab.run(NODE, [*env(), O2CB, "monitor"], timeout=60).rc == 0
    again = lab.run(NODE, [*env(), O2CB, "start"], timeout=120)
    assert again.rc == 0, again.stderr

    lab.run(NODE, ["truncate", "-s", "256M", IMAGE], timeout=30).check()
    device = lab.run(NODE, ["losetup", "--find", "--show", IMAGE], timeout=30).check().stdout.strip()
    lab.run(NODE, ["mkfs.ocfs2", "-q", "-F", "-N", "2", "-L", "classic", "--cluster-stack=o2cb",
                   f"--cluster-name={CLUSTER}", device], timeout=300).check()
    lab.run(NODE, ["mkdir", "-p", DIRECTORY], timeout=30).check()

    result = lab.run(NODE, [*fs_env(device), OCFS2, "start"], timeout=180)
    assert result.rc == 0, result.stderr
    assert mounted(lab, DIRECTORY)
    result = lab.run(NODE, [*fs_env(device, "OCF_CHECK_LEVEL=20"), OCFS2, "monitor"], timeout=120)
    assert result.rc == 0, result.stderr

    refused = lab.run(NODE, [*env(), O2CB, "stop"], timeout=60)
    assert refused.rc == 1
    assert f"{device} on {DIRECTORY}" in refused.stderr and "ocf-exit-reason:" in refused.stderr
    assert registered(lab)  # nothing was touched

    result = lab.run(NODE, [*fs_env(device), OCFS2, "stop"], timeout=180)
    assert result.rc == 0, result.stderr
    assert not mounted(lab, DIRECTORY)
    result = lab.run(NODE, [*env(), O2CB, "stop"], timeout=120)
    assert result.rc == 0, result.stderr
    assert not registered(lab)
    assert lab.run(NODE, [*env(), O2CB, "monitor"], timeout=60).rc == 7
    assert lab.run(NODE, [*env(), O2CB, "stop"], timeout=60).rc == 0
