"""The checks after a drill: records read back on every node, split-brain, and a read-only fsck."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dualroot import paths
from dualroot.drill.cluster_state import NodeView, StackAgents, health_problems
from dualroot.drill.integrity import IntegrityResult, check_all
from dualroot.drill.monitor import probe
from dualroot.drill.scenario import LabApi
from dualroot.errors import DualrootError

# What DRBD 8.4 logs when it finds diverged data on connect (drbd_sync_handshake).
SPLIT_BRAIN_MARKERS = ("Split-Brain detected",)
FSCK_CANCELED = 32              # fsck.ocfs2's exit code when it declined to run


# --- records ------------------------------------------------------------------------------------------

def read_back(lab: LabApi, files: Mapping[str, str], readers: tuple[str, ...]
              ) -> tuple[dict[tuple[str, str], bytes], list[str]]:
    """Each writer's file (`files[writer]` = path) as each reader reads it; plus what could not be read."""
    contents: dict[tuple[str, str], bytes] = {}
    failures: list[str] = []
    for writer, path in files.items():
        for reader in readers:
            # base64: a crash can leave arbitrary bytes at the tail, which must not break the text
            # channel the lab's commands return through
            try:
                result = lab.run(reader, [paths.GUEST_BASE64, "--wrap=0", path], timeout=120.0)
            except DualrootError as exc:
                failures.append(f"{reader} could not read {path}: {exc}")
                continue
            if result.ok:
                try:
                    contents[(writer, reader)] = base64.b64decode(result.stdout.strip(), validate=True)
                except binascii.Error:
                    failures.append(f"{reader} returned undecodable contents for {path}")
            else:
                failures.append(f"{reader} could not read {path}: {result.stderr.strip()}")
    return contents, failures


def check_records(lab: LabApi, files: Mapping[str, str], acked: Mapping[str, list[int]],
                  readers: tuple[str, ...]) -> tuple[IntegrityResult, list[str]]:
    contents, failures = read_back(lab, files, readers)
    return check_all(contents, acked), failures


# --- split-brain ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KernelLogMark:
    """Where a node's kernel log stood before the fault, so only new lines are searched afterwards."""

    boot_id: str
    lines: int


def kernel_log(lab: LabApi, node: str) -> list[str]:
    result = lab.run(node, [paths.GUEST_DMESG], timeout=60.0)
    return result.stdout.splitlines() if result.ok else []


def mark_kernel_log(lab: LabApi, node: str, boot_id: str) -> KernelLogMark:
    return KernelLogMark(boot_id=boot_id, lines=len(kernel_log(lab, node)))


def new_kernel_lines(lines: list[str], mark: KernelLogMark | None, boot_id: str) -> list[str]:
    # After a reboot, or if the ring buffer wrapped, every line is new to us.
    if mark is None or mark.boot_id != boot_id or len(lines) < mark.lines:
        return lines
    return lines[mark.lines:]


def split_brain_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if any(marker in line for marker in SPLIT_BRAIN_MARKERS)]


# --- resync ---------------------------------------------------------------------------------------------

# DRBD 8.4: "Began resync as SyncTarget (will sync 12345 KB [3087 bits set])." and
# "Resync done (total 7 sec; paused 0 sec; 3072 K/sec)". Both ends log each resync, so the size is taken
# from the SyncTarget lines (the SyncSource ones only if no target line was read, e.g. it was fenced).
_WILL_SYNC = re.compile(r"Began resync as Sync(?P<side>Target|Source) \(will sync (?P<kb>\d+) KB")
_RESYNC_DONE = re.compile(r"Resync done \(total (?P<sec>\d+) sec")


@dataclass(frozen=True)
class Resync:
    kib: int                      # what DRBD said it would resync, summed over resyncs
    seconds: int                  # DRBD's own "total" of the finished resyncs


def resync_from_kernel_logs(logs: Mapping[str, list[str]]) -> Resync | None:
    """The resyncs the kernel logs show (None: no resync), counted once per resync."""
    per_side: dict[str, list[int]] = {"Target": [], "Source": []}
    done: dict[str, list[int]] = {}
    for node, lines in logs.items():
        for line in lines:
            began = _WILL_SYNC.search(line)
            if began:
                per_side[began.group("side")].append(int(began.group("kb")))
            finished = _RESYNC_DONE.search(line)
            if finished:
                done.setdefault(node, []).append(int(finished.group("sec")))
    sizes = per_side["Target"] or per_side["Source"]
    if not sizes and not done:
        return None
    # both ends log "Resync done": take the node that logged the longest total as the resync's time
    seconds = max((sum(v) for v in done.values()), default=0)
    return Resync(kib=sum(sizes), seconds=seconds)


# --- DRBD's fence-peer handler ------------------------------------------------------------------------

# DRBD 8.4 logs each handler call and its end, with the kernel's timestamps:
#   "[  812.031] drbd r0: helper command: /sbin/drbdadm fence-peer r0"
#   "[  814.352] drbd r0: helper command: /sbin/drbdadm fence-peer r0 exit code 7 (0x700)"
# DRBD suspends I/O while the handler runs, so its run time is part of every writer's stall.
_HANDLER = re.compile(r"^\[\s*(?P<ts>\d+\.\d+)\].*helper command: \S+ fence-peer \S+"
                      r"(?: exit code (?P<rc>\d+))?")


