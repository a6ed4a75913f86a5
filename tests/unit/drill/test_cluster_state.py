"""Parsers of what a node sees: real crm_mon XML (from crm_simulate), /proc/drbd 8.4, /proc/mounts."""

from pathlib import Path

import pytest

from dualroot.cib.config import Agents
from dualroot.drill.cluster_state import (
    AGENTS,
    NodeView,
    health_problems,
    parse_probe,
    probe_script,
    split_sections,
)
from dualroot.lab.cluster_view import PROMOTED_ROLES, DrbdState, drbd_minor, ocfs2_mounted, parse_crm_mon

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
# Both files are real `crm_mon --output-as=xml --one-shot` output (pacemaker 2.1.5), run with CIB_file on
# a CIB that crm_simulate brought to "both promoted" and then to "node2 failed".
HEALTHY = (DATA / "crm_mon-healthy.xml").read_text()
NODE2_DOWN = (DATA / "crm_mon-node2-down.xml").read_text()
STOCK = AGENTS[Agents.STOCK]

PROC_DRBD_OK = """version: 8.4.11 (api:1/proto:86-101)
srcversion: 211FB288A383ED945B83420

 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----
    ns:1024 nr:2048 dw:3072 dr:4096 al:8 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
"""
MOUNTS_OK = ("/dev/vda / ext4 rw,relatime 0 0\n"
             "/dev/drbd0 /srv/ocfs2 ocfs2 rw,noatime,heartbeat=none,cluster_stack=pcmk 0 0\n")


def test_healthy_crm_mon():
    view = parse_crm_mon(HEALTHY)
    assert view.online == {"node1", "node2"} and not view.offline
    assert view.nodes_running(STOCK.drbd, PROMOTED_ROLES) == {"node1", "node2"}
    assert view.nodes_running(STOCK.filesystem, frozenset({"Started"})) == {"node1", "node2"}
    assert view.clone_of(STOCK.filesystem) == "fs_ocfs2-clone"
    assert STOCK.cluster_stack in view.agents()
    assert view.roles_on("node2", ":drbd") == ["Promoted"]
    assert view.dc == ""  # crm_mon on a CIB file: no controller elected


def test_failed_node_in_crm_mon():
    view = parse_crm_mon(NODE2_DOWN)
    assert view.online == {"node1"} and view.offline == {"node2"}
    assert view.nodes_running(STOCK.drbd, PROMOTED_ROLES) == {"node1"}


@pytest.mark.parametrize(("text", "expected"), [
    (PROC_DRBD_OK, DrbdState("Connected", "Primary", "Primary", "UpToDate", "UpToDate")),
    (" 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/Outdated C r-----\n",
     DrbdState("WFConnection", "Primary", "Unknown", "UpToDate", "Outdated")),
    (" 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n",
     DrbdState("StandAlone", "Primary", "Unknown", "UpToDate", "DUnknown")),
    (" 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n",
     DrbdState("SyncTarget", "Secondary", "Primary", "Inconsistent", "UpToDate")),
    (" 0: cs:Unconfigured\n", DrbdState("Unconfigured", "Unknown", "Unknown", "Diskless", "DUnknown")),
    ("version: 8.4.11 (api:1/proto:86-101)\n", None),
    ("", None),
])
def test_proc_drbd(text, expected):
    assert drbd_minor(text) == expected


def test_only_connected_primary_uptodate_is_healthy():
    assert drbd_minor(PROC_DRBD_OK).healthy
    assert not DrbdState("Connected", "Primary", "Secondary", "UpToDate", "UpToDate").healthy
    assert not DrbdState("Connected", "Primary", "Primary", "UpToDate", "Inconsistent").healthy


def test_mounts():
    assert ocfs2_mounted(MOUNTS_OK)
    assert not ocfs2_mounted("/dev/vda / ext4 rw 0 0\n")
    assert not ocfs2_mounted("/dev/drbd0 /srv/ocfs2x ocfs2 rw 0 0\n")
    assert not ocfs2_mounted("/dev/drbd0 /srv/ocfs2 ext4 rw 0 0\n")


