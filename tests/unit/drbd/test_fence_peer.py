"""dualroot-fence-peer with a fake runner: tie-break, constraint, stonith confirmation, unfence."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.drbd import fence_peer
from dualroot.drbd.fence_peer import (
    LOSER_DELAY_S,
    HandlerExit,
    constraint_id,
    event_from_argv,
    fence_constraint_xml,
    main,
    parse_cib,
)
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.ocf.runner import CommandResult
from tests.unit.drbd import fixtures as fx

pytestmark = pytest.mark.unit

CIB = (
    Path(__file__).parent / "data" / "cib_dual_primary.xml"
).read_text()  # pcs -f resource create ... promotable (this host)
CIB_SINGLE = CIB.replace('name="promoted-max" value="2"', 'name="promoted-max" value="1"')
CID = "drbd-fence-by-handler-r0-drbd_r0-clone"
PROC = str(paths.PROC_DRBD)
ENV = {
    "DRBD_RESOURCE": "r0",
    "DRBD_MINOR": "0",
    "DRBD_CONF": "/etc/drbd.conf",
    "HA_LOGFACILITY": "none",
    "HA_LOGFILE": "/dev/null",
}


def with_constraint(cib: str, allows: str) -> str:
    facts = parse_cib(cib, "r0")
    return cib.replace(
        "<constraints/>", f"<constraints>{fence_constraint_xml('r0', facts, allows)}</constraints>"
    )


# `cibadmin --query` on the lab's node1 with both nodes Promoted (node1 also holds a degraded
# monitor result, 191, from an earlier replication cut)
CIB_LAB = (Path(__file__).parent / "data" / "cib_lab_status.xml").read_text()


def lab_cib(node2_ops=None, node1_in_ccm="true"):
    """The lab CIB with node2's drbd_r0 history replaced by `node2_ops` ((operation, rc, call-id, interval,
    op-status) tuples) and node1's membership flag set."""
    root = ET.fromstring(CIB_LAB)
    for node_state in root.iterfind("status/node_state"):
        if node_state.get("uname") == "node1":
            node_state.set("in_ccm", node1_in_ccm)
        if node_state.get("uname") != "node2" or node2_ops is None:
            continue
        for resource in node_state.iterfind("lrm/lrm_resources/lrm_resource"):
            if resource.get("id") != "drbd_r0":
                continue
            for op in list(resource):
                resource.remove(op)
            for operation, rc, call_id, interval, status in node2_ops:
                key = "last_0" if interval == "0" else f"{operation}_{interval}"
                ET.SubElement(resource, "lrm_rsc_op", {
                    "id": f"drbd_r0_{key}", "operation": operation, "rc-code": rc, "call-id": call_id,
                    "interval": interval, "op-status": status})
    return ET.tostring(root, encoding="unicode")


UNPROMOTED = (("start", "0", "12", "0", "0"), ("monitor", "0", "14", "20000", "0"))


def runner_for(proc_text, me):
    runner = FakeRunner(files={PROC: proc_text}, budget_s=90.0)
    runner.expect([paths.CRM_NODE, "-n"], stdout=f"{me}\n")
    return runner


def create_argv(allows):
    xml = fence_constraint_xml("r0", parse_cib(CIB, "r0"), allows)
    return [paths.CIBADMIN, "--create", "--scope", "constraints", "--xml-text", xml]


def stonith_argv(peer, timeout):
    return [paths.STONITH_ADMIN, "--reboot", peer, "--tolerance", "30s", "--timeout", str(timeout)]


# --- pure parts -------------------------------------------------------------------------------------
def test_parse_cib_finds_the_clone_and_its_settings():
    facts = parse_cib(CIB, "r0")
    assert (facts.clone_id, facts.promoted_max, facts.node_names, facts.role_name) == (
        "drbd_r0-clone",
        2,
        ("node1", "node2"),
        "Promoted",
    )
    assert facts.fence_constraint_allows is None
    assert parse_cib(with_constraint(CIB, "node2"), "r0").fence_constraint_allows == "node2"


def test_parse_cib_old_schema_and_linbit_agent():
    old = (
        CIB.replace('validate-with="pacemaker-3.9"', 'validate-with="pacemaker-3.0"')
        .replace('provider="dualroot"', 'provider="linbit"')
        .replace('name="promoted-max"', 'name="master-max"')
    )
    facts = parse_cib(old, "r0")
    assert facts.role_name == "Master" and facts.promoted_max == 2


