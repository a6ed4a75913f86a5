"""Kernel-log reading after a drill: only new lines, split-brain lines, resync size and time."""

import pytest

from dualroot.drill.post_checks import (
    HandlerRun,
    KernelLogMark,
    Resync,
    fence_peer_runs,
    new_kernel_lines,
    resync_from_kernel_logs,
    split_brain_lines,
)

pytestmark = pytest.mark.unit

LOG = ["[ 1.0] Linux version", "[ 2.0] drbd: initialized",
       "[ 3.0] drbd r0: conn( WFConnection -> Connected )"]


def test_only_lines_after_the_mark_on_the_same_boot():
    assert new_kernel_lines([*LOG, "[ 9.0] new"], KernelLogMark("b1", 3), "b1") == ["[ 9.0] new"]


def test_every_line_after_a_reboot_or_a_wrapped_buffer():
    assert new_kernel_lines(LOG, KernelLogMark("b1", 3), "b2") == LOG
    assert new_kernel_lines(LOG[:1], KernelLogMark("b1", 3), "b1") == LOG[:1]
    assert new_kernel_lines(LOG, None, "b1") == LOG


def test_split_brain_line():
    line = "[ 5.1] block drbd0: Split-Brain detected but unresolved, dropping connection!"
    assert split_brain_lines([*LOG, line]) == [line]
    assert split_brain_lines(LOG) == []


def test_resync_counted_once_from_the_target():
    logs = {
        "node1": ["[ 70.0] block drbd0: Began resync as SyncSource (will sync 65600 KB [16400 bits set]).",
                  "[ 91.0] block drbd0: Resync done (total 21 sec; paused 0 sec; 3120 K/sec)"],
        "node2": ["[ 71.0] block drbd0: Began resync as SyncTarget (will sync 65600 KB [16400 bits set]).",
                  "[ 92.0] block drbd0: Resync done (total 20 sec; paused 0 sec; 3120 K/sec)"],
    }
    assert resync_from_kernel_logs(logs) == Resync(kib=65600, seconds=21)


def test_resync_from_the_source_when_the_target_log_is_missing():
    logs = {"node1": ["block drbd0: Began resync as SyncSource (will sync 12 KB [3 bits set])."]}
    assert resync_from_kernel_logs(logs) == Resync(kib=12, seconds=0)


def test_no_resync():
    assert resync_from_kernel_logs({"node1": LOG, "node2": []}) is None


def test_fence_peer_handler_runs_are_timed_from_the_kernel_log():
    logs = {
        "node1": [
            "[  812.031200] drbd r0: PingAck did not arrive in time.",
            "[  812.040000] drbd r0: helper command: /sbin/drbdadm fence-peer r0",
            "[  814.352000] drbd r0: helper command: /sbin/drbdadm fence-peer r0 exit code 7 (0x700)",
            "[  900.000000] drbd r0: helper command: /sbin/drbdadm fence-peer r0",  # still running
        ],
        "node2": ["[ 5.0] drbd r0: helper command: /sbin/drbdadm after-resync-target r0",
                  "[ 6.0] drbd r0: helper command: /sbin/drbdadm after-resync-target r0 exit code 0 (0x0)"],
    }
    assert fence_peer_runs(logs) == (HandlerRun("node1", 2.312, 7),)
