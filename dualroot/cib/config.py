"""The cluster configuration an admin writes (a small TOML file), as frozen dataclasses, and its checks.

One file describes the whole stack: nodes and their addresses, the DRBD resource (absent for shared
storage), the OCFS2 mount, fencing, the cluster stack (pcmk or o2cb), which agents run it (dualroot's or
the stock ones) and an optional web tier. Every renderer (CIB, pcs, crmsh, DRBD resource file,
corosync.conf) reads only this model. A config that would give an unsafe cluster is refused here with one
line naming the key and what to write instead (DualrootError; the CLI exits 2).
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
import re
import tomllib
import uuid as uuid_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualroot.errors import DualrootError

# OCFS2 keeps one journal slot per node that mounts the volume; the on-disk format allows 255
# (OCFS2_MAX_SLOTS), so no configuration may name more nodes than that.
OCFS2_MAX_SLOTS = 255
OCFS2_CLUSTER_NAME_MAX = 16  # OCFS2_CLUSTER_NAME_LEN: the cluster name stamped on the volume
# DRBD dual-primary: the kernel allows two Primaries at most (allow-two-primaries), never three.
DRBD_PROMOTED_MAX = 2
# Names that end up as CIB ids, node names, DRBD resource names: keep them to a safe alphabet so they
# can never break out of any rendered syntax (XML ids, pcs/crmsh words, drbd.conf tokens).
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")
# Mount options and fence-agent parameters reach pcs/crmsh argv and CIB attributes: no whitespace,
# quotes or shell metacharacters, so the pcs and crmsh forms an admin copies are safe to paste.
_VALUE_RE = re.compile(r"^[A-Za-z0-9_.,:=/+@%-]*$")


class Stack(enum.Enum):
    """The OCFS2 cluster stack: `pcmk` = dlm_controld under Pacemaker, `o2cb` = OCFS2's classic stack."""

    PCMK = "pcmk"
    O2CB = "o2cb"


class FeatureLevel(enum.Enum):
    """mkfs.ocfs2 --fs-feature-level: `default` leaves out metaecc and quotas (dualroot.cib.ocfs2_mkfs says
    why), `max-features` has both, `max-compat` mounts on the oldest kernels."""

    DEFAULT = "default"
    MAX_FEATURES = "max-features"
    MAX_COMPAT = "max-compat"


class Agents(enum.Enum):
    """Which resource agents run the stack: dualroot's own, or the stock linbit/pacemaker/heartbeat ones."""

    DUALROOT = "dualroot"
    STOCK = "stock"


@dataclass(frozen=True)
class Node:
    name: str
    nodeid: int
    cluster_addr: str  # corosync (knet) link, also carries DLM traffic
    replication_addr: str | None  # DRBD replication link; None for shared storage


DRBD_AL_EXTENTS_DEFAULT = 1237  # DRBD's own default
DRBD_AL_EXTENTS_RANGE = (67, 65534)  # what drbdsetup accepts (8.4 and 9)
DRBD_AL_EXTENT_MIB = 4


@dataclass(frozen=True)
class DrbdNetTiming:
    """DRBD's dead-peer detection. The 8.4 defaults (ping-int 10 s, ping-timeout 0.5 s, timeout 6 s)
    made DRBD, not corosync, the slowest part of a failover in the lab (RECIPE trap 6: 23.7 s against
    11-15 s with these values)."""

    ping_int: int = 3  # seconds between keep-alive pings on an idle link
    ping_timeout: int = 10  # tenths of a second to wait for a PingAck
    timeout: int = 20  # tenths of a second for any reply; DRBD requires it below ping_int


@dataclass(frozen=True)
class Drbd:
    resource: str
    device: str
    disk: str
    port: int
    version: str = "8.4"  # kernel module generation: "8.4" (Debian 12's in-tree module) or "9"
    promoted_max: int = DRBD_PROMOTED_MAX
    net: DrbdNetTiming = field(default_factory=DrbdNetTiming)
    # Activity-log slots of 4 MiB: after a Primary crashes, what its AL names is resynced. DRBD's own
    # default (1237, ~4.8 GiB) covers a small device whole, so every crash resynced all of it (RECIPE
    # trap 7); the AL must cover much less than the device for a resync to scale with recent writes.
    al_extents: int = DRBD_AL_EXTENTS_DEFAULT

    @property
    def minor(self) -> int:
        """The minor number of /dev/drbdN (the agents and drbdsetup address devices by it)."""
        return int(self.device.removeprefix("/dev/drbd"))


