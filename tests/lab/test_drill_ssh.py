"""`dualroot drill --cluster`: the lab's nodes drilled as any cluster is, over plain ssh, with no QEMU
control: the replication link is cut inside node2 (`ip link set dev eth2 down`), fencing is read from
Pacemaker's history, and the checks look at the resource and mount named in the config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dualroot.cib.config import LAB_TOML, Agents
from dualroot.drill.execution import detect_stack
from dualroot.lab.topology import NODES

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
# The lab's guests name their links in this order (eth0 is the user netdev that forwards ssh).
IFACES = {"cluster": "eth1", "replication": "eth2"}


def drill_config(lab, path: Path) -> Path:
    lines = [LAB_TOML, "[drill]", f'ssh_identity = "{lab.layout.ssh_key}"',
             'ssh_options = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]']
    for node in NODES:
        lines += [f"[drill.nodes.{node.name}]", 'ssh_host = "127.0.0.1"', f"ssh_port = {node.ssh_port}",
                  *(f'{link}_iface = "{iface}"' for link, iface in IFACES.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_replication_cut_over_ssh_loses_nothing(lab, tmp_path):
    stack = detect_stack(lab)
    config = drill_config(lab, tmp_path / "cluster.toml")
    report = tmp_path / "report"
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dualroot", "drill", "--cluster", str(config), "--agents", stack.value,
             "--report", str(report), "replication_cut:node2"],
            cwd=REPO, capture_output=True, text=True, timeout=1800, check=False)
    finally:
        for node in lab.nodes:  # should the drill have died halfway, no link stays down in a guest
            if lab.ssh_ready(node):
                lab.run(node, ["ip", "link", "set", "dev", IFACES["replication"], "up"], timeout=30)
    print(done.stdout[-3000:], done.stderr[-2000:])
    (result,) = json.loads((report / "report.json").read_text())["scenarios"]
    assert result["name"] == "replication_cut:node2"
    assert result["records_written"] > 0 and result["records_lost"] == 0, result["reasons"]
    assert result["fences"] and result["fences"][0]["target"] == "node2", result["fences"]
    assert result["split_brain"] is False and result["fsck_clean"] is True, result["reasons"]
    assert result["verdict"] == "pass", result["reasons"]
    assert done.returncode == 0
    if stack is Agents.DUALROOT:
        # The loser (node2) saw the winner's constraint and left corosync before the fence reset it, so
        # the survivor's membership changed at once: corosync logs a clean shutdown of node 2, not a
        # token timeout ("Failed to receive the leave message"). The stock handler never does this.
        since = f"@{int(result['times']['fault'])}"
        log = lab.run("node1", ["journalctl", "-u", "corosync", "--since", since, "-o", "cat", "--no-pager"],
                      timeout=60).stdout
        assert "Node 2 was shut down by sysadmin" in log, log
        assert "Failed to receive the leave message" not in log, log
