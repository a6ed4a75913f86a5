"""dualroot-fence-peer with a fake runner: tie-break, constraint, stonith confirmation, unfence."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.drbd.fence_peer import (
    LOSER_DELAY_S,
    HandlerExit,
    constraint_id,
    event_from_argv,
    fence_constraint_xml,
    main,
    parse_cib,
    parse_crm_mon_nodes,
)
from dualroot.ocf.fakerunner import FakeRunner
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


def crm_mon(node2_online="true", node2_unclean="false", promoted=("node1", "node2"), node1_online="true"):
    resources = "".join(
        f'<resource id="drbd_r0" resource_agent="ocf:dualroot:drbd" role="Promoted" active="true" '
        f'orphaned="false" blocked="false" managed="true" failed="false" failure_ignored="false" '
        f'nodes_running_on="1"><node name="{n}" id="{n[-1]}" cached="true"/></resource>'
        for n in promoted
    )
    text = (
        '<pacemaker-result api-version="2.25" request="crm_mon --output-as=xml"><nodes>'
        '<node name="node1" id="1" online="true" standby="false" standby_onfail="false" maintenance="false" '
        'pending="false" unclean="false" shutdown="false" expected_up="true" is_dc="true" '
        'resources_running="1" type="member"/>'
        f'<node name="node2" id="2" online="{node2_online}" standby="false" standby_onfail="false" '
        f'maintenance="false" pending="false" unclean="{node2_unclean}" shutdown="false" expected_up="true" '
        'is_dc="false" resources_running="1" type="member"/></nodes>'
        '<resources><clone id="drbd_r0-clone" multi_state="true" unique="false" managed="true" '
        f'disabled="false" failed="false" failure_ignored="false">{resources}</clone></resources>'
        '<status code="0" message="OK"/></pacemaker-result>'
    )
    return text.replace('name="node1" id="1" online="true"', f'name="node1" id="1" online="{node1_online}"')


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


def test_crm_mon_nodes():
    nodes = parse_crm_mon_nodes(crm_mon(node2_online="false", node2_unclean="true"))
    assert nodes["node1"].online and not nodes["node2"].online and nodes["node2"].unclean
    assert parse_crm_mon_nodes("garbage") == {}


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
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED == 7
    runner.assert_done()
    assert runner.now == 0.0  # the winner does not wait


def test_dual_primary_winner_whose_fence_fails_keeps_io_frozen():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
    runner.expect(stonith_argv("node2", 85), rc=194, stderr="Command failed: No route to host")
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR


def test_dual_primary_peer_online_but_not_promoted_is_not_fenced():
    # e.g. this node was promoted while the peer still boots: the constraint is enough
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon(promoted=("node1",)))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_OUTDATED
    runner.assert_done()


def test_dual_primary_without_crm_mon_answer_fences_to_be_safe():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"))
    runner.expect([paths.CRM_MON, "--output-as=xml"], rc=102, stderr="crm_mon: Not connected")
    runner.expect(stonith_argv("node2", 85))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.PEER_STONITHED


def test_dual_primary_loser_sees_the_winners_constraint_and_never_fences():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.allow([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)  # first poll: nothing yet
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    assert not any(c[0] in (paths.STONITH_ADMIN,) or "--create" in c for c in runner.calls)
    assert runner.now < LOSER_DELAY_S


def test_dual_primary_loser_takes_over_when_the_peer_left_the_cluster():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon(node2_online="true"))
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon(node1_online="false"))
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
    runner.expect(
        [paths.CRM_MON, "--output-as=xml"], stdout=crm_mon(node1_online="false", promoted=("node2",))
    )
    runner.expect(stonith_argv("node1", 84))
    environ = {**ENV, "DRBD_PEER": "node1"}
    assert main(["dualroot-fence-peer"], environ, runner) == HandlerExit.PEER_STONITHED
    runner.assert_done()


def test_dual_primary_loser_acts_after_the_bounded_delay():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node2")
    runner.allow([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.allow([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
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
    runner.expect(stonith_argv("node1", 80))
    assert main(["dualroot-fence-peer", "fence"], ENV, runner) == HandlerExit.PEER_STONITHED
    assert LOSER_DELAY_S <= runner.now < LOSER_DELAY_S + 1


def test_lost_create_race_keeps_io_frozen():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=CIB)
    runner.expect(create_argv("node1"), rc=108, stderr="Call failed: File exists")
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node2"))
    assert main(["dualroot-fence-peer"], ENV, runner) == HandlerExit.ERROR
    assert not any(c[0] == paths.STONITH_ADMIN for c in runner.calls)


def test_existing_own_constraint_is_fine():
    runner = runner_for(fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, "node1")
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    runner.expect(create_argv("node1"), rc=108, stderr="Call failed: File exists")
    runner.expect([paths.CIBADMIN, "--query"], stdout=with_constraint(CIB, "node1"))
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
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
    runner.expect([paths.CRM_MON, "--output-as=xml"], stdout=crm_mon())
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
    runner.expect([paths.CIBADMIN, "--delete", "--xml-text", f'<rsc_location id="{CID}" />'])
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
        [paths.CIBADMIN, "--delete", "--xml-text", f'<rsc_location id="{CID}" />'],
        rc=1,
        stderr="Call failed: Timer expired",
    )
    assert main(["dualroot-fence-peer", "unfence"], ENV, runner) == HandlerExit.ERROR
