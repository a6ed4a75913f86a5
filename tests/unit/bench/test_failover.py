"""The failover comparison's report loading: a report narrowed to some of its scenarios."""

import json

import pytest

from tests.unit.bench import loading

pytestmark = pytest.mark.unit


NAMES = ["node_kill:node2", "replication_cut:node2"]


def report(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"scenarios": [{"name": name} for name in NAMES]}))
    return path


def test_a_report_is_taken_whole_or_narrowed_to_the_named_scenarios(tmp_path):
    bench = loading.load_bench("bench_failover")
    path = report(tmp_path)
    assert [s["name"] for s in bench.load(str(path))["scenarios"]] == NAMES
    assert [s["name"] for s in bench.load(f"{tmp_path}#replication_cut:node2")["scenarios"]] == [
        "replication_cut:node2"]


def test_a_name_the_report_lacks_is_an_error_not_an_empty_side(tmp_path):
    bench = loading.load_bench("bench_failover")
    with pytest.raises(SystemExit, match="no scenario named cold_start"):
        bench.load(f"{report(tmp_path)}#cold_start")


class FakeLab:
    """Answers the two corosync queries and the timed fence-agent calls as a lab node would."""

    def __init__(self, fence_seconds):
        self.fence_seconds = list(fence_seconds)
        self.calls = []

    def run(self, node, argv, timeout=None):
        from dualroot.command import CommandResult

        self.calls.append((node, argv))
        if argv[0].endswith("corosync-cmapctl"):
            key = argv[-1]
            value = {"runtime.config.totem.token": 3000, "runtime.config.totem.consensus": 3600}[key]
            return CommandResult(tuple(argv), 0, f"{key} (u32) = {value}\n", "", 0.1, node)
        return CommandResult(tuple(argv), 0, f"{self.fence_seconds.pop(0)}\n", "", 0.5, node)


def test_the_limit_is_read_from_the_running_lab():
    bench = loading.load_bench("bench_failover")
    lab = FakeLab([0.5, 0.3, 2.0, 0.4, 0.35])
    limit = bench.lab_limit(lab)
    assert (limit.token_ms, limit.consensus_ms, limit.fence_s) == (3000, 3600, 0.4)  # the median
    fence_calls = [argv for _, argv in lab.calls if not argv[0].endswith("corosync-cmapctl")]
    assert len(fence_calls) == bench.FENCE_SAMPLES
    assert fence_calls[0][-2:] == ["/usr/sbin/fence_vmlab", "node2"]  # asks about the peer, on node1
    assert {node for node, _ in lab.calls} == {"node1"}


def test_a_fence_agent_that_cannot_answer_stops_the_bench():
    bench = loading.load_bench("bench_failover")
    lab = FakeLab(["failed"] * 5)
    with pytest.raises(SystemExit, match="could not read node2's power status"):
        bench.lab_limit(lab)


@pytest.mark.parametrize(("exit_code", "number"), [(0, True), (2, True), (1, False)])
def test_the_guest_timer_counts_on_and_off_answers_and_nothing_else(tmp_path, exit_code, number):
    import subprocess
    import sys

    bench = loading.load_bench("bench_failover")
    agent = tmp_path / "fence_agent"
    agent.write_text(f"#!/bin/sh\n[ \"$1 $2 $3 $4\" = '-o status -n node2' ] || exit 1\nexit {exit_code}\n")
    agent.chmod(0o755)
    out = subprocess.run([sys.executable, "-c", bench.TIME_FENCE_AGENT, str(agent), "node2"],
                         capture_output=True, text=True, check=True).stdout.strip()
    if number:
        assert 0 <= float(out) < 10
    else:
        assert out == "failed"
