"""What one node sees of the cluster during a drill: crm_mon XML, /proc/drbd, /proc/mounts in one probe.

One probe (a single ssh round trip) prints the three sections; `parse_probe` turns them into a
NodeView with the parsers the lab's health check uses too (`dualroot.lab.cluster_view`), and
`health_problems` says, in words, why the cluster is not yet healthy for a drill.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from dualroot import paths
from dualroot.cib.config import Agents
from dualroot.drill.storage import LAB_STORAGE, Storage
from dualroot.lab.cluster_view import (
    PROMOTED_ROLES,
    DrbdState,
    PacemakerView,
    drbd_minor,
    ocfs2_mounted,
    read_crm_mon,
)


@dataclass(frozen=True)
class StackAgents:
    drbd: str
    cluster_stack: str
    filesystem: str


# The agents each stack runs; the drill finds its resources by agent, not by resource id, so it works on
# any CIB that uses them.
AGENTS: Mapping[Agents, StackAgents] = {
    Agents.DUALROOT: StackAgents("ocf:dualroot:drbd", "ocf:dualroot:o2cb", "ocf:dualroot:ocfs2"),
    Agents.STOCK: StackAgents("ocf:linbit:drbd", "ocf:pacemaker:controld", "ocf:heartbeat:Filesystem"),
}


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


def parse_probe(node: str, when: float, output: str, storage: Storage = LAB_STORAGE) -> NodeView:
    sections = split_sections(output)
    return NodeView(
        node=node,
        time=when,
        reachable="boot_id" in sections,
        pacemaker=read_crm_mon(sections.get("crm_mon", "")),
        drbd=drbd_minor(sections.get("proc_drbd", ""), storage.minor),
        mounted=ocfs2_mounted(sections.get("mounts", ""), storage.mount),
        boot_id=sections.get("boot_id", "").strip(),
    )


def health_problems(views: Mapping[str, NodeView], nodes: tuple[str, ...],
                    agents: StackAgents, storage: Storage = LAB_STORAGE) -> list[str]:
    """Why the cluster is not healthy for a drill (empty: healthy). Every node must see the same."""
    problems: list[str] = []
    for node in nodes:
        view = views.get(node)
        if view is None or not view.reachable:
            problems.append(f"{node} unreachable")
            continue
        if view.drbd is None:
            problems.append(f"{node}: DRBD {storage.resource} not configured")
        elif not view.drbd.healthy:
            d = view.drbd
            problems.append(f"{node}: DRBD cs:{d.connection} ro:{d.role}/{d.peer_role} "
                            f"ds:{d.disk}/{d.peer_disk}")
        if not view.mounted:
            problems.append(f"{node}: OCFS2 not mounted on {storage.mount}")
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
