#!/usr/bin/env python3
"""Small files on OCFS2 over DRBD against ext4 on the same kind of virtual disk, in the same lab VM.

The web-root case of issue 7: create+sync, stat and read COUNT small files, with cold caches (dropped
right before) and warm ones, on OCFS2 (/srv/ocfs2, DRBD protocol C to the peer) and on ext4 on the
node's spare disk /dev/vdc (formatted on first use); then the web case proper: files written on node1,
first read on node2 (cold), against ext4's cold read; read again on node2 at once (against ext4's warm
read) and after node2's caches are dropped (against its cold read). Ratios are OCFS2/ext4 (targets:
read <= 1.5x, write <= 3x). Median of --runs runs.

--floor adds, after the runs, the same node1 steps on OCFS2 with node2's mount stopped (the mount's
clone banned from node2, put back after): DRBD still replicates, but no other node holds or asks for a
cluster lock. The ratio there is what OCFS2 over DRBD costs before any lock round trip to a peer, the
floor under every cluster setting.

    python3 bench/bench_small_files.py [--files 10000] [--size 4096] [--runs 2] [--floor] [--json PATH]

Needs the lab up and healthy (`dualroot lab up`). Not a test: nothing here asserts on time.
"""

import argparse
import json
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dualroot import paths  # noqa: E402
from dualroot.errors import DualrootError  # noqa: E402

GUEST_SCRIPT = "/root/dualroot-small-files.py"
EXT4_MOUNT = "/mnt/dualroot-bench"
SPARE_DISK = "/dev/vdc"
OCFS2_ROOT = f"{paths.GUEST_OCFS2_MOUNT}/dualroot-bench"
STEP_TIMEOUT = 3600.0
# The guests' second NIC carries corosync and the DLM (dualroot.lab.qemu adds ssh, cluster, replication
# in that order, and the guests boot with net.ifnames=0).
CLUSTER_IFACE = "eth1"

# (name, node, guest arguments after the script; {dir} {files} {size} filled in), in order.
# A drop-caches step comes before every cold measurement.
STEPS = (
    ("write_sync", "node1", "write {dir} {files} {size}"),
    ("-", "node1", "drop-caches"),
    ("stat_cold", "node1", "stat {dir} {files}"),
    ("stat_warm", "node1", "stat {dir} {files}"),
    ("-", "node1", "drop-caches"),
    ("read_cold", "node1", "read {dir} {files}"),
    ("read_warm", "node1", "read {dir} {files}"),
)
WEB_STEPS = (  # OCFS2 only: written on node1 above, then read on node2
    ("-", "node2", "drop-caches"),
    ("web_first_read_other_node", "node2", "read {dir} {files}"),
    # at once again: node2 now holds the pages and the locks, as a web server's second visitor finds them
    ("web_second_read_other_node", "node2", "read {dir} {files}"),
    # with node2's page cache dropped, its OCFS2 inodes go and their locks with them: node2 must ask node1
    # for each lock again (in the lab: as many cluster packets per file as the first read)
    ("-", "node2", "drop-caches"),
    ("web_cold_reread_other_node", "node2", "read {dir} {files}"),
)
# ratio name -> (OCFS2 measurement, ext4 measurement it is held against, target or None)
RATIOS = {
    "write_sync": ("write_sync", "write_sync", 3.0),
    "stat_cold": ("stat_cold", "stat_cold", None),
    "stat_warm": ("stat_warm", "stat_warm", None),
    "read_cold": ("read_cold", "read_cold", 1.5),
    "read_warm": ("read_warm", "read_warm", 1.5),
    "web_first_read_other_node": ("web_first_read_other_node", "read_cold", 1.5),
    "web_second_read_other_node": ("web_second_read_other_node", "read_warm", 1.5),
    "web_cold_reread_other_node": ("web_cold_reread_other_node", "read_cold", 1.5),
}


def ratio_rows(ocfs2: dict[str, float], ext4: dict[str, float]) -> list[dict[str, object]]:
    """Medians in, one row per ratio out (None where a side is missing or zero)."""
    rows = []
    for name, (ours, native, target) in RATIOS.items():
        a, b = ocfs2.get(ours), ext4.get(native)
        ratio = round(a / b, 2) if a is not None and b else None
        rows.append({"case": name, "ocfs2_s": a, "ext4_s": b, "ratio": ratio, "target": target,
                     "met": None if target is None or ratio is None else ratio <= target})
    return rows


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = {k for run in runs for k in run}
    return {k: round(statistics.median(r[k] for r in runs if k in r), 4) for k in sorted(keys)}


