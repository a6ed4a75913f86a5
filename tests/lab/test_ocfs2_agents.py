"""ocf:dualroot:o2cb and ocf:dualroot:ocfs2 on the real two-node lab (DLM, OCFS2 on DRBD dual-primary).

- meta-data of the installed agents is valid (OCF 1.1 RelaxNG and ocf-tester's DTD, checked on the host);
- the pcmk stack is up and monitored on both nodes (dlm_controld, `pcmk` in /sys/fs/ocfs2/cluster_stack);
  stopping o2cb while OCFS2 is mounted fails at once with a reason naming the mount, touching nothing;
- the cluster mount answers monitor at depths 0, 10 and 20 on both nodes;
- ocf-tester runs the whole ocfs2 action matrix on node1 against a second mount point of the volume;
- a forced stop by Pacemaker (ban from node2) with a real busy holder inside the mount: the holder is
  stopped, a process outside the mount survives, the stack stays up; the ban is lifted afterwards;
- o2cb stop and start under Pacemaker (fs first): dlm_controld goes away and comes back, and the start
  writes dlm_toss_secs (changed while the stack was down) into the DLM;
- a changed dlm_toss_secs reaches the DLM through reload-agent, with dlm_controld and the mounts kept;
- the volume carries the config's UUID, and the rendered dlm.conf puts its lockspace's whole lock
  directory on node1: the kernel's DLM on both nodes gives node2 directory weight 0.

The classic o2cb stack runs in tests/lab/test_o2cb_classic.py (node1 taken out of the pcmk stack, a
volume of its own). Here: validate-all with stack=o2cb and the cluster's real volume, stamped for pcmk,
refuses with 6 and names the o2cluster command that restamps it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from dualroot.cib.config import lab_config
from dualroot.lab.health import dlm_directory_weights, wait_healthy

pytestmark = pytest.mark.lab

OCFS2 = "/usr/lib/ocf/resource.d/dualroot/ocfs2"
O2CB = "/usr/lib/ocf/resource.d/dualroot/o2cb"
DEVICE = "/dev/drbd0"
DIRECTORY = "/srv/ocfs2"
FS_CLONE = "fs_ocfs2-clone"
STACK_CLONE = "o2cb-clone"
NODES = ("node1", "node2")


def env(node: str, *extra: str) -> list[str]:
    return ["env", "OCF_ROOT=/usr/lib/ocf", "OCF_RESKEY_CRM_meta_timeout=60000",
            f"OCF_RESKEY_CRM_meta_on_node={node}", "OCF_RESOURCE_INSTANCE=lab_test", *extra]


def fs_env(node: str, *extra: str) -> list[str]:
    return env(node, f"OCF_RESKEY_device={DEVICE}", f"OCF_RESKEY_directory={DIRECTORY}", *extra)


def mounted(lab, node: str, directory: str = DIRECTORY) -> bool:
    text = lab.run(node, ["cat", "/proc/mounts"], timeout=30).check().stdout
    return any(line.split()[1] == directory for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("agent", [OCFS2, O2CB])
def test_meta_data_from_the_guest_is_valid(lab, agent: str) -> None:
    text = lab.run("node1", [agent, "meta-data"], timeout=30).check().stdout
    schema = etree.RelaxNG(etree.parse(str(paths.OCF_1_1_RNG)))
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    dtd = subprocess.run(["xmllint", "--noout", "--valid", "-"], input=text, text=True, capture_output=True,
                         cwd=Path(paths.OCF_RA_API_DTD).parent, check=False)
    assert dtd.returncode == 0, dtd.stderr


@pytest.mark.parametrize("node", NODES)
def test_pcmk_stack_is_up_and_monitored(lab, node: str) -> None:
    result = lab.run(node, [*env(node), O2CB, "monitor"], timeout=60)
    assert result.rc == 0, result.stderr
    assert lab.run(node, ["cat", "/sys/fs/ocfs2/cluster_stack"], timeout=30).check().stdout.strip() == "pcmk"
    assert lab.run(node, ["pidof", "dlm_controld"], timeout=30).rc == 0
    assert toss_secs(lab, node) == lab_config().dlm_toss_secs  # the rendered parameter, applied at start


def toss_secs(lab, node: str) -> int:
    return int(lab.run(node, ["cat", paths.DLM_TOSS_SECS], timeout=30).check().stdout)


def test_a_changed_dlm_toss_secs_is_reloaded_without_a_restart(lab) -> None:
    """Pacemaker sees a reloadable parameter change and runs reload-agent: the DLM takes the new value
    and dlm_controld (and so every mount above it) keeps running."""
    pids = {node: lab.run(node, ["pidof", "dlm_controld"], timeout=30).check().stdout.strip()
            for node in NODES}
    rendered = str(lab_config().dlm_toss_secs)
    try:
        lab.run("node1", set_stack_param("dlm_toss_secs", "120"), timeout=60).check()
        for node in NODES:
            lab.wait_for(f"toss_secs 120 on {node}", lambda n=node: toss_secs(lab, n) == 120,
                         timeout=120, interval=2)
    finally:
        lab.run("node1", set_stack_param("dlm_toss_secs", rendered), timeout=60).check()
    for node in NODES:
        lab.wait_for(f"toss_secs {rendered} on {node}", lambda n=node: toss_secs(lab, n) == int(rendered),
                     timeout=120, interval=2)
        assert lab.run(node, ["pidof", "dlm_controld"], timeout=30).check().stdout.strip() == pids[node]
        assert mounted(lab, node)


def test_the_lock_directory_is_on_the_node_the_config_names(lab) -> None:
    cfg = lab_config()
    assert cfg.dlm_directory == "node1" and cfg.mount.lockspace is not None
    volume = lab.run("node1", [paths.TUNEFS_OCFS2, "-Q", "%U", DEVICE], timeout=60).check().stdout.strip()
    assert volume == cfg.mount.lockspace, "a lab made before mount.uuid: `dualroot lab destroy`, then up"
    expected = {node.nodeid: 1 if node.name == cfg.dlm_directory else 0 for node in cfg.nodes}
    for node in NODES:
        assert dlm_directory_weights(lab, node, DEVICE) == expected, node


def set_stack_param(name: str, value: str) -> list[str]:
    return ["crm_resource", "--resource", STACK_CLONE.removesuffix("-clone"), "--set-parameter", name,
            "--parameter-value", value]


@pytest.mark.parametrize("node", NODES)
def test_stack_stop_while_mounted_fails_at_once_naming_the_mount(lab, node: str) -> None:
    result = lab.run(node, [*env(node), O2CB, "stop"], timeout=60)
    assert result.rc == 1
    assert f"{DEVICE} on {DIRECTORY}" in result.stderr and "ocf-exit-reason:" in result.stderr
    assert lab.run(node, ["pidof", "dlm_controld"], timeout=30).rc == 0  # nothing was touched


@pytest.mark.parametrize("node", NODES)
@pytest.mark.parametrize("level", ["0", "10", "20"])
def test_mount_monitor_depths(lab, node: str, level: str) -> None:
    result = lab.run(node, [*fs_env(node, f"OCF_CHECK_LEVEL={level}"), OCFS2, "monitor"], timeout=90)
    assert result.rc == 0, result.stderr


def test_validate_all_with_the_lab_configuration(lab) -> None:
    volumes = f"OCF_RESKEY_volumes={DEVICE}"
    result = lab.run("node1", [*env("node1", volumes), O2CB, "validate-all"], timeout=60)
    assert result.rc == 0, result.stderr
    result = lab.run("node1", [*fs_env("node1", "OCF_CHECK_LEVEL=10"), OCFS2, "validate-all"], timeout=60)
    assert result.rc == 0, result.stderr


def test_classic_o2cb_on_a_pcmk_volume_is_refused_with_the_fix(lab) -> None:
    result = lab.run("node1", [*env("node1", "OCF_RESKEY_stack=o2cb", f"OCF_RESKEY_volumes={DEVICE}"), O2CB,
                               "validate-all"], timeout=60)
    assert result.rc == 6, result.stderr
    assert "o2cluster -u o2cb," in result.stderr and DEVICE in result.stderr


def test_ocf_tester_on_a_second_mount_point(lab) -> None:
    second = "/srv/ocfs2-tester"
    try:
        result = lab.run("node1", ["ocf-tester", "-v", "-n", "fs_tester", "-o", f"device={DEVICE}",
                                   "-o", f"directory={second}", OCFS2], timeout=600)
        assert result.rc == 0, result.stdout[-3000:] + result.stderr[-2000:]
        assert "passed all tests" in result.stdout
        assert not mounted(lab, "node1", second)
    finally:
        if mounted(lab, "node1", second):
            lab.run("node1", ["umount", second], timeout=60)


def spawn(lab, node: str, cwd: str) -> int:
    """A `sleep` whose working directory is `cwd`, detached from the ssh session; its pid."""
    out = lab.run(node, ["sh", "-c", f"cd {cwd} && setsid sleep 900 </dev/null >/dev/null 2>&1 & echo $!"],
                  timeout=30).check().stdout
    return int(out.strip())


def alive(lab, node: str, pid: int) -> bool:
    return lab.run(node, ["kill", "-0", str(pid)], timeout=30).rc == 0


def test_forced_stop_by_pacemaker_kills_only_the_holder(lab) -> None:
    node = "node2"
    holder = spawn(lab, node, DIRECTORY)
    outsider = spawn(lab, node, "/")
    try:
        ban = ["crm_resource", "--ban", "--resource", FS_CLONE, "--node", node]
        lab.run("node1", ban, timeout=60).check()
        lab.wait_for(f"OCFS2 unmounted on {node}", lambda: not mounted(lab, node), timeout=180, interval=2)
        assert not alive(lab, node, holder)
        assert alive(lab, node, outsider)
        assert lab.run(node, [*env(node), O2CB, "monitor"], timeout=60).rc == 0  # the stack stayed up
    finally:
        lab.run("node1", ["crm_resource", "--clear", "--resource", FS_CLONE], timeout=60)
        for pid in (holder, outsider):
            lab.run(node, ["kill", str(pid)], timeout=30)
    wait_healthy(lab, 600)


def target_role(clone: str, value: str | None) -> list[str]:
    if value is None:
        return ["crm_resource", "--resource", clone, "--delete-parameter", "target-role", "--meta"]
    return ["crm_resource", "--resource", clone, "--set-parameter", "target-role", "--meta",
            "--parameter-value", value]


def test_stack_stop_and_start_under_pacemaker(lab) -> None:
    """Stopped and started again; dlm_toss_secs is changed while the stack is down, so the value the
    DLM shows afterwards can only come from the start (the dlm module's own value outlives the daemon)."""
    rendered = str(lab_config().dlm_toss_secs)
    try:
        try:
            lab.run("node1", target_role(FS_CLONE, "Stopped"), timeout=60).check()
            lab.run("node1", target_role(STACK_CLONE, "Stopped"), timeout=60).check()
            for node in NODES:
                lab.wait_for(f"dlm_controld gone on {node}",
                             lambda n=node: lab.run(n, ["pidof", "dlm_controld"], timeout=30).rc != 0,
                             timeout=240, interval=3)
                assert lab.run(node, [*env(node), O2CB, "monitor"], timeout=60).rc == 7
            lab.run("node1", set_stack_param("dlm_toss_secs", "300"), timeout=60).check()
        finally:
            for clone in (STACK_CLONE, FS_CLONE):
                lab.run("node1", target_role(clone, None), timeout=60)
        wait_healthy(lab, 600)
        for node in NODES:
            assert lab.run(node, [*env(node), O2CB, "monitor"], timeout=60).rc == 0
            assert toss_secs(lab, node) == 300
    finally:
        lab.run("node1", set_stack_param("dlm_toss_secs", rendered), timeout=60).check()
    for node in NODES:
        lab.wait_for(f"toss_secs {rendered} on {node}", lambda n=node: toss_secs(lab, n) == int(rendered),
                     timeout=120, interval=2)
