#!/usr/bin/env python3
"""Agent monitor cost on a real lab node: each dualroot agent against the stock one it replaces.

Pairs, each in the same state on the same node, run alternately so that drift hits both alike:
ocf:dualroot:drbd vs ocf:linbit:drbd (monitor of the Promoted DRBD resource r0), ocf:dualroot:ocfs2 vs
ocf:heartbeat:Filesystem (monitor of the mounted OCFS2 volume at depths 0 and 20), ocf:dualroot:o2cb vs
ocf:pacemaker:controld (monitor of the running DLM). The agents run as Pacemaker runs them (OCF
environment, real drbdadm, crm_attribute and the CIB), under TCG, so a command costs what it costs there.

Promotion scores are written under a bench-only resource name (bench-drbd), never the live one's.
A recurring drbd monitor re-sends an unchanged score only every SCORE_REFRESH_S (300 s: about one
monitor in ten at the rendered 29 s interval): "drbd monitor (Promoted)" is such a monitor, "... score
sent" the one that sends (its record of the last send removed before each run, untimed; the stock
agent keeps no such record, so removing it before its runs too changes nothing there).

    python3 bench/bench_agents_lab.py [--node node1] [--runs 15] [--json bench/results/agents_lab.json]

Needs the lab up with dualroot's agents (`dualroot lab up`). Not a test: nothing here asserts on time.
"""

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_drbd_agent import base_env  # noqa: E402
from dualroot import paths  # noqa: E402
from dualroot.lab.control import Lab  # noqa: E402

GUEST_SCRIPT = "/root/dualroot-bench-agents.py"
OCF = "/usr/lib/ocf/resource.d"
COMMON = {
    "OCF_ROOT": "/usr/lib/ocf",
    "OCF_RESKEY_CRM_meta_timeout": "20000",
    "OCF_RESKEY_crm_feature_set": "3.16.2",
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
}
# The host bench's OCF environment for r0 as a dual-primary clone, under a bench-only instance name.
DRBD = {**base_env("20000"), "OCF_RESOURCE_INSTANCE": "bench-drbd:0", "OCF_RESKEY_CRM_meta_role": "Promoted"}
FS = "OCF_RESKEY_fstype"
MOUNT = {
    **COMMON,
    "OCF_RESOURCE_INSTANCE": "bench-fs:0",
    "OCF_RESKEY_device": paths.GUEST_DRBD_DEVICE,
    "OCF_RESKEY_directory": paths.GUEST_OCFS2_MOUNT,
    "OCF_RESKEY_CRM_meta_interval": "20000",
}
STACK = {**COMMON, "OCF_RESOURCE_INSTANCE": "bench-dlm:0", "OCF_RESKEY_CRM_meta_interval": "20000"}

SCORE_RECORD = f"{paths.RSCTMP}/dualroot-promotion-bench-drbd_0"  # PromotionScores' state file
# case -> (dualroot argv+env, stock argv+env, expected exit code, untimed argv run before each run
# of either side, or None); every monitor must answer with the expected code
CASES = {
    "drbd monitor (Promoted)": (
        ([f"{OCF}/dualroot/drbd", "monitor"], DRBD),
        ([f"{OCF}/linbit/drbd", "monitor"], DRBD),
        8,
        None,
    ),
    "drbd monitor (Promoted), score sent": (
        ([f"{OCF}/dualroot/drbd", "monitor"], DRBD),
        ([f"{OCF}/linbit/drbd", "monitor"], DRBD),
        8,
        ["rm", "-f", SCORE_RECORD],
    ),
    "ocfs2 monitor depth 0": (
        ([f"{OCF}/dualroot/ocfs2", "monitor"], {**MOUNT, "OCF_CHECK_LEVEL": "0"}),
        ([f"{OCF}/heartbeat/Filesystem", "monitor"], {**MOUNT, FS: "ocfs2", "OCF_CHECK_LEVEL": "0"}),
        0,
        None,
    ),
    "ocfs2 monitor depth 20": (
        ([f"{OCF}/dualroot/ocfs2", "monitor"], {**MOUNT, "OCF_CHECK_LEVEL": "20"}),
        ([f"{OCF}/heartbeat/Filesystem", "monitor"], {**MOUNT, FS: "ocfs2", "OCF_CHECK_LEVEL": "20"}),
        0,
        None,
    ),
    "o2cb monitor": (
        ([f"{OCF}/dualroot/o2cb", "monitor"], STACK),
        ([f"{OCF}/pacemaker/controld", "monitor"], STACK),
        0,
        None,
    ),
    # The floor under any agent of either kind: starting the interpreter and doing nothing (the
    # agents' own `python3 -S` against the shell that runs the stock agents). A Python monitor can
    # be no faster than its left side, whatever it does.
    "floor: interpreter start": (
        (["/usr/bin/python3", "-S", "-c", "pass"], COMMON),
        (["/bin/sh", "-c", ":"], COMMON),
        0,
        None,
    ),
}