@dataclass(frozen=True)
class Mount:
    device: str  # the DRBD device, or the shared LUN every node sees
    directory: str
    options: str = "noatime"
    slots: int | None = None  # OCFS2 node slots the volume was made with (mkfs.ocfs2 -N), if known
    feature_level: FeatureLevel = FeatureLevel.DEFAULT  # mkfs.ocfs2 --fs-feature-level
    uuid: str | None = None  # the volume's UUID (mkfs.ocfs2 -U), canonical form, if fixed in the config

    @property
    def lockspace(self) -> str | None:
        """The DLM lockspace OCFS2 joins for this volume: its UUID, 32 upper-case hex digits."""
        return None if self.uuid is None else uuid_module.UUID(self.uuid).hex.upper()


@dataclass(frozen=True)
class Fencing:
    """One STONITH device per node: `method` is the fence agent, `params` are shared by every device,
    `node_params` hold each target node's own (e.g. pcmk_host_list, an IPMI address)."""

    method: str
    params: tuple[tuple[str, str], ...] = ()
    node_params: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def params_for(self, node: str) -> dict[str, str]:
        """The device parameters for fencing `node`: shared ones, then the node's own over them."""
        merged = dict(self.params)
        merged.update(dict(self.node_params).get(node, ()))
        return merged


@dataclass(frozen=True)
class Web:
    """A cloned web server on top of the mount (the reason for the whole stack)."""

    unit: str = "nginx"  # systemd unit, run as systemd:<unit>
    name: str = "web"  # resource id in the CIB
    root: str = ""  # document root, under the mount; "" = <mount directory>/www

    def document_root(self, mount: Mount) -> str:
        return self.root or f"{mount.directory}/www"


@dataclass(frozen=True)
class ClusterConfig:
    name: str
    stack: Stack
    agents: Agents
    nodes: tuple[Node, ...]
    drbd: Drbd | None
    mount: Mount
    fencing: Fencing
    web: Web | None = None
    token_ms: int = 3000  # corosync totem token; the lab's proven value under TCG
    crypto: bool = False  # corosync link encryption (aes256/sha256 with /etc/corosync/authkey)
    # How long the DLM keeps an unused lock resource (ocf:dualroot:o2cb dlm_toss_secs, pcmk stack only).
    # The kernel's 10 s makes every file whose inode was evicted pay a directory lookup and mastering
    # round trip on next use: 28.9 s against 7.8 s for a cold stat of 2,000 files in the lab
    # (bench/results/dlm_toss.json). 600 s keeps a web root's working set quick for ten minutes at a
    # few hundred bytes of kernel memory per resource (about four per file).
    dlm_toss_secs: int = 600
    # The node that holds the whole DLM lock directory of the volume's lockspace (dlm.conf `master`),
    # or None for the DLM's even spread. See dualroot.cib.dlm_conf for what it buys and costs.
    dlm_directory: str | None = None

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes)


# --- the lab's two-node example ---------------------------------------------------------------------

