"""The stack as typed Pacemaker objects (resources, clones, constraints), planned from the cluster config.

This is the one model the three forms an admin sees are rendered from: CIB XML (cib_xml), pcs commands
(pcs_form) and crmsh text (crmsh_form). Ids are chosen here, deterministically, so that a second apply
of the same config finds every object where the first one put it.

The stack, bottom up:
  STONITH: one device per node, never run on the node it fences.
  drbd (promotable clone, promoted-max 2)   -- absent on shared storage
  cluster stack for OCFS2 (o2cb/dlm clone)
  ocfs2 mount (clone)
  web server (clone, optional)
The mount depends on both Promoted drbd and the cluster stack, which start side by side: the layout of
the lab's proven stack (RECIPE 5-6, cluster-base.crm + cluster-fs.crm), whichever agents run it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dualroot.cib.config import Agents, ClusterConfig, Stack

INFINITY = "INFINITY"
MINUS_INFINITY = "-INFINITY"

# Cluster options the stack cannot run safely without (issue 6, section 1):
#   stonith-enabled: OCFS2 and dual-primary DRBD may only recover after a lost node is fenced;
#   no-quorum-policy=freeze: a node that loses quorum keeps its mount but starts nothing new, rather
#   than stopping OCFS2 (which would hang on DLM recovery) or carrying on as if it were alone.
#   stonith-timeout: the lab's fence round trip over QMP, with room (RECIPE 7).
CLUSTER_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("stonith-enabled", "true"),
    ("no-quorum-policy", "freeze"),
    ("stonith-timeout", "60s"),
)

# dc-deadtime: how long a starting controller waits for an existing DC before it calls an election.
# Pacemaker's 20 s is the largest single wait of a cold start (lab: 21 s of 82 s with nothing to do, both
# nodes already in the corosync membership, which wait_for_all makes complete before Pacemaker starts).
# A running DC offers a joining node membership as soon as corosync reports it (the lab's node-kill
# drills rejoined with 5 s); should it be slower, the newcomer's early election costs one election,
# which the longer-running DC wins, not a wrong decision. 5 s keeps a margin for a loaded DC.
# The stock form states Pacemaker's default, as the recipe ran it, so that a switch of agents puts it
# back and the side-by-side figures keep the difference in view.
DC_DEADTIME = {Agents.DUALROOT: "5s", Agents.STOCK: "20s"}


class Role(enum.Enum):
    PROMOTED = "Promoted"
    UNPROMOTED = "Unpromoted"


@dataclass(frozen=True)
class Op:
    name: str
    interval: str = "0s"
    timeout: str | None = None
    role: Role | None = None
    depth: int = 0  # OCF_CHECK_LEVEL of a monitor: deeper checks run at longer intervals


@dataclass(frozen=True)
class Primitive:
    id: str
    standard: str  # ocf | stonith | systemd
    type: str
    provider: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    ops: tuple[Op, ...] = ()

    @property
    def agent(self) -> str:
        """The agent as pcs and crmsh spell it: ocf:linbit:drbd, stonith:fence_vmlab, systemd:nginx."""
        if self.provider:
            return f"{self.standard}:{self.provider}:{self.type}"
        return f"{self.standard}:{self.type}"


@dataclass(frozen=True)
class Clone:
    id: str
    primitive: Primitive
    meta: tuple[tuple[str, str], ...] = ()

    @property
    def promotable(self) -> bool:
        return dict(self.meta).get("promotable") == "true"


@dataclass(frozen=True)
class Location:
    """`rsc` never (score -INFINITY) or preferably runs on `node`."""

    id: str
    rsc: str
    node: str
    score: str = MINUS_INFINITY


@dataclass(frozen=True)
class Order:
    """`first` must reach `first_action` before `then` may do `then_action` (Mandatory)."""

    id: str
    first: str
    then: str
    first_action: str = "start"
    then_action: str = "start"


@dataclass(frozen=True)
class Colocation:
    """`rsc` runs only where `with_rsc` runs (in `with_role`, if given)."""

    id: str
    rsc: str
    with_rsc: str
    with_role: Role | None = None
    score: str = INFINITY


Constraint = Location | Order | Colocation


@dataclass(frozen=True)
class StackPlan:
    """Everything dualroot puts into the CIB for one config, in the order it is created."""

    properties: tuple[tuple[str, str], ...]
    stonith: tuple[Primitive, ...]
    drbd: Clone | None  # None on shared storage
    stack: Clone  # the OCFS2 cluster stack (dualroot o2cb, or stock dlm controld)
    fs: Clone  # the OCFS2 mount
    web: Clone | None
    constraints: tuple[Constraint, ...]

    @property
    def clones(self) -> tuple[Clone, ...]:
        return tuple(c for c in (self.drbd, self.stack, self.fs, self.web) if c is not None)

    @property
    def ids(self) -> tuple[str, ...]:
        """The top-level ids dualroot owns in this plan (resources and constraints)."""
        return (
            tuple(p.id for p in self.stonith)
            + tuple(c.id for c in self.clones)
            + tuple(c.id for c in self.constraints)
        )


# --- resource ids (the lab's names, so drills and docs work with either agent set) -----------------


def drbd_id(cfg: ClusterConfig) -> str:
    assert cfg.drbd is not None
    return f"drbd_{cfg.drbd.resource}"


def stack_id(cfg: ClusterConfig) -> str:
    return "o2cb" if cfg.agents is Agents.DUALROOT else "dlm"


FS_ID = "fs_ocfs2"


def fence_id(node: str) -> str:
    return f"fence_{node}"


def clone_id(primitive_id: str) -> str:
    # pcs names the clone it creates "<primitive>-clone"; the same name keeps the pcs form equivalent.
    return f"{primitive_id}-clone"


# --- planning ---------------------------------------------------------------------------------------


def plan_stack(cfg: ClusterConfig) -> StackPlan:
    """The Pacemaker objects for `cfg` (pure)."""
    stonith = tuple(_fence_device(cfg, node.name) for node in cfg.nodes)
    constraints: list[Constraint] = [
        # A device must not run on the node it fences: that node cannot fence itself once it is lost.
        Location(id=f"l_{fence_id(node.name)}", rsc=fence_id(node.name), node=node.name)
        for node in cfg.nodes
    ]
    stack = _stack_clone(cfg)
    fs = _fs_clone(cfg)
    drbd = _drbd_clone(cfg) if cfg.drbd is not None else None
    web = _web_clone(cfg) if cfg.web is not None else None
    if drbd is not None:
        # The mount needs both the Promoted DRBD device and the cluster stack; the stack itself needs
        # neither DRBD nor its role (dlm_controld, and the classic stack's local heartbeat, which starts
        # at mount time). So the two start side by side and only the mount waits for both: chaining the
        # stack after the promotion put its whole start on the path of a cold start, and a demotion
        # would stop the DLM with it.
        constraints += [Order(id="o_drbd_fs", first=drbd.id, first_action="promote", then=fs.id)]
    constraints += [Order(id=f"o_{stack.primitive.id}_fs", first=stack.id, then=fs.id)]
    if drbd is not None:
        constraints += [Colocation(id="c_fs_drbd", rsc=fs.id, with_rsc=drbd.id, with_role=Role.PROMOTED)]
    constraints += [Colocation(id=f"c_fs_{stack.primitive.id}", rsc=fs.id, with_rsc=stack.id)]
    if web is not None:
        # Never serve from the empty directory under the mount point: start after, and only with, it.
        constraints += [
            Order(id=f"o_fs_{web.primitive.id}", first=fs.id, then=web.id),
            Colocation(id=f"c_{web.primitive.id}_fs", rsc=web.id, with_rsc=fs.id),
        ]
    return StackPlan(
        properties=CLUSTER_PROPERTIES + (("dc-deadtime", DC_DEADTIME[cfg.agents]),),
        stonith=stonith,
        drbd=drbd,
        stack=stack,
        fs=fs,
        web=web,
        constraints=tuple(constraints),
    )


def _fence_device(cfg: ClusterConfig, node: str) -> Primitive:
    params = tuple(sorted(cfg.fencing.params_for(node).items()))
    return Primitive(
        id=fence_id(node),
        standard="stonith",
        type=cfg.fencing.method,
        params=params,
        ops=(Op("monitor", interval="60s"),),
    )


def _drbd_clone(cfg: ClusterConfig) -> Clone:
    assert cfg.drbd is not None
    provider = "dualroot" if cfg.agents is Agents.DUALROOT else "linbit"
    primitive = Primitive(
        id=drbd_id(cfg),
        standard="ocf",
        provider=provider,
        type="drbd",
        params=(("drbd_resource", cfg.drbd.resource),),
        # Two monitors, one per role, with distinct intervals: Pacemaker keys a recurring op by
        # name+interval, so equal intervals would make the two definitions collide.
        ops=(
            Op("monitor", interval="29s", timeout="30s", role=Role.PROMOTED),
            Op("monitor", interval="31s", timeout="30s", role=Role.UNPROMOTED),
            Op("start", timeout="240s"),
            Op("stop", timeout="100s"),
            Op("promote", timeout="90s"),
            Op("demote", timeout="90s"),
            Op("notify", timeout="90s"),
        ),
    )
    return Clone(
        id=clone_id(primitive.id),
        primitive=primitive,
        meta=(
            ("promotable", "true"),
            ("promoted-max", str(cfg.drbd.promoted_max)),
            ("promoted-node-max", "1"),
            ("clone-max", "2"),
            ("clone-node-max", "1"),
            # notify: the drbd agents follow the peer's promote/demote to keep promotion scores right.
            ("notify", "true"),
            # interleave: each node's o2cb/mount depends on its own drbd instance only, so one node's
            # recovery does not restart the other node's stack.
            ("interleave", "true"),
        ),
    )


def _stack_clone(cfg: ClusterConfig) -> Clone:
    if cfg.agents is Agents.DUALROOT:
        primitive = Primitive(
            id=stack_id(cfg),
            standard="ocf",
            provider="dualroot",
            type="o2cb",
            # dlm_toss_secs: see ClusterConfig; the classic stack has no such knob. The stock stack's
            # controld leaves the kernel's 10 s.
            params=(("stack", cfg.stack.value),) + (
                (("dlm_toss_secs", str(cfg.dlm_toss_secs)),) if cfg.stack is Stack.PCMK else ()),
            # the agent's advertised timings (its meta-data)
            ops=(
                Op("monitor", interval="10s", timeout="20s"),
                Op("start", timeout="90s"),
                Op("stop", timeout="100s"),
            ),
        )
    else:
        primitive = Primitive(
            id=stack_id(cfg),
            standard="ocf",
            provider="pacemaker",
            type="controld",
            ops=(
                Op("monitor", interval="60s", timeout="60s"),
                Op("start", timeout="90s"),
                Op("stop", timeout="100s"),
            ),
        )
    return Clone(id=clone_id(primitive.id), primitive=primitive, meta=(("interleave", "true"),))


def _fs_clone(cfg: ClusterConfig) -> Clone:
    if cfg.agents is Agents.DUALROOT:
        params: tuple[tuple[str, str], ...] = (
            ("device", cfg.mount.device),
            ("directory", cfg.mount.directory),
            ("options", cfg.mount.options),
        )
        # Depth 0 (mounted, not frozen) often; depth 10 (one direct read of the device) less often: it
        # sees I/O frozen under the mount (DRBD suspended, a lost LUN) that /proc/mounts cannot show.
        # Timings are the agent's meta-data defaults; its stop is bounded (holders are escalated).
        ops: tuple[Op, ...] = (
            Op("monitor", interval="20s", timeout="40s"),
            Op("monitor", interval="61s", timeout="40s", depth=10),
            Op("start", timeout="60s"),
            Op("stop", timeout="60s"),
        )
        primitive = Primitive(
            id=FS_ID, standard="ocf", provider="dualroot", type="ocfs2", params=params, ops=ops
        )
    else:
        params = (
            ("device", cfg.mount.device),
            ("directory", cfg.mount.directory),
            ("fstype", "ocfs2"),
            ("options", cfg.mount.options),
        )
        # the lab's proven Filesystem timings (cluster-fs.crm)
        ops = (
            Op("monitor", interval="20s", timeout="40s"),
            Op("start", timeout="90s"),
            Op("stop", timeout="90s"),
        )
        primitive = Primitive(
            id=FS_ID, standard="ocf", provider="heartbeat", type="Filesystem", params=params, ops=ops
        )
    return Clone(id=clone_id(primitive.id), primitive=primitive, meta=(("interleave", "true"),))


def _web_clone(cfg: ClusterConfig) -> Clone:
    assert cfg.web is not None
    primitive = Primitive(
        id=cfg.web.name,
        standard="systemd",
        type=cfg.web.unit,
        ops=(
            Op("monitor", interval="10s", timeout="20s"),
            Op("start", timeout="60s"),
            Op("stop", timeout="60s"),
        ),
    )
    return Clone(id=clone_id(primitive.id), primitive=primitive, meta=(("interleave", "true"),))
