"""The pure parts of `cib check`: intervals, finding the stack in a CIB, crm_simulate's XML."""

import dataclasses

import pytest

from dualroot.cib.check import cib_nodes, find_stack, interval_ms, parse_simulation
from dualroot.cib.cib_xml import render_cib
from dualroot.cib.config import Agents, Web, lab_config
from dualroot.cib.model import plan_stack
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("29s", 29000),
        ("29", 29000),
        ("500ms", 500),
        ("1min", 60000),
        ("2m", 120000),
        ("1h", 3600000),
        ("0s", 0),
    ],
)
def test_interval_ms(text, ms):
    assert interval_ms(text) == ms


def test_interval_ms_refuses_garbage():
    with pytest.raises(DualrootError):
        interval_ms("soon")


def test_find_stack_in_both_agent_sets():
    ids = find_stack(render_cib(plan_stack(dataclasses.replace(lab_config(), web=Web()))))
    assert (ids.drbd, ids.drbd_clone, ids.drbd_monitor_ms) == ("drbd_r0", "drbd_r0-clone", 29000)
    assert (ids.stack, ids.stack_monitor_ms, ids.fs, ids.web) == ("o2cb", 10000, "fs_ocfs2", "web")
    stock = find_stack(render_cib(plan_stack(dataclasses.replace(lab_config(), agents=Agents.STOCK))))
    assert (stock.stack, stock.stack_monitor_ms, stock.web) == ("dlm", 60000, None)


def test_find_stack_needs_the_mount():
    cib = render_cib(plan_stack(lab_config()))
    clone = cib.find(".//clone[@id='fs_ocfs2-clone']")
    clone.getparent().remove(clone)
    with pytest.raises(DualrootError, match="no cloned OCFS2 mount"):
        find_stack(cib)


def test_cib_nodes_from_fencing_when_the_cib_has_none():
    assert cib_nodes(render_cib(plan_stack(lab_config()))) == [(1, "node1"), (2, "node2")]


SIMULATION = """<pacemaker-result api-version="2.25" request="crm_simulate">
  <actions>
    <node_action task="Fence (reboot)" node="node2" reason="peer is no longer part of the cluster"/>
    <rsc_action action="stop" resource="drbd_r0:1" role="Promoted" node="node2" reason="node availability"/>
    <rsc_action action="restart" resource="o2cb:0" source="node1" reason="required drbd_r0:0 promote"/>
    <rsc_action action="move" resource="fence_node1" source="node2" dest="node3"/>
  </actions>
  <revised_cluster_status>
    <resources>
      <clone id="drbd_r0-clone">
        <resource id="drbd_r0" role="Promoted"><node name="node1" id="1" cached="true"/></resource>
        <resource id="drbd_r0" role="Stopped"/>
      </clone>
      <clone id="o2cb-clone"><resource id="o2cb" role="Started"><node name="node1" id="1"/></resource></clone>
    </resources>
  </revised_cluster_status>
</pacemaker-result>"""


def test_parse_simulation():
    sim = parse_simulation(SIMULATION)
    assert sim.fenced == ("node2",)
    assert ("restart", "o2cb:0", "node1") in sim.actions
    assert ("move", "fence_node1", "node2") in sim.actions and ("move", "fence_node1", "node3") in sim.actions
    assert sim.roles == {("drbd_r0", "node1"): "Promoted", ("o2cb", "node1"): "Started"}
    assert sim.actions_on("node1") == ["restart o2cb:0"]
    assert sim.actions_on("node3", ignore=["fence_node1"]) == []
