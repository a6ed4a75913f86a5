"""The monitor: stream framing, the real guest loop run on this machine, detection times."""

import subprocess
import time

import pytest

from dualroot.drill.cluster_state import NodeView
from dualroot.drill.monitor import END_MARK, Monitor, first_detection, stream_argv, views_from_stream
from dualroot.drill.storage import LAB_STORAGE
from dualroot.errors import DualrootError
from dualroot.lab.cluster_view import PacemakerView, drbd_minor

pytestmark = pytest.mark.unit


def test_stream_is_cut_into_views_at_each_end_mark():
    lines = ["@@ proc_drbd\n", " 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n",
             "@@ boot_id\n", "b1\n", f"{END_MARK}\n",
             "@@ proc_drbd\n", " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r---\n",
             "@@ boot_id\n", "b1\n", f"{END_MARK}\n", "@@ proc_drbd\n"]   # last block unfinished
    views = list(views_from_stream("node1", lines))
    assert [v.drbd.connection for v in views] == ["Connected", "WFConnection"]
    assert all(v.reachable and v.boot_id == "b1" for v in views)


class LocalLab:
    """Runs the monitor's guest loop on this machine (bash, cat /proc/..., crm_mon without a cluster)."""

    nodes = ("node1",)
    storage = LAB_STORAGE

    def __init__(self):
        self.started = []

    def is_running(self, node):
        return True

    def popen(self, node, argv):
        assert argv[:2] == ["bash", "-c"], argv
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL, text=True)
        self.started.append(proc)
        return proc


def test_the_real_guest_loop_streams_views_until_stopped():
    lab = LocalLab()
    with Monitor(lab, interval=0.05) as monitor:
        deadline = time.monotonic() + 30
        while len(monitor.views("node1")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    views = monitor.views("node1")
    assert len(views) >= 3
    assert all(v.reachable for v in views)           # the boot_id section arrived every time
    assert views[0].boot_id and views[0].boot_id == views[-1].boot_id
    assert [p.poll() is not None for p in lab.started] == [True]   # the loop was ended


def test_stream_argv_bounds_the_loop():
    argv = stream_argv(1.0)
    assert argv[:2] == ["bash", "-c"]
    assert "while [ $SECONDS -lt $end ]" in argv[2] and "sleep 1.0" in argv[2]
    assert "\nexit 0\n" not in argv[2]      # the probe's own exit would end the loop


class DeadLab:
    nodes = ("node2",)

    def is_running(self, node):
        return False

    def popen(self, node, argv):
        raise DualrootError("not running")


def test_a_stopped_node_is_recorded_unreachable():
    with Monitor(DeadLab(), interval=0.02) as monitor:
        time.sleep(0.1)
    assert monitor.views("node2") and not any(v.reachable for v in monitor.views("node2"))


def view(t, online=("node1", "node2"), cs="Connected", reachable=True):
    drbd = drbd_minor(f" 0: cs:{cs} ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n")
    pcmk = PacemakerView(frozenset(online), frozenset(), frozenset(), ())
    return NodeView("node1", t, reachable, pcmk, drbd, True, "b")


def test_detection_times():
    views = [view(1.0), view(2.0), view(3.0, cs="WFConnection"), view(4.0, online=("node1",)),
             view(5.0, online=("node1",))]
    assert first_detection(views, "node2", after=1.5) == (4.0, 3.0)
    assert first_detection(views, "node2", after=5.0) == (None, None)


def test_detection_ignores_views_before_the_fault_and_unreachable_ones():
    views = [view(1.0, online=("node1",)), view(3.0, cs="StandAlone", reachable=False), view(4.0)]
    assert first_detection(views, "node2", after=2.0) == (None, None)
