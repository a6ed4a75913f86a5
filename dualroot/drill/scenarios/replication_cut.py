"""Replication cut: only DRBD's link goes, corosync still sees both nodes (the fence-peer path)."""

from __future__ import annotations

import time

from dualroot.drill.scenario import Fault, LabApi, Scenario


class ReplicationCut(Scenario):
    name = "replication_cut"
    summary = "cut only the replication link of one node; DRBD's fence-peer handler must settle it"

    def inject(self, lab: LabApi) -> Fault:
        lab.set_link(self.target, "replication", up=False)
        return Fault(time.time(), self.target, f"replication link of {self.target} cut")

    def restore(self, lab: LabApi, loser: str) -> None:
        if lab.is_running(self.target):
            lab.set_link(self.target, "replication", up=True)
        else:
            lab.start_node(self.target)
        if loser != self.target:
            self.start_if_stopped(lab, loser)
