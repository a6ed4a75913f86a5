"""The lab cluster's health, read from machine output in the guests.

Sources: `crm_mon --output-as=xml` (nodes online, each resource's role and node), `/proc/drbd` (the 8.4
module's state line: connection, roles, disk states) and `/proc/mounts` (the OCFS2 mount). "Healthy"
is what every drill starts from and every lab test expects: both nodes online, DRBD Connected
Primary/Primary UpToDate/UpToDate on both, OCFS2 mounted on both.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from dualroot.lab.control import Lab

MOUNT_POINT = "/srv/ocfs2"
DRBD_LINE = re.compile(r"^\s*(\d+): cs:(\S+) ro:(\S+)/(\S+) ds:(\S+)/(\S+)")


@dataclass(frozen=True)
class DrbdState:
    minor: int
    connection: str
    role: str
    peer_role: str
    disk: str
    peer_disk: str


def parse_proc_drbd(text: str) -> list[DrbdState]:
    states = []
    for line in text.splitlines():
        match = DRBD_LINE.match(line)
        if match:
            minor, cs, ro, pro, ds, pds = match.groups()
            states.append(DrbdState(int(minor), cs, ro, pro, ds, pds))
    return states


@dataclass(frozen=True)
class ResourceInstance:
    id: str
    agent: str
    role: str
    nodes: tuple[str, ...]
    failed: bool


@dataclass(frozen=True)
class CrmStatus:
    online: tuple[str, ...]
    offline: tuple[str, ...]
    dc: str
    resources: tuple[ResourceInstance, ...]

    def roles_on(self, node: str, agent_suffix: str) -> list[str]:
        return [r.role for r in self.resources if node in r.nodes and r.agent.endswith(agent_suffix)]


def parse_crm_mon_xml(text: str) -> CrmStatus:
    root = ET.fromstring(text)
    online: list[str] = []
    offline: list[str] = []
    for node in root.iter("node"):
        if node.get("online") is None:
            continue  # a <node> inside a <resource> names where it runs
        (online if node.get("online") == "true" else offline).append(node.get("name", ""))
    dc_el = root.find("summary/current_dc")
    dc = dc_el.get("name", "") if dc_el is not None else ""
    resources = []
    for res in root.iter("resource"):
        resources.append(ResourceInstance(
            id=res.get("id", ""), agent=res.get("resource_agent", ""), role=res.get("role", ""),
            nodes=tuple(n.get("name", "") for n in res.findall("node")),
            failed=res.get("failed") == "true"))
    return CrmStatus(tuple(online), tuple(offline), dc, tuple(resources))


@dataclass(frozen=True)
class NodeHealth:
    name: str
    running: bool
    ssh: bool = False
    drbd: DrbdState | None = None
    mounted: bool = False

    @property
    def healthy(self) -> bool:
        d = self.drbd
        return bool(self.ssh and self.mounted and d and d.connection == "Connected" and d.role == "Primary"
                    and d.peer_role == "Primary" and d.disk == "UpToDate" and d.peer_disk == "UpToDate")


@dataclass(frozen=True)
class ClusterHealth:
    nodes: tuple[NodeHealth, ...]
    crm: CrmStatus | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def healthy(self) -> bool:
        return bool(self.nodes) and all(n.healthy for n in self.nodes) and self.crm is not None \
            and not self.crm.offline and not any(r.failed for r in self.crm.resources)


def node_health(lab: Lab, node: str) -> NodeHealth:
    if not lab.is_running(node):
        return NodeHealth(node, running=False)
    result = lab.run(node, ["cat", "/proc/drbd", "/proc/mounts"], timeout=15)
    if result.rc == 255:
        return NodeHealth(node, running=True)
    drbd = parse_proc_drbd(result.stdout)
    mounted = any(line.split()[1:3] == [MOUNT_POINT, "ocfs2"]
                  for line in result.stdout.splitlines() if len(line.split()) > 2)
    return NodeHealth(node, True, True, drbd[0] if drbd else None, mounted)


def crm_status(lab: Lab, node: str) -> CrmStatus | None:
    result = lab.run(node, ["crm_mon", "--output-as=xml", "--one-shot", "--inactive"], timeout=20)
    if not result.ok:
        return None
    try:
        return parse_crm_mon_xml(result.stdout)
    except ET.ParseError:
        return None


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
        problems += [f"{r.id} failed on {','.join(r.nodes)}" for r in crm.resources if r.failed]
        problems += [f"{name} offline" for name in crm.offline]
    return ClusterHealth(nodes, crm, tuple(problems))


def wait_healthy(lab: Lab, timeout: float, interval: float = 3.0) -> float:
    return lab.wait_for("both nodes DRBD Primary/UpToDate and OCFS2 mounted, no failed resource",
                        lambda: cluster_health(lab).healthy, timeout, interval)