LAB_TOML = """\
# dualroot: the lab's two-node cluster (two QEMU guests, DRBD 8.4 dual-primary under OCFS2)
[cluster]
name = "dualroot"
stack = "pcmk"          # pcmk: dlm_controld under Pacemaker; o2cb: OCFS2's classic stack
agents = "dualroot"     # dualroot: ocf:dualroot:*; stock: ocf:linbit:drbd + controld + Filesystem
dlm_directory = "node1" # the DLM's lock directory on node1, where content is written (dlm.conf)

[[nodes]]
name = "node1"
cluster_addr = "192.168.100.1"       # corosync + DLM
replication_addr = "192.168.101.1"   # DRBD

[[nodes]]
name = "node2"
cluster_addr = "192.168.100.2"
replication_addr = "192.168.101.2"

[drbd]
resource = "r0"
device = "/dev/drbd0"
disk = "/dev/vdb"
port = 7789
version = "8.4"         # Debian 12's in-tree module
al_extents = 67         # 67 x 4 MiB: a crash resyncs at most a quarter of the lab's 1 GiB disk

[mount]
directory = "/srv/ocfs2"
options = "noatime"
feature_level = "default"   # mkfs.ocfs2: no metaecc, no quotas (`dualroot cib render --format mkfs`)
uuid = "592d4eff-9b34-4400-923a-1583f6f812ac"  # mkfs.ocfs2 -U; names the DLM lockspace in dlm.conf

[fencing]
method = "fence_vmlab"  # the lab's fence agent (QMP through a virtio-serial port)

[fencing.nodes.node1]
pcmk_host_list = "node1"

[fencing.nodes.node2]
pcmk_host_list = "node2"
"""


def lab_config() -> ClusterConfig:
    """The lab's two-node cluster: node1/node2, links 192.168.100.x (corosync) and 192.168.101.x:7789
    (DRBD r0 on /dev/vdb -> /dev/drbd0), OCFS2 on /srv/ocfs2, fence_vmlab, stack pcmk, dualroot agents."""
    return parse_config(tomllib.loads(LAB_TOML), source="lab example")


def with_agents(cfg: ClusterConfig, agents: Agents) -> ClusterConfig:
    """The same cluster run by another agent set (`--agents`), checked like a config file would be."""
    if cfg.stack is Stack.O2CB and agents is Agents.STOCK:
        raise DualrootError(
            "--agents stock: no stock agent runs the classic o2cb stack on current distributions",
            'use --agents dualroot, or stack = "pcmk" in the config',
        )
    return dataclasses.replace(cfg, agents=agents)


def read_toml(path: Path, option: str = "--config") -> dict[str, Any]:
    """The parsed TOML document; a missing file or bad syntax raises DualrootError with one line."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DualrootError(
            f"{path}: cannot read the config: {exc.strerror}", f"give an existing file to {option}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DualrootError(f"{path}: not valid TOML: {exc}", "fix the syntax at that line") from None


def load_config(path: str | Path) -> ClusterConfig:
    """Read and check a TOML cluster config; any problem raises DualrootError with one line."""
    path = Path(path)
    return parse_config(read_toml(path), source=str(path))


# --- parsing: every key is known, typed and checked ---------------------------------------------------

# [drill] is read by `dualroot drill --cluster` (dualroot.drill.ssh_cluster), not by the renderer.
_TOP_KEYS = {"cluster", "nodes", "drbd", "mount", "fencing", "web", "drill"}
_CLUSTER_KEYS = {"name", "stack", "agents", "token_ms", "crypto", "dlm_toss_secs", "dlm_directory"}
_NODE_KEYS = {"name", "nodeid", "cluster_addr", "replication_addr"}
_DRBD_KEYS = {"resource", "device", "disk", "port", "version", "promoted_max", "net", "al_extents"}
_DRBD_NET_KEYS = {"ping_int", "ping_timeout", "timeout"}
_MOUNT_KEYS = {"device", "directory", "options", "slots", "feature_level", "uuid"}
_FENCING_KEYS = {"method", "params", "nodes", "enabled"}
_WEB_KEYS = {"unit", "name", "root"}


class TableReader:
    """Reads one TOML table, naming every failure by its dotted key (`drbd.port`) and the source file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str, fix: str) -> DualrootError:
        return DualrootError(f"{self.source}: {key}: {problem}", fix)

    def table(self, data: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a table", f"write it as [{key}]")
        for name in data:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                raise self.fail(
                    full, "unknown key", f"remove it; known keys here: {', '.join(sorted(allowed))}"
                )
        return data

    def string(self, data: dict[str, Any], table: str, key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{table}.{key}", "missing", f'add {key} = "..." to [{table}]')
        if not isinstance(value, str) or not value:
            raise self.fail(
                f"{table}.{key}", f"must be a non-empty string, not {value!r}", f'write {key} = "..."'
            )
        return value

    def integer(
        self, data: dict[str, Any], table: str, key: str, default: int | None, *, low: int, high: int
    ) -> int:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{table}.{key}", "missing", f"add {key} = <number> to [{table}]")
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                f"{table}.{key}",
                f"must be a whole number from {low} to {high}, not {value!r}",
                f"write {key} = <{low}..{high}>",
            )
        return value

    def name(self, data: dict[str, Any], table: str, key: str, default: str | None = None) -> str:
        value = self.string(data, table, key, default)
        if not _NAME_RE.match(value):
            raise self.fail(
                f"{table}.{key}",
                f"{value!r} is not a plain name",
                "use a letter, then letters, digits, '_', '.', '-' (at most 63)",
            )
        return value

    def path(self, data: dict[str, Any], table: str, key: str, default: str | None = None) -> str:
        value = self.string(data, table, key, default)
        if not value.startswith("/") or not _VALUE_RE.match(value) or "//" in value or "/../" in f"{value}/":
            raise self.fail(
                f"{table}.{key}", f"{value!r} is not a plain absolute path", 'write e.g. "/srv/ocfs2"'
            )
        return value

    def address(self, data: dict[str, Any], table: str, key: str, node: str) -> str:
        value = data.get(key)
        if value is None:
            raise self.fail(
                f"{table}.{key}",
                f"node {node} has no {key}",
                f'add {key} = "<IP address of {node}>" to its [[nodes]] entry',
            )
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise self.fail(
                f"{table}.{key}", f"{value!r} is not an IP address", f'write {key} = "192.0.2.1"'
            ) from None

    def params(self, data: Any, key: str) -> tuple[tuple[str, str], ...]:
        if not isinstance(data, dict):
            raise self.fail(key, "must be a table of name = value", f"write it as [{key}]")
        pairs = []
        for name, value in data.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, int):
                value = str(value)
            if not _NAME_RE.match(name) or not isinstance(value, str) or not _VALUE_RE.match(value):
                raise self.fail(
                    f"{key}.{name}",
                    f"{value!r} is not a plain parameter value",
                    "use letters, digits and _ . , : = / + @ % - only (no spaces or quotes)",
                )
            pairs.append((name, value))
        return tuple(pairs)


