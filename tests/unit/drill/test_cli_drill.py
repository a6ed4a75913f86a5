"""`dualroot drill`: listing, bad names, and a whole run on the simulated lab with table and report."""

import functools
import json

import pytest

import dualroot.drill.execution as execution
import dualroot.lab.control as control
from dualroot.cli import main
from tests.unit.drill.sim_lab import SimLab
from tests.unit.drill.test_execution import FAST

pytestmark = pytest.mark.unit


def test_list(capsys):
    assert main(["drill", "--list"]) == 0
    out = capsys.readouterr().out
    for name in ("node_kill", "partition", "replication_cut", "dlm_kill", "standby"):
        assert name in out


def test_unknown_scenario_exits_2(capsys):
    assert main(["drill", "meteor"]) == 2
    assert "unknown drill scenario 'meteor'" in capsys.readouterr().err


@pytest.fixture
def sim_lab(tmp_path, monkeypatch):
    lab = SimLab(tmp_path)
    monkeypatch.setattr(control, "Lab", lambda: lab)
    fast = {k: v for k, v in FAST.__dict__.items() if k not in ("stack", "fsck", "poll_interval")}
    monkeypatch.setattr(execution, "DrillOptions", functools.partial(execution.DrillOptions, **fast))
    yield lab
    lab.close()
    assert lab.unexpected == []


def test_run_prints_progress_and_table_and_writes_the_report(sim_lab, tmp_path, capsys):
    report = tmp_path / "out"
    assert main(["drill", "node_kill:node1", "replication_cut", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "node_kill:node1: waiting for a healthy cluster" in out
    assert "replication_cut:node2: waiting for fencing" in out
    table = out[out.index("scenario  "):].splitlines()
    assert table[2].split()[:2] == ["node_kill:node1", "PASS"]
    assert table[3].split()[:2] == ["replication_cut:node2", "PASS"]
    doc = json.loads((report / "report.json").read_text())
    assert doc["passed"] and len(doc["scenarios"]) == 2
    assert (report / "timeline-replication_cut-node2.png").stat().st_size > 0


def test_wrong_agents_exit_1_with_the_reason(sim_lab, capsys):
    assert main(["drill", "standby", "--agents", "stock", "--no-fsck"]) == 1
    out = capsys.readouterr().out
    assert "ERROR" in out and "runs ocf:dualroot:drbd, not ocf:linbit:drbd" in out


def test_poll_must_be_positive(capsys):
    assert main(["drill", "node_kill", "--poll", "0"]) == 2
    assert "--poll must be a positive number of seconds" in capsys.readouterr().err
