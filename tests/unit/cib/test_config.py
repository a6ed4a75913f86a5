"""The TOML cluster config: the lab example, loading files, and every refused config naming its key."""

import tomllib

import pytest

from dualroot.cib.config import LAB_TOML, Agents, Stack, lab_config, load_config, parse_config, with_agents
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit


def lab_data():
    return tomllib.loads(LAB_TOML)


def test_lab_config_is_the_lab():
    cfg = lab_config()
    assert cfg.name == "dualroot"
    assert cfg.stack is Stack.PCMK and cfg.agents is Agents.DUALROOT
    assert [(n.name, n.nodeid, n.cluster_addr, n.replication_addr) for n in cfg.nodes] == [
        ("node1", 1, "192.168.100.1", "192.168.101.1"),
        ("node2", 2, "192.168.100.2", "192.168.101.2"),
    ]
    assert cfg.drbd is not None
    assert (cfg.drbd.resource, cfg.drbd.device, cfg.drbd.disk, cfg.drbd.port) == (
        "r0",
        "/dev/drbd0",
        "/dev/vdb",
        7789,
    )
    assert cfg.drbd.minor == 0 and cfg.drbd.promoted_max == 2 and cfg.drbd.version == "8.4"
    assert (cfg.drbd.net.ping_int, cfg.drbd.net.ping_timeout, cfg.drbd.net.timeout) == (3, 10, 20)
    assert (cfg.mount.device, cfg.mount.directory, cfg.mount.options) == (
        "/dev/drbd0",
        "/srv/ocfs2",
        "noatime",
    )
    assert cfg.fencing.method == "fence_vmlab"
    assert cfg.fencing.params_for("node1") == {"pcmk_host_list": "node1"}
    assert cfg.fencing.params_for("node2") == {"pcmk_host_list": "node2"}
    assert cfg.web is None


def test_config_is_frozen():
    cfg = lab_config()
    with pytest.raises(AttributeError):
        cfg.name = "other"  # type: ignore[misc]


def test_load_config_reads_a_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(LAB_TOML + '\n[web]\nunit = "apache2"\n')
    cfg = load_config(path)
    assert cfg.web is not None and cfg.web.unit == "apache2" and cfg.web.name == "web"
    assert cfg.web.document_root(cfg.mount) == "/srv/ocfs2/www"


