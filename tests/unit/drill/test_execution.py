"""Whole drills against a simulated cluster (SimLab): real writer processes, simulated faults."""

import json

import pytest

from dualroot.cib.config import Agents
from dualroot.drill.execution import Bounds, DrillOptions, run_drills, run_scenario, successful_fence_after
from dualroot.drill.report import Verdict
from dualroot.drill.scenarios.cold_start import ColdStart
from dualroot.drill.scenarios.dlm_kill import DlmKill
from dualroot.drill.scenarios.node_kill import NodeKill
from dualroot.drill.scenarios.partition import Partition
from dualroot.drill.scenarios.rejoin_after_writes import RejoinAfterWrites
from dualroot.drill.scenarios.replication_cut import ReplicationCut
from dualroot.drill.scenarios.standby import Standby
from dualroot.errors import DualrootError
from tests.unit.drill.sim_lab import Fence, SimLab

pytestmark = pytest.mark.unit

FAST = DrillOptions(
    bounds=Bounds(healthy_before=20, writers_started=20, detection=20, fencing=20, survivor_resumes=20,
                  healthy_after=20, unmounted_for_fsck=20, fsck=20),
    poll_interval=0.05, health_interval=0.05, write_interval=0.01, keep_writing=0.3,
)


@pytest.fixture
def sim(tmp_path):
    labs = []

    def make(**options):
        lab = SimLab(tmp_path, **options)
        labs.append(lab)
        return lab

    yield make
    for lab in labs:
        lab.close()
        assert lab.unexpected == []


def phases_of(result_phases):
    return [phase for _label, phase, _elapsed in result_phases]


def test_node_kill_passes_and_measures_every_time(sim):
    lab = sim()
    seen = []
    result = run_scenario(lab, NodeKill("node2"), FAST, lambda *a: seen.append(a))
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.lost_node == "node2" and result.survivor == "node1"
    t = result.timings
    assert t.fault is not None and t.fault <= t.detection and t.fault <= t.fencing
    assert t.survivor_first_write > t.fault
    assert t.recovery_action <= t.returned
    assert result.records_written > 20 and result.records_lost == 0
    assert result.split_brain is False and result.fsck_clean is True and result.views_agree
    assert ("kill", "node2") in lab.calls and ("start_node", "node2") in lab.calls
    assert [f.target for f in result.fences] == ["node2"]
    assert {w.node for w in result.writers} == {"node1", "node2"}
    phases = phases_of(seen)
    assert phases[0] == "waiting for a healthy cluster"
    assert "waiting for fencing" in phases and phases[-1].startswith("fsck.ocfs2")


def test_lost_acknowledged_records_fail_the_drill(sim):
    lab = sim(lose_tail_on_kill=3)
    result = run_scenario(lab, NodeKill("node2"), FAST)
    assert result.verdict is Verdict.FAIL
    # the kill may land between a record's fsync and its ack: then only 2 of the 3 cut were acked
    assert result.records_lost in (2, 3)
    assert f"{result.records_lost} acknowledged records lost or damaged" in result.reasons


def test_split_brain_in_the_kernel_log_fails_the_drill(sim):
    result = run_scenario(sim(split_brain=True), NodeKill("node2"), FAST)
    assert result.verdict is Verdict.FAIL and result.split_brain is True
    assert any("Split-Brain detected" in r for r in result.reasons)


def test_fsck_errors_fail_the_drill(sim):
    result = run_scenario(sim(fsck_rc=4), NodeKill("node1"), FAST)
    assert result.verdict is Verdict.FAIL and result.fsck_clean is False
    assert result.lost_node == "node1" and result.survivor == "node2"


def test_no_fence_fails_and_still_restores_the_cluster(sim):
    lab = sim(fence_after_fault=False)
    options = DrillOptions(**{**FAST.__dict__, "bounds": Bounds(
        healthy_before=20, writers_started=20, detection=20, fencing=0.5, survivor_resumes=20,
        healthy_after=20)})
    result = run_scenario(lab, NodeKill("node2"), options)
    assert result.verdict is Verdict.FAIL
    assert "waiting for: a node fenced after the fault" in result.reasons[0]
    assert ("start_node", "node2") in lab.calls          # restored anyway
    assert result.records_lost is None


