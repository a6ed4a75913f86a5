#!/usr/bin/env python3
"""Benchmark: ocf:dualroot:ocfs2 and ocf:dualroot:o2cb against ocf:heartbeat:Filesystem and
ocf:pacemaker:controld, side by side in one run (not a test; no assertions).

Run as root:  python3 bench/bench_ocfs2_agent.py [--runs N] [--holders N]

This host has no OCFS2, so a tmpfs (in a private mount namespace; the script re-executes itself under
`unshare -m`) stands in for the volume. Filesystem sees it as what it is (fstype=tmpfs; its monitor path
is the same for any type); the dualroot agent gets, through DUALROOT_TOOL_ROOT, a /proc/mounts that calls it
ocfs2, while the mount point, the "device" file, /proc/<pid> and umount are real. For the stack, a process
named dlm_controld (a copy of sleep) and a stub dlm_tool printing dlm 4.2's output serve both agents.
Depth 20 is a real O_DIRECT|O_SYNC write and read-back on the tmpfs for both.

The two agents of a case alternate run by run, so that drift on the shared host hits both alike;
wall time and CPU (user+system of the agent and all it ran) are recorded, with the interpreter's
floor (`python3 -S -c pass`) beside them. The o2cb cases: stopped; running with no kernel lockspace
(our monitor then skips `dlm_tool ls`); running with one lockspace (what a node with OCFS2 mounted
sees: both dlm_tool calls). The issue's target: each monitor at most 1/3 of the shell agent's.
Results also go to bench/results/ocfs2_agent.json (--json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.timing import run_once, summarize  # noqa: E402
from dualroot import paths  # noqa: E402

PY = "/usr/bin/python3"
MARK = "DUALROOT_BENCH_IN_NAMESPACE"
BASELINE = ("python3 -S -c pass", [PY, "-S", "-c", "pass"])

STATUS = (
    "cluster nodeid 1 quorate 1 ring seq 12 12\n"
    "daemon now 1834 fence_pid 0 \n"
    "    member_count=2 joined_count=2 remove_count=0 daemon_ringid=12 cluster_ringid=12 quorate=1 "
    "fence_pid=0 fence_in_progress_unknown=0 zombie_count=0 monotime=1834 stateful_merge_wait=0 \n"
    "node 1 M add 20 rem 0 fail 0 fence 0 at 0 0\n"
    "    member=1 killed=0 left_reason=none need_fencing=0 delay_fencing=0 fence_pid=0 \n"
)
LS = (
    "dlm lockspaces\nname          vmlab\nid            0x1d5e8a2c\nflags         0x00000000 \n"
    "change        member 2 joined 1 remove 0 failed 0 seq 1,1\nmembers       1 2 \n"
)


Command = tuple[list[str], dict[str, str]]


def side_by_side(ours: Command, theirs: Command, runs: int, warmup: int = 3) -> dict:
    """Both agents, alternating run by run; per agent the wall/CPU summaries and exit codes seen."""
    samples: dict[str, dict[str, list[float]]] = {n: {"wall_ms": [], "cpu_ms": []}
                                                  for n in ("dualroot", "shell")}
    codes: dict[str, set[int]] = {"dualroot": set(), "shell": set()}
    for i in range(warmup + runs):  # warm-up: page cache, pyc files
        for name, (argv, env) in (("dualroot", ours), ("shell", theirs)):
            wall, cpu, rc = run_once(argv, env)
            if i >= warmup:
                samples[name]["wall_ms"].append(wall)
                samples[name]["cpu_ms"].append(cpu)
                codes[name].add(rc)
    entry: dict = {name: {"exit_codes": sorted(codes[name]), "wall_ms": summarize(samples[name]["wall_ms"]),
                          "cpu_ms": summarize(samples[name]["cpu_ms"])} for name in samples}
    for kind in ("wall", "cpu"):
        entry[f"ratio_{kind}_median"] = (entry["dualroot"][f"{kind}_ms"]["median"]
                                         / entry["shell"][f"{kind}_ms"]["median"])
    return entry


def base_env(**params: str) -> dict[str, str]:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "OCF_ROOT": str(paths.OCF_ROOT), "PYTHONPATH": str(REPO),
           "OCF_RESOURCE_INSTANCE": "bench", "OCF_RESKEY_CRM_meta_timeout": "60000",
           "OCF_RESKEY_CRM_meta_interval": "20000"}
    env.update({f"OCF_RESKEY_{k}": v for k, v in params.items()})
    return env


class Volume:
    """A tmpfs named after a real file ("the device"), and a tool root in which it is ocfs2."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.device = work / "disk.img"
        self.device.write_bytes(b"\0" * (1 << 20))
        self.mnt = work / "mnt"
        self.mnt.mkdir()
        self.root = work / "root"

    def mount(self) -> None:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", str(self.device), str(self.mnt)], check=True)
        self.refresh_root()

    def umount_if_needed(self) -> None:
        subprocess.run(["umount", str(self.mnt)], capture_output=True, check=False)

    def refresh_root(self) -> None:
        """/proc of the tool root: links to every real /proc/<pid>, and a mounts file saying ocfs2."""
        shutil.rmtree(self.root, ignore_errors=True)
        (self.root / "proc").mkdir(parents=True)
        for name in os.listdir("/proc"):
            if name.isdigit():
                os.symlink(f"/proc/{name}", self.root / "proc" / name)
        text = Path("/proc/mounts").read_text()
        needle = f"{self.device} {self.mnt} tmpfs"
        (self.root / "proc" / "mounts").write_text(text.replace(needle, f"{self.device} {self.mnt} ocfs2"))
        (self.root / "bin").mkdir()
        os.symlink(paths.UMOUNT, self.root / "bin" / "umount")
        top = "/" + str(self.work).strip("/").split("/")[0]  # e.g. /var: the mount point and the device
        os.symlink(top, self.root / top.lstrip("/"))

    def dualroot_env(self, level: int) -> dict[str, str]:
        env = base_env(device=str(self.device), directory=str(self.mnt))
        env.update({"DUALROOT_TOOL_ROOT": str(self.root), "OCF_CHECK_LEVEL": str(level),
                    "OCF_RESKEY_CRM_meta_on_node": "bench"})
        return env

    def filesystem_env(self, level: int) -> dict[str, str]:
        env = base_env(device=str(self.device), directory=str(self.mnt), fstype="tmpfs")
        env["OCF_CHECK_LEVEL"] = str(level)
        return env


