"""Bounded calls: a result, an error, or FROZEN when the call does not come back (never a hang)."""

import os
import time
from pathlib import Path

import pytest

from dualroot.ocfs2.bounded_io import (
    BLOCK,
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


def test_a_call_that_never_returns_is_frozen_and_the_child_is_killed() -> None:
    pids: list[int] = []

    def hang() -> str:
        time.sleep(60)
        return ""

    result = run_bounded(hang, 0.2)
    assert result.outcome is Outcome.FROZEN
    # The child was sent SIGKILL: no process of ours still sleeps in `hang`.
    children = [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == os.getpid()]
    pids.extend(children)
    for pid in pids:
        os.waitpid(pid, 0)  # reaps at once: it was killed


def _ppid(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])


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