def test_constraint_xml():
    element = ET.fromstring(fence_constraint_xml("r0", parse_cib(CIB, "r0"), "node1"))
    assert element.get("id") == CID == constraint_id("r0", "drbd_r0-clone")
    assert element.get("rsc") == "drbd_r0-clone"
    rule = element.find("rule")
    assert (rule.get("role"), rule.get("score")) == ("Promoted", "-INFINITY")
    assert rule.find("expression").attrib == {
        "id": f"{CID}-expr",
        "attribute": "#uname",
        "operation": "ne",
        "value": "node1",
    }


def test_node_states_from_the_lab_cib():
    facts = parse_cib(CIB_LAB, "r0")
    assert facts.clone_id == "drbd_r0-clone" and facts.promoted_max == 2
    assert set(facts.nodes) == {"node1", "node2"}
    assert all(state.online and not state.unpromoted for state in facts.nodes.values())  # both Promoted
    assert parse_cib(CIB, "r0").nodes == {}  # no status section: nothing is known


@pytest.mark.parametrize(("ops", "unpromoted"), [
    (UNPROMOTED, True),
    ((("demote", "0", "40", "0", "0"), ("monitor", "0", "41", "20000", "0")), True),
    ((("monitor", "7", "3", "0", "0"),), True),  # probe: stopped
    ((("stop", "0", "50", "0", "0"),), True),
    ((("promote", "0", "30", "0", "0"), ("monitor", "8", "32", "10000", "0")), False),
    ((("monitor", "8", "3", "0", "0"),), False),  # probe found it Promoted
    ((("promote", "0", "30", "0", "-1"),), False),  # promote in flight (recorded pending)
    ((("start", "0", "12", "0", "0"), ("monitor", "8", "14", "20000", "0")), False),  # contradictory
    ((("start", "1", "12", "0", "0"),), False),  # failed start: unknown
    ((("start", "0", "12", "0", "4"),), False),  # executor error
    ((), False),  # no history
])
def test_unpromoted_only_without_doubt(ops, unpromoted):
    assert parse_cib(lab_cib(node2_ops=ops), "r0").nodes["node2"].unpromoted is unpromoted


@pytest.mark.parametrize(("ops", "promoted"), [
    ((("promote", "0", "30", "0", "0"),), True),
    ((("promote", "0", "30", "0", "0"), ("monitor", "8", "32", "10000", "0")), True),
    ((("promote", "0", "30", "0", "0"), ("monitor", "191", "32", "10000", "0")), True),  # degraded
    ((("monitor", "8", "3", "0", "0"),), True),  # probe found it Promoted
    ((("promote", "0", "30", "0", "-1"),), False),  # promote in flight
    ((("promote", "1", "30", "0", "0"),), False),  # failed promote
    ((("promote", "0", "30", "0", "0"), ("monitor", "0", "32", "10000", "0")), False),  # Unpromoted since
    ((("promote", "0", "30", "0", "0"), ("monitor", "7", "32", "10000", "0")), False),  # stopped since
    ((("demote", "0", "40", "0", "0"), ("monitor", "8", "20", "10000", "0")), False),  # older monitor
    (UNPROMOTED, False),
    ((), False),  # no history
])
def test_promoted_only_without_doubt(ops, promoted):
    assert parse_cib(lab_cib(node2_ops=ops), "r0").nodes["node2"].promoted is promoted


@pytest.mark.parametrize(("value", "online"), [("true", True), ("1764000000", True), ("false", False),
                                                ("0", False)])
def test_membership_flag_as_boolean_or_timestamp(value, online):
    assert parse_cib(lab_cib(node1_in_ccm=value), "r0").nodes["node1"].online is online


@pytest.mark.parametrize(
    ("argv", "event"),
    [
        (["/usr/lib/dualroot/dualroot-fence-peer"], "auto"),
        (["/usr/lib/dualroot/dualroot-fence-peer", "fence"], "fence"),
        (["/usr/lib/dualroot/dualroot-fence-peer", "unfence"], "unfence"),
        (["/usr/lib/dualroot/dualroot-unfence-peer"], "unfence"),
    ],
)
def test_event_from_argv(argv, event):
    assert event_from_argv(argv) == event


# --- fence ------------------------------------------------------------------------------------------
def test_single_primary_places_the_constraint_and_reports_outdated():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB_SINGLE)
    runner.expect(create_argv("node2"))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_OUTDATED == 4
    runner.assert_done()
    assert not any(c[0] == paths.STONITH_ADMIN for c in runner.calls)