def row(name: str, entry: dict) -> str:
    ours, theirs = entry["dualroot"], entry["shell"]  # medians: the host is shared
    return (f"| {name} | {ours['wall_ms']['median']:7.1f} | {theirs['wall_ms']['median']:7.1f} | "
            f"{entry['ratio_wall_median']:5.2f} | {ours['cpu_ms']['median']:6.1f} | "
            f"{theirs['cpu_ms']['median']:6.1f} | {entry['ratio_cpu_median']:5.2f} | "
            f"{ours['exit_codes']}/{theirs['exit_codes']} |")


def bench_monitor(volume: Volume, runs: int) -> dict[str, dict]:
    results = {}
    volume.mount()
    try:
        for level in (0, 10, 20):
            ours = ([str(REPO / "agents" / "ocfs2"), "monitor"], volume.dualroot_env(level))
            theirs = ([str(paths.FILESYSTEM_AGENT), "monitor"], volume.filesystem_env(level))
            results[f"ocfs2 monitor depth {level} vs Filesystem"] = side_by_side(ours, theirs, runs)
    finally:
        volume.umount_if_needed()
    return results


def bench_stack(work: Path, runs: int) -> dict[str, dict]:
    root = work / "stackroot"
    (root / "usr" / "sbin").mkdir(parents=True)
    stub = root / "usr" / "sbin" / "dlm_tool"
    stub.write_text("#!/bin/sh\ncase \"$1\" in\n"
                    f"status) cat <<'EOF'\n{STATUS}EOF\n;;\nls) cat <<'EOF'\n{LS}EOF\n;;\nesac\n")
    stub.chmod(0o755)
    (root / "sys" / "fs" / "ocfs2").mkdir(parents=True)
    (root / "sys" / "fs" / "ocfs2" / "cluster_stack").write_text("pcmk\n")
    os.symlink("/proc", root / "proc")
    bindir = work / "bin"
    bindir.mkdir()
    shutil.copy("/bin/sleep", bindir / "dlm_controld")
    shutil.copy(stub, bindir / "dlm_tool")
    results = {}
    ours_env = base_env()
    ours_env["DUALROOT_TOOL_ROOT"] = str(root)
    theirs_env = base_env()
    theirs_env["PATH"] = f"{bindir}:{theirs_env['PATH']}"
    ours = ([str(REPO / "agents" / "o2cb"), "monitor"], ours_env)
    theirs = ([str(paths.CONTROLD_AGENT), "monitor"], theirs_env)
    results["o2cb monitor (stopped) vs controld"] = side_by_side(ours, theirs, runs)
    daemon = subprocess.Popen([str(bindir / "dlm_controld"), "600"])
    try:
        results["o2cb monitor (running) vs controld"] = side_by_side(ours, theirs, runs)
        # A node with OCFS2 mounted has the volume's lockspace: then both dlm_tool calls run.
        (root / "sys" / "kernel" / "dlm" / "vmlab").mkdir(parents=True)
        results["o2cb monitor (running, 1 lockspace) vs controld"] = side_by_side(ours, theirs, runs)
    finally:
        daemon.kill()
        daemon.wait()
    return results


