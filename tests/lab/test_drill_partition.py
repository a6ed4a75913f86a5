"""Lab drill: cut node2's cluster and replication links; one node is fenced, nothing acked is lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dualroot.drill.execution import DrillOptions, detect_stack, run_drills
from dualroot.drill.report import Verdict, render_table
from dualroot.drill.scenarios.partition import Partition

pytestmark = pytest.mark.lab


def progress(label: str, phase: str, elapsed: float) -> None:
    print(f"[{elapsed:6.1f} s] {label}: {phase}", flush=True)


def report_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("DUALROOT_DRILL_REPORT", tmp_path / "drill-report"))


def test_partition_loses_no_record_and_the_cluster_heals(lab, tmp_path):
    options = DrillOptions(stack=detect_stack(lab))
    (result,) = run_drills(lab, [Partition("node2")], options, report_dir=report_dir(tmp_path),
                           progress=progress)
    print(render_table([result]))
    assert result.records_written > 0
    assert result.records_lost == 0, result.reasons
    assert result.split_brain is False, result.reasons
    assert result.lost_node in lab.nodes, "nobody was fenced"
    assert result.timings.returned is not None, f"{result.lost_node} did not return"
    assert result.verdict is Verdict.PASS, result.reasons
    assert all(lab.is_running(node) for node in lab.nodes)
