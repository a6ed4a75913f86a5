"""The lab's fixed shape: its nodes, their links and the host ports that carry them.

Everything here is 127.0.0.1 on the host: ssh reaches a guest through a `restrict=on` user netdev that
forwards one port, and the two private links between the guests are QEMU UDP socket netdevs. The UDP
form is stateless, so a node killed and started again re-links by itself (a TCP socket netdev would
stay dead). Vagrant's provider uses the same addresses (vagrant/Vagrantfile reads them from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Link(Enum):
    """The two private links between the nodes, cut one at a time by drills."""

    CLUSTER = "cluster"          # corosync and DLM
    REPLICATION = "replication"  # DRBD

    @property
    def netdev_id(self) -> str:
        return {"cluster": "cl", "replication": "rep"}[self.value]


@dataclass(frozen=True)
class NodeSpec:
    """One lab node: its name, index (1-based) and every address and port that belongs to it."""

    name: str
    index: int

    @property
    def ssh_port(self) -> int:
        return 2220 + self.index

    @property
    def cluster_address(self) -> str:
        return f"192.168.100.{self.index}"

    @property
    def replication_address(self) -> str:
        return f"192.168.101.{self.index}"

    def udp_port(self, link: Link) -> int:
        return {Link.CLUSTER: 40100, Link.REPLICATION: 40200}[link] + self.index

    def mac(self, nic: int) -> str:
        """MAC of NIC 0 (ssh), 1 (cluster) or 2 (replication); guests name their links by it."""
        return f"52:54:00:{'aabbcc'[2 * nic:2 * nic + 2]}:00:{self.index:02x}"


NODES: tuple[NodeSpec, ...] = (NodeSpec("node1", 1), NodeSpec("node2", 2))
CLUSTER_NAME = "dualroot"
GUEST_MEMORY_MIB = 1536
# One vCPU per node. Two (MTTCG) were tried for the failover drills (a survivor would get both host
# cores while its peer is down): boots took 104 s instead of 75 s, the guests spent half their CPU in
# the kernel (RCU and cross-CPU work is costly to emulate), and failover times spread wider, not lower.
GUEST_VCPUS = 1
DRBD_DISK_MIB = 1024  # above the activity log's 268 MiB (al_extents 67), so a resync measures recent writes
SPARE_DISK_MIB = 512  # /dev/vdc: ext4 on the same kind of virtual disk, for benchmarks against native
ROOT_IMAGE_SIZE = "3G"


def node_spec(name: str) -> NodeSpec:
    for node in NODES:
        if node.name == name:
            return node
    from dualroot.errors import DualrootError

    raise DualrootError(
        f"unknown node {name!r}", f"the lab's nodes are {', '.join(n.name for n in NODES)}"
    )


def peer_of(node: NodeSpec) -> NodeSpec:
    """The other node of the two (the UDP links are point to point)."""
    return next(n for n in NODES if n.name != node.name)


def host_ports() -> list[tuple[str, int]]:
    """Every (protocol, port) the lab binds on 127.0.0.1, to check before it starts."""
    ports: list[tuple[str, int]] = []
    for node in NODES:
        ports.append(("tcp", node.ssh_port))
        ports.extend(("udp", node.udp_port(link)) for link in Link)
    return ports