def parse_config(data: dict[str, Any], source: str = "config") -> ClusterConfig:
    """Check a parsed TOML document and build the frozen model (see `LAB_TOML` for the format)."""
    r = TableReader(source)
    r.table(data, "", _TOP_KEYS)

    cluster = r.table(data.get("cluster", {}), "cluster", _CLUSTER_KEYS)
    name = r.name(cluster, "cluster", "name", "dualroot")
    if len(name) > OCFS2_CLUSTER_NAME_MAX:
        # OCFS2 stamps the cluster name on disk and mounts only in a cluster of that name.
        raise r.fail(
            "cluster.name",
            f"{name!r} is longer than the {OCFS2_CLUSTER_NAME_MAX} characters OCFS2 stamps on the volume",
            f"write a name of at most {OCFS2_CLUSTER_NAME_MAX} characters",
        )
    stack = _enum(r, Stack, cluster.get("stack", "pcmk"), "cluster.stack")
    agents = _enum(r, Agents, cluster.get("agents", "dualroot"), "cluster.agents")
    token_ms = r.integer(cluster, "cluster", "token_ms", 3000, low=1000, high=60000)
    dlm_toss_secs = r.integer(cluster, "cluster", "dlm_toss_secs", 600, low=1, high=86400)
    if stack is Stack.O2CB and "dlm_toss_secs" in cluster:
        raise r.fail(
            "cluster.dlm_toss_secs",
            "the classic o2cb stack's DLM has no toss_secs (it applies to the pcmk stack only)",
            "remove dlm_toss_secs, or write stack = \"pcmk\"",
        )
    crypto = cluster.get("crypto", False)
    if not isinstance(crypto, bool):
        raise r.fail("cluster.crypto", f"must be true or false, not {crypto!r}", "write crypto = true")
    if stack is Stack.O2CB and agents is Agents.STOCK:
        # ocf:pacemaker:o2cb needs ocfs2_controld.pcmk, which ocfs2-tools 1.8 no longer ships (HOST-TOOLS 7).
        raise r.fail(
            "cluster.stack",
            "no stock agent runs the classic o2cb stack on current distributions",
            'write agents = "dualroot", or stack = "pcmk"',
        )

    has_drbd = "drbd" in data
    nodes = _nodes(r, data.get("nodes"), need_replication=has_drbd)
    drbd = _drbd(r, data["drbd"], len(nodes)) if has_drbd else None
    mount = _mount(r, data.get("mount"), drbd, len(nodes))
    dlm_directory = _dlm_directory(r, cluster, stack, nodes, mount)
    fencing = _fencing(r, data.get("fencing"), nodes)
    web = None
    if "web" in data:
        web_table = r.table(data["web"], "web", _WEB_KEYS)
        root = r.path(web_table, "web", "root", f"{mount.directory}/www")
        if not root.startswith(f"{mount.directory}/"):
            # Served from the node's own disk, each node would show different pages.
            raise r.fail(
                "web.root",
                f"{root!r} is not on the shared mount {mount.directory}",
                f'write root = "{mount.directory}/www" (or another directory under it)',
            )
        web = Web(
            unit=r.name(web_table, "web", "unit", "nginx"),
            name=r.name(web_table, "web", "name", "web"),
            root=root.rstrip("/"),
        )
    return ClusterConfig(
        name=name,
        stack=stack,
        agents=agents,
        nodes=nodes,
        drbd=drbd,
        mount=mount,
        fencing=fencing,
        web=web,
        token_ms=token_ms,
        dlm_toss_secs=dlm_toss_secs,
        dlm_directory=dlm_directory,
        crypto=crypto,
    )


