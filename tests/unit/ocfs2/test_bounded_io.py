"""Bounded calls: a result, an error, or FROZEN when the call does not come back (never a hang)."""

import os
import signal
import time
from pathlib import Path

import pytest

from dualroot.ocfs2.bounded_io import (
    BLOCK,
    BoundedSteps,
    Outcome,
    read_direct,
    run_bounded,
    stat_path,
    status_file_roundtrip,
)

pytestmark = pytest.mark.unit


def test_done_with_payload() -> None:
    assert run_bounded(lambda: "hello", 5).outcome is Outcome.DONE
    assert run_bounded(lambda: "hello", 5).detail == "hello"


def test_oserror_is_failed_with_its_text(tmp_path: Path) -> None:
    result = run_bounded(stat_path(str(tmp_path / "absent")), 5)
    assert result.outcome is Outcome.FAILED
    assert "No such file" in result.detail


def test_a_call_that_never_returns_is_frozen_and_the_child_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    forked = _counting_forks(monkeypatch)

    def hang() -> str:
        time.sleep(60)
        return ""

    started = time.monotonic()
    result = run_bounded(hang, 0.2)
    assert result.outcome is Outcome.FROZEN
    assert time.monotonic() - started < 5
    # The child was sent SIGKILL: once reaped it died of that signal, long before its 60 s sleep ends.
    # Only this child is waited for: the test process may have others (a lab tier's QEMU, ssh masters).
    [pid] = forked
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return  # run_bounded reaped it already, which it does only for a child that died at once
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_status_file_roundtrip_with_o_direct(tmp_path: Path) -> None:
    path = tmp_path / ".dualroot-status" / "node1"
    result = run_bounded(status_file_roundtrip(str(path), "node1 1234"), 10)
    assert result.outcome is Outcome.DONE, result.detail
    assert path.read_bytes().startswith(b"node1 1234\n")
    assert path.stat().st_size == BLOCK


def test_status_file_in_a_missing_tree_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_bounded(status_file_roundtrip(str(blocker / "sub" / "node1"), "x"), 10)
    assert result.outcome is Outcome.FAILED


def test_read_direct_from_a_file_standing_in_for_a_device(tmp_path: Path) -> None:
    device = tmp_path / "disk.img"
    device.write_bytes(b"\0" * BLOCK * 2)
    result = run_bounded(read_direct(str(device)), 10)
    assert result.outcome is Outcome.DONE and result.detail == str(BLOCK)
    assert run_bounded(read_direct(str(tmp_path / "absent")), 10).outcome is Outcome.FAILED


def _counting_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    forked: list[int] = []
    real_fork = os.fork

    def recording_fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recording_fork)
    return forked


def test_steps_answer_in_order_from_one_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    forked = _counting_forks(monkeypatch)
    device = tmp_path / "device"
    device.write_bytes(b"\0" * BLOCK * 2)
    status = str(tmp_path / "s" / "n1")
    steps = BoundedSteps([read_direct(str(device)), status_file_roundtrip(status, "n1 r")])
    try:
        first, second = steps.next_result(10), steps.next_result(10)
    finally:
        steps.close()
    assert (first.outcome, first.detail) == (Outcome.DONE, str(BLOCK))
    assert (second.outcome, second.detail) == (Outcome.DONE, "n1 r")
    assert len(forked) == 1


def test_steps_stop_at_the_first_failure(tmp_path: Path) -> None:
    later = tmp_path / "later" / "file"
    steps = BoundedSteps([read_direct(str(tmp_path / "absent")), status_file_roundtrip(str(later), "x")])
    try:
        first = steps.next_result(10)
        second = steps.next_result(10)
    finally:
        steps.close()
    assert first.outcome is Outcome.FAILED and "No such file" in first.detail
    assert second.outcome is Outcome.FAILED and second.detail == "the check died"  # no answer follows
    assert not later.exists()  # the second call never ran


def test_a_later_step_that_hangs_is_frozen_and_the_child_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    forked = _counting_forks(monkeypatch)

    def hang() -> str:
        time.sleep(60)
        return ""

    steps = BoundedSteps([lambda: "quick", hang])
    started = time.monotonic()
    try:
        assert steps.next_result(10).outcome is Outcome.DONE
        assert steps.next_result(0.2).outcome is Outcome.FROZEN
    finally:
        steps.close()
    assert time.monotonic() - started < 5
    [pid] = forked
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return  # reaped already, which happens only for a child that died at once
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
