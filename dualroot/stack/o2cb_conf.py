"""The classic o2cb stack's /etc/ocfs2/cluster.conf, written from the cluster's own node list."""

from __future__ import annotations

import enum
import ipaddress
import re

from dualroot.ocf.record import Record

# o2cb(8)/ocfs2.cluster.conf(5): cluster names are alphanumeric, at most 16 characters (the
# name is stamped on disk and used as a configfs directory); o2net speaks IPv4 only.
_CLUSTER_NAME = re.compile(r"^[A-Za-z0-9]{1,16}$")
_NODE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
O2NET_PORT = 7777
MAX_NODES = 255  # OCFS2's node limit (o2nm: O2NM_MAX_NODES)


class HeartbeatMode(enum.Enum):
    LOCAL = "local"  # one heartbeat region per mounted volume, started by mount
    GLOBAL = "global"  # fixed heartbeat regions, started with the cluster


class O2cbNode(Record):
    number: int  # the corosync node id, so both stacks number nodes alike
    name: str  # must equal the node's `uname -n`: o2cb finds itself by hostname
    address: str
    port: int = O2NET_PORT


class ConfigError(ValueError):
    """The node list cannot be expressed as an o2cb cluster.conf."""


def check_cluster_name(name: str) -> None:
    if not _CLUSTER_NAME.match(name):
        raise ConfigError(f"o2cb cluster name {name!r} must be 1-16 letters or digits")


def render_cluster_conf(
    cluster: str,
    nodes: list[O2cbNode],
    mode: HeartbeatMode = HeartbeatMode.LOCAL,
    regions: tuple[str, ...] = (),
) -> str:
    """The text of cluster.conf: `stanza:` lines at column 0, `\\tkey = value` below each."""
    check_cluster_name(cluster)
    if not nodes:
        raise ConfigError("the cluster has no nodes")
    if len(nodes) > MAX_NODES:
        raise ConfigError(f"OCFS2 supports at most {MAX_NODES} nodes, the cluster has {len(nodes)}")
    seen_numbers: set[int] = set()
    seen_names: set[str] = set()
    for node in nodes:
        if not _NODE_NAME.match(node.name):
            raise ConfigError(f"node name {node.name!r} cannot be used in cluster.conf")
        if not 0 <= node.number < MAX_NODES:
            raise ConfigError(f"node {node.name} has number {node.number}; o2cb needs 0-{MAX_NODES - 1}")
        try:
            version = ipaddress.ip_address(node.address).version
        except ValueError as exc:
            raise ConfigError(f"node {node.name}: {node.address!r} is not an IP address") from exc
        if version != 4:
            raise ConfigError(f"node {node.name}: o2cb needs an IPv4 address, not {node.address}")
        if node.number in seen_numbers or node.name in seen_names:
            raise ConfigError(f"node {node.name} (number {node.number}) appears twice")
        seen_numbers.add(node.number)
        seen_names.add(node.name)
    if mode is HeartbeatMode.GLOBAL and not regions:
        raise ConfigError("global heartbeat needs at least one heartbeat region")

    def stanza(kind: str, pairs: list[tuple[str, object]]) -> str:
        return f"{kind}:\n" + "".join(f"\t{key} = {value}\n" for key, value in pairs)

    parts = [
        stanza("cluster", [("name", cluster), ("heartbeat_mode", mode.value), ("node_count", len(nodes))])
    ]
    for node in sorted(nodes, key=lambda n: n.number):
        parts.append(
            stanza(
                "node",
                [
                    ("name", node.name),
                    ("cluster", cluster),
                    ("number", node.number),
                    ("ip_address", node.address),
                    ("ip_port", node.port),
                ],
            )
        )
    if mode is HeartbeatMode.GLOBAL:
        for region in regions:
            parts.append(stanza("heartbeat", [("region", region), ("cluster", cluster)]))
    return "\n".join(parts)


def parse_cluster_conf(text: str) -> list[tuple[str, dict[str, str]]]:
    """Stanzas of a cluster.conf as (kind, properties), for checking what is on disk."""
    stanzas: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and line.rstrip().endswith(":"):
            stanzas.append((line.rstrip()[:-1].strip(), {}))
        elif stanzas and "=" in line:
            key, _, value = line.partition("=")
            stanzas[-1][1][key.strip()] = value.strip()
    return stanzas


class CorosyncNode(Record):
    nodeid: int
    name: str
    address: str  # ring0_addr: an address or a name to resolve


def parse_cmap_nodelist(text: str) -> tuple[str | None, list[CorosyncNode]]:
    """The cluster name and nodes from `corosync-cmapctl` lines `key (type) = value`."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(" = ")
        if sep:
            values[key.split(" (")[0].strip()] = value.strip()
    indexes = sorted(
        {k.split(".")[2] for k in values if k.startswith("nodelist.node.") and k.count(".") >= 3},
        key=lambda i: int(i) if i.isdigit() else 0,
    )
    nodes = []
    for i in indexes:
        prefix = f"nodelist.node.{i}."
        name = values.get(prefix + "name") or values.get(prefix + "ring0_addr")
        nodeid = values.get(prefix + "nodeid")
        address = values.get(prefix + "ring0_addr")
        if name and nodeid and nodeid.isdigit() and address:
            nodes.append(CorosyncNode(nodeid=int(nodeid), name=name, address=address))
    return values.get("totem.cluster_name"), nodes
