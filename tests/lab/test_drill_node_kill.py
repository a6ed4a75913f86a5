"""Lab drill: SIGKILL node2's QEMU under writers on both nodes; nothing acknowledged may be lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dualroot.drill.execution import DrillOptions, detect_stack, run_drills
from dualroot.drill.report import Verdict, render_table
from dualroot.drill.scenarios.node_kill import NodeKill

pytestmark = pytest.mark.lab


def progress(label: str, phase: str, elapsed: float) -> None:
    print(f"[{elapsed:6.1f} s] {label}: {phase}", flush=True)


def report_dir(tmp_path: Path) -> Path:
    # DUALROOT_DRILL_REPORT keeps the report (JSON + PNG) where CI can publish it
    return Path(os.environ.get("DUALROOT_DRILL_REPORT", tmp_path / "drill-report"))


def test_node_kill_loses_no_record_and_the_node_returns(lab, tmp_path):
    options = DrillOptions(stack=detect_stack(lab))
    (result,) = run_drills(lab, [NodeKill("node2")], options, report_dir=report_dir(tmp_path),
                           progress=progress)
    print(render_table([result]))
    assert result.records_written > 0
    assert result.records_lost == 0, result.reasons
    assert result.split_brain is False, result.reasons
    assert result.timings.fencing is not None, "node2 was never fenced"
    assert result.timings.survivor_first_write is not None, "node1 never wrote again"
    assert result.timings.returned is not None, "node2 did not return (UpToDate and mounted)"
    assert result.verdict is Verdict.PASS, result.reasons
    assert lab.is_running("node2")
