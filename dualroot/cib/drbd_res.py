"""The DRBD resource file (/etc/drbd.d/<resource>.res) rendered from the cluster config.

Dual-primary under OCFS2 is only safe with all of: protocol C (a write is complete when both disks have
it), allow-two-primaries, fencing resource-and-stonith (I/O freezes until the peer is fenced) and a
fence-peer handler that talks to Pacemaker. Split-brain recovery never picks a victim among Primaries:
with OCFS2 mounted on both, both sides hold writes, so only an admin may choose which to throw away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dualroot import paths
from dualroot.cib.config import DRBD_AL_EXTENT_MIB, Agents, ClusterConfig, Drbd
from dualroot.errors import DualrootError


@dataclass(frozen=True)
class FenceHandlers:
    """The commands DRBD runs to fence the peer in Pacemaker and to lift that fence after resync."""

    fence_peer: str
    unfence_peer: str


def default_handlers(cfg: ClusterConfig) -> FenceHandlers:
    """dualroot's own handler for agents=dualroot; LINBIT's crm-fence-peer scripts for agents=stock."""
    drbd = _require_drbd(cfg)
    if cfg.agents is Agents.DUALROOT:
        # One program for both events; the argument says which (it could also guess from DRBD's state).
        return FenceHandlers(
            fence_peer=f"{paths.DUALROOT_FENCE_PEER} fence",
            unfence_peer=f"{paths.DUALROOT_FENCE_PEER} unfence",
        )
    if drbd.version == "9":
        return FenceHandlers(
            fence_peer=str(paths.LINBIT_CRM_FENCE_PEER_9), unfence_peer=str(paths.LINBIT_CRM_UNFENCE_PEER_9)
        )
    return FenceHandlers(
        fence_peer=str(paths.LINBIT_CRM_FENCE_PEER_84), unfence_peer=str(paths.LINBIT_CRM_UNFENCE_PEER_84)
    )


def render_drbd_res(cfg: ClusterConfig, handlers: FenceHandlers | None = None) -> str:
    """The resource file text, in the syntax of the configured DRBD generation (8.4 or 9)."""
    drbd = _require_drbd(cfg)
    handlers = handlers or default_handlers(cfg)
    for command in (handlers.fence_peer, handlers.unfence_peer):
        # drbd.conf has no escaping we could rely on and DRBD runs the string with /bin/sh: an absolute
        # path and plain words, nothing a shell would interpret.
        words = command.split(" ")
        if not words[0].startswith("/") or not all(re.fullmatch(r"[A-Za-z0-9_./=-]+", w) for w in words):
            raise DualrootError(
                f"handler {command!r} is not an absolute path with plain arguments",
                "give the handler's path, optionally followed by words like fence/unfence",
            )
    is_84 = drbd.version == "8.4"
    net = drbd.net
    fencing_line = "fencing resource-and-stonith;"
    lines = [
        f"# DRBD {drbd.version} dual-primary resource for OCFS2, cluster {cfg.name}",
        "# rendered by `dualroot cib render --format drbd`: edit the TOML config, not this file",
        f"resource {drbd.resource} {{",
        "    net {",
        "        # C: a write completes only when it is on both disks; A/B could lose acknowledged writes",
        "        # that OCFS2 on the other node already relies on.",
        "        protocol C;",
        "        allow-two-primaries yes;",
        "        # Split-brain: never discard data a Primary wrote. Only a side that wrote nothing gives",
        "        # way (discard-zero-changes; consensus applies the same rule with one Primary); otherwise",
        "        # DRBD stays disconnected until an admin picks the victim. discard-secondary is not used:",
        "        # in dual-primary the node Secondary now was Primary, with writes, during the split.",
        "        after-sb-0pri discard-zero-changes;",
        "        after-sb-1pri consensus;",
        "        after-sb-2pri disconnect;",
        "        # Notice a dead peer fast. 8.4 defaults (ping-int 10 s, ping-timeout 0.5 s, timeout 6 s)",
        "        # made DRBD the slowest part of the lab's failover (23.7 s; 11-15 s with these values).",
        f"        ping-int {net.ping_int};          # seconds between pings on an idle link",
        f"        ping-timeout {net.ping_timeout};     # tenths of a second to wait for the PingAck",
        f"        timeout {net.timeout};          # tenths of a second; DRBD requires it below ping-int",
    ]
    if not is_84:
        lines += [
            "        # Freeze I/O and call fence-peer when the peer is lost, until Pacemaker has fenced it.",
            f"        {fencing_line}",
        ]
    lines.append("    }")
    lines += [
        "    disk {",
        "        # After a Primary crashes, the extents its activity log names (4 MiB each) are resynced,",
        f"        # at most {drbd.al_extents * DRBD_AL_EXTENT_MIB} MiB here. Keep it well below the disk,",
        "        # or every crash resyncs all of it.",
        f"        al-extents {drbd.al_extents};",
    ]
    if is_84:
        lines += [
            "        # Freeze I/O and call fence-peer when the peer is lost, until Pacemaker has fenced it",
            "        # (8.4: a disk option; DRBD 9 moved it to net).",
            f"        {fencing_line}",
        ]
    lines.append("    }")
    unfence_event = "after-resync-target" if is_84 else "unfence-peer"
    lines += [
        "    handlers {",
        f'        fence-peer "{handlers.fence_peer}";',
        "        # Lift the handler's constraint once this node's disk is UpToDate again"
        + (" (8.4 has no unfence-peer event)." if is_84 else "."),
        f'        {unfence_event} "{handlers.unfence_peer}";',
        "    }",
    ]
    for node in cfg.nodes:
        lines += [
            f"    on {node.name} {{",
            f"        device {drbd.device}; disk {drbd.disk}; meta-disk internal;",
            f"        address {_address(node.replication_addr)}:{drbd.port};",
        ]
        if not is_84:
            lines.append(f"        node-id {node.nodeid - 1};")
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _address(addr: str | None) -> str:
    # drbd.conf spells IPv6 as "ipv6 [addr]"; IPv4 plainly.
    assert addr is not None, "config checks give every DRBD node a replication address"
    return f"ipv6 [{addr}]" if ":" in addr else addr


def _require_drbd(cfg: ClusterConfig) -> Drbd:
    if cfg.drbd is None:
        raise DualrootError(
            "the config has no [drbd] section, so there is no DRBD resource file to render",
            "add [drbd], or render --format xml|pcs|crmsh for shared storage",
        )
    return cfg.drbd