def test_dual_primary_winner_fences_and_returns_7_after_confirmation():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED == 7
    runner.assert_done()
    assert runner.now == 0.0  # the winner does not wait


def test_dual_primary_winner_whose_fence_fails_keeps_io_frozen():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect(stonith_argv("node2", 85), rc=194, stderr="Command failed: No route to host")
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR


def test_dual_primary_peer_online_but_not_promoted_is_not_fenced():
    # e.g. this node was promoted while the peer still boots: the constraint is enough
    cib = lab_cib(node2_ops=UNPROMOTED)
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=cib)
    runner.expect([paths.CIBADMIN, "--create", "--scope", "constraints", "--xml-text",
                   fence_constraint_xml("r0", parse_cib(cib, "r0"), "node1")])
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_OUTDATED
    runner.assert_done()


KNET_STATS = [paths.COROSYNC_CMAPCTL, "-m", "stats", "stats.knet.node2."]
# `corosync-cmapctl -m stats stats.knet.node2.` on the lab's node1 (first lines)
KNET_UP = """stats.knet.node2.link0.connected (u8) = 1
stats.knet.node2.link0.down_count (u32) = 2
stats.knet.node2.link0.enabled (u8) = 1
"""


LAB_CREATE = [paths.CIBADMIN, "--create", "--scope", "constraints", "--xml-text",
              fence_constraint_xml("r0", parse_cib(CIB_LAB, "r0"), "node1")]
MEMBER = [paths.COROSYNC_CMAPCTL, "-g", "runtime.members.2.status"]


def winner_runner(stats=KNET_UP, rc=0):
    """node1 with the lab CIB (node2 Promoted and online) up to its constraint, after corosync's link
    stats for node2 (`stats`, `rc`)."""
    runner = TogetherRunner(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, CIB_LAB)
    runner.expect([paths.CRM_NODE, "-n"], stdout="node1\n")
    runner.expect(KNET_STATS, stdout=stats, rc=rc)
    return runner


@pytest.mark.parametrize(("stats", "rc"), [
    (KNET_UP.replace("connected (u8) = 1", "connected (u8) = 0"), 0),  # node death, partition
    ("", 1),  # no knet stats for the node (cmapctl: "Can't get key")
])
def test_dual_primary_peer_promoted_and_cut_off_is_fenced_at_once(stats, rc):
    runner = winner_runner(stats, rc)
    runner.expect(LAB_CREATE)
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert runner.together == [[tuple(LAB_CREATE), tuple(stonith_argv("node2", 85))]]
    assert runner.now == 0.0


def test_replication_only_cut_fences_once_the_loser_has_left_corosync():
    # corosync still reaches node2: the constraint first, then the fence as soon as node2 has left
    runner = winner_runner()
    runner.expect(LAB_CREATE)
    for _ in range(2):
        runner.expect(MEMBER, stdout="runtime.members.2.status (str) = joined\n")
        runner.expect(KNET_STATS, stdout=KNET_UP)
    runner.expect(MEMBER, stdout="runtime.members.2.status (str) = left\n")
    runner.expect(stonith_argv("node2", 84))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert runner.together == []
    assert runner.now == 2 * fence_peer.POLL_S


def test_a_peer_whose_corosync_link_drops_during_the_wait_is_fenced_without_waiting_for_membership():
    # a node kill that DRBD noticed before corosync's link did: the peer will not leave on its own
    runner = winner_runner()
    runner.expect(LAB_CREATE)
    runner.expect(MEMBER, stdout="runtime.members.2.status (str) = joined\n")
    runner.expect(KNET_STATS, stdout=KNET_UP)
    runner.expect(MEMBER, stdout="runtime.members.2.status (str) = joined\n")
    runner.expect(KNET_STATS, stdout=KNET_UP.replace("connected (u8) = 1", "connected (u8) = 0"))
    runner.expect(stonith_argv("node2", 84))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert runner.now == fence_peer.POLL_S


def test_replication_only_cut_fences_after_the_bounded_wait_when_the_loser_stays():
    runner = winner_runner()
    runner.expect(LAB_CREATE)
    runner.allow(MEMBER, stdout="runtime.members.2.status (str) = joined\n")
    runner.allow(KNET_STATS, stdout=KNET_UP)
    runner.expect(stonith_argv("node2", 77))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    assert fence_peer.LEAVE_WAIT_S <= runner.now < fence_peer.LEAVE_WAIT_S + 1


