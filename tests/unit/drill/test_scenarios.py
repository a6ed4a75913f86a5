"""Each scenario's fault and its undoing, against a lab fake that fails on any unscripted call."""

import pytest

from dualroot import paths
from dualroot.drill.scenarios import SCENARIOS, resolve
from dualroot.drill.scenarios.dlm_kill import DlmKill
from dualroot.drill.scenarios.node_kill import NodeKill
from dualroot.drill.scenarios.partition import Partition
from dualroot.drill.scenarios.replication_cut import ReplicationCut
from dualroot.drill.scenarios.standby import Standby
from dualroot.errors import DualrootError
from tests.unit.drill.sim_lab import Result, StrictLab

pytestmark = pytest.mark.unit


def test_node_kill_kills_the_target_and_boots_it_again():
    lab = StrictLab()
    fault = NodeKill("node2").inject(lab)
    assert fault.time == 123.0 and fault.target == "node2"
    NodeKill("node2").restore(lab, loser="node2")
    assert lab.calls == [("kill", "node2"), ("start_node", "node2")]


def test_node_kill_restore_does_not_start_a_running_node():
    lab = StrictLab()
    NodeKill("node1").restore(lab, loser="node1")
    assert lab.calls == []


def test_partition_cuts_both_links_and_restores_them():
    lab = StrictLab()
    fault = Partition("node2").inject(lab)
    assert fault.target == "node2"
    Partition("node2").restore(lab, loser="node2")
    assert lab.calls == [
        ("set_link", "node2", "replication", False), ("set_link", "node2", "cluster", False),
        ("set_link", "node2", "cluster", True), ("set_link", "node2", "replication", True),
    ]


def test_partition_won_by_the_cut_node_restores_its_links_and_boots_a_stopped_loser():
    lab = StrictLab(running={"node1": False, "node2": True})
    Partition("node2").restore(lab, loser="node1")
    assert lab.calls == [("set_link", "node2", "cluster", True),
                         ("set_link", "node2", "replication", True), ("start_node", "node1")]


def test_partition_of_a_node_fenced_off_boots_it():
    lab = StrictLab(running={"node1": True, "node2": False})
    Partition("node2").restore(lab, loser="node2")
    assert lab.calls == [("start_node", "node2")]


def test_replication_cut_touches_only_the_replication_link():
    lab = StrictLab()
    ReplicationCut("node1").inject(lab)
    ReplicationCut("node1").restore(lab, loser="node1")
    assert lab.calls == [("set_link", "node1", "replication", False),
                         ("set_link", "node1", "replication", True)]


def test_dlm_kill_signals_the_daemon_by_pid():
    pidof = ("node2", (paths.GUEST_PIDOF, "dlm_controld"))
    kill = ("node2", (paths.GUEST_KILL, "-KILL", "811"))
    lab = StrictLab(answers={pidof: Result(0, "811\n"), kill: Result(0)})
    fault = DlmKill("node2").inject(lab)
    assert "pid 811" in fault.description
    assert [c[2] for c in lab.calls] == [pidof[1], kill[1]]


def test_dlm_kill_refuses_when_the_daemon_is_not_running():
    lab = StrictLab(answers={("node2", (paths.GUEST_PIDOF, "dlm_controld")): Result(1)})
    with pytest.raises(DualrootError, match="dlm_controld is not running on node2"):
        DlmKill("node2").inject(lab)


def standby_argv(value):
    return (paths.GUEST_CRM_ATTRIBUTE, "--node", "node2", "--name", "standby", "--update", value,
            "--lifetime", "forever")


def test_standby_and_back():
    lab = StrictLab(answers={("node2", standby_argv("on")): Result(0),
                             ("node2", standby_argv("off")): Result(0)})
    scenario = Standby("node2")
    assert not scenario.expects_fencing and scenario.stops_target_writer_first
    scenario.inject(lab)
    scenario.restore(lab, loser="node2")
    assert [c[2][-3] for c in lab.calls] == ["on", "off"]


def test_standby_failure_is_an_error_naming_the_node():
    lab = StrictLab(answers={("node2", standby_argv("on")): Result(1, "", "Could not connect")})
    with pytest.raises(DualrootError, match="standby=on for node2 failed: Could not connect"):
        Standby("node2").inject(lab)


def test_strict_lab_fails_on_unexpected_calls():
    with pytest.raises(AssertionError):
        StrictLab().run("node1", ["rm", "-rf", "/"])
    with pytest.raises(AssertionError):
        StrictLab().popen("node1", ["true"])


def test_resolve_default_set_kills_each_node_in_turn():
    labels = [s.label for s in resolve([], ("node1", "node2"))]
    assert labels == ["node_kill:node1", "node_kill:node2", "partition:node2",
                      "replication_cut:node2", "dlm_kill:node2", "standby:node2",
                      "rejoin_after_writes:node2", "cold_start:node2"]


def test_resolve_names_and_targets():
    assert [s.label for s in resolve(["node_kill", "partition:node1"], ("node1", "node2"))] == [
        "node_kill:node2", "partition:node1"]


@pytest.mark.parametrize(("spec", "message"), [
    ("nonsense", "unknown drill scenario 'nonsense'"),
    ("node_kill:node9", "names node 'node9'"),
])
def test_resolve_refuses_bad_names(spec, message):
    with pytest.raises(DualrootError, match=message):
        resolve([spec], ("node1", "node2"))


def test_every_scenario_has_a_name_and_summary():
    for name, cls in SCENARIOS.items():
        assert cls.name == name and cls.summary
