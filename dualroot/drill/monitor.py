"""Watching the cluster during a drill: every node streams what it sees, each view kept with its time.

Why a stream and not a poll per ssh: under TCG an ssh handshake costs the 1-vCPU guest a noticeable
share of a second, and polling each node every second would load the very survivor whose recovery
is being timed. So each node runs one long-lived loop (one ssh session) that prints the probe's
sections followed by `@@ end`; the host stamps each view with time.time() when its end arrives. When the
stream breaks (the node was killed or fenced), the watcher records the node as unreachable and
reconnects once the node runs again.
"""

from __future__ import annotations

import shlex
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator

from dualroot.drill.cluster_state import NodeView, parse_probe, probe_script
from dualroot.drill.scenario import LabApi
from dualroot.drill.storage import LAB_STORAGE, Storage
from dualroot.errors import DualrootError

PROBE_TIMEOUT = 25.0
END_MARK = "@@ end"
STREAM_LIFETIME = 7200           # seconds: the guest loop's own bound, should the host vanish


def probe(lab: LabApi, node: str) -> NodeView:
    """What `node` sees now (one ssh round trip); a stopped or unreachable node gives reachable=False."""
    try:
        if not lab.is_running(node):
            return NodeView(node=node, time=time.time(), reachable=False)
        result = lab.script(node, probe_script(), timeout=PROBE_TIMEOUT)
    except DualrootError:
        return NodeView(node=node, time=time.time(), reachable=False)
    if not result.ok:
        return NodeView(node=node, time=time.time(), reachable=False)
    return parse_probe(node, time.time(), result.stdout, lab.storage)


def stream_argv(interval: float) -> list[str]:
    """The guest loop: the probe, an end mark, a pause; bounded in time, and it dies with its ssh."""
    body = probe_script().replace("exit 0\n", "")
    loop = (f"end=$((SECONDS+{STREAM_LIFETIME})); while [ $SECONDS -lt $end ]; do\n{body}\n"
            f"echo {shlex.quote(END_MARK)} || exit 0\nsleep {interval}\ndone\n")
    return ["bash", "-c", loop]


def views_from_stream(node: str, lines: Iterable[str], storage: Storage = LAB_STORAGE) -> Iterator[NodeView]:
    """One NodeView per `@@ end`-terminated block, stamped when its end mark arrives."""
    block: list[str] = []
    for line in lines:
        if line.rstrip("\n") == END_MARK:
            yield parse_probe(node, time.time(), "".join(block), storage)
            block = []
        else:
            block.append(line)


class Monitor:
    """Streams every node's view until stopped; one thread per node so a dead node slows no other."""

    def __init__(self, lab: LabApi, interval: float = 1.0) -> None:
        self._lab = lab
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._views: dict[str, list[NodeView]] = {node: [] for node in lab.nodes}
        self._streams: dict[str, subprocess.Popen[str]] = {}
        self._threads = [threading.Thread(target=self._follow, args=(node,), name=f"monitor-{node}",
                                          daemon=True) for node in lab.nodes]

    def __enter__(self) -> Monitor:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with self._lock:
            streams = list(self._streams.values())
        for stream in streams:
            _end(stream)
        for thread in self._threads:
            thread.join(timeout=PROBE_TIMEOUT + 5)

    def _record(self, view: NodeView) -> None:
        with self._lock:
            self._views[view.node].append(view)

    def _follow(self, node: str) -> None:
        while not self._stop.is_set():
            try:
                if not self._lab.is_running(node):
                    raise DualrootError(f"{node} is not running")
                stream = self._lab.popen(node, stream_argv(self._interval))
            except DualrootError:
                self._record(NodeView(node=node, time=time.time(), reachable=False))
                self._stop.wait(self._interval)
                continue
            with self._lock:
                self._streams[node] = stream
            assert stream.stdout is not None
            for view in views_from_stream(node, stream.stdout, self._lab.storage):
                self._record(view)
                if self._stop.is_set():
                    break
            _end(stream)
            if not self._stop.is_set():
                self._record(NodeView(node=node, time=time.time(), reachable=False))
                self._stop.wait(self._interval)

    def views(self, node: str) -> list[NodeView]:
        with self._lock:
            return list(self._views[node])

    def latest(self) -> dict[str, NodeView]:
        with self._lock:
            return {node: views[-1] for node, views in self._views.items() if views}


def _end(stream: subprocess.Popen[str]) -> None:
    if stream.poll() is None:
        stream.terminate()
        try:
            stream.wait(timeout=10.0)
        except subprocess.TimeoutExpired:
            stream.kill()
            stream.wait(timeout=10.0)


def first_detection(views: list[NodeView], lost: str, after: float) -> tuple[float | None, float | None]:
    """When the observer first saw the fault: (membership, replication) host times, None if never.

    Membership: crm_mon shows the lost node not online. Replication: DRBD is no longer Connected.
    """
    membership = replication = None
    for view in views:
        if view.time <= after or not view.reachable:
            continue
        if membership is None and view.pacemaker is not None and lost not in view.pacemaker.online:
            membership = view.time
        if replication is None and view.drbd is not None and view.drbd.connection != "Connected":
            replication = view.time
    return membership, replication