@dataclass(frozen=True)
class HandlerRun:
    node: str
    seconds: float
    exit_code: int


def fence_peer_runs(logs: Mapping[str, list[str]]) -> tuple[HandlerRun, ...]:
    """Every finished fence-peer call in the kernel logs: where, how long, and DRBD's exit code for it."""
    runs = []
    for node, lines in logs.items():
        started: float | None = None
        for line in lines:
            found = _HANDLER.search(line)
            if not found:
                continue
            stamp = float(found.group("ts"))
            if found.group("rc") is None:
                started = stamp
            elif started is not None:
                runs.append(HandlerRun(node, round(stamp - started, 3), int(found.group("rc"))))
                started = None
    return tuple(runs)


# --- fsck -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FsckResult:
    clean: bool | None            # None: not run (see note)
    note: str


def fsck_offline(lab: LabApi, node: str, agents: StackAgents, *, wait_unmounted: float,
                 wait_healthy: Callable[[str], None], fsck_timeout: float = 600.0) -> FsckResult:
    """`fsck.ocfs2 -fn` with the filesystem unmounted on every node, then mounted again.

    Why offline: fsck.ocfs2 on a mounted volume asks "Do you really want to continue" and, answered
    yes in read-only mode, may "detect invalid errors" (its own warning) because the other nodes change
    the volume under it; without -f it only looks at the clean flag. So the drill stops the filesystem
    clone through Pacemaker (target-role=Stopped: a clean unmount everywhere, DRBD and DLM stay up),
    runs the read-only full check on one node, and lets Pacemaker mount it again.
    """
    view = probe(lab, node)
    if view.pacemaker is None:
        return FsckResult(None, f"skipped: no crm_mon view on {node}")
    clone = view.pacemaker.clone_of(agents.filesystem)
    if clone is None:
        return FsckResult(None, f"skipped: no clone of {agents.filesystem} found")
    stop = lab.run(node, [paths.GUEST_CRM_RESOURCE, "--resource", clone, "--meta", "--set-parameter",
                          "target-role", "--parameter-value", "Stopped"], timeout=60.0)
    if not stop.ok:
        return FsckResult(None, f"skipped: could not stop {clone}: {stop.stderr.strip()}")
    try:
        def unmounted_everywhere() -> bool:
            return all(not probe(lab, n).mounted for n in lab.nodes)

        lab.wait_for(f"OCFS2 unmounted on every node after stopping {clone}", unmounted_everywhere,
                     wait_unmounted, interval=2.0)
        # empty stdin: should the volume be mounted after all, fsck.ocfs2 asks "continue (y/N)",
        # reads EOF and cancels (exit 32) instead of waiting for an answer (seen on the lab)
        result = lab.run(node, [paths.GUEST_FSCK_OCFS2, "-f", "-n", lab.storage.device],
                         timeout=fsck_timeout, input="")
    finally:
        lab.run(node, [paths.GUEST_CRM_RESOURCE, "--resource", clone, "--meta",
                       "--delete-parameter", "target-role"], timeout=60.0)
        wait_healthy(f"OCFS2 mounted again on every node after fsck (clone {clone})")
    # fsck.ocfs2 exit codes: 0 clean, 4 errors left uncorrected (-n answers no to every fix).
    tail = " / ".join(line.strip() for line in result.stdout.splitlines()[-3:] if line.strip())
    if result.rc == 0:
        return FsckResult(True, f"fsck.ocfs2 -fn on {node} (unmounted everywhere): clean")
    if result.rc == FSCK_CANCELED:
        return FsckResult(None, f"skipped: fsck.ocfs2 on {node} cancelled (volume still in use)")
    return FsckResult(False, f"fsck.ocfs2 -fn on {node} exit {result.rc}: {tail}")


def wait_cluster_healthy(lab: LabApi, agents: StackAgents, name: str, bound: float, *,
                         interval: float = 2.0,
                         still: Callable[[list[str]], None] | None = None) -> dict[str, NodeView]:
    """Poll every node until health_problems is empty; raise naming what was still wrong.
    `still` hears the problems after each poll that was not healthy (for progress lines)."""
    last: dict[str, NodeView] = {}
    problems: list[str] = []

    def healthy() -> bool:
        nonlocal problems
        for node in lab.nodes:
            last[node] = probe(lab, node)
        problems = health_problems(last, tuple(lab.nodes), agents)
        if problems and still is not None:
            still(problems)
        return not problems

    try:
        lab.wait_for(name, healthy, bound, interval=interval)
    except DualrootError as exc:
        raise DualrootError(f"{exc.message}; still wrong: {'; '.join(problems)}", exc.hint) from None
    return dict(last)


def stack_of(views: Mapping[str, NodeView]) -> frozenset[str]:
    """Every agent the cluster runs, as the first node with a crm_mon view reports it."""
    for view in views.values():
        if view.pacemaker is not None:
            return view.pacemaker.agents()
    return frozenset()
