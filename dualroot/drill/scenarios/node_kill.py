"""Hard kill: SIGKILL the node's QEMU (a power cut), then boot it again."""

from __future__ import annotations

from dualroot.drill.scenario import Fault, LabApi, Scenario


class NodeKill(Scenario):
    name = "node_kill"
    summary = "SIGKILL the node's QEMU (hard crash); the survivor fences it and carries on"

    def inject(self, lab: LabApi) -> Fault:
        when = lab.kill(self.target)
        return Fault(when, self.target, f"SIGKILL of {self.target}'s QEMU")

    def restore(self, lab: LabApi, loser: str) -> None:
        # The fence of a dead VM answers "already off" and leaves it stopped: boot it again.
        self.start_if_stopped(lab, self.target)
        if loser != self.target:
            self.start_if_stopped(lab, loser)