def test_replication_only_cut_with_a_failed_membership_query_fences_at_once():
    runner = winner_runner()
    runner.expect(LAB_CREATE)
    runner.expect(MEMBER, rc=1, stderr="Can't get key runtime.members.2.status. Error CS_ERR_NOT_EXIST")
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()


def test_replication_only_cut_lost_create_fences_nobody():
    runner = winner_runner()
    runner.expect(LAB_CREATE, rc=108, stderr="Call failed: File exists",
                  effect=lambda: setattr(runner, "cib", lab_with_constraint("node2")))
    runner.expect(LEAVE)  # node2 won: this node leaves corosync for it
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert not any(c[0] == paths.STONITH_ADMIN for c in runner.calls)


def test_knet_link_connected():
    assert fence_peer.knet_link_connected(KNET_UP)
    assert not fence_peer.knet_link_connected(KNET_UP.replace("(u8) = 1", "(u8) = 0"))
    assert not fence_peer.knet_link_connected("stats.knet.node2.link0.down_count (u32) = 1\n")
    assert fence_peer.knet_link_connected("stats.knet.node2.link0.connected (u8) = 0\n"
                                          "stats.knet.node2.link1.connected (u8) = 1\n")  # one link is enough


def test_host_name_known_to_the_cib_needs_no_crm_node(monkeypatch):
    monkeypatch.setattr(fence_peer.posix, "uname", lambda: os.uname_result(("Linux", "node1", "", "", "")))
    runner = FakeRunner(files={PROC: fx.PROC_PRIMARY_PEER_LOST_SUSPENDED}, budget_s=90.0)
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert not any(c[0] == paths.CRM_NODE for c in runner.calls)


def test_dual_primary_loser_sees_the_winners_constraint_and_never_fences():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)  # first poll: nothing yet
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    assert not any(c[0] in (paths.STONITH_ADMIN, paths.COROSYNC_CFGTOOL) or "--create" in c
                   for c in runner.calls)  # no membership known: the peer may not be fencing
    assert runner.now < LOSER_DELAY_S


LEAVE = [paths.COROSYNC_CFGTOOL, "-H", "--force"]


def lab_with_constraint(allows, cib=CIB_LAB):
    """The lab CIB (both nodes in the membership) holding `allows`' fence constraint."""
    xml = fence_constraint_xml("r0", parse_cib(cib, "r0"), allows)
    return cib.replace("</constraints>", f"{xml}</constraints>")


# what the loser (node2) asks about its link to the winner, node1
KNET_STATS_NODE1 = [paths.COROSYNC_CMAPCTL, "-m", "stats", "stats.knet.node1."]
KNET_UP_NODE1 = KNET_UP.replace("node2", "node1")
KNET_DOWN_NODE1 = KNET_UP_NODE1.replace("connected (u8) = 1", "connected (u8) = 0")


def test_replication_cut_loser_leaves_at_once_when_the_promoted_winner_is_reachable():
    # node1 is Promoted, in the membership and reachable over corosync: it wins the tie-break and is
    # the one that acts, so node2 leaves corosync without waiting to see node1's constraint (the wait
    # cost the winner 1.8 to over 6 s in the lab, with the whole cluster's writes frozen).
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB_LAB)
    runner.expect(KNET_STATS_NODE1, stdout=KNET_UP_NODE1)
    runner.expect(LEAVE)
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert not any(c[0] == paths.STONITH_ADMIN or "--create" in c for c in runner.calls)
    assert runner.now == 0.0


@pytest.mark.parametrize("node1_ops", [
    (("promote", "0", "30", "0", "-1"),),  # promote in flight
    UNPROMOTED,  # a Secondary runs no handler: node2 must act itself after the delay
    (("promote", "0", "30", "0", "0"), ("monitor", "1", "32", "10000", "0")),  # failed since
])
def test_replication_cut_loser_waits_when_the_winner_is_not_surely_promoted(node1_ops):
    root = ET.fromstring(lab_cib(node2_ops=node1_ops))  # node1's history from node2's helper:
    for node_state in root.iterfind("status/node_state"):  # swap the two nodes' names
        node_state.set("uname", {"node1": "node2", "node2": "node1"}[node_state.get("uname")])
    cib = ET.tostring(root, encoding="unicode")
    assert parse_cib(cib, "r0").nodes["node1"].promoted is False
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=cib)
    runner.expect([paths.CIBADMIN, "--query"], stdout=lab_with_constraint("node1", cib))
    runner.expect(LEAVE)
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert not any(c[0] == paths.COROSYNC_CMAPCTL for c in runner.calls)  # waited for the constraint


