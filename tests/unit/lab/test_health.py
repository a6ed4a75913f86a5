"""Reading the lab cluster's state from machine output: /proc/drbd (8.4) and crm_mon XML."""

from __future__ import annotations

import pytest

from dualroot.lab.health import NodeHealth, parse_crm_mon_xml, parse_proc_drbd

pytestmark = pytest.mark.unit

PROC_DRBD = """version: 8.4.11 (api:1/proto:86-101)
srcversion: F73C670A7EC572DB9CF3E5B
 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----
    ns:12 nr:8 dw:20 dr:1000 al:1 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0
"""

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
</pacemaker-result>"""


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
    crm = parse_crm_mon_xml(CRM_MON)
    assert crm.online == ("node1",)
    assert crm.offline == ("node2",)
    assert crm.dc == "node1"
    assert crm.roles_on("node1", ":drbd") == ["Promoted"]
    assert crm.roles_on("node2", ":drbd") == []
    assert [r.id for r in crm.resources if r.failed] == ["fence_node2"]
