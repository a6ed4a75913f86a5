"""The lab cluster's health from the guests' machine output (/proc/drbd 8.4, /proc/mounts, crm_mon XML),
through a fake lab that fails on any command the health check should not run."""

from __future__ import annotations

import pytest

from dualroot.command import CommandResult
from dualroot.lab.health import NodeHealth, cluster_health, crm_status, parse_proc_drbd

pytestmark = pytest.mark.unit

PROC_DRBD = """version: 8.4.11 (api:1/proto:86-101)
srcversion: F73C670A7EC572DB9CF3E5B
 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----
    ns:12 nr:8 dw:20 dr:1000 al:1 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
"""
MOUNTS = ("/dev/vda / ext4 rw,relatime 0 0\n"
          "/dev/drbd0 /srv/ocfs2 ocfs2 rw,noatime,heartbeat=none,cluster_stack=pcmk 0 0\n")

CRM_MON = """<pacemaker-result api-version="2.25" request="crm_mon --output-as=xml">
  <summary><current_dc present="true" version="2.1.5" name="node1" id="1" with_quorum="true"/></summary>
  <nodes>
    <node name="node1" id="1" online="true" standby="false" type="member"/>
    <node name="node2" id="2" online="false" standby="false" type="member"/>
  </nodes>
  <resources>
    <clone id="r0-clone" multi_state="true" unique="false" failed="false">
      <resource id="r0" resource_agent="ocf:linbit:drbd" role="Promoted" active="true" failed="false">
        <node name="node1" id="1" cached="true"/>
      </resource>
      <resource id="r0" resource_agent="ocf:linbit:drbd" role="Stopped" active="false" failed="false"/>
    </clone>
    <resource id="fence_node2" resource_agent="stonith:fence_vmlab" role="Started" failed="true">
      <node name="node1" id="1" cached="true"/>
    </resource>
  </resources>
  <status code="0" message="OK"/>
</pacemaker-result>"""

# the same cluster once node2 is back and the fence device recovered
CRM_MON_HEALTHY = CRM_MON.replace('online="false"', 'online="true"').replace(
    'failed="true"', 'failed="false"')

CAT = ("cat", "/proc/drbd", "/proc/mounts")
CRM_MON_ARGV = ("crm_mon", "--output-as=xml", "--one-shot", "--inactive")


class FakeLab:
    """Two running nodes answering the health check's two commands; any other command fails the test."""

    nodes = ("node1", "node2")

    def __init__(self, answers: dict[tuple[str, tuple[str, ...]], tuple[int, str]]) -> None:
        self.answers = answers

    def is_running(self, node: str) -> bool:
        return True

    def run(self, node: str, argv, timeout: float = 60.0) -> CommandResult:
        key = (node, tuple(argv))
        assert key in self.answers, f"unexpected command on {node}: {argv}"
        rc, stdout = self.answers[key]
        return CommandResult(tuple(argv), rc, stdout, "", 0.0, node)


def lab_answering(crm: str, drbd: str = PROC_DRBD, crm_rc: int = 0) -> FakeLab:
    answers = {}
    for node in FakeLab.nodes:
        answers[(node, CAT)] = (0, drbd + MOUNTS)
        answers[(node, CRM_MON_ARGV)] = (crm_rc, crm)
    return FakeLab(answers)


def test_proc_drbd_84():
    [state] = parse_proc_drbd(PROC_DRBD)
    assert (state.minor, state.connection) == (0, "Connected")
    assert (state.role, state.peer_role) == ("Primary", "Primary")
    assert (state.disk, state.peer_disk) == ("UpToDate", "UpToDate")


def test_proc_drbd_disconnected_peer():
    text = " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n"
    [state] = parse_proc_drbd(text)
    assert (state.connection, state.peer_role, state.peer_disk) == ("WFConnection", "Unknown", "DUnknown")
    assert not NodeHealth("node1", True, True, state, True).healthy


def test_crm_mon_nodes_dc_and_roles():
    crm = crm_status(lab_answering(CRM_MON), "node1")
    assert crm is not None
    assert crm.online == {"node1"}
    assert crm.offline == {"node2"}
    assert crm.dc == "node1"
    assert crm.roles_on("node1", ":drbd") == ["Promoted"]
    assert crm.roles_on("node2", ":drbd") == []
    assert [i.resource_id for i in crm.instances if i.failed] == ["fence_node2"]


def test_failed_crm_mon_gives_no_status():
    assert crm_status(lab_answering(CRM_MON, crm_rc=102), "node1") is None
    assert crm_status(lab_answering(CRM_MON[:200]), "node1") is None


def test_healthy_cluster():
    health = cluster_health(lab_answering(CRM_MON_HEALTHY))
    assert health.healthy, health.problems
    assert health.problems == ()
    assert all(n.healthy and n.mounted for n in health.nodes)


def test_offline_node_and_failed_resource_are_problems():
    health = cluster_health(lab_answering(CRM_MON))
    assert not health.healthy
    assert "fence_node2 failed on node1" in health.problems
    assert "node2 offline" in health.problems


def test_disconnected_drbd_is_unhealthy():
    drbd = " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n"
    health = cluster_health(lab_answering(CRM_MON_HEALTHY, drbd=drbd))
    assert not health.healthy
    assert any(p.startswith("node1: drbd") and "WFConnection" in p for p in health.problems)


LOCKSPACE = "592D4EFF9B344400923A1583F6F812AC"
QUERY_UUID = ("/sbin/tunefs.ocfs2", "-Q", "%U", "/dev/drbd0")
READ_WEIGHTS = ("sh", "-c", 'cd "$1" && for n in *; do echo "$n $(cat "$n/weight")"; done', "weights",
                f"/sys/kernel/config/dlm/cluster/spaces/{LOCKSPACE}/nodes")


def test_dlm_directory_weights_of_the_volumes_lockspace():
    from dualroot.lab.health import dlm_directory_weights

    lab = FakeLab({("node1", QUERY_UUID): (0, f"{LOCKSPACE}\n"), ("node1", READ_WEIGHTS): (0, "1 1\n2 0\n")})
    assert dlm_directory_weights(lab, "node1", "/dev/drbd0") == {1: 1, 2: 0}


@pytest.mark.parametrize(("uuid_answer", "weights_answer"), [
    ((1, ""), (0, "1 1\n")),                 # the volume cannot be read
    ((0, f"{LOCKSPACE}\n"), (1, "")),         # no such lockspace (not mounted here)
    ((0, "../../etc\n"), (0, "1 1\n")),      # not a lockspace name: never used in a path
])
def test_dlm_directory_weights_unreadable_is_none(uuid_answer, weights_answer):
    from dualroot.lab.health import dlm_directory_weights

    lab = FakeLab({("node1", QUERY_UUID): uuid_answer, ("node1", READ_WEIGHTS): weights_answer})
    assert dlm_directory_weights(lab, "node1", "/dev/drbd0") is None