def _dlm_directory(
    r: TableReader, cluster: dict[str, Any], stack: Stack, nodes: tuple[Node, ...], mount: Mount
) -> str | None:
    if "dlm_directory" not in cluster:
        return None
    name = r.name(cluster, "cluster", "dlm_directory")
    if stack is Stack.O2CB:
        raise r.fail(
            "cluster.dlm_directory",
            "the classic o2cb stack's DLM has no directory weights (it applies to the pcmk stack only)",
            'remove dlm_directory, or write stack = "pcmk"',
        )
    if name not in {node.name for node in nodes}:
        raise r.fail(
            "cluster.dlm_directory",
            f"{name!r} is not one of the nodes ({', '.join(node.name for node in nodes)})",
            "name the node the content is written from, or remove dlm_directory",
        )
    if mount.uuid is None:
        # dlm.conf names the lockspace, and OCFS2 names it after the volume's UUID.
        raise r.fail(
            "mount.uuid",
            "missing: cluster.dlm_directory names the volume's lockspace, which is its UUID",
            "add uuid = \"...\" to [mount]: `tunefs.ocfs2 -Q '%U' DEVICE` for an existing volume, "
            "uuidgen for a new one",
        )
    return name


def _enum(r: TableReader, kind: type[enum.Enum], value: Any, key: str) -> Any:
    choices = [member.value for member in kind]
    if value not in choices:
        raise r.fail(
            key,
            f"{value!r} is not one of {', '.join(choices)}",
            f'write {key.rsplit(".", maxsplit=1)[-1]} = "{choices[0]}"',
        )
    return kind(value)


