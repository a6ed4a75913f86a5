"""The failover scenarios, one per module, and the names the CLI knows them by."""

from __future__ import annotations

from collections.abc import Sequence

from dualroot.drill.scenario import Scenario
from dualroot.drill.scenarios.cold_start import ColdStart
from dualroot.drill.scenarios.dlm_kill import DlmKill
from dualroot.drill.scenarios.node_kill import NodeKill
from dualroot.drill.scenarios.partition import Partition
from dualroot.drill.scenarios.rejoin_after_writes import RejoinAfterWrites
from dualroot.drill.scenarios.replication_cut import ReplicationCut
from dualroot.drill.scenarios.standby import Standby
from dualroot.errors import DualrootError

SCENARIOS: dict[str, type[Scenario]] = {
    cls.name: cls for cls in (NodeKill, Partition, ReplicationCut, DlmKill, Standby,
                              RejoinAfterWrites, ColdStart)
}

# What `dualroot drill` runs without arguments. node_kill runs once per node ("each node in turn").
DEFAULT_SET: tuple[str, ...] = ("node_kill", "partition", "replication_cut", "dlm_kill", "standby",
                                 "rejoin_after_writes", "cold_start")
EVERY_NODE = ("node_kill",)
DEFAULT_TARGET = "node2"


def resolve(names: Sequence[str], nodes: Sequence[str]) -> list[Scenario]:
    """Scenario objects for `NAME` or `NAME:NODE` arguments, in order."""
    chosen: list[Scenario] = []
    for spec in names or DEFAULT_SET:
        name, _, target = spec.partition(":")
        cls = SCENARIOS.get(name)
        if cls is None:
            raise DualrootError(f"unknown drill scenario {name!r}",
                                f"choose from: {', '.join(sorted(SCENARIOS))}")
        if target and target not in nodes:
            raise DualrootError(f"scenario {spec!r} names node {target!r}, which is not in the lab",
                                f"nodes are: {', '.join(nodes)}")
        if target:
            chosen.append(cls(target))
        elif name in EVERY_NODE and not names:
            chosen.extend(cls(node) for node in nodes)
        else:
            chosen.append(cls(DEFAULT_TARGET if DEFAULT_TARGET in nodes else nodes[-1]))
    return chosen
