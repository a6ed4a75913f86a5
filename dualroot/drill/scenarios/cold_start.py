"""Cold start: power both nodes off cleanly, boot both, time until both are Promoted and mounted."""

from __future__ import annotations

import time

from dualroot import paths
from dualroot.drill.scenario import Fault, LabApi, Scenario
from dualroot.errors import DualrootError

POWEROFF_BOUND = 300.0        # RECIPE.md: both QEMUs gone 51 s after `systemctl poweroff` (TCG)


class ColdStart(Scenario):
    name = "cold_start"
    summary = "power off the whole cluster cleanly and boot it: time to both Promoted and mounted"
    expects_fencing = False
    whole_cluster = True

    def inject(self, lab: LabApi) -> Fault:
        when = time.time()
        for node in lab.nodes:
            # --no-block: the ssh session would otherwise die with the guest and report an error
            try:
                lab.run(node, [paths.GUEST_SYSTEMCTL, "--no-block", "poweroff"], timeout=60.0)
            except DualrootError:
                pass                  # already going down
        lab.wait_for("every node powered off", lambda: not any(lab.is_running(n) for n in lab.nodes),
                     POWEROFF_BOUND, interval=1.0)
        return Fault(when, self.target, "clean power-off of every node")

    def restore(self, lab: LabApi, loser: str) -> None:
        for node in lab.nodes:
            self.start_if_stopped(lab, node)