def _nodes(r: TableReader, data: Any, need_replication: bool) -> tuple[Node, ...]:
    if not isinstance(data, list) or not data:
        raise r.fail("nodes", "no nodes", "add one [[nodes]] entry per node with name and cluster_addr")
    nodes: list[Node] = []
    for index, entry in enumerate(data):
        table = f"nodes[{index}]"
        entry = r.table(entry, table, _NODE_KEYS)
        name = r.name(entry, table, "name")
        cluster_addr = r.address(entry, table, "cluster_addr", name)
        replication_addr = None
        if need_replication or "replication_addr" in entry:
            replication_addr = r.address(entry, table, "replication_addr", name)
        nodeid = r.integer(entry, table, "nodeid", index + 1, low=1, high=2**31 - 1)
        nodes.append(
            Node(name=name, nodeid=nodeid, cluster_addr=cluster_addr, replication_addr=replication_addr)
        )
    for attr in ("name", "nodeid", "cluster_addr", "replication_addr"):
        seen = [getattr(node, attr) for node in nodes if getattr(node, attr) is not None]
        if len(seen) != len(set(seen)):
            raise r.fail(
                f"nodes.{attr}", "the same value is given to two nodes", f"give each node its own {attr}"
            )
    if len(nodes) > OCFS2_MAX_SLOTS:
        raise r.fail(
            "nodes",
            f"{len(nodes)} nodes, OCFS2 mounts on at most {OCFS2_MAX_SLOTS}",
            f"list at most {OCFS2_MAX_SLOTS} nodes",
        )
    return tuple(nodes)


def _drbd(r: TableReader, data: Any, node_count: int) -> Drbd:
    t = r.table(data, "drbd", _DRBD_KEYS)
    if node_count != 2:
        # The 8.4 module replicates between exactly two nodes, and dual-primary allows two Primaries
        # at most; a third node cannot mount a DRBD-backed OCFS2 volume.
        raise r.fail(
            "drbd",
            f"DRBD dual-primary needs exactly 2 nodes, the config lists {node_count}",
            "list 2 [[nodes]], or remove [drbd] and set mount.device to storage every node sees",
        )
    device = r.path(t, "drbd", "device")
    if not re.fullmatch(r"/dev/drbd[0-9]{1,5}", device):
        raise r.fail("drbd.device", f"{device!r} is not a DRBD device", 'write device = "/dev/drbd0"')
    promoted_max = r.integer(t, "drbd", "promoted_max", DRBD_PROMOTED_MAX, low=1, high=1000)
    if promoted_max != DRBD_PROMOTED_MAX:
        raise r.fail(
            "drbd.promoted_max",
            f"{promoted_max}: OCFS2 on DRBD needs both nodes Primary and DRBD allows at most two",
            f"write promoted_max = {DRBD_PROMOTED_MAX} (or leave it out)",
        )
    version = r.string(t, "drbd", "version", "8.4")
    if version not in ("8.4", "9"):
        raise r.fail(
            "drbd.version", f"{version!r} is not a supported DRBD generation", 'write version = "8.4" or "9"'
        )
    net_table = r.table(t.get("net", {}), "drbd.net", _DRBD_NET_KEYS)
    defaults = DrbdNetTiming()
    net = DrbdNetTiming(
        ping_int=r.integer(net_table, "drbd.net", "ping_int", defaults.ping_int, low=1, high=120),
        ping_timeout=r.integer(net_table, "drbd.net", "ping_timeout", defaults.ping_timeout, low=1, high=300),
        timeout=r.integer(net_table, "drbd.net", "timeout", defaults.timeout, low=1, high=600),
    )
    if net.timeout >= net.ping_int * 10:
        # drbdsetup refuses a timeout (tenths of a second) that is not below ping-int (seconds).
        raise r.fail(
            "drbd.net.timeout",
            f"{net.timeout} tenths of a second is not below ping_int ({net.ping_int} s)",
            f"write timeout = {net.ping_int * 10 - 1} or less, or raise ping_int",
        )
    return Drbd(
        resource=r.name(t, "drbd", "resource"),
        device=device,
        disk=r.path(t, "drbd", "disk"),
        port=r.integer(t, "drbd", "port", 7789, low=1, high=65535),
        version=version,
        promoted_max=promoted_max,
        net=net,
        al_extents=r.integer(t, "drbd", "al_extents", DRBD_AL_EXTENTS_DEFAULT,
                             low=DRBD_AL_EXTENTS_RANGE[0], high=DRBD_AL_EXTENTS_RANGE[1]),
    )


