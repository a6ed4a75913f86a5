#!/usr/bin/env python3
"""Failover side by side: a drill report of the stock agents against one of dualroot's agents.

Run the same drills on the lab with each stack (same lab, same timeouts), then compare:

    S="node_kill replication_cut rejoin_after_writes cold_start"
    dualroot lab up --agents stock;    dualroot drill $S --agents stock --report /tmp/stock
    dualroot lab up --agents dualroot; dualroot drill $S --agents dualroot --report /tmp/dualroot
    python3 bench/bench_failover.py /tmp/stock /tmp/dualroot [--json bench/results/failover.json]

Several runs per side (values are the medians of each side's runs of a scenario; every run is kept):

    python3 bench/bench_failover.py --stock /tmp/s1 /tmp/s2 --dualroot /tmp/d1 /tmp/d2 /tmp/d3

A report may be narrowed to some of its scenarios with `#NAME[,NAME...]`, e.g. the replication cut of
a report whose node kill ran code no longer on main: `report.json#replication_cut:node2`.

Prints dualroot/stock ratios with issue 7's targets (kill to the survivor's first write and cold start at
most 0.7x the stock stack) and writes them as JSON. Not a test: nothing here asserts on time.

--limit-from-lab also holds the node kills against the limit under any stack: corosync's token and
consensus as the running lab has them (corosync-cmapctl on node1) plus one fence, timed as the lab's
fence agent asking the host for node2's power status on node1 (median of FENCE_SAMPLES runs). It needs
the lab up; the drills it compares must have run with the same corosync timeouts.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dualroot import paths  # noqa: E402
from dualroot.drill.comparison import (  # noqa: E402
    FailoverLimit,
    compare_runs,
    limit_rows,
    render_comparison,
    render_limit,
)

FENCE_SAMPLES = 5
# Runs in the guest: the fence agent's status query, timed there (no ssh in the figure), in seconds.
TIME_FENCE_AGENT = (
    "import subprocess, sys, time\n"
    "start = time.monotonic()\n"
    "done = subprocess.run([sys.argv[1], '-o', 'status', '-n', sys.argv[2]], capture_output=True)\n"
    "print(round(time.monotonic() - start, 3) if done.returncode in (0, 2) else 'failed')\n")


def load(spec: str) -> dict:
    """A drill report from DIR or report.json, narrowed to the scenarios named after `#` if any."""
    where, _, names = spec.partition("#")
    path = Path(where)
    report = json.loads((path / "report.json" if path.is_dir() else path).read_text())
    if names:
        wanted = set(names.split(","))
        report["scenarios"] = [s for s in report.get("scenarios", []) if s.get("name") in wanted]
        if not report["scenarios"]:
            raise SystemExit(f"{where}: no scenario named {names}")
    return report


def lab_limit(lab, node: str = "node1", target: str = "node2") -> FailoverLimit:
    """The running lab's corosync token and consensus, and the time of one fence agent call."""
    def totem(key: str) -> int:
        shown = lab.run(node, [paths.COROSYNC_CMAPCTL, "-g", f"runtime.config.totem.{key}"], timeout=30)
        value = shown.check().stdout.partition(" = ")[2].strip()
        if not value.isdigit():
            raise SystemExit(f"corosync on {node} shows no totem.{key}: {shown.stdout.strip()!r}")
        return int(value)

    samples = []
    for _ in range(FENCE_SAMPLES):
        argv = [paths.GUEST_PYTHON, "-c", TIME_FENCE_AGENT, paths.GUEST_FENCE_AGENT, target]
        timed = lab.run(node, argv, timeout=60)
        try:
            samples.append(float(timed.check().stdout))
        except ValueError:
            raise SystemExit(f"the fence agent on {node} could not read {target}'s power status") from None
    return FailoverLimit(totem("token"), totem("consensus"), round(statistics.median(samples), 3))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", metavar="STOCK DUALROOT",
                        help="report DIR (or report.json) of the stock agents, then of dualroot's")
    parser.add_argument("--stock", nargs="+", default=[], help="runs of the stock agents")
    parser.add_argument("--dualroot", nargs="+", default=[], help="runs of dualroot's agents")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "failover.json")
    parser.add_argument("--limit-from-lab", action="store_true",
                        help="hold the node kills against token + consensus + one fence, read from the lab")
    args = parser.parse_args()
    if len(args.reports) == 2:
        args.stock.append(args.reports[0])
        args.dualroot.append(args.reports[1])
    elif args.reports or not (args.stock and args.dualroot):
        parser.error("give STOCK DUALROOT, or --stock DIR... --dualroot DIR...")

    rows = compare_runs([load(p) for p in args.stock], [load(p) for p in args.dualroot])
    print(render_comparison(rows))
    result: dict[str, object] = {"rows": [r.to_json() for r in rows]}
    if args.limit_from_lab:
        from dualroot.lab.control import Lab

        limit = lab_limit(Lab())
        against = limit_rows(rows, limit)
        print("\n" + render_limit(against, limit))
        result.update(limit=limit.to_json(), against_limit=[r.to_json() for r in against])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