def render(rows: list[dict[str, object]]) -> str:
    lines = [f"{'case':28} {'ocfs2 s':>9} {'ext4 s':>9} {'ratio':>6}  target"]
    for r in rows:
        def num(v: object) -> str:
            return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)
        lines.append(f"{r['case']!s:28} {num(r['ocfs2_s']):>9} {num(r['ext4_s']):>9} "
                     f"{num(r['ratio']):>6}  {'' if r['target'] is None else '<= ' + str(r['target'])}"
                     f"{'' if r['met'] is None else (' ok' if r['met'] else ' MISSED')}")
    return "\n".join(lines)


def run_guest(lab, node: str, args: str) -> float:
    return run_guest_step(lab, node, args)[0]


def run_guest_step(lab, node: str, args: str) -> tuple[float, int | None]:
    """One step's seconds, and the packets the node's cluster link carried meanwhile (its DLM traffic;
    None when the guest did not count them)."""
    result = lab.run(node, [paths.GUEST_PYTHON, GUEST_SCRIPT, *shlex.split(args)],
                     timeout=STEP_TIMEOUT).check()
    line = json.loads(result.stdout.strip().splitlines()[-1])
    return float(line["seconds"]), line.get("packets", {}).get(CLUSTER_IFACE)


def prepare_ext4(lab) -> None:
    q = shlex.quote
    lab.script("node1", "\n".join([
        "set -e",
        f"mkdir -p {q(EXT4_MOUNT)}",
        f"if ! mountpoint -q {q(EXT4_MOUNT)}; then",
        f"  blkid -o value -s TYPE {q(SPARE_DISK)} | grep -qx ext4 || mkfs.ext4 -F -q {q(SPARE_DISK)}",
        f"  mount -o noatime {q(SPARE_DISK)} {q(EXT4_MOUNT)}",
        "fi",
    ]) + "\n", timeout=300.0).check()


def install_guest_script(lab) -> None:
    for node in lab.nodes:
        lab.put(node, Path(__file__).with_name("small_files_guest.py"), GUEST_SCRIPT)


def progress_clock() -> Callable[[str], None]:
    """A progress printer that stamps each line with the seconds since it was made."""
    started = time.monotonic()

    def progress(text: str) -> None:
        print(f"[{time.monotonic() - started:7.1f} s] {text}", flush=True)

    return progress


def peer_mount(lab, mounted: bool) -> None:
    """Ban the mount's clone from node2 (mounted=False) or clear the ban, and wait until it took."""
    from dualroot.cib.model import FS_ID, clone_id

    clone = clone_id(FS_ID)
    if mounted:
        argv = [paths.GUEST_CRM_RESOURCE, "--clear", "--resource", clone]
    else:
        argv = [paths.GUEST_CRM_RESOURCE, "--ban", "--resource", clone, "--node", "node2"]
    lab.run("node1", argv, timeout=60).check()
    lab.run("node1", [paths.GUEST_CRM_RESOURCE, "--wait", "--timeout", "300s"], timeout=330).check()
    check_mounts(lab, ("node1", "node2") if mounted else ("node2",), mounted)


def check_mounts(lab, nodes, mounted: bool) -> None:
    """Raise DualrootError unless OCFS2 is mounted (or, with mounted=False, not mounted) on every node."""
    from dualroot.lab.health import node_health

    wrong = [node for node in nodes if node_health(lab, node).mounted != mounted]
    if wrong:
        change = "come back" if mounted else "stop"
        raise DualrootError(f"the OCFS2 mount on {', '.join(wrong)} did not {change}",
                            "look at `dualroot lab status` and crm_mon on node1")


def floor_run(lab, files: int, size: int, stamp: str, progress) -> dict[str, float]:
    """The node1 steps on OCFS2 with node2's mount stopped; the mount is put back whatever happens."""
    directory = f"{OCFS2_ROOT}/sf-alone-{stamp}"
    progress("floor: stopping node2's mount (DRBD keeps replicating)")
    try:
        peer_mount(lab, mounted=False)
        results = run_steps(lab, STEPS, directory, files=files, size=size, label="alone", progress=progress)
        lab.run("node1", [paths.GUEST_RM, "-rf", directory], timeout=STEP_TIMEOUT)
    finally:
        progress("floor: starting node2's mount again")
        peer_mount(lab, mounted=True)
    return results