def spawn_holders(volume: Volume, count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen(["sleep", "600"], cwd=volume.mnt) for _ in range(count)]


def bench_stop(volume: Volume, holders: int, rounds: int) -> dict[str, dict]:
    results: dict[str, list[float]] = {"dualroot": [], "Filesystem": []}
    codes: dict[str, int] = {}
    for _ in range(rounds):
        for name in ("dualroot", "Filesystem"):
            volume.mount()
            procs = spawn_holders(volume, holders)
            volume.refresh_root()  # the holders' /proc entries, and the mount
            if name == "dualroot":
                argv, env = [str(REPO / "agents" / "ocfs2"), "stop"], volume.dualroot_env(0)
            else:
                argv, env = [str(paths.FILESYSTEM_AGENT), "stop"], volume.filesystem_env(0)
            start = time.perf_counter()
            proc = subprocess.run(argv, env=env, capture_output=True, check=False)
            results[name].append(time.perf_counter() - start)
            codes[name] = proc.returncode
            for p in procs:
                p.kill()
                p.wait()
            volume.umount_if_needed()
    a, b = statistics.median(results["dualroot"]), statistics.median(results["Filesystem"])
    return {f"stop, {holders} busy holders": {
        "dualroot": {"exit_codes": [codes["dualroot"]], "wall_s": summarize(results["dualroot"])},
        "shell": {"exit_codes": [codes["Filesystem"]], "wall_s": summarize(results["Filesystem"])},
        "ratio_wall_median": a / b}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--holders", type=int, default=50)
    parser.add_argument("--stop-rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "ocfs2_agent.json")
    args = parser.parse_args()
    if os.environ.get(MARK) != "1":
        env = dict(os.environ, **{MARK: "1"})
        return subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, *sys.argv],
                              env=env, check=False).returncode
    with tempfile.TemporaryDirectory(prefix="dualroot-bench-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        volume = Volume(work)
        cases = bench_monitor(volume, args.runs)
        cases.update(bench_stack(work, args.runs))
        stop = bench_stop(volume, args.holders, args.stop_rounds)
    # The floor any Python agent pays here: the interpreter starting and exiting.
    base = [run_once(BASELINE[1], {"PATH": "/usr/bin:/bin"}) for _ in range(args.runs)]
    baseline = {"command": BASELINE[0], "wall_ms": summarize([b[0] for b in base]),
                "cpu_ms": summarize([b[1] for b in base])}
    report = {
        "what": "ocf:dualroot:ocfs2 vs ocf:heartbeat:Filesystem and ocf:dualroot:o2cb vs "
                "ocf:pacemaker:controld on this host (tmpfs volume, stub dlm_tool), alternating run by run",
        "runs": args.runs, "host": platform.node(), "python": sys.version.split()[0],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_average": os.getloadavg(),
        "interpreter_baseline": baseline, "cases": {**cases, **stop},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"# {args.runs} runs per monitor case (medians, agents alternating), {args.stop_rounds} stop "
          f"rounds; agents run by their shebang ({PY} -S), work tree on PYTHONPATH")
    print("| case | dualroot ms | shell ms | wall ratio | dualroot CPU ms | shell CPU ms | CPU ratio "
          "| exit codes |")
    print("|---|---|---|---|---|---|---|---|")
    for name, entry in cases.items():
        print(row(name, entry))
    for name, entry in stop.items():
        print(f"| {name} (s) | {entry['dualroot']['wall_s']['median']:7.2f} | "
              f"{entry['shell']['wall_s']['median']:7.2f} | {entry['ratio_wall_median']:5.2f} | | | | "
              f"{entry['dualroot']['exit_codes']}/{entry['shell']['exit_codes']} |")
    print(f"| {BASELINE[0]} (interpreter floor) | {baseline['wall_ms']['median']:7.1f} | | | "
          f"{baseline['cpu_ms']['median']:6.1f} | | | |")
    print(f"(load average {os.getloadavg()[0]:.2f}; JSON: {args.json})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
