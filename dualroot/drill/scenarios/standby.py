"""Standby and unstandby: planned maintenance of one node, no fencing expected."""

from __future__ import annotations

import time

from dualroot import paths
from dualroot.drill.scenario import Fault, LabApi, Scenario
from dualroot.errors import DualrootError


class Standby(Scenario):
    name = "standby"
    summary = "put one node in standby (resources leave it cleanly), then bring it back"
    expects_fencing = False
    # An admin stops the node's applications before maintenance; a writer holding the mount open would
    # turn a clean unmount into a stop failure (and a fence), which is a different drill.
    stops_target_writer_first = True

    def _standby(self, lab: LabApi, value: str) -> None:
        done = lab.run(self.target, [paths.GUEST_CRM_ATTRIBUTE, "--node", self.target, "--name",
                                     "standby", "--update", value, "--lifetime", "forever"], timeout=60.0)
        if not done.ok:
            raise DualrootError(f"setting standby={value} for {self.target} failed: "
                                f"{done.stderr.strip() or done.stdout.strip()}")

    def inject(self, lab: LabApi) -> Fault:
        self._standby(lab, "on")
        return Fault(time.time(), self.target, f"{self.target} put in standby")

    def restore(self, lab: LabApi, loser: str) -> None:
        self._standby(lab, "off")
