#!/usr/bin/env python3
"""DRBD's resync after a rejoin, against the data written meanwhile and against the device, in the lab.

Issue 7: a node that comes back after a crash must resync what the survivor wrote while it was away
(plus the activity log's hot extents), not its whole device. The recipe's trap 7: with DRBD 8.4's
default activity log a 512 MiB device was covered whole, so every crash resynced all of it; dualroot
renders `al-extents` on purpose (67 x 4 MiB in the lab, under its 1 GiB device).

Each run is the `rejoin_after_writes` drill with a different amount: node2's QEMU is killed, node1
writes N MiB with dd (O_DIRECT, fsync) onto OCFS2, node2 boots and comes back; DRBD's kernel log says
how much it resynced and how long it took. The drill's usual checks run too (writers on both nodes,
records, split-brain, fsck). The table sets the resync next to N and the device, and fits a line
through (written, resynced): a slope near 1 and an intercept far below the device say that the resync
follows the writes, not the device.

    .venv/bin/python bench/bench_resync.py [--mib 16 64 192] [--report DIR] [--json bench/results/resync.json]

Needs the lab up and healthy (`dualroot lab up`), with either stack. Not a test: nothing here asserts
on time or size.
"""

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dualroot.cib.config import DRBD_AL_EXTENT_MIB  # noqa: E402

TARGET = "node2"


def line_fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares slope and intercept through (x, y) points; None with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / sum((x - mean_x) ** 2 for x, _ in points))
    return slope, mean_y - slope * mean_x


def resync_rows(runs: list[tuple[int, dict]], device_mib: int, al_mib: int) -> dict:
    """The report: per run (MiB written, the drill's scenario dict) the resync next to the writes and
    the device, and the line through them."""
    rows = []
    for written, scenario in runs:
        kib = scenario.get("resync_kib")
        rows.append({
            "written_mib": written,
            "resync_mib": None if kib is None else round(kib / 1024, 1),
            "resync_seconds": scenario.get("resync_seconds"),
            "resync_share_of_device": None if kib is None else round(kib / 1024 / device_mib, 3),
            "verdict": scenario.get("verdict"),
            "records_lost": scenario.get("records_lost"),
        })
    fit = line_fit([(r["written_mib"], r["resync_mib"]) for r in rows if r["resync_mib"] is not None])
    return {
        "device_mib": device_mib,
        "activity_log_mib": al_mib,
        "runs": rows,
        "fit": None if fit is None else {"slope": round(fit[0], 3), "intercept_mib": round(fit[1], 1)},
    }


def print_table(report: dict) -> None:
    print(f"{'written MiB':>11} {'resynced MiB':>12} {'resync s':>8} {'of device':>9}  verdict")
    for row in report["runs"]:
        resync = "-" if row["resync_mib"] is None else f"{row['resync_mib']:.1f}"
        share = "-" if row["resync_share_of_device"] is None else f"{row['resync_share_of_device']:.1%}"
        seconds = "-" if row["resync_seconds"] is None else str(row["resync_seconds"])
        print(f"{row['written_mib']:>11} {resync:>12} {seconds:>8} {share:>9}  {row['verdict']}")
    fit = report["fit"]
    print(f"device {report['device_mib']} MiB, activity log at most {report['activity_log_mib']} MiB; "
          + ("no line (fewer than two amounts)" if fit is None else
             f"resynced = {fit['slope']:.2f} x written + {fit['intercept_mib']:.1f} MiB"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, nargs="+", default=[16, 64, 192],
                        help="MiB written on the survivor, one drill each")
    parser.add_argument("--report", type=Path, default=Path("/var/tmp/dualroot-bench-resync"),
                        help="where the drills' report.json and timelines go")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "resync.json")
    args = parser.parse_args()
    if any(m <= 0 for m in args.mib):
        parser.error("--mib takes positive amounts")

    from dualroot.drill.execution import DrillOptions, detect_stack, run_drills
    from dualroot.drill.scenarios.rejoin_after_writes import RejoinAfterWrites
    from dualroot.lab.control import Lab
    from dualroot.lab.deploy import lab_cluster_config
    from dualroot.lab.topology import DRBD_DISK_MIB

    lab = Lab()
    stack = detect_stack(lab)
    drbd = lab_cluster_config(stack.value).drbd
    assert drbd is not None
    al_mib = drbd.al_extents * DRBD_AL_EXTENT_MIB
    print(f"{len(args.mib)} rejoin drills on the {stack.value} stack, {' / '.join(map(str, args.mib))} MiB "
          "written while node2 is down (TCG: a few minutes each)...", flush=True)

    def progress(label: str, phase: str, elapsed: float) -> None:
        print(f"[{elapsed:7.1f} s] {label}: {phase}", flush=True)

    results = run_drills(lab, [RejoinAfterWrites(TARGET, bulk_mib=m) for m in args.mib],
                         DrillOptions(stack=stack), report_dir=args.report, progress=progress)
    report = resync_rows([(m, r.to_json()) for m, r in zip(args.mib, results)], DRBD_DISK_MIB, al_mib)
    report = {"what": "DRBD 8.4 resync after node2's crash and return, against the MiB node1 wrote "
                      "meanwhile (rejoin_after_writes drill), TCG guests",
              "agents": stack.value, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "drill_reports": str(args.report), **report}
    print_table(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"JSON: {args.json}")
    return 0 if all(r["verdict"] == "pass" for r in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
