"""The host fencing service's answers and its log, without VMs (no QEMU process = already off), and
when a killed process counts as gone."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dualroot.lab.fence_service import FenceService, parse_fence_log, process_gone, wait_gone
from dualroot.lab.layout import LabLayout

pytestmark = pytest.mark.unit


@pytest.fixture
def service(tmp_path):
    layout = LabLayout(tmp_path)
    layout.run.mkdir()
    return FenceService(layout)


def test_ping_status_and_bad_requests(service):
    assert service.answer("node1", "ping") == "PONG"
    assert service.answer("node1", "status node2") == "OFF"
    assert service.answer("node1", "reboot node3").startswith("ERR")
    assert service.answer("node1", "explode node2") == "ERR bad action"
    assert service.answer("node1", "").startswith("ERR")


def test_a_node_without_qemu_is_already_fenced(service):
    assert service.answer("node1", "reboot node2") == "OK reboot node2: already off"
    assert service.answer("node1", "off node2") == "OK off node2: already off"
    assert service.answer("node1", "on node2").startswith("ERR")


def test_stale_pidfile_of_another_process_does_not_count_as_running(service, tmp_path):
    (tmp_path / "run" / "node2.pid").write_text("1\n")  # PID 1 is not a QEMU
    assert service.answer("node1", "status node2") == "OFF"


def test_log_round_trip(service):
    service.log("node1", "reboot node2", "OK reboot node2")
    service.log("node2", "off node1", "OK off node1: already off")
    events = parse_fence_log(service.layout.fenced_log.read_text() + "garbage line\n")
    assert [(e.requester, e.action, e.target) for e in events] == [
        ("node1", "reboot", "node2"), ("node2", "off", "node1")]
    assert events[1].answer == "OK off node1: already off"
    assert events[0].time <= events[1].time


def fake_process(proc, pid, tasks, state):
    (proc / str(pid) / "task").mkdir(parents=True)
    for task in tasks:
        (proc / str(pid) / "task" / str(task)).mkdir()
    (proc / str(pid) / "stat").write_text(f"{pid} (qemu (x) y) {state} 1 2 3\n")


@pytest.mark.parametrize("tasks, state, gone", [
    ([700], "Z", True),        # the leader alone, a zombie: every file closed
    ([700], "X", True),
    ([700], "S", False),       # still running
    ([700, 701], "Z", False),  # the leader left, another thread still holds the files
])
def test_process_gone_reads_the_threads_and_the_leaders_state(tmp_path, tasks, state, gone):
    fake_process(tmp_path, 700, tasks, state)
    assert process_gone(700, tmp_path) is gone


def test_a_reaped_process_is_gone(tmp_path):
    assert process_gone(700, tmp_path)


# The real race, on real threads: the leader thread exits on its own (its cmdline reads empty then,
# which is all the pid-file check looked at) while a second thread keeps a locked file open. The
# process is not gone until that thread is, and only then is the lock free for a new owner.
HOLDER = r"""
import ctypes, fcntl, os, sys, threading, time
f = open(sys.argv[1], "w")
fcntl.flock(f, fcntl.LOCK_EX)
threading.Thread(target=lambda: time.sleep(600)).start()
print("locked", flush=True)
ctypes.CDLL(None).syscall(60, 0)  # SYS_exit: this thread only, unlike exit_group
"""


def test_a_process_whose_leader_left_is_not_gone_while_a_thread_holds_its_files(tmp_path):
    lock = tmp_path / "disk.img"
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "locked\n"
        deadline = time.monotonic() + 10
        while Path(f"/proc/{child.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert Path(f"/proc/{child.pid}/cmdline").read_bytes() == b""  # what fooled the old check
        assert not process_gone(child.pid)
        assert not wait_gone(child.pid, 0.3)
        with open(lock, "w") as probe:
            with pytest.raises(BlockingIOError):
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.kill(child.pid, signal.SIGKILL)
        assert wait_gone(child.pid, 10)
        with open(lock, "w") as probe:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free now
    finally:
        child.kill()
        child.wait()
