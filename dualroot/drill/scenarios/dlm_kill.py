"""dlm_controld killed on one node: the lock manager's daemon dies under a mounted OCFS2."""

from __future__ import annotations

import time

from dualroot import paths
from dualroot.drill.scenario import Fault, LabApi, Scenario
from dualroot.errors import DualrootError


class DlmKill(Scenario):
    name = "dlm_kill"
    summary = "SIGKILL dlm_controld on one node; the cluster must fence that node, not hang"

    def inject(self, lab: LabApi) -> Fault:
        found = lab.run(self.target, [paths.GUEST_PIDOF, "dlm_controld"], timeout=30.0)
        pids = found.stdout.split()
        if not found.ok or not pids:
            raise DualrootError(f"dlm_controld is not running on {self.target}",
                                "the drill starts from a healthy cluster: check `crm_mon` there")
        # by PID, never by name: only the daemon we found is signalled
        lab.run(self.target, [paths.GUEST_KILL, "-KILL", *pids], timeout=30.0)
        return Fault(time.time(), self.target, f"SIGKILL of dlm_controld (pid {' '.join(pids)}) "
                                               f"on {self.target}")

    def restore(self, lab: LabApi, loser: str) -> None:
        self.start_if_stopped(lab, self.target)
        if loser != self.target:
            self.start_if_stopped(lab, loser)
