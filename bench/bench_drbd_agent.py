#!/usr/bin/env python3
"""Wall time and CPU of ocf:dualroot:drbd against ocf:linbit:drbd, side by side, same DRBD state.

Both agents run on this host against the same stub DRBD/Pacemaker tools (tests/integration/drbd/
drbd_stubs.py: POSIX sh scripts, one DRBD 8.4 resource r0 connected to an UpToDate peer). Ours reaches
them through DUALROOT_TOOL_ROOT, the shell agent through PATH (its one hard-coded /proc/drbd path is
pointed at the stub's copy). Cases: meta-data, monitor Promoted, monitor Unpromoted, probe (stopped).
The two agents alternate run by run so that drift on the host hits both alike. CPU is user+system of
the agent and everything it ran (getrusage of the reaped children).

    python3 bench/bench_drbd_agent.py [--runs 40] [--json bench/results/drbd_agent.json] [--agent PATH]

The repository's agents/drbd runs with PYTHONPATH at the repository (the installed one, --agent
/usr/lib/ocf/resource.d/dualroot/drbd, with the package `make install` put in dist-packages).

Prints a table with ours/linbit ratios (the issue's target: monitor at most 1/3 of the shell agent's).
Not a test: nothing here asserts on time.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.timing import run_once, summarize  # noqa: E402
from dualroot import paths  # noqa: E402
from tests.integration.drbd.drbd_stubs import build_stub_root, linbit_agent_copy  # noqa: E402

BASELINE = ("python3 -S -c pass", ["/usr/bin/python3", "-S", "-c", "pass"])

CASES = (
    # name, DRBD state, action, interval (ms), expected exit code
    ("meta-data", "secondary", "meta-data", "0", 0),
    ("monitor Promoted", "primary", "monitor", "10000", 8),
    ("monitor Unpromoted", "secondary", "monitor", "20000", 0),
    ("probe (stopped)", "down", "monitor", "0", 7),
)


def base_env(interval: str) -> dict[str, str]:
    return {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "OCF_ROOT": str(paths.OCF_ROOT),
        "LANG": "C",
        "OCF_RESOURCE_INSTANCE": "drbd_r0",
        "OCF_RESOURCE_TYPE": "drbd",
        "OCF_RESKEY_drbd_resource": "r0",
        "OCF_RESKEY_crm_feature_set": "3.16.1",
        "OCF_RESKEY_CRM_meta_timeout": "20000",
        "OCF_RESKEY_CRM_meta_interval": interval,
        "OCF_RESKEY_CRM_meta_on_node": "node1",
        "OCF_RESKEY_CRM_meta_clone_max": "2",
        "OCF_RESKEY_CRM_meta_clone_node_max": "1",
        "OCF_RESKEY_CRM_meta_promoted_max": "2",
        "OCF_RESKEY_CRM_meta_promoted_node_max": "1",
        "OCF_RESKEY_CRM_meta_master_max": "2",
        "OCF_RESKEY_CRM_meta_master_node_max": "1",
        "OCF_RESKEY_CRM_meta_notify": "true",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "drbd_agent.json")
    # The repository's agent by default: an installed copy (make install) may be older than the tree.
    parser.add_argument(
        "--agent",
        type=Path,
        default=REPO / "agents" / "drbd",
        help="ocf:dualroot:drbd executable (default: the repository's; "
             f"{paths.OCF_AGENT_DIR}/drbd for the installed one)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dualroot-bench-") as tmp:
        stubs = build_stub_root(Path(tmp) / "stubs")
        linbit = linbit_agent_copy(stubs)
        ours_env = stubs.env_for_dualroot()
        if not str(args.agent).startswith(str(paths.OCF_ROOT)):
            ours_env["PYTHONPATH"] = str(REPO)
        agents = {
            "dualroot": ([str(args.agent)], ours_env),
            "linbit": ([str(linbit)], stubs.env_for_linbit()),
        }
        results: dict[str, dict] = {}
        for case, state, action, interval, expected in CASES:
            stubs.set_state(state)
            samples: dict[str, dict[str, list[float]]] = {a: {"wall_ms": [], "cpu_ms": []} for a in agents}
            codes: dict[str, set[int]] = {a: set() for a in agents}
            for i in range(args.warmup + args.runs):
                for name, (argv, extra) in agents.items():
                    env = {**base_env(interval), **extra}
                    wall, cpu, rc = run_once([*argv, action], env)
                    stubs.set_state(state)  # a monitor never changes it; keep the cases honest anyway
                    if i >= args.warmup:
                        samples[name]["wall_ms"].append(wall)
                        samples[name]["cpu_ms"].append(cpu)
                        codes[name].add(rc)
            entry = {
                name: {
                    "exit_codes": sorted(codes[name]),
                    "wall_ms": summarize(samples[name]["wall_ms"]),
                    "cpu_ms": summarize(samples[name]["cpu_ms"]),
                }
                for name in agents
            }
            entry["expected_exit_code"] = expected
            ours, theirs = entry["dualroot"], entry["linbit"]
            entry["ratio_wall_median"] = ours["wall_ms"]["median"] / theirs["wall_ms"]["median"]
            entry["ratio_cpu_median"] = ours["cpu_ms"]["median"] / theirs["cpu_ms"]["median"]
            results[case] = entry
        # The floor any Python agent pays here: the interpreter starting and exiting.
        base = [run_once(BASELINE[1], {"PATH": "/usr/bin:/bin"}) for _ in range(args.runs)]
        baseline = {
            "command": BASELINE[0],
            "wall_ms": summarize([b[0] for b in base]),
            "cpu_ms": summarize([b[1] for b in base]),
        }

    report = {
        "what": "ocf:dualroot:drbd vs ocf:linbit:drbd on identical stub DRBD 8.4 tools (host, not the lab)",
        "runs": args.runs,
        "warmup": args.warmup,
        "agent": str(args.agent),
        "linbit_agent": str(paths.DRBD_LINBIT_AGENT),
        "host": platform.node(),
        "python": sys.version.split()[0],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "interpreter_baseline": baseline,
        "cases": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"{'case':<20} {'dualroot ms':>12} {'linbit ms':>10} {'wall ratio':>10} "
        f"{'dualroot CPU':>13} {'linbit CPU':>11} {'CPU ratio':>9}  exit codes"
    )
    for case, entry in results.items():
        ours, theirs = entry["dualroot"], entry["linbit"]
        print(
            f"{case:<20} {ours['wall_ms']['median']:>12.1f} {theirs['wall_ms']['median']:>10.1f} "
            f"{entry['ratio_wall_median']:>10.2f} {ours['cpu_ms']['median']:>13.1f} "
            f"{theirs['cpu_ms']['median']:>11.1f} {entry['ratio_cpu_median']:>9.2f}  "
            f"{ours['exit_codes']}/{theirs['exit_codes']} (expected {entry['expected_exit_code']})"
        )
    print(
        f"{BASELINE[0]:<20} {baseline['wall_ms']['median']:>12.1f}   (interpreter floor of any Python agent)"
    )
    print(f"(medians of {args.runs} runs each; load average {os.getloadavg()[0]:.2f}; JSON: {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
