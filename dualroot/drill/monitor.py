"""Watching the cluster during a drill: each node polled in its own thread, every view kept with its time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dualroot.drill.cluster_state import NodeView, parse_probe, probe_script
from dualroot.drill.scenario import LabApi
from dualroot.errors import DualrootError

PROBE_TIMEOUT = 25.0


def probe(lab: LabApi, node: str) -> NodeView:
    """What `node` sees now; an unreachable or stopped node gives a view with reachable=False."""
    try:
        if not lab.is_running(node):
            return NodeView(node=node, time=time.time(), reachable=False)
        result = lab.script(node, probe_script(), timeout=PROBE_TIMEOUT)
    except DualrootError:
        return NodeView(node=node, time=time.time(), reachable=False)
    if not result.ok:
        return NodeView(node=node, time=time.time(), reachable=False)
    return parse_probe(node, time.time(), result.stdout)


class Monitor:
    """Polls every node until stopped; one thread per node so a dead node does not slow the others."""

    def __init__(self, lab: LabApi, interval: float = 1.0,
                 prober: Callable[[LabApi, str], NodeView] = probe) -> None:
        self._lab = lab
        self._interval = interval
        self._prober = prober
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._views: dict[str, list[NodeView]] = {node: [] for node in lab.nodes}
        self._threads = [threading.Thread(target=self._poll, args=(node,), name=f"monitor-{node}",
                                          daemon=True) for node in lab.nodes]

    def __enter__(self) -> Monitor:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=PROBE_TIMEOUT + 5)

    def _poll(self, node: str) -> None:
        while not self._stop.is_set():
            view = self._prober(self._lab, node)
            with self._lock:
                self._views[node].append(view)
            self._stop.wait(self._interval)

    def views(self, node: str) -> list[NodeView]:
        with self._lock:
            return list(self._views[node])

    def latest(self) -> dict[str, NodeView]:
        with self._lock:
            return {node: views[-1] for node, views in self._views.items() if views}


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
