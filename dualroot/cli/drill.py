"""`dualroot drill`: failover scenarios on the lab, with a report (table, report.json, timeline PNGs)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from dualroot.cib.config import Agents
    from dualroot.drill.scenarios import DEFAULT_SET, SCENARIOS

    names = ", ".join(f"{name} ({cls.summary})" for name, cls in SCENARIOS.items())
    drill = subparsers.add_parser(
        "drill", help="failover drills on the lab: kill, partition, replication cut, ...",
        description="Run failover scenarios on the two-node lab from a healthy cluster, with writers "
                    "on both nodes, and report detection, fencing, the survivor's first write, the "
                    "return of the other node, lost records, split-brain and fsck. "
                    f"Scenarios: {names}.",
        epilog=f"Without SCENARIO: {', '.join(DEFAULT_SET)} (node_kill once per node). "
               "NAME:NODE aims a scenario at that node (default node2). Exit status 0 when every "
               "scenario passed, 1 when one failed or could not complete (see the table), 2 on "
               "bad arguments or when the lab is unusable.")
    drill.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                       help="NAME or NAME:NODE, e.g. node_kill:node1 partition")
    drill.add_argument("--report", type=Path, metavar="DIR",
                       help="write report.json and a timeline PNG per scenario into DIR")
    drill.add_argument("--agents", choices=[a.value for a in Agents], default=None,
                       help="the stack the cluster runs (checked against it; default dualroot on the "
                            "lab, the config's [cluster] agents with --cluster; deploy the lab's with "
                            "`dualroot lab up --agents ...`)")
    drill.add_argument("--cluster", type=Path, metavar="CONFIG",
                       help="drill a two-node cluster over ssh instead of the lab: the dualroot config "
                            "it was rendered from, with a [drill] table saying how to reach and hurt "
                            "its nodes (ssh_host, cluster_iface, replication_iface, power_off, "
                            "power_on per node; see dualroot/drill/ssh_cluster.py and "
                            "examples/drill-over-ssh.toml)")
    drill.add_argument("--no-fsck", action="store_true",
                       help="skip the offline fsck.ocfs2 -fn after each scenario (it unmounts "
                            "OCFS2 on every node for the check)")
    drill.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                       help="pause between the nodes' status probes during a fault (default 1.0; each "
                            "probe runs crm_mon, ~0.3 s of CPU in a TCG guest)")
    drill.add_argument("--list", action="store_true", help="list the scenarios and exit")
    drill.set_defaults(func=cmd_drill)


class ProgressPrinter:
    """`[elapsed total | elapsed in scenario] scenario: phase`, one line per phase."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, label: str, phase: str, elapsed: float) -> None:
        total = time.monotonic() - self.started
        print(f"[{total:7.1f} s | {elapsed:6.1f} s] {label}: {phase}", flush=True)


def cmd_drill(args: argparse.Namespace) -> int:
    from dualroot.cib.config import Agents
    from dualroot.drill.execution import DrillOptions, run_drills
    from dualroot.drill.report import Verdict, render_table
    from dualroot.drill.scenarios import SCENARIOS, resolve

    if args.list:
        for name, cls in SCENARIOS.items():
            print(f"{name:16} {cls.summary}")
        return 0
    from dualroot.drill.scenario import LabApi
    from dualroot.errors import DualrootError

    if args.poll <= 0:
        raise DualrootError(f"--poll must be a positive number of seconds, not {args.poll}")
    lab: LabApi
    if args.cluster is not None:
        from dualroot import paths
        from dualroot.drill.ssh_cluster import SshCluster, load_target, refuse_unsupported

        target = load_target(args.cluster)
        cluster = SshCluster(target, Path(paths.DRILL_SSH_CONTROL_DIR))
        scenarios = resolve(args.scenarios, cluster.nodes)
        refuse_unsupported(cluster, scenarios)
        lab, stack = cluster, Agents(args.agents) if args.agents else target.config.agents
    else:
        from dualroot.lab.control import Lab

        lab, stack = Lab(), Agents(args.agents or Agents.DUALROOT.value)
        scenarios = resolve(args.scenarios, lab.nodes)
    options = DrillOptions(stack=stack, fsck=not args.no_fsck, poll_interval=args.poll)
    results = run_drills(lab, scenarios, options, report_dir=args.report, progress=ProgressPrinter())
    print()
    print(render_table(results))
    if args.report:
        print(f"\nreport: {args.report / 'report.json'} (and a timeline PNG per scenario)")
    sys.stdout.flush()
    return 0 if all(r.verdict is Verdict.PASS for r in results) else 1