def probe_output(crm=HEALTHY, drbd=PROC_DRBD_OK, mounts=MOUNTS_OK, boot="b-1"):
    return f"@@ crm_mon\n{crm}\n@@ proc_drbd\n{drbd}\n@@ mounts\n{mounts}\n@@ boot_id\n{boot}\n"


def test_probe_script_prints_every_section_and_bounds_crm_mon():
    script = probe_script()
    for name in ("crm_mon", "proc_drbd", "mounts", "boot_id"):
        assert f"echo '@@ {name}'" in script
    assert "/usr/bin/timeout 15 /usr/sbin/crm_mon --output-as=xml --one-shot" in script


def test_sections_and_probe():
    assert set(split_sections(probe_output())) == {"crm_mon", "proc_drbd", "mounts", "boot_id"}
    view = parse_probe("node1", 5.0, probe_output())
    assert view.reachable and view.mounted and view.boot_id == "b-1"
    assert view.drbd is not None and view.drbd.healthy
    assert view.pacemaker is not None and view.pacemaker.online == {"node1", "node2"}


def test_truncated_crm_mon_gives_no_pacemaker_view():
    view = parse_probe("node1", 5.0, probe_output(crm=HEALTHY[:300]))
    assert view.pacemaker is None and view.reachable


def test_healthy_cluster_has_no_problems():
    views = {n: parse_probe(n, 1.0, probe_output()) for n in ("node1", "node2")}
    assert health_problems(views, ("node1", "node2"), STOCK) == []


def test_health_problems_name_what_is_wrong():
    views = {
        "node1": parse_probe("node1", 1.0, probe_output(
            crm=NODE2_DOWN, drbd=" 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n")),
        "node2": NodeView("node2", 1.0, reachable=False),
    }
    problems = health_problems(views, ("node1", "node2"), STOCK)
    assert "node2 unreachable" in problems
    assert any("cs:WFConnection" in p for p in problems)
    assert any("sees online only ['node1']" in p for p in problems)
    assert any("promoted on ['node1'] only" in p for p in problems)


def test_wrong_stack_is_not_healthy():
    views = {n: parse_probe(n, 1.0, probe_output()) for n in ("node1", "node2")}
    problems = health_problems(views, ("node1", "node2"), AGENTS[Agents.DUALROOT])
    assert any("ocf:dualroot:drbd promoted on []" in p for p in problems)


def test_unmounted_node_is_a_problem():
    views = {n: parse_probe(n, 1.0, probe_output(mounts="/dev/vda / ext4 rw 0 0\n"))
             for n in ("node1", "node2")}
    assert "node1: OCFS2 not mounted on /srv/ocfs2" in health_problems(views, ("node1", "node2"), STOCK)


def test_crm_mon_not_connected_is_no_view_not_everyone_offline():
    # real output of a guest whose Pacemaker was not running yet (lab node during deployment)
    xml = (DATA / "crm_mon-not-connected.xml").read_text()
    view = parse_probe("node1", 5.0, probe_output(crm=xml))
    assert view.pacemaker is None and view.reachable


def test_clone_of_a_group_member():
    xml = """<pacemaker-result><nodes/><resources>
      <clone id="base-clone"><group id="base"><resource id="fs" resource_agent="ocf:heartbeat:Filesystem"
        role="Started" failed="false"><node name="node1"/></resource></group></clone>
      <resource id="lone" resource_agent="ocf:heartbeat:IPaddr2" role="Started" failed="false"/>
    </resources><status code="0" message="OK"/></pacemaker-result>"""
    view = parse_crm_mon(xml)
    assert view.clone_of("ocf:heartbeat:Filesystem") == "base-clone"
    assert view.clone_of("ocf:heartbeat:IPaddr2") is None
    assert view.nodes_running("ocf:heartbeat:IPaddr2") == frozenset()
