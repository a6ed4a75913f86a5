"""cluster.conf rendering for the classic o2cb stack, and the corosync node list it is made from."""

import pytest

from dualroot.stack.o2cb_conf import (
    ConfigError,
    HeartbeatMode,
    O2cbNode,
    parse_cluster_conf,
    parse_cmap_nodelist,
    render_cluster_conf,
)

pytestmark = pytest.mark.unit

NODES = [O2cbNode(2, "node2", "192.168.100.2"), O2cbNode(1, "node1", "192.168.100.1")]

EXPECTED = """\
cluster:
\tname = vmlab
\theartbeat_mode = local
\tnode_count = 2

node:
\tname = node1
\tcluster = vmlab
\tnumber = 1
\tip_address = 192.168.100.1
\tip_port = 7777

node:
\tname = node2
\tcluster = vmlab
\tnumber = 2
\tip_address = 192.168.100.2
\tip_port = 7777
"""


def test_render_local() -> None:
    assert render_cluster_conf("vmlab", NODES) == EXPECTED


def test_render_global_with_regions_roundtrips() -> None:
    text = render_cluster_conf("vmlab", NODES, HeartbeatMode.GLOBAL, ("0123456789ABCDEF",))
    stanzas = parse_cluster_conf(text)
    assert [kind for kind, _ in stanzas] == ["cluster", "node", "node", "heartbeat"]
    assert stanzas[0][1]["heartbeat_mode"] == "global"
    assert stanzas[3][1] == {"region": "0123456789ABCDEF", "cluster": "vmlab"}


def test_three_nodes() -> None:
    nodes = [O2cbNode(i, f"n{i}", f"10.0.0.{i}") for i in (1, 2, 3)]
    assert parse_cluster_conf(render_cluster_conf("c3", nodes))[0][1]["node_count"] == "3"


@pytest.mark.parametrize(
    ("cluster", "nodes", "mode", "message"),
    [
        ("has-dash", NODES, HeartbeatMode.LOCAL, "letters or digits"),
        ("waytoolongclustername", NODES, HeartbeatMode.LOCAL, "letters or digits"),
        ("c", [], HeartbeatMode.LOCAL, "no nodes"),
        ("c", [O2cbNode(1, "n1", "fe80::1")], HeartbeatMode.LOCAL, "IPv4"),
        ("c", [O2cbNode(1, "n1", "node1.example")], HeartbeatMode.LOCAL, "not an IP"),
        ("c", [O2cbNode(1, "n;rm", "10.0.0.1")], HeartbeatMode.LOCAL, "cannot be used"),
        ("c", [O2cbNode(1, "a", "10.0.0.1"), O2cbNode(1, "b", "10.0.0.2")], HeartbeatMode.LOCAL, "twice"),
        ("c", [O2cbNode(300, "a", "10.0.0.1")], HeartbeatMode.LOCAL, "number"),
        ("c", NODES, HeartbeatMode.GLOBAL, "region"),
    ],
)
def test_refused(cluster: str, nodes: list[O2cbNode], mode: HeartbeatMode, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        render_cluster_conf(cluster, nodes, mode)


CMAP = """\
nodelist.local_node_pos (u32) = 0
nodelist.node.0.name (str) = node1
nodelist.node.0.nodeid (u32) = 1
nodelist.node.0.ring0_addr (str) = 192.168.100.1
nodelist.node.1.name (str) = node2
nodelist.node.1.nodeid (u32) = 2
nodelist.node.1.ring0_addr (str) = 192.168.100.2
nodelist.node.10.nodeid (u32) = 11
nodelist.node.10.ring0_addr (str) = 192.168.100.11
totem.cluster_name (str) = vmlab
"""


def test_cmap_nodelist() -> None:
    name, nodes = parse_cmap_nodelist(CMAP)
    assert name == "vmlab"
    assert [(n.nodeid, n.name, n.address) for n in nodes] == [
        (1, "node1", "192.168.100.1"),
        (2, "node2", "192.168.100.2"),
        (11, "192.168.100.11", "192.168.100.11"),  # no name: the address stands in
    ]