def test_dual_primary_loser_leaves_corosync_when_the_winner_is_online():
    # Corosync did not reach node1 when the handler began (a partition) and node1, back in reach,
    # placed its constraint: it is in the membership and fencing this node, and leaving corosync
    # spares it the token.
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB_LAB)
    runner.expect(KNET_STATS_NODE1, stdout=KNET_DOWN_NODE1)
    runner.expect([paths.CIBADMIN, "--query"], stdout=lab_with_constraint("node1"))
    runner.expect(LEAVE)
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert not any(c[0] == paths.STONITH_ADMIN or "--create" in c for c in runner.calls)


def test_loser_that_finds_the_constraint_at_once_leaves_too():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=lab_with_constraint("node1"))
    runner.expect(LEAVE)
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert runner.now == 0.0


def test_loser_whose_leave_fails_still_keeps_io_frozen():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=lab_with_constraint("node1"))
    runner.expect(LEAVE, rc=1, stderr="Could not initialize corosync configuration API error 2")
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()


def test_loser_stays_in_the_cluster_when_the_winner_is_gone():
    # A winner that placed its constraint and then left the membership fences nobody: leaving too
    # would take away the only node Pacemaker still has.
    cib = lab_with_constraint("node1", lab_cib(node1_in_ccm="false"))
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=cib)
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_PEER": "node1"}, runner) == HandlerExit.ERROR
    runner.assert_done()