def test_partition_fences_the_cut_node_and_restores_its_links(sim):
    lab = sim()
    result = run_scenario(lab, Partition("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.lost_node == "node2"
    assert ("set_link", "node2", "cluster", True) in lab.calls
    assert result.timings.detection_membership is not None


def test_replication_cut_is_seen_by_drbd(sim):
    result = run_scenario(sim(), ReplicationCut("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.timings.detection_replication is not None


def test_dlm_kill(sim):
    result = run_scenario(sim(), DlmKill("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons


def test_standby_needs_no_fence_and_stops_the_target_writer_first(sim):
    lab = sim()
    result = run_scenario(lab, Standby("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.timings.fencing is None and result.lost_node == "node2"
    node2 = next(w for w in result.writers if w.node == "node2")
    assert node2.ack_times and max(node2.ack_times) <= result.timings.fault


def test_wrong_stack_is_an_error_before_any_fault(sim):
    lab = sim(stack=Agents.STOCK)
    result = run_scenario(lab, NodeKill("node2"), FAST)
    assert result.verdict is Verdict.ERROR
    assert "runs ocf:linbit:drbd, not ocf:dualroot:drbd" in result.reasons[0]
    assert not any(c[0] == "kill" for c in lab.calls)


def test_run_drills_writes_report_and_pngs(sim, tmp_path):
    report = tmp_path / "report"
    results = run_drills(sim(), [NodeKill("node2"), Partition("node2")], FAST, report_dir=report)
    assert [r.verdict for r in results] == [Verdict.PASS, Verdict.PASS]
    doc = json.loads((report / "report.json").read_text())
    assert [s["name"] for s in doc["scenarios"]] == ["node_kill:node2", "partition:node2"]
    for name in ("timeline-node_kill-node2.png", "timeline-partition-node2.png"):
        assert (report / name).read_bytes()[:4] == b"\x89PNG"


def test_successful_fence_after_ignores_status_calls_errors_and_old_fences():
    events = [Fence(1.0, "node1", "reboot", "node2", "OK"),
              Fence(5.0, "node1", "status", "node2", "OK on"),
              Fence(6.0, "node1", "reboot", "node2", "ERR no such node"),
              Fence(7.0, "node2", "off", "node1", "OK off node1")]
    assert successful_fence_after(events, 2.0).target == "node1"
    assert successful_fence_after(events[:3], 2.0) is None


def test_sim_lab_refuses_calls_on_a_dead_node(sim):
    lab = sim()
    lab.kill("node1")
    with pytest.raises(DualrootError):
        lab.run("node1", ["/bin/cat", "/proc/sys/kernel/random/boot_id"])


def test_fsck_cancelled_is_reported_as_skipped_not_clean(sim):
    result = run_scenario(sim(fsck_rc=32), NodeKill("node2"), FAST)
    assert result.fsck_clean is None and "cancelled" in result.fsck_note
    assert result.verdict is Verdict.PASS


def test_fsck_runs_only_unmounted_and_mounts_again(sim):
    lab = sim()
    result = run_scenario(lab, NodeKill("node2"), FAST)
    runs = [c[2] for c in lab.calls if c[0] == "run"]
    stop = next(i for i, a in enumerate(runs) if "--set-parameter" in a)
    fsck = next(i for i, a in enumerate(runs) if a[0] == "/sbin/fsck.ocfs2")
    start = next(i for i, a in enumerate(runs) if "--delete-parameter" in a)
    assert stop < fsck < start
    assert runs[fsck] == ("/sbin/fsck.ocfs2", "-f", "-n", "/dev/drbd0")
    assert runs[stop][:3] == ("/usr/sbin/crm_resource", "--resource", "fs-clone")
    assert result.fsck_clean is True and "unmounted everywhere" in result.fsck_note


def test_rejoin_after_writes_reports_the_resync_and_removes_its_bulk_file(sim):
    lab = sim()
    result = run_scenario(lab, RejoinAfterWrites("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.resync_kib == 64 + 65536 and result.resync_seconds == 7
    assert result.notes and result.notes[0].startswith("64 MiB written on node1")
    assert not list(lab.root.rglob("bulk-*"))


def test_rejoin_after_writes_writes_the_amount_it_is_given(sim):
    lab = sim()
    scenario = RejoinAfterWrites("node2", bulk_mib=16)
    assert "write 16 MiB on the survivor" in scenario.summary and "64" in RejoinAfterWrites.summary
    result = run_scenario(lab, scenario, FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.resync_kib == 64 + 16384
    assert result.notes[0].startswith("16 MiB written on node1") and "then 16 MiB" in result.fault_description


def test_cold_start_powers_off_every_node_and_times_the_boot(sim):
    lab = sim()
    result = run_scenario(lab, ColdStart("node2"), FAST)
    assert result.verdict is Verdict.PASS, result.reasons
    assert result.lost_node is None and result.survivor is None
    assert result.timings.returned > result.timings.recovery_action > result.timings.fault
    assert [c for c in lab.calls if c[0] == "start_node"] == [("start_node", "node1"),
                                                              ("start_node", "node2")]
    assert result.records_lost == 0 and result.records_written > 0
