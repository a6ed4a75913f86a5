"""Rejoin after writes: kill a node, write a known amount on the survivor, boot the node again.

The measure is the resync: DRBD must copy only the blocks written meanwhile (plus its activity log's
hot extents of the crashed node), not the whole device. The report shows the KiB DRBD resynced next to
the amount written.
"""

from __future__ import annotations

import time

from dualroot import paths
from dualroot.drill.scenario import Fault, LabApi, Scenario
from dualroot.errors import DualrootError

BULK_MIB = 64                 # well under the lab's 1 GiB device, well over the writers' few MiB
BULK_TIMEOUT = 600.0          # TCG writes through DRBD at a few MB/s; at least this, more for more MiB


SUMMARY = "kill a node, write {mib} MiB on the survivor, boot it: only changed blocks resync"


class RejoinAfterWrites(Scenario):
    name = "rejoin_after_writes"
    summary = SUMMARY.format(mib=BULK_MIB)

    def __init__(self, target: str, bulk_mib: int = BULK_MIB) -> None:
        super().__init__(target)
        self.bulk_mib = bulk_mib  # bench/bench_resync.py varies it; the CLI runs the default
        self.summary = SUMMARY.format(mib=bulk_mib)
        self.bulk_path = ""
        self.bulk_node = ""

    def inject(self, lab: LabApi) -> Fault:
        when = lab.kill(self.target)
        return Fault(when, self.target, f"SIGKILL of {self.target}'s QEMU, then {self.bulk_mib} MiB "
                                        "written on the survivor")

    def while_degraded(self, lab: LabApi, survivor: str) -> str:
        self.bulk_node = survivor
        self.bulk_path = f"{lab.storage.drill_dir}/bulk-{int(time.time())}"
        started = time.monotonic()
        done = lab.run(survivor, [paths.GUEST_DD, "if=/dev/zero", f"of={self.bulk_path}", "bs=1M",
                                  f"count={self.bulk_mib}", "oflag=direct", "conv=fsync"],
                       timeout=max(BULK_TIMEOUT, 5.0 * self.bulk_mib))
        if not done.ok:
            raise DualrootError(f"writing {self.bulk_mib} MiB on {survivor} failed: {done.stderr.strip()}")
        return f"{self.bulk_mib} MiB written on {survivor} in {time.monotonic() - started:.1f} s"

    def restore(self, lab: LabApi, loser: str) -> None:
        self.start_if_stopped(lab, self.target)
        if loser != self.target:
            self.start_if_stopped(lab, loser)

    def cleanup(self, lab: LabApi) -> None:
        if self.bulk_path:
            lab.run(self.bulk_node, [paths.GUEST_RM, "-f", self.bulk_path], timeout=120.0)
