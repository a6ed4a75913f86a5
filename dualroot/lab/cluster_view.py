"""What a lab node's machine output says of the cluster: crm_mon XML, /proc/drbd, /proc/mounts.

Pure parsers, shared by the lab's health check (`dualroot lab up`, `lab status`, the lab test tier) and
the drills' probes, so both call the same cluster healthy. /proc/drbd is read by the agents' own parser
(`dualroot.drbd.status`); this module only turns its answer into the host's plain view.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from dualroot import paths
from dualroot.drbd import status as drbd_status

# Pacemaker 2.1 prints "Promoted"; older releases and some tools still say "Master".
PROMOTED_ROLES = frozenset({"Promoted", "Master"})


# --- crm_mon --output-as=xml ----------------------------------------------------------------------
@dataclass(frozen=True)
class ResourceInstance:
    """One <resource> of crm_mon on one node (a resource listed on two nodes gives two instances)."""

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
    dc: str = ""                         # the designated controller; "" while there is none

    def nodes_running(self, agent: str, roles: frozenset[str] | None = None) -> frozenset[str]:
        return frozenset(
            i.node for i in self.instances
            if i.agent == agent and i.node and not i.failed and (roles is None or i.role in roles)
        )

    def roles_on(self, node: str, agent_suffix: str) -> list[str]:
        """The roles of the resources on `node` whose agent ends with `agent_suffix` (e.g. ":drbd")."""
        return [i.role for i in self.instances if i.node == node and i.agent.endswith(agent_suffix)]

    def clone_of(self, agent: str) -> str | None:
        for instance in self.instances:
            if instance.agent == agent and instance.clone_id:
                return instance.clone_id
        return None

    def agents(self) -> frozenset[str]:
        return frozenset(i.agent for i in self.instances)


def _xml(text: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(text.encode(), parser)


def parse_crm_mon(xml: str) -> PacemakerView:
    root = _xml(xml)
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
    dc = root.find("summary/current_dc")
    return PacemakerView(frozenset(online), frozenset(offline), frozenset(unclean), tuple(instances),
                         dc.get("name", "") if dc is not None else "")


def crm_mon_connected(xml: str) -> bool:
    """False when crm_mon could not reach the cluster (status code 102 "Not connected", ...): its
    output then lists no nodes, which must not read as "every node went offline"."""
    status = _xml(xml).find("status")
    return status is None or status.get("code") == "0"


def read_crm_mon(xml: str) -> PacemakerView | None:
    """The cluster as crm_mon printed it, or None when it printed no usable view: not connected, or
    cut off by its timeout (half an XML document)."""
    if not xml.strip():
        return None
    try:
        return parse_crm_mon(xml) if crm_mon_connected(xml) else None
    except etree.XMLSyntaxError:
        return None


# --- /proc/drbd (8.4) ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrbdState:
    """One minor as DRBD 8.4 prints it in /proc/drbd (cs, ro, ds)."""

    connection: str
    role: str
    peer_role: str
    disk: str
    peer_disk: str
    minor: int = 0

    @property
    def healthy(self) -> bool:
        return (self.connection == "Connected" and self.role == self.peer_role == "Primary"
                and self.disk == self.peer_disk == "UpToDate")


def _drbd_state(line: drbd_status.ProcMinor) -> DrbdState:
    # An unconfigured minor prints no roles; the agents' parser calls it Secondary (it is not Primary,
    # which is what an agent decides on), the host view says what the line said: nothing.
    role = str(line.role) if line.configured else str(drbd_status.Role.UNKNOWN)
    return DrbdState(line.cs, role, str(line.peer_role), str(line.disk), str(line.peer_disk), line.minor)


def drbd_states(proc_drbd: str) -> list[DrbdState]:
    """Every minor /proc/drbd lists, in its order."""
    return [_drbd_state(line) for line in drbd_status.parse_proc_drbd(proc_drbd).minors.values()]


def drbd_minor(proc_drbd: str, minor: int = 0) -> DrbdState | None:
    """One minor of /proc/drbd (the lab's r0 is minor 0), or None when /proc/drbd does not list it."""
    line = drbd_status.parse_proc_drbd(proc_drbd).minors.get(minor)
    return _drbd_state(line) if line is not None else None


# --- /proc/mounts ----------------------------------------------------------------------------------
def ocfs2_mounted(proc_mounts: str, mount_point: str = paths.GUEST_OCFS2_MOUNT) -> bool:
    for line in proc_mounts.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == mount_point and fields[2] == "ocfs2":
            return True
    return False