def one_run(lab, files: int, size: int, stamp: str, progress, *,
            packets: dict[str, list[int]] | None = None) -> tuple[dict, dict]:
    """One run of every step on ext4 and OCFS2. `packets`, if given, gets each OCFS2 step's cluster-link
    packets appended under the step's name."""
    dirs = {"ext4": f"{EXT4_MOUNT}/sf-{stamp}", "ocfs2": f"{OCFS2_ROOT}/sf-{stamp}"}
    ext4 = run_steps(lab, STEPS, dirs["ext4"], files=files, size=size, label="ext4", progress=progress)
    ocfs2 = run_steps(lab, STEPS + WEB_STEPS, dirs["ocfs2"], files=files, size=size, label="ocfs2",
                      progress=progress, packets=packets)
    for d in dirs.values():   # not timed
        lab.run("node1", [paths.GUEST_RM, "-rf", d], timeout=STEP_TIMEOUT)
    return ocfs2, ext4


def run_steps(lab, steps, directory: str, *, files: int, size: int, label: str, progress,
              packets: dict[str, list[int]] | None = None) -> dict[str, float]:
    """Each step's seconds by name (the untimed "-" steps run but are not kept). With `packets`, each
    timed step's cluster-link packets are shown and appended there under its name."""
    results: dict[str, float] = {}
    for name, node, template in steps:
        seconds, count = run_guest_step(lab, node, template.format(dir=directory, files=files, size=size))
        if name == "-":
            continue
        results[name] = seconds
        counted = packets is not None and count is not None
        shown = f"  {count} cluster-link packets" if counted else ""
        progress(f"{label:5} {name:26} {seconds:8.3f} s{shown}")
        if counted:
            packets.setdefault(name, []).append(count)
    return results


def packets_per_file(packets: dict[str, list[int]], files: int) -> dict[str, float]:
    """Each OCFS2 step's cluster-link packets per file (median of the runs): where the DLM's lock traffic
    goes. Corosync's own heartbeat adds a few packets per second to every step."""
    return {name: round(statistics.median(counts) / files, 2) for name, counts in packets.items() if counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--floor", action="store_true", help="add a pass with node2's mount stopped")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "small_files.json")
    args = parser.parse_args()

    from dualroot.cib.config import lab_config
    from dualroot.drill.execution import detect_stack
    from dualroot.lab.control import Lab
    from dualroot.lab.health import dlm_directory_weights

    lab = Lab()
    progress = progress_clock()

    try:
        stack = detect_stack(lab).value
    except DualrootError:
        stack = "unknown"     # the workload needs OCFS2 mounted, not a particular stack
    # How long the DLM keeps unused lock resources decides the cold figures (bench_dlm_toss.py): recorded.
    toss = lab.run("node1", ["cat", paths.DLM_TOSS_SECS], timeout=60)
    toss_secs = int(toss.stdout) if toss.rc == 0 and toss.stdout.strip().isdigit() else None
    # So does where the DLM's lock directory lives (cluster.dlm_directory): recorded as the kernel has it.
    weights = dlm_directory_weights(lab, "node1", lab_config().mount.device)
    install_guest_script(lab)
    prepare_ext4(lab)
    ocfs2_runs, ext4_runs = [], []
    packets: dict[str, list[int]] = {}
    for run in range(args.runs):
        progress(f"run {run + 1}/{args.runs}: {args.files} files of {args.size} bytes ({stack} agents, "
                 f"DLM toss_secs {toss_secs}, directory weights {weights})")
        stamp = f"{int(time.time())}-{run}"
        ocfs2, ext4 = one_run(lab, args.files, args.size, stamp, progress, packets=packets)
        ocfs2_runs.append(ocfs2)
        ext4_runs.append(ext4)
    floor = floor_run(lab, args.files, args.size, str(int(time.time())), progress) if args.floor else None
    rows = ratio_rows(medians(ocfs2_runs), medians(ext4_runs))
    print(render(rows))
    per_file = packets_per_file(packets, args.files)
    print(f"cluster-link packets per file on OCFS2 (DLM traffic): {per_file}")
    report: dict[str, object] = {
        "files": args.files, "size": args.size, "runs": args.runs, "agents": stack,
        "dlm_toss_secs": toss_secs, "dlm_directory_weights": weights, "ocfs2_runs": ocfs2_runs,
        "ext4_runs": ext4_runs, "ratios": rows, "ocfs2_cluster_packets_per_file": per_file}
    if floor is not None:
        floor_rows = [row for row in ratio_rows(floor, medians(ext4_runs)) if row["ocfs2_s"] is not None]
        print("floor: OCFS2 with node2's mount stopped (no cluster lock leaves node1)")
        print(render(floor_rows))
        report.update(floor_alone=floor, floor_ratios=floor_rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
