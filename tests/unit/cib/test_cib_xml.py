"""CIB XML: the rendered document, and merging into a live CIB by id without touching others' objects."""

import dataclasses

import pytest
from lxml import etree

from dualroot.cib import cib_xml
from dualroot.cib.apply import retired_ids
from dualroot.cib.config import Agents, Web, lab_config
from dualroot.cib.model import plan_stack
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit

LIVE = """<cib validate-with="pacemaker-3.9" epoch="7" num_updates="3" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="cib-bootstrap-options-have-watchdog" name="have-watchdog" value="false"/>
        <nvpair id="cib-bootstrap-options-cluster-name" name="cluster-name" value="dualroot"/>
      </cluster_property_set>
      <cluster_property_set id="site-options">
        <nvpair id="site-options-nqp" name="no-quorum-policy" value="stop"/>
      </cluster_property_set>
    </crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="other" class="ocf" provider="heartbeat" type="Dummy"/>
      <clone id="o2cb-clone"><primitive id="o2cb" class="ocf" provider="dualroot" type="o2cb"/></clone>
    </resources>
    <constraints>
      <rsc_location id="drbd-fence-by-handler-r0-drbd_r0-clone" rsc="drbd_r0-clone" node="node2"
                    score="-INFINITY"/>
    </constraints>
  </configuration>
  <status/>
</cib>"""


def rendered():
    return cib_xml.render_cib(plan_stack(lab_config()))


def test_render_is_a_whole_cib_with_fixed_ids():
    cib = rendered()
    assert cib.tag == cib_xml.TAG_CIB and cib.get("validate-with") == cib_xml.CIB_SCHEMA
    assert [e.tag for e in cib.find("configuration")] == ["crm_config", "nodes", "resources", "constraints"]
    assert cib.find(".//op[@id='drbd_r0-monitor-interval-29s']").get("role") == "Promoted"
    depth = cib.find(".//op[@id='fs_ocfs2-monitor-interval-61s']/instance_attributes/nvpair")
    assert (depth.get("name"), depth.get("value")) == ("OCF_CHECK_LEVEL", "10")
    assert cib_xml.to_text(rendered()) == cib_xml.to_text(cib)


def test_user_text_is_escaped_not_concatenated():
    cfg = lab_config()
    cfg = dataclasses.replace(cfg, mount=dataclasses.replace(cfg.mount, options="noatime,x=<&>"))
    text = cib_xml.to_text(cib_xml.render_cib(plan_stack(cfg)))
    assert 'value="noatime,x=&lt;&amp;&gt;"' in text
    assert etree.fromstring(text.encode()) is not None


def test_merge_replaces_by_id_and_keeps_foreign_objects():
    live = cib_xml.parse_xml(LIVE)
    merged = cib_xml.merge_plan(live, plan_stack(lab_config()))
    assert merged.find(".//primitive[@id='other']") is not None
    assert merged.find(".//rsc_location[@id='drbd-fence-by-handler-r0-drbd_r0-clone']") is not None
    assert merged.find("configuration/nodes") is not None and len(merged.find("configuration/nodes")) == 2
    assert merged.find(".//nvpair[@name='have-watchdog']") is not None
    # an option set elsewhere keeps its place and id, with our value
    assert merged.find(".//nvpair[@id='site-options-nqp']").get("value") == "freeze"
    assert len(merged.findall(".//nvpair[@name='no-quorum-policy']")) == 1
    # the o2cb clone was replaced, in place (second resource)
    resources = merged.find("configuration/resources")
    assert [e.get("id") for e in resources][:2] == ["other", "o2cb-clone"]
    assert resources.find("clone[@id='o2cb-clone']/primitive/instance_attributes") is not None
    assert merged.get("epoch") == "7"
    # the input is not changed
    assert cib_xml.to_text(live) == cib_xml.to_text(cib_xml.parse_xml(LIVE))


def test_merge_is_idempotent():
    once = cib_xml.merge_plan(cib_xml.parse_xml(LIVE), plan_stack(lab_config()))
    twice = cib_xml.merge_plan(once, plan_stack(lab_config()))
    assert cib_xml.to_text(once) == cib_xml.to_text(twice)


def test_merge_retires_the_other_agent_set():
    dualroot = cib_xml.merge_plan(
        cib_xml.parse_xml(LIVE), plan_stack(dataclasses.replace(lab_config(), web=Web()))
    )
    stock = dataclasses.replace(lab_config(), agents=Agents.STOCK)
    merged = cib_xml.merge_plan(dualroot, plan_stack(stock), retire=retired_ids(stock))
    ids = [e.get("id") for e in merged.find("configuration/resources")]
    assert ids == ["other", "fence_node1", "fence_node2", "drbd_r0-clone", "fs_ocfs2-clone", "dlm-clone"]
    assert merged.find(".//rsc_order[@id='o_o2cb_fs']") is None
    assert merged.find(".//rsc_location[@id='drbd-fence-by-handler-r0-drbd_r0-clone']") is not None


def test_retired_ids_never_include_the_current_plan():
    cfg = lab_config()
    assert not retired_ids(cfg) & set(plan_stack(cfg).ids)
    assert {"dlm-clone", "o_dlm_fs", "web-clone", "o_fs_web"} <= retired_ids(cfg)
    # the layout of earlier versions: the cluster stack chained after DRBD's promotion
    assert {"o_drbd_o2cb", "c_o2cb_drbd"} <= retired_ids(cfg)


def test_merge_refuses_an_id_clash():
    live = cib_xml.parse_xml(LIVE.replace('<primitive id="other"', '<primitive id="fs_ocfs2"'))
    with pytest.raises(DualrootError, match="'fs_ocfs2' would be used twice"):
        cib_xml.merge_plan(live, plan_stack(lab_config()))


def test_merge_needs_a_cib():
    with pytest.raises(DualrootError, match="no <configuration>"):
        cib_xml.merge_plan(etree.fromstring(b"<resources/>"), plan_stack(lab_config()))


def test_parse_xml_error_is_one_line():
    with pytest.raises(DualrootError, match="is not XML") as exc:
        cib_xml.parse_xml("<cib>", "live CIB")
    assert "\n" not in str(exc.value)
