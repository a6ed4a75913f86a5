"""Drilling a cluster that is not the lab: two nodes rendered from a dualroot config, reached over ssh.

`dualroot drill --cluster CONFIG` reads the config the cluster was rendered from (`dualroot cib`):
its nodes, DRBD resource, device and mount are what the drill checks. A `[drill]` table says how to
reach and hurt the nodes:

    [drill]
    ssh_user = "root"                     # default root; it must be root on the nodes
    ssh_identity = "/root/.ssh/drill"     # optional; else ssh's own configuration
    ssh_options = ["-o", "StrictHostKeyChecking=yes"]   # optional, given to every ssh call

    [drill.nodes.alpha]
    ssh_host = "198.51.100.1"             # a management address: not on a link the drills cut
    ssh_port = 22
    cluster_iface = "eno2"                # the interface corosync and DLM use (partition)
    replication_iface = "eno3"            # the interface DRBD replicates over (partition, cut)
    power_off = ["ipmitool", "-I", "lanplus", "-H", "10.3.0.1", "-U", "drill", "-f",
                 "/root/ipmi-pass", "chassis", "power", "off"]   # optional, run on this host
    power_on = ["ipmitool", "...", "chassis", "power", "on"]     # optional

How each fault is made there:
- node kill: `power_off` if given (a real power cut), else an immediate reboot through sysrq
  (`b`: no sync, no unmount, as a crash); the node comes back through the cluster's fence (a reboot)
  or `power_on`.
- link cuts: `ip link set dev IFACE down` in the node, undone with `up` (a fenced node comes back
  with its links up anyway).
- cold start: `systemctl poweroff` on both, then `power_on`, which it therefore needs.
Fencing times come from Pacemaker's own fencing history (`stonith_admin --history '*' --verbose`,
whole seconds, the completion time), not from the lab's fence service, so they read later than in the
lab. `--verbose` is required: without it Pacemaker 2.1.5 lists one successful fence per target, and
in the lab that was the oldest one, so a drill waited in vain for the fence it had caused.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dualroot import paths
from dualroot.cib.config import ClusterConfig, TableReader, parse_config, read_toml
from dualroot.command import run_host
from dualroot.drill.storage import Storage
from dualroot.errors import DualrootError
from dualroot.lab.control import SSH_CONNECT_TIMEOUT, SshNodes, ssh_unreachable
from dualroot.lab.fence_service import FenceEvent
from dualroot.lab.topology import Link

LINKS = tuple(link.value for link in Link)
_DRILL_KEYS = {"ssh_user", "ssh_identity", "ssh_options", "nodes"}
_NODE_KEYS = {"ssh_host", "ssh_port", "cluster_iface", "replication_iface", "power_off", "power_on"}
FENCE_HISTORY_TIMEOUT = 30.0
# Every fence, not one per target: see the module docstring.
HISTORY_ARGV = (paths.STONITH_ADMIN, "--history", "*", "--verbose", "--output-as", "xml")
CRASH_WAIT_S = 5.0  # how long the ssh session that sent the sysrq crash is left to die


@dataclass(frozen=True)
class SshNode:
    name: str
    host: str
    port: int = 22
    links: tuple[tuple[str, str], ...] = ()  # (link, interface in the node)
    power_off: tuple[str, ...] = ()  # argv run on this host
    power_on: tuple[str, ...] = ()

    def interface(self, link: str) -> str:
        for name, iface in self.links:
            if name == link:
                return iface
        raise DualrootError(f"the drill config names no {link} interface for {self.name}",
                            f'add {link}_iface = "<interface>" to [drill.nodes.{self.name}]')


@dataclass(frozen=True)
class SshTarget:
    """A cluster to drill over ssh: its dualroot config and how to reach its nodes."""

    config: ClusterConfig
    nodes: tuple[SshNode, ...]
    storage: Storage  # from the config's [drbd] and [mount], checked when the config is read
    user: str = "root"
    identity: str | None = None
    options: tuple[str, ...] = field(default_factory=tuple)


def _minor(device: str) -> int:
    digits = device.rpartition("/drbd")[2]
    if not digits.isdigit():
        raise DualrootError(f"the DRBD device {device} has no minor number in its name",
                            'name it /dev/drbdN in [drbd] device = "..."')
    return int(digits)


def _argv(r: TableReader, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
        raise r.fail(key, "must be a list of non-empty strings (a command and its arguments)",
                     'write it as ["command", "argument", ...]')
    return tuple(value)


def parse_target(data: dict[str, Any], source: str = "config") -> SshTarget:
    config = parse_config(data, source)
    r = TableReader(source)
    if config.drbd is None:
        raise r.fail("drbd", "drills need a DRBD cluster (they read and check its replication)",
                     "drill a cluster rendered with a [drbd] table")
    if config.drbd.version != "8.4":
        raise r.fail("drbd.version", "drills read the DRBD state from /proc/drbd, which DRBD 9 no longer "
                     "fills", "drill a DRBD 8.4 cluster (Debian's in-tree module), or the lab")
    storage = Storage(resource=config.drbd.resource, minor=_minor(config.drbd.device),
                      device=config.mount.device, mount=config.mount.directory)
    if len(config.nodes) != 2:
        raise r.fail("nodes", f"drills run on two nodes, this config has {len(config.nodes)}",
                     "drill a two-node cluster")
    drill = r.table(data.get("drill"), "drill", _DRILL_KEYS) if "drill" in data else None
    if drill is None:
        raise r.fail("drill", "missing", "add a [drill] table and a [drill.nodes.NAME] table per node "
                     "(see `dualroot drill --help`)")
    user = r.name(drill, "drill", "ssh_user", "root")
    identity = r.path(drill, "drill", "ssh_identity") if "ssh_identity" in drill else None
    options = _argv(r, drill.get("ssh_options"), "drill.ssh_options")
    tables = r.table(drill.get("nodes", {}), "drill.nodes", {n.name for n in config.nodes})
    nodes = []
    for node in config.nodes:
        key = f"drill.nodes.{node.name}"
        if node.name not in tables:
            raise r.fail(key, "missing", f'add [{key}] with ssh_host = "<management address>"')
        table = r.table(tables[node.name], key, _NODE_KEYS)
        links = tuple((link, r.name(table, key, f"{link}_iface")) for link in LINKS
                      if f"{link}_iface" in table)
        nodes.append(SshNode(
            name=node.name, host=r.string(table, key, "ssh_host"),
            port=r.integer(table, key, "ssh_port", 22, low=1, high=65535), links=links,
            power_off=_argv(r, table.get("power_off"), f"{key}.power_off"),
            power_on=_argv(r, table.get("power_on"), f"{key}.power_on")))
    return SshTarget(config=config, nodes=tuple(nodes), storage=storage, user=user, identity=identity,
                     options=options)


def load_target(path: str | Path) -> SshTarget:
    path = Path(path)
    return parse_target(read_toml(path, "--cluster"), source=str(path))


def parse_fence_history(xml_text: str) -> list[FenceEvent]:
    """Completed fence actions from `stonith_admin --history '*' --verbose --output-as xml`, oldest
    first."""
    from datetime import datetime

    from lxml import etree

    try:
        root = etree.fromstring(xml_text.encode())
    except etree.XMLSyntaxError:
        return []
    events = []
    for event in root.iter("fence_event"):
        completed = event.get("completed", "")
        if event.get("status") != "success" or not completed:
            continue
        try:
            when = datetime.fromisoformat(completed.replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
        action, target = event.get("action", ""), event.get("target", "")
        # "OK ...": the lab fence service's answer for a done fence, which the drills look for
        events.append(FenceEvent(time=when, requester=event.get("client", ""), action=action, target=target,
                                 answer=f"OK {action} {target} (Pacemaker's history: done by "
                                        f"{event.get('delegate', '?')})"))
    return sorted(events, key=lambda e: e.time)


class SshCluster(SshNodes):
    """The drills' LabApi for a cluster reached over ssh (see the module docstring)."""

    def __init__(self, target: SshTarget, control_dir: Path) -> None:
        self.target = target
        self.control_dir = control_dir
        control_dir.mkdir(parents=True, exist_ok=True)  # once, not on every ssh call of a drill
        self._by_name = {n.name: n for n in target.nodes}

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def storage(self) -> Storage:
        return self.target.storage

    def node(self, name: str) -> SshNode:
        try:
            return self._by_name[name]
        except KeyError:
            raise DualrootError(f"no node {name} in the cluster config",
                                f"use one of {', '.join(self._by_name)}") from None

    def ssh_argv(self, node: str, remote: str, *, batch: bool = True) -> list[str]:
        spec = self.node(node)
        identity = ["-i", self.target.identity] if self.target.identity else []
        return [paths.SSH, *identity, "-p", str(spec.port), *self.target.options,
                "-o", "LogLevel=ERROR", "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}",
                "-o", "BatchMode=yes" if batch else "BatchMode=no",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
                "-o", "ControlMaster=auto", "-o", f"ControlPath={self.control_dir}/%C",
                "-o", "ControlPersist=120", f"{self.target.user}@{spec.host}", remote]

    def is_running(self, node: str) -> bool:
        """Whether the node's ssh port takes a connection: a crashed, fenced or powered-off node's does
        not. Only the connection, not sshd's greeting: a busy survivor's sshd (a fork and exec per
        connection) took longer than the drill's probes can wait, and each probe was a login attempt."""
        spec = self.node(node)
        try:
            with socket.create_connection((spec.host, spec.port), timeout=SSH_CONNECT_TIMEOUT):
                return True
        except OSError:
            return False

    def _require_running(self, node: str) -> None:
        """Nothing to check first: ssh reports an unreachable node itself (exit 255), which the drills
        read as an unreachable node, as they do the lab's stopped one."""

    # --- faults ----------------------------------------------------------------------------------
    def kill(self, node: str) -> float:
        spec = self.node(node)
        when = time.time()
        if spec.power_off:
            result = run_host(list(spec.power_off), timeout=60)
            if not result.ok:
                raise DualrootError(f"power_off of {node} failed: {result.stderr.strip()}",
                                    f"check [drill.nodes.{node}] power_off")
            return when
        # sysrq b: reboot at once, no sync or unmount, as a crash; the ssh session dies with the node
        crash = f"echo 1 > {paths.GUEST_SYSRQ_ENABLE}; echo b > {paths.GUEST_SYSRQ_TRIGGER}\n"
        self._require_running(node)
        # The session dies with the node and never answers: give it a moment, not an answer.
        run_host(self.ssh_argv(node, "bash -s"), input=crash, timeout=CRASH_WAIT_S)
        return when

    def start_node(self, node: str) -> None:
        spec = self.node(node)
        if spec.power_on:
            result = run_host(list(spec.power_on), timeout=60)
            if not result.ok:
                raise DualrootError(f"power_on of {node} failed: {result.stderr.strip()}",
                                    f"check [drill.nodes.{node}] power_on")
        # else: it comes back by itself (the sysrq reboot, or the cluster's fence reboots it)

    def needs_power_on(self, scenario: str) -> None:
        missing = [n.name for n in self.target.nodes if not n.power_on]
        if missing:
            raise DualrootError(f"{scenario} powers the nodes off and needs power_on for "
                                f"{', '.join(missing)}", "add power_on = [...] to their [drill.nodes.NAME]")

    def set_link(self, node: str, link: str, up: bool) -> None:
        iface = self.node(node).interface(str(getattr(link, "value", link)))
        if up and not self.is_running(node):
            return  # it reboots (fenced): its links come up with it
        result = self.run(node, [paths.GUEST_IP, "link", "set", "dev", iface, "up" if up else "down"],
                          timeout=30)
        if up and ssh_unreachable(result):
            # Fenced and rebooting, which a port check cannot always tell (a NAT or console server in
            # front of sshd accepts the connection anyway): its links come up with it, and the drill's
            # wait for a healthy cluster catches a node that stays cut off.
            return
        if not result.ok:
            raise DualrootError(f"setting {iface} {'up' if up else 'down'} on {node} failed: "
                                f"{result.stderr.strip()}", f"check [drill.nodes.{node}] {link}_iface")

    def fence_events(self) -> list[FenceEvent]:
        for node in self.nodes:
            if not self.is_running(node):
                continue
            result = self.run(node, HISTORY_ARGV, timeout=FENCE_HISTORY_TIMEOUT)
            if result.ok:
                return parse_fence_history(result.stdout)
        return []


def refuse_unsupported(cluster: SshCluster, scenarios: Sequence[Any]) -> None:
    """Say before anything is hurt when a scenario cannot run on this cluster as configured."""
    for scenario in scenarios:
        if getattr(scenario, "whole_cluster", False):
            cluster.needs_power_on(scenario.name)
        if scenario.name in ("partition", "replication_cut"):
            links = ("cluster", "replication") if scenario.name == "partition" else ("replication",)
            for link in links:
                cluster.node(scenario.target).interface(link)