def test_load_config_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(DualrootError, match="cannot read"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[cluster\n")
    with pytest.raises(DualrootError, match="not valid TOML"):
        load_config(bad)


def test_fencing_defaults_host_list_and_merges_shared_params():
    data = lab_data()
    data["fencing"] = {
        "method": "fence_ipmilan",
        "params": {"username": "admin", "lanplus": True},
        "nodes": {"node1": {"ip": "10.0.0.11"}},
    }
    cfg = parse_config(data)
    assert cfg.fencing.params_for("node1") == {
        "pcmk_host_list": "node1",
        "username": "admin",
        "lanplus": "true",
        "ip": "10.0.0.11",
    }
    assert cfg.fencing.params_for("node2") == {
        "pcmk_host_list": "node2",
        "username": "admin",
        "lanplus": "true",
    }


def test_shared_storage_three_nodes():
    data = lab_data()
    del data["drbd"]
    data["nodes"].append({"name": "node3", "cluster_addr": "192.168.100.3"})
    data["mount"]["device"] = "/dev/disk/by-id/wwn-0x5000"
    cfg = parse_config(data)
    assert cfg.drbd is None and len(cfg.nodes) == 3
    assert cfg.mount.device == "/dev/disk/by-id/wwn-0x5000"
    assert cfg.nodes[2].replication_addr is None and cfg.nodes[2].nodeid == 3


def _edit(path, value):
    data = lab_data()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return data


DELETE = object()
THIRD_NODE = [
    {"name": "node1", "cluster_addr": "192.168.100.1", "replication_addr": "192.168.101.1"},
    {"name": "node2", "cluster_addr": "192.168.100.2", "replication_addr": "192.168.101.2"},
    {"name": "node3", "cluster_addr": "192.168.100.3", "replication_addr": "192.168.101.3"},
]

# (edit path, new value, the key the message must name, a word of the fix it must give)
BAD_CONFIGS = [
    (("drbd", "bogus"), 1, "drbd.bogus", "remove it"),
    (("colour",), "red", "colour", "remove it"),
    (("nodes", 0, "clusteraddr"), "192.168.100.1", "nodes[0].clusteraddr", "remove it"),
    (("nodes", 1, "cluster_addr"), DELETE, "nodes[1].cluster_addr", "add cluster_addr"),
    (("nodes", 1, "replication_addr"), DELETE, "nodes[1].replication_addr", "add replication_addr"),
    (("nodes", 0, "cluster_addr"), "192.168.300.1", "nodes[0].cluster_addr", "write cluster_addr"),
    (("nodes",), THIRD_NODE, "drbd", "list 2 [[nodes]]"),
    (("nodes",), THIRD_NODE[:1], "drbd", "list 2 [[nodes]]"),
    (("drbd", "promoted_max"), 3, "drbd.promoted_max", "promoted_max = 2"),
    (("drbd", "promoted_max"), 1, "drbd.promoted_max", "promoted_max = 2"),
    (("fencing", "enabled"), False, "fencing.enabled", "remove enabled = false"),
    (("fencing", "method"), "none", "fencing.method", "write method"),
    (("fencing",), DELETE, "fencing", "add [fencing]"),
    (("mount", "directory"), "/", "mount.directory", 'directory = "/srv/ocfs2"'),
    (("mount", "directory"), "srv", "mount.directory", "/srv/ocfs2"),
    (("mount", "options"), "noatime; rm -rf /", "mount.options", "options ="),
    (("cluster", "stack"), "cman", "cluster.stack", 'stack = "pcmk"'),
    (("cluster", "agents"), "heartbeat", "cluster.agents", 'agents = "dualroot"'),
    (("cluster", "crypto"), "yes", "cluster.crypto", "crypto = true"),
    (("drbd", "port"), 70000, "drbd.port", "port = <1..65535>"),
    (("drbd", "device"), "/dev/sdb", "drbd.device", "/dev/drbd0"),
    (("drbd", "version"), "8.3", "drbd.version", 'version = "8.4"'),
    (("drbd", "net"), {"ping_int": 1, "timeout": 20}, "drbd.net.timeout", "timeout = 9"),
    (("drbd", "al_extents"), 7, "drbd.al_extents", "al_extents = <67..65534>"),
    (("fencing", "nodes", "node9"), {"ip": "1.2.3.4"}, "fencing.nodes.node9", "node1, node2"),
    (("fencing", "params"), {"passwd": "a b"}, "fencing.params.passwd", "no spaces"),
    (("nodes", 1, "name"), "node1", "nodes.name", "its own name"),
    (("nodes", 0, "name"), "1node", "nodes[0].name", "a letter"),
    (("mount", "device"), "/dev/sdc", "mount.device", "leave mount.device out"),
    (("mount", "slots"), 1, "mount.slots", "slots = 2"),
    (("mount", "feature_level"), "max", "mount.feature_level", 'feature_level = "default"'),
    (("cluster", "name"), "web-cluster-frankfurt", "cluster.name", "at most 16 characters"),
    (("web",), {"root": "/var/www/html"}, "web.root", 'root = "/srv/ocfs2/www"'),
    (("cluster", "dlm_directory"), "node3", "cluster.dlm_directory", "name the node"),
    (("cluster", "dlm_directory"), "", "cluster.dlm_directory", "dlm_directory ="),
    (("mount", "uuid"), DELETE, "mount.uuid", "tunefs.ocfs2 -Q '%U' DEVICE"),
    (("mount", "uuid"), "592d4eff-9b34", "mount.uuid", "uuidgen"),
    (("web",), {"server": "nginx"}, "web.server", "remove it"),
]


@pytest.mark.parametrize(
    ("path", "value", "key", "fix"), BAD_CONFIGS, ids=[c[2] + "=" + repr(c[1])[:20] for c in BAD_CONFIGS]
)
def test_bad_config_names_the_key_and_the_fix_in_one_line(path, value, key, fix):
    with pytest.raises(DualrootError) as exc:
        parse_config(_edit(path, value), source="x.toml")
    text = str(exc.value)
    assert text.startswith(f"x.toml: {key}:"), text
    assert fix in exc.value.hint, text
    assert "\n" not in text


def test_the_dlm_directory_belongs_to_the_pcmk_stack():
    data = lab_data()
    data["cluster"]["stack"] = "o2cb"
    with pytest.raises(DualrootError, match="cluster.dlm_directory: the classic o2cb stack"):
        parse_config(data)


def test_a_volume_uuid_is_read_in_either_form_and_kept_canonical():
    data = lab_data()
    data["mount"]["uuid"] = "592D4EFF9B344400923A1583F6F812AC"  # as tunefs.ocfs2 -Q %U prints it
    cfg = parse_config(data)
    assert cfg.mount.uuid == "592d4eff-9b34-4400-923a-1583f6f812ac"
    assert cfg.mount.lockspace == "592D4EFF9B344400923A1583F6F812AC"


def test_without_a_directory_node_the_uuid_is_optional():
    data = lab_data()
    del data["cluster"]["dlm_directory"], data["mount"]["uuid"]
    cfg = parse_config(data)
    assert cfg.dlm_directory is None and cfg.mount.uuid is None and cfg.mount.lockspace is None


def test_stock_agents_refuse_classic_o2cb():
    data = lab_data()
    data["cluster"].update(stack="o2cb", agents="stock")
    with pytest.raises(DualrootError, match='agents = "dualroot"'):
        parse_config(data)


def test_shared_storage_needs_the_device():
    data = lab_data()
    del data["drbd"]
    with pytest.raises(DualrootError, match="mount.device: missing"):
        parse_config(data)


def test_examples_lab_toml_is_the_lab_config():
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "examples" / "lab.toml"
    assert load_config(path) == lab_config()


def test_with_agents_checks_like_a_config_file():
    data = lab_data()
    data["cluster"]["stack"] = "o2cb"
    del data["cluster"]["dlm_directory"]
    cfg = parse_config(data)
    with pytest.raises(DualrootError, match="--agents stock"):
        with_agents(cfg, Agents.STOCK)
    assert with_agents(lab_config(), Agents.STOCK).agents is Agents.STOCK


def test_dlm_toss_secs_defaults_to_600_and_is_checked():
    from dualroot.cib.model import plan_stack

    assert lab_config().dlm_toss_secs == 600
    data = lab_data()
    data["cluster"]["dlm_toss_secs"] = 120
    assert ("dlm_toss_secs", "120") in plan_stack(parse_config(data)).stack.primitive.params
    data["cluster"]["dlm_toss_secs"] = 0
    with pytest.raises(DualrootError, match="cluster.dlm_toss_secs"):
        parse_config(data)


def test_dlm_toss_secs_is_refused_on_the_classic_stack_and_not_rendered_there():
    from dualroot.cib.model import plan_stack

    data = lab_data()
    del data["cluster"]["dlm_directory"]
    data["cluster"].update(stack="o2cb", dlm_toss_secs=600)
    with pytest.raises(DualrootError, match="cluster.dlm_toss_secs.*pcmk"):
        parse_config(data)
    del data["cluster"]["dlm_toss_secs"]
    assert plan_stack(parse_config(data)).stack.primitive.params == (("stack", "o2cb"),)
