"""The lab cluster's health, read from machine output in the guests.

Sources: `crm_mon --output-as=xml` (nodes online, each resource's role and node), `/proc/drbd` (the 8.4
module's state line: connection, roles, disk states) and `/proc/mounts` (the OCFS2 mount), read with the
parsers the drills use (`dualroot.lab.cluster_view`). "Healthy" is what every drill starts from and
every lab test expects: both nodes online, DRBD Connected Primary/Primary UpToDate/UpToDate on both,
OCFS2 mounted on both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dualroot import paths
from dualroot.lab.cluster_view import (
    DrbdState,
    PacemakerView,
    drbd_minor,
    drbd_states,
    ocfs2_mounted,
    read_crm_mon,
)
from dualroot.lab.control import SSH_UNREACHABLE, Lab

# The lab tier reads /proc/drbd with this name (every minor, in order).
parse_proc_drbd = drbd_states


@dataclass(frozen=True)
class NodeHealth:
    name: str
    running: bool
    ssh: bool = False
    drbd: DrbdState | None = None
    mounted: bool = False

    @property
    def healthy(self) -> bool:
        return bool(self.ssh and self.mounted and self.drbd and self.drbd.healthy)


@dataclass(frozen=True)
class ClusterHealth:
    nodes: tuple[NodeHealth, ...]
    crm: PacemakerView | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def healthy(self) -> bool:
        return bool(self.nodes) and all(n.healthy for n in self.nodes) and self.crm is not None \
            and not self.crm.offline and not any(i.failed for i in self.crm.instances)


def node_health(lab: Lab, node: str) -> NodeHealth:
    if not lab.is_running(node):
        return NodeHealth(node, running=False)
    result = lab.run(node, ["cat", "/proc/drbd", "/proc/mounts"], timeout=15)
    if result.rc == SSH_UNREACHABLE:
        return NodeHealth(node, running=True)
    # one `cat` for both files: /proc/drbd's status lines and /proc/mounts' lines cannot be mistaken
    return NodeHealth(node, True, True, drbd_minor(result.stdout), ocfs2_mounted(result.stdout))


def dlm_directory_weights(lab: Lab, node: str, device: str) -> dict[int, int] | None:
    """The directory weight of every node in the lockspace of the OCFS2 volume on `device`, as `node`'s
    kernel DLM has it (nodeid -> weight; 0 = holds no part of the lock directory). None when the
    volume or its lockspace cannot be read there."""
    lockspace = lab.run(node, [paths.TUNEFS_OCFS2, "-Q", "%U", device], timeout=60)
    if not lockspace.ok or not lockspace.stdout.strip().isalnum():
        return None
    nodes = f"{paths.DLM_SPACES}/{lockspace.stdout.strip()}/nodes"
    # one line per node: "<nodeid> <weight>", read in one call
    result = lab.run(node, ["sh", "-c", 'cd "$1" && for n in *; do echo "$n $(cat "$n/weight")"; done',
                            "weights", nodes], timeout=30)
    if not result.ok:
        return None
    weights = {}
    for line in result.stdout.splitlines():
        nodeid, _, weight = line.partition(" ")
        if nodeid.isdigit() and weight.isdigit():
            weights[int(nodeid)] = int(weight)
    return weights or None


def crm_status(lab: Lab, node: str) -> PacemakerView | None:
    result = lab.run(node, ["crm_mon", "--output-as=xml", "--one-shot", "--inactive"], timeout=20)
    return read_crm_mon(result.stdout) if result.ok else None


def cluster_health(lab: Lab) -> ClusterHealth:
    nodes = tuple(node_health(lab, n) for n in lab.nodes)
    crm = next((c for n in nodes if n.ssh for c in [crm_status(lab, n.name)] if c), None)
    problems = []
    for n in nodes:
        if not n.running:
            problems.append(f"{n.name}: not running")
        elif not n.ssh:
            problems.append(f"{n.name}: no ssh")
        elif not n.healthy:
            problems.append(f"{n.name}: drbd {n.drbd}, mounted={n.mounted}")
    if crm is None:
        problems.append("no cluster status (crm_mon failed)")
    else:
        problems += [f"{i.resource_id} failed on {i.node or '-'}" for i in crm.instances if i.failed]
        problems += [f"{name} offline" for name in sorted(crm.offline)]
    return ClusterHealth(nodes, crm, tuple(problems))


def wait_healthy(lab: Lab, timeout: float, interval: float = 3.0) -> float:
    return lab.wait_for("both nodes DRBD Primary/UpToDate and OCFS2 mounted, no failed resource",
                        lambda: cluster_health(lab).healthy, timeout, interval)