def _mount(r: TableReader, data: Any, drbd: Drbd | None, node_count: int) -> Mount:
    if data is None:
        raise r.fail("mount", "missing", 'add [mount] with directory = "/srv/ocfs2"')
    t = r.table(data, "mount", _MOUNT_KEYS)
    directory = r.path(t, "mount", "directory")
    if directory.rstrip("/") == "":
        raise r.fail(
            "mount.directory",
            "'/' cannot be a cluster mount point (the node's own root is there)",
            'write a directory of its own, e.g. directory = "/srv/ocfs2"',
        )
    if drbd is not None:
        if "device" in t and t["device"] != drbd.device:
            raise r.fail(
                "mount.device",
                f"{t['device']!r} is not the DRBD device {drbd.device}",
                "leave mount.device out when [drbd] is given",
            )
        device = drbd.device
    else:
        if "device" not in t:
            raise r.fail(
                "mount.device",
                "missing: without [drbd] the mount needs the shared device",
                'add device = "/dev/disk/by-id/..." (a LUN every node sees) to [mount]',
            )
        device = r.path(t, "mount", "device")
    options = r.string(t, "mount", "options", "noatime")
    if not _VALUE_RE.match(options):
        raise r.fail(
            "mount.options", f"{options!r} is not a plain option list", 'write e.g. options = "noatime"'
        )
    slots = None
    if "slots" in t:
        slots = r.integer(t, "mount", "slots", None, low=1, high=OCFS2_MAX_SLOTS)
        if slots < node_count:
            raise r.fail(
                "mount.slots",
                f"{slots} OCFS2 slots for {node_count} nodes",
                f"write slots = {node_count} or more (mkfs.ocfs2 -N / tunefs.ocfs2 -N)",
            )
    feature_level = _enum(r, FeatureLevel, t.get("feature_level", "default"), "mount.feature_level")
    volume_uuid = None
    if "uuid" in t:
        text = r.string(t, "mount", "uuid", "")
        try:
            volume_uuid = str(uuid_module.UUID(text))
        except ValueError:
            raise r.fail(
                "mount.uuid",
                f"{text!r} is not a UUID",
                "write the volume's UUID, e.g. from `tunefs.ocfs2 -Q '%U' DEVICE`, or a new one from uuidgen",
            ) from None
    return Mount(device=device, directory=directory.rstrip("/"), options=options, slots=slots,
                 feature_level=feature_level, uuid=volume_uuid)


def _fencing(r: TableReader, data: Any, nodes: tuple[Node, ...]) -> Fencing:
    if data is None:
        raise r.fail(
            "fencing",
            "missing: OCFS2 and DRBD dual-primary are only safe with STONITH",
            'add [fencing] with method = "<fence agent, e.g. fence_ipmilan>"',
        )
    t = r.table(data, "fencing", _FENCING_KEYS)
    if t.get("enabled", True) is not True:
        raise r.fail(
            "fencing.enabled",
            "fencing cannot be turned off: without it a lost node can corrupt the shared filesystem",
            "remove enabled = false and give a fence method",
        )
    method = r.name(t, "fencing", "method")
    if method.lower() in ("none", "off", "disabled", "false"):
        raise r.fail(
            "fencing.method",
            f"{method!r} turns fencing off, which OCFS2 and dual-primary DRBD cannot run without",
            'write method = "<fence agent>", e.g. "fence_ipmilan"',
        )
    shared = r.params(t.get("params", {}), "fencing.params")
    per_node_table = t.get("nodes", {})
    if not isinstance(per_node_table, dict):
        raise r.fail("fencing.nodes", "must be tables [fencing.nodes.<node>]", "write [fencing.nodes.node1]")
    names = [node.name for node in nodes]
    per_node = []
    for node_name, params in per_node_table.items():
        if node_name not in names:
            raise r.fail(
                f"fencing.nodes.{node_name}", "names no node of [[nodes]]", f"use one of: {', '.join(names)}"
            )
        per_node.append((node_name, r.params(params, f"fencing.nodes.{node_name}")))
    # Every device must know which node it fences; default to the node's name (pcmk_host_list).
    given = dict(per_node)
    node_params = []
    for name in names:
        params = given.get(name, ())
        if not any(key in ("pcmk_host_list", "pcmk_host_map") for key, _ in shared + params):
            params = (("pcmk_host_list", name),) + params
        node_params.append((name, params))
    return Fencing(method=method, params=shared, node_params=tuple(node_params))
