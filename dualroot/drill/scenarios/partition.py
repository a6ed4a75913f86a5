"""Partition: cut both the cluster link and the replication link of one node, then restore them."""

from __future__ import annotations

import time

from dualroot.drill.scenario import Fault, LabApi, Scenario

LINKS = ("cluster", "replication")


class Partition(Scenario):
    name = "partition"
    summary = "cut the cluster and replication links of one node; the fence race decides who stays"

    def inject(self, lab: LabApi) -> Fault:
        # Replication first: DRBD must not see its peer go while corosync still does, or the order of
        # detection would differ from a real switch failure, which takes both at once.
        for link in reversed(LINKS):
            lab.set_link(self.target, link, up=False)
        return Fault(time.time(), self.target, f"cluster and replication links of {self.target} cut")

    def restore(self, lab: LabApi, loser: str) -> None:
        # A fenced node that was rebooted (system_reset) keeps its NICs' link state: restore first.
        if lab.is_running(self.target):
            for link in LINKS:
                lab.set_link(self.target, link, up=True)
        else:
            lab.start_node(self.target)   # a fresh QEMU starts with its links up
        if loser != self.target:
            self.start_if_stopped(lab, loser)