# Runs in the guest (Debian's python3): times each argv `runs` times, alternating, wall and CPU
# (getrusage of the reaped children), and prints JSON.
GUEST_TIMER = r'''
import json, os, resource, subprocess, sys, time
cases = json.loads(sys.stdin.read())
runs = int(sys.argv[1])
out = {}
for name, (ours, theirs, expected, before) in cases.items():
    samples = {"dualroot": [], "stock": []}
    codes = {"dualroot": set(), "stock": set()}
    for i in range(runs + 1):  # the first round warms caches and is dropped
        for side, (argv, env) in (("dualroot", ours), ("stock", theirs)):
            if before:
                subprocess.run(before, check=True)
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rc = proc.returncode
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
            if i:
                samples[side].append((wall * 1000, cpu * 1000))
                codes[side].add(rc)
    out[name] = {"samples": samples, "codes": {k: sorted(v) for k, v in codes.items()}, "expected": expected}
print(json.dumps(out))
'''


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def time_in_guest(lab: Lab, node: str, cases: dict, runs: int) -> dict:
    """Run GUEST_TIMER on `node` over `cases` (name -> (ours, theirs, expected, before)); its raw JSON."""
    lab.script(node, f"cat > {GUEST_SCRIPT} <<'EOF'\n{GUEST_TIMER}\nEOF\n")
    listed = {name: [list(ours), list(theirs), expected, before]
              for name, (ours, theirs, expected, before) in cases.items()}
    result = lab.run(node, ["python3", GUEST_SCRIPT, str(runs)], timeout=1800.0, input=json.dumps(listed))
    if not result.ok:
        raise RuntimeError(f"the guest timer failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout)


def table_rows(raw: dict) -> dict:
    """Medians and ratios per case, printed as a table as they are computed."""
    rows = {}
    width = max([26, *map(len, raw)])
    print(f"{'case':<{width}} {'dualroot ms':>11} {'stock ms':>9} {'wall':>6} {'dualroot CPU':>12} "
          f"{'stock CPU':>9} {'CPU':>6}  exit codes")
    for name, entry in raw.items():
        ours = entry["samples"]["dualroot"]
        theirs = entry["samples"]["stock"]
        row = {
            "dualroot_wall_ms": median([s[0] for s in ours]),
            "stock_wall_ms": median([s[0] for s in theirs]),
            "dualroot_cpu_ms": median([s[1] for s in ours]),
            "stock_cpu_ms": median([s[1] for s in theirs]),
            "exit_codes": entry["codes"],
            "expected_exit_code": entry["expected"],
        }
        row["ratio_wall"] = row["dualroot_wall_ms"] / row["stock_wall_ms"]
        row["ratio_cpu"] = row["dualroot_cpu_ms"] / row["stock_cpu_ms"]
        rows[name] = row
        print(f"{name:<{width}} {row['dualroot_wall_ms']:>11.1f} {row['stock_wall_ms']:>9.1f} "
              f"{row['ratio_wall']:>6.2f} {row['dualroot_cpu_ms']:>12.1f} {row['stock_cpu_ms']:>9.1f} "
              f"{row['ratio_cpu']:>6.2f}  "
              f"{entry['codes']['dualroot']}/{entry['codes']['stock']} (expected {entry['expected']})")
    return rows


def write_report(path: Path, rows: dict, *, what: str, node: str, runs: int, target: str) -> None:
    """The JSON every guest-timer bench writes: what was timed, where, how often, and the rows."""
    report = {"what": what, "node": node, "runs": runs,
              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "target": target, "cases": rows}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"(medians of {runs} runs; JSON: {path})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", default="node1")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "agents_lab.json")
    args = parser.parse_args()

    lab = Lab()
    print(f"timing {len(CASES)} monitor pairs x {args.runs} runs on {args.node} (TCG: a few minutes)...",
          flush=True)
    try:
        raw = time_in_guest(lab, args.node, CASES, args.runs)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    write_report(args.json, table_rows(raw), node=args.node, runs=args.runs,
                 what="agent monitors on a lab node (TCG guest, real DRBD/DLM/OCFS2), dualroot vs stock",
                 target="monitor at most 1/3 of the stock agent's (issues 4 and 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
