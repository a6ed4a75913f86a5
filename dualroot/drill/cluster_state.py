"""What one node sees of the cluster, read from machine output: crm_mon XML, /proc/drbd, /proc/mounts.

One probe (a single ssh round trip) prints the three sections; `parse_probe` turns them into a
NodeView, and `health_problems` says, in words, why the cluster is not yet healthy for a drill.
"""

from __future__ import annotations

import enum
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from dualroot import paths


class Stack(enum.Enum):
    DUALROOT = "dualroot"
    STOCK = "stock"


@dataclass(frozen=True)
class StackAgents:
    drbd: str
    cluster_stack: str
    filesystem: str


# The agents each stack runs; the drill finds its resources by agent, not by resource id, so it works on
# any CIB that uses them.
AGENTS: Mapping[Stack, StackAgents] = {
    Stack.DUALROOT: StackAgents("ocf:dualroot:drbd", "ocf:dualroot:o2cb", "ocf:dualroot:ocfs2"),
    Stack.STOCK: StackAgents("ocf:linbit:drbd", "ocf:pacemaker:controld", "ocf:heartbeat:Filesystem"),
}

# Pacemaker 2.1 prints "Promoted"; older releases and some tools still say "Master".
PROMOTED_ROLES = frozenset({"Promoted", "Master"})


@dataclass(frozen=True)
class ResourceInstance:
    resource_id: str
    clone_id: str | None
    agent: str
    role: str
    node: str | None
    failed: bool


@dataclass(frozen=True)
class PacemakerView:
    online: frozenset[str]
    offline: frozenset[str]              # known nodes that are not online (down, unclean or pending)
    unclean: frozenset[str]
    instances: tuple[ResourceInstance, ...]

    def nodes_running(self, agent: str, roles: frozenset[str] | None = None) -> frozenset[str]:
        return frozenset(
            i.node for i in self.instances
            if i.agent == agent and i.node and not i.failed and (roles is None or i.role in roles)
        )

    def clone_of(self, agent: str) -> str | None:
        for instance in self.instances:
            if instance.agent == agent and instance.clone_id:
                return instance.clone_id
        return None

    def agents(self) -> frozenset[str]:
        return frozenset(i.agent for i in self.instances)


def parse_crm_mon(xml: str) -> PacemakerView:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode(), parser)
    online: set[str] = set()
    offline: set[str] = set()
    unclean: set[str] = set()
    for node in root.iterfind("nodes/node"):
        name = node.get("name", "")
        if node.get("online") == "true" and node.get("pending") != "true":
            online.add(name)
        else:
            offline.add(name)
        if node.get("unclean") == "true":
            unclean.add(name)
    instances = []
    for resource in root.iter("resource"):
        # the clone may hold the resource directly or through a group
        clone = next((a for a in resource.iterancestors() if a.tag == "clone"), None)
        clone_id = clone.get("id") if clone is not None else None
        hosts = [n.get("name") for n in resource.iterfind("node")] or [None]
        for host in hosts:
            instances.append(ResourceInstance(
                resource_id=resource.get("id", ""),
                clone_id=clone_id,
                agent=resource.get("resource_agent", ""),
                role=resource.get("role", ""),
                node=host,
                failed=resource.get("failed") == "true",
            ))
    return PacemakerView(frozenset(online), frozenset(offline), frozenset(unclean), tuple(instances))


