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
"""

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dualroot.drill.comparison import compare_runs, render_comparison  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="*", metavar="STOCK DUALROOT",
                        help="report DIR (or report.json) of the stock agents, then of dualroot's")
    parser.add_argument("--stock", nargs="+", default=[], help="runs of the stock agents")
    parser.add_argument("--dualroot", nargs="+", default=[], help="runs of dualroot's agents")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "failover.json")
    args = parser.parse_args()
    if len(args.reports) == 2:
        args.stock.append(args.reports[0])
        args.dualroot.append(args.reports[1])
    elif args.reports or not (args.stock and args.dualroot):
        parser.error("give STOCK DUALROOT, or --stock DIR... --dualroot DIR...")

    rows = compare_runs([load(p) for p in args.stock], [load(p) for p in args.dualroot])
    print(render_comparison(rows))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"rows": [r.to_json() for r in rows]}, indent=2) + "\n")
    print(f"\nwritten: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