def test_dual_primary_loser_takes_over_when_the_peer_left_the_cluster():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB_LAB)
    runner.expect(KNET_STATS_NODE1, rc=1)  # no knet stats: node1 is gone
    runner.expect([paths.CIBADMIN, "--query"], stdout=lab_cib(node1_in_ccm="false"))
    runner.expect(
        [
            paths.CIBADMIN,
            "--create",
            "--scope",
            "constraints",
            "--xml-text",
            fence_constraint_xml("r0", parse_cib(CIB_LAB, "r0"), "node2"),
        ]
    )
    runner.expect(stonith_argv("node1", 84))
    environ = {**ENV, "DRBD_PEER": "node1"}
    assert main(["dualroot-fence-peer"], environ, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert fence_peer.POLL_S <= runner.now < LOSER_DELAY_S


def test_dual_primary_loser_acts_after_the_bounded_delay():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.allow([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(
        [
            paths.CIBADMIN,
            "--create",
            "--scope",
            "constraints",
            "--xml-text",
            fence_constraint_xml("r0", parse_cib(CIB, "r0"), "node2"),
        ]
    )
    runner.expect(stonith_argv("node1", 75))
    assert main(["dualroot-fence-peer", "fence"], ENV, runner) == HandlerExit.PEER_STONITHED
    assert LOSER_DELAY_S <= runner.now < LOSER_DELAY_S + 1


class TogetherRunner(FakeRunner):
    """Records which commands went out together; the CIB query answers whatever `cib` holds now."""

    def __init__(self, proc_text, cib):
        super().__init__(files={PROC: proc_text}, budget_s=90.0)
        self.cib = cib
        self.together = []

    def run(self, argv, *, input=None, timeout=None):
        if list(argv) == [paths.CIBADMIN, "--query"]:
            self.calls.append(tuple(argv))
            return CommandResult(tuple(argv), 0, self.cib, "")
        return super().run(argv, input=input, timeout=timeout)

    def run_together(self, commands, *, timeout=None):
        self.together.append([tuple(c) for c in commands])
        return super().run_together(commands, timeout=timeout)


def test_winner_sends_constraint_and_fence_together():
    runner = TogetherRunner(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, CIB)
    runner.expect([paths.CRM_NODE, "-n"], stdout="node1\n")
    runner.expect(create_argv("node1"))
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()
    assert runner.together == [[tuple(create_argv("node1")), tuple(stonith_argv("node2", 85))]]


def test_lost_create_race_keeps_io_frozen():
    # The winner's fence went out with its constraint; a create that finds the peer's constraint
    # (only possible if the loser outwaited LOSER_DELAY_S) still keeps I/O frozen here.
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"), rc=108, stderr="Call failed: File exists")
    runner.expect(stonith_argv("node2", 85))
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node2"))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    runner.assert_done()


def test_lost_create_race_after_the_wait_fences_nobody():
    # The tie-break loser acts one step after the other: losing the create there fences nobody.
    runner = TogetherRunner(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, CIB)
    runner.expect([paths.CRM_NODE, "-n"], stdout="node2\n")
    runner.expect(create_argv("node2"), rc=108, stderr="Call failed: File exists",
                  effect=lambda: setattr(runner, "cib", with_constraint(CIB, "node1")))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    runner.assert_done()
    assert runner.together == [] and not any(c[0] == paths.STONITH_ADMIN for c in runner.calls)
    assert runner.now >= LOSER_DELAY_S


def test_existing_own_constraint_is_fine():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    runner.expect(create_argv("node1"), rc=108, stderr="Call failed: File exists")
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED


@pytest.mark.parametrize("proc_text", [fx.PROC_OUTDATED, fx.PROC_SYNC_TARGET, fx.PROC_UNCONFIGURED])
def test_no_fencing_without_uptodate_local_data(proc_text):
    runner = FakeRunner(files={PROC: proc_text})
    assert main(["dualroot-fence-peer", "fence"], ENV, runner) == HandlerExit.ERROR
    assert runner.calls == []


@pytest.mark.parametrize("resource", ["", "r0; reboot", "../x"])
def test_bad_resource_name_runs_nothing(resource):
    runner = FakeRunner(files={})
    assert main(["dualroot-fence-peer"], {**ENV, "DRBD_RESOURCE": resource}, runner) == HandlerExit.ERROR
    assert runner.calls == []


def test_drbd9_peer_name_from_node_ids():
    runner = FakeRunner(files={PROC: fx.HEADER_9}, budget_s=90.0)
    runner.expect(
        [paths.DRBDSETUP, "status", "r0", "--json"],
        stdout=fx.status_json_9(
            role="Primary",
            connection="Connecting",
            peer_role="Unknown",
            peer_disk="DUnknown",
            replication="Off",
        ),
    )
    runner.expect([paths.CRM_NODE, "-n"], stdout="node1\n")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect(stonith_argv("node2", 85))
    environ = {
        "DRBD_RESOURCE": "r0",
        "DRBD_PEER_NODE_ID": "1",
        "DRBD_NODE_ID_1": "node2",
        "DRBD_NODE_ID_0": "node1",
        "HA_LOGFACILITY": "none",
        "HA_LOGFILE": "/dev/null",
    }
    assert main(["dualroot-fence-peer"], environ, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()


# --- unfence ----------------------------------------------------------------------------------------
QUERY = [paths.CIBADMIN, "--query", "--scope", "constraints"]


def constraints_with(allows):
    return (
        "<constraints>"
        + fence_constraint_xml("r0", parse_cib(CIB, "r0"), allows)
        + '<rsc_location id="other" rsc="x" node="node1" score="10"/></constraints>'
    )


def test_unfence_after_resync_removes_the_constraint():
    runner = FakeRunner(files={PROC: fx.PROC_SECONDARY_PEER_PRIMARY})
    runner.expect(QUERY, stdout=constraints_with("node2"))
    runner.expect([paths.CIBADMIN, "--delete", "--xml-text", f'<rsc_location id="{CID}"/>'])
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.OK  # connected: detected as unfence
    runner.assert_done()


def test_unfence_without_a_constraint_does_nothing():
    runner = FakeRunner(files={PROC: fx.PROC_SECONDARY_SECONDARY}).expect(QUERY, stdout="<constraints/>")
    assert main(["dualroot-fence-peer", "unfence"], ENV, runner) == HandlerExit.OK
    runner.assert_done()


def test_unfence_keeps_the_constraint_while_not_uptodate():
    runner = FakeRunner(files={PROC: fx.PROC_SYNC_TARGET})
    assert main(["dualroot-fence-peer", "unfence"], ENV, runner) == HandlerExit.OK
    assert runner.calls == []


def test_unfence_failure_is_reported():
    runner = FakeRunner(files={PROC: fx.PROC_SECONDARY_SECONDARY})
    runner.expect(QUERY, stdout=constraints_with("node1"))
    runner.expect(
        [paths.CIBADMIN, "--delete", "--xml-text", f'<rsc_location id="{CID}"/>'],
        rc=1,
        stderr="Call failed: Timer expired",
    )
    assert main(["dualroot-fence-peer", "unfence"], ENV, runner) == HandlerExit.ERROR