def crm_mon_connected(xml: str) -> bool:
    """False when crm_mon could not reach the cluster (status code 102 "Not connected", ...): its
    output then lists no nodes, which must not read as "every node went offline"."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    status = etree.fromstring(xml.encode(), parser).find("status")
    return status is None or status.get("code") == "0"


@dataclass(frozen=True)
class DrbdState:
    """Minor 0 as DRBD 8.4 prints it in /proc/drbd (cs, ro, ds)."""

    connection: str
    role: str
    peer_role: str
    disk: str
    peer_disk: str

    @property
    def healthy(self) -> bool:
        return (self.connection == "Connected" and self.role == self.peer_role == "Primary"
                and self.disk == self.peer_disk == "UpToDate")


_PROC_DRBD_LINE = re.compile(
    r"^\s*0:\s+cs:(?P<cs>\S+)(?:\s+ro:(?P<ro>\S+))?(?:\s+ds:(?P<ds>\S+))?", re.MULTILINE)


def parse_proc_drbd(text: str) -> DrbdState | None:
    """Minor 0 of /proc/drbd (8.4 format), or None when the resource is not configured."""
    match = _PROC_DRBD_LINE.search(text)
    if not match:
        return None
    role, _, peer_role = (match.group("ro") or "Unknown/Unknown").partition("/")
    disk, _, peer_disk = (match.group("ds") or "Diskless/DUnknown").partition("/")
    return DrbdState(match.group("cs"), role, peer_role, disk, peer_disk)


def ocfs2_mounted(proc_mounts: str, mount_point: str = paths.GUEST_OCFS2_MOUNT) -> bool:
    for line in proc_mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == mount_point and fields[2] == "ocfs2":
            return True
    return False


# --- the probe: one ssh round trip per poll -------------------------------------------------------

_SECTIONS = ("crm_mon", "proc_drbd", "mounts", "boot_id")


def probe_script() -> str:
    """The bash script a poll runs in a guest. crm_mon gets its own bound: it can hang without quorum."""
    q = shlex.quote
    return "\n".join([
        "echo '@@ crm_mon'",
        f"{q(paths.GUEST_TIMEOUT)} 15 {q(paths.CRM_MON)} --output-as=xml --one-shot 2>/dev/null",
        "echo '@@ proc_drbd'",
        f"cat {q(str(paths.PROC_DRBD))} 2>/dev/null",
        "echo '@@ mounts'",
        f"cat {q(str(paths.PROC_MOUNTS))}",
        "echo '@@ boot_id'",
        f"cat {q(paths.GUEST_BOOT_ID)}",
        "exit 0",
    ]) + "\n"


@dataclass(frozen=True)
class NodeView:
    node: str
    time: float                          # host time.time() when the probe returned
    reachable: bool
    pacemaker: PacemakerView | None = None
    drbd: DrbdState | None = None
    mounted: bool = False
    boot_id: str = ""


def split_sections(output: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if line.startswith("@@ ") and line[3:] in _SECTIONS:
            current = sections.setdefault(line[3:], [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def parse_probe(node: str, when: float, output: str) -> NodeView:
    sections = split_sections(output)
    pacemaker = None
    if sections.get("crm_mon", "").strip():
        try:
            if crm_mon_connected(sections["crm_mon"]):
                pacemaker = parse_crm_mon(sections["crm_mon"])
        except etree.XMLSyntaxError:
            pacemaker = None             # crm_mon cut off by its timeout: no view this time
    return NodeView(
        node=node,
        time=when,
        reachable="boot_id" in sections,
        pacemaker=pacemaker,
        drbd=parse_proc_drbd(sections.get("proc_drbd", "")),
        mounted=ocfs2_mounted(sections.get("mounts", "")),
        boot_id=sections.get("boot_id", "").strip(),
    )


def health_problems(views: Mapping[str, NodeView], nodes: tuple[str, ...],
                    agents: StackAgents) -> list[str]:
    """Why the cluster is not healthy for a drill (empty: healthy). Every node must see the same."""
    problems: list[str] = []
    for node in nodes:
        view = views.get(node)
        if view is None or not view.reachable:
            problems.append(f"{node} unreachable")
            continue
        if view.drbd is None:
            problems.append(f"{node}: DRBD r0 not configured")
        elif not view.drbd.healthy:
            d = view.drbd
            problems.append(f"{node}: DRBD cs:{d.connection} ro:{d.role}/{d.peer_role} "
                            f"ds:{d.disk}/{d.peer_disk}")
        if not view.mounted:
            problems.append(f"{node}: OCFS2 not mounted on {paths.GUEST_OCFS2_MOUNT}")
        pcmk = view.pacemaker
        if pcmk is None:
            problems.append(f"{node}: no crm_mon output")
            continue
        want = frozenset(nodes)
        if not want <= pcmk.online:
            problems.append(f"{node} sees online only {sorted(pcmk.online)}")
        promoted = pcmk.nodes_running(agents.drbd, PROMOTED_ROLES)
        if not want <= promoted:
            problems.append(f"{node} sees {agents.drbd} promoted on {sorted(promoted)} only")
        started = pcmk.nodes_running(agents.filesystem, frozenset({"Started"}))
        if not want <= started:
            problems.append(f"{node} sees {agents.filesystem} started on {sorted(started)} only")
    return problems
