"""Fakes of dualroot.lab.control.Lab for the drill's unit tests.

StrictLab answers only the calls a test scripted and fails on any other. SimLab simulates a two-node
cluster well enough for a whole drill: the guest writers are the real writer program run on this
machine (the guest's /srv/ocfs2 maps to a temporary folder), kills and link cuts change what the nodes
report, and the fencing service logs its answers. Any call it does not understand is recorded and fails.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dualroot import paths
from dualroot.cib.config import Agents
from dualroot.drill import records
from dualroot.drill.cluster_state import AGENTS
from dualroot.drill.storage import LAB_STORAGE
from dualroot.errors import DualrootError

NODES = ("node1", "node2")


@dataclass(frozen=True)
class Result:
    rc: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0


@dataclass(frozen=True)
class Fence:
    time: float
    requester: str
    action: str
    target: str
    answer: str


def wait_for(name, predicate, timeout, interval=1.0):
    started = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise DualrootError(f"timed out after {timeout:.0f} s waiting for: {name}")
        time.sleep(min(interval, 0.05))


class StrictLab:
    """Every call is appended to `calls`; a call with no scripted answer raises AssertionError."""

    nodes = NODES
    storage = LAB_STORAGE

    def __init__(self, answers=None, running=None):
        self.answers = dict(answers or {})
        self.running = dict(running or {n: True for n in NODES})
        self.calls = []

    def run(self, node, argv, timeout=60.0, input=None):
        self.calls.append(("run", node, tuple(argv)))
        key = (node, tuple(argv))
        if key not in self.answers:
            raise AssertionError(f"unexpected run on {node}: {argv}")
        return self.answers[key]

    def kill(self, node):
        self.calls.append(("kill", node))
        self.running[node] = False
        return 123.0

    def start_node(self, node):
        self.calls.append(("start_node", node))
        self.running[node] = True

    def set_link(self, node, link, up):
        assert link in ("cluster", "replication"), link
        self.calls.append(("set_link", node, link, up))

    def is_running(self, node):
        return self.running[node]

    def __getattr__(self, name):
        raise AssertionError(f"unexpected call: lab.{name}")


def crm_mon_xml(online, promoted, mounted, stack=Agents.DUALROOT):
    agents = AGENTS[stack]
    root = etree.Element("pacemaker-result")
    nodes = etree.SubElement(root, "nodes")
    for n in NODES:
        etree.SubElement(nodes, "node", name=n, online="true" if n in online else "false",
                         pending="false", unclean="false")
    resources = etree.SubElement(root, "resources")
    for clone_id, agent, role, where in (
        ("drbd-clone", agents.drbd, "Promoted", promoted),
        ("stack-clone", agents.cluster_stack, "Started", promoted),
        ("fs-clone", agents.filesystem, "Started", mounted),
    ):
        clone = etree.SubElement(resources, "clone", id=clone_id)
        for n in NODES:
            active = n in where
            res = etree.SubElement(clone, "resource", id=clone_id.split("-")[0], resource_agent=agent,
                                   role=role if active else "Stopped", failed="false")
            if active:
                etree.SubElement(res, "node", name=n)
    return etree.tostring(root, encoding="unicode")


class SimLab:
    """A simulated two-node cluster. Options decide how it misbehaves."""

    nodes = NODES
    storage = LAB_STORAGE

    def __init__(self, tmp_path: Path, *, fence_after_fault=True, lose_tail_on_kill=0,
                 split_brain=False, fsck_rc=0, stack=Agents.DUALROOT):
        self.root = tmp_path / "ocfs2"
        self.root.mkdir()
        self.stack = stack
        self.fence_after_fault = fence_after_fault
        self.lose_tail_on_kill = lose_tail_on_kill
        self.split_brain = split_brain
        self.fsck_rc = fsck_rc
        self.lock = threading.RLock()
        self.running = {n: True for n in NODES}
        self.links = {(n, link): True for n in NODES for link in ("cluster", "replication")}
        self.standby = {n: False for n in NODES}
        self.fs_stopped = False
        self.resync_kib = 64
        self.boots = {n: 1 for n in NODES}
        self.fenced_pending: dict[str, float] = {}      # node -> time its fence completes
        self.events: list[Fence] = []
        self.procs: dict[str, list[subprocess.Popen]] = {n: [] for n in NODES}
        self.unexpected: list[str] = []
        self.calls: list[tuple] = []

    # --- state ---------------------------------------------------------------------------------
    def _alive(self, n):
        return self.running[n] and n not in self.fenced_pending

    def _joined(self, n):
        return self._alive(n) and all(self.links[(n, link)] for link in ("cluster", "replication"))

    def _other(self, n):
        return NODES[1 - NODES.index(n)]

    def _settle(self):
        """Complete fences whose time has come (a reboot restarts the node, with a new boot id)."""
        now = time.time()
        for node, when in list(self.fenced_pending.items()):
            if now >= when:
                del self.fenced_pending[node]
                self._kill_writers(node)
                self.boots[node] += 1
                answer = (f"OK reboot {node}: already off" if not self.running[node]
                          else f"OK reboot {node} (system_reset)")
                self.events.append(Fence(now, self._other(node), "reboot", node, answer))

    def _schedule_fence(self, node):
        if self.fence_after_fault:
            self.fenced_pending[node] = time.time() + 0.3

    def _kill_writers(self, node):
        for proc in self.procs[node]:
            if proc.poll() is None:
                proc.kill()

    def guest_path(self, path):
        prefix = paths.GUEST_OCFS2_MOUNT
        assert path.startswith(prefix + "/"), path
        return self.root / path[len(prefix) + 1:]

    # --- the Lab API ---------------------------------------------------------------------------
    def _fail(self, what):
        self.unexpected.append(what)
        raise AssertionError(f"unexpected call: {what}")

    def is_running(self, node):
        return self.running[node]

    def wait_for(self, name, predicate, timeout, interval=1.0):
        return wait_for(name, predicate, timeout, interval)

    def fence_events(self):
        with self.lock:
            self._settle()
            return list(self.events)

    def kill(self, node):
        with self.lock:
            self.calls.append(("kill", node))
            self.running[node] = False
            self._kill_writers(node)
            if self.lose_tail_on_kill:
                # the crash "loses" acknowledged records: cut the node's file short
                for f in self.root.rglob(f"{node}.rec"):
                    data = f.read_bytes().splitlines(keepends=True)
                    f.write_bytes(b"".join(data[: -self.lose_tail_on_kill]))
            self._schedule_fence(node)
            return time.time()

    def start_node(self, node):
        with self.lock:
            self.calls.append(("start_node", node))
            if self.running[node]:
                self._fail(f"start_node({node}) while running")
            self.running[node] = True
            self.boots[node] += 1

    def set_link(self, node, link, up):
        with self.lock:
            self.calls.append(("set_link", node, link, up))
            if not self.running[node]:
                self._fail(f"set_link on stopped {node}")
            self.links[(node, link)] = up
            if not up and link == "replication" and node not in self.fenced_pending:
                self._schedule_fence(node)

    def put(self, node, local, remote, timeout=120.0):
        self.calls.append(("put", node, remote))
        if Path(local).resolve() != Path(records.__file__).resolve() or \
                remote != paths.GUEST_WRITER_SCRIPT:
            self._fail(f"put {local} {remote}")

    def popen(self, node, argv):
        with self.lock:
            if not self._alive(node):
                raise DualrootError(f"{node} is not running")
            if list(argv[:2]) == ["bash", "-c"] and "echo '@@ crm_mon'" in argv[2]:
                return SimStream(self, node)
            if list(argv[:2]) != [paths.GUEST_PYTHON, paths.GUEST_WRITER_SCRIPT]:
                self._fail(f"popen {argv}")
            args = [str(self.guest_path(argv[2])), *argv[3:]]
            proc = subprocess.Popen([sys.executable, records.__file__, *args],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, text=True, bufsize=1)
            self.procs[node].append(proc)
            return proc

    def script(self, node, text, timeout=60.0):
        with self.lock:
            self._settle()
            if not self._alive(node):
                raise DualrootError(f"{node} is not running")
            if text.startswith("echo '@@ crm_mon'"):
                return Result(0, self._probe(node))
            stop = re.search(r"&& \S+ -TERM (\d+); exit 0", text)
            if stop:
                pid = int(stop.group(1))
                for proc in self.procs[node]:
                    if proc.pid == pid and proc.poll() is None:
                        os.kill(pid, signal.SIGTERM)
                return Result(0)
            self._fail(f"script on {node}: {text!r}")
            raise AssertionError

    def _probe(self, node):
        joined = [n for n in NODES if self._joined(n)]
        online = joined if node in joined else [node]
        mounted = [] if self.fs_stopped else [n for n in online if not self.standby[n]]
        connected = all(self._joined(n) for n in NODES)
        drbd = (" 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----" if connected
                else " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----")
        mounts = "/dev/drbd0 /srv/ocfs2 ocfs2 rw 0 0" if node in mounted else ""
        return (f"@@ crm_mon\n{crm_mon_xml(online, online, mounted, self.stack)}\n@@ proc_drbd\n"
                f"{drbd}\n@@ mounts\n{mounts}\n@@ boot_id\nboot-{node}-{self.boots[node]}\n")

    def run(self, node, argv, timeout=60.0, input=None):
        with self.lock:
            self._settle()
            self.calls.append(("run", node, tuple(argv)))
            if not self._alive(node):
                raise DualrootError(f"{node} is not running")
            argv = list(argv)
            if argv[0] == paths.GUEST_CAT and argv[1] == paths.GUEST_BOOT_ID:
                return Result(0, f"boot-{node}-{self.boots[node]}\n")
            if argv[:2] == [paths.GUEST_BASE64, "--wrap=0"]:
                try:
                    return Result(0, base64.b64encode(self.guest_path(argv[2]).read_bytes()).decode())
                except FileNotFoundError:
                    return Result(1, "", f"base64: {argv[2]}: No such file or directory")
            if argv == [paths.GUEST_DMESG]:
                lines = ["[    1.0] Linux version 6.1.0"]
                if self.boots[node] > 1:
                    lines.append("[   80.0] block drbd0: Began resync as SyncTarget "
                                 f"(will sync {self.resync_kib} KB [16 bits set]).")
                    lines.append("[   87.0] block drbd0: Resync done (total 7 sec; paused 0 sec; "
                                 "3072 K/sec)")
                if self.split_brain and self.boots[node] > 1:
                    lines.append("[   99.0] drbd r0: Split-Brain detected but unresolved, dropping")
                return Result(0, "\n".join(lines) + "\n")
            if argv[0] == paths.GUEST_CRM_RESOURCE and "--set-parameter" in argv:
                self.fs_stopped = True
                return Result(0)
            if argv[0] == paths.GUEST_CRM_RESOURCE and "--delete-parameter" in argv:
                self.fs_stopped = False
                return Result(0)
            if argv[0] == paths.GUEST_FSCK_OCFS2:
                if not self.fs_stopped:
                    self._fail("fsck while mounted")
                return Result(self.fsck_rc, "Pass 5: Checking quota files.\nAll passes succeeded.\n")
            if argv == [paths.GUEST_PIDOF, "dlm_controld"]:
                return Result(0, "4242\n")
            if argv == [paths.GUEST_KILL, "-KILL", "4242"]:
                self._schedule_fence(node)
                return Result(0)
            if argv[0] == paths.GUEST_DD:
                out = self.guest_path(argv[2].removeprefix("of="))
                out.write_bytes(b"\0" * 1024)
                count = next(a for a in argv if a.startswith("count=")).removeprefix("count=")
                self.resync_kib += int(count) * 1024  # dd bs=1M: what DRBD would resync
                return Result(0)
            if argv[:2] == [paths.GUEST_RM, "-f"]:
                self.guest_path(argv[2]).unlink()
                return Result(0)
            if argv == [paths.GUEST_SYSTEMCTL, "--no-block", "poweroff"]:
                self.running[node] = False
                self._kill_writers(node)
                return Result(0)
            if argv[0] == paths.GUEST_CRM_ATTRIBUTE:
                self.standby[node] = argv[argv.index("--update") + 1] == "on"
                return Result(0)
            self._fail(f"run on {node}: {argv}")
            raise AssertionError

    def close(self):
        for procs in self.procs.values():
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                for stream in (proc.stdout, proc.stderr):
                    if stream:
                        stream.close()


class SimStream:
    """The monitor's stream from a simulated node: a probe and `@@ end` every 20 ms while it lives."""

    def __init__(self, lab: SimLab, node: str) -> None:
        read_fd, write_fd = os.pipe()
        self.stdout = os.fdopen(read_fd, "r")
        self._out = os.fdopen(write_fd, "w")
        self._lab, self._node = lab, node
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def _feed(self):
        try:
            while not self._ended.is_set():
                with self._lab.lock:
                    self._lab._settle()
                    if not self._lab._alive(self._node):
                        break
                    text = self._lab._probe(self._node)
                self._out.write(text + "@@ end\n")
                self._out.flush()
                self._ended.wait(0.02)
        except (BrokenPipeError, ValueError):
            pass
        finally:
            self._ended.set()
            try:
                self._out.close()
            except BrokenPipeError:
                pass

    def poll(self):
        return 0 if self._ended.is_set() and not self._thread.is_alive() else None

    def terminate(self):
        self._ended.set()
        self._thread.join(timeout=5)

    kill = terminate

    def wait(self, timeout=None):
        self._thread.join(timeout=timeout)
        return 0
