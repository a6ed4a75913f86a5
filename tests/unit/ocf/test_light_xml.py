"""dualroot.ocf.light_xml against ElementTree: the same answers on a real lab CIB, escaping that
round-trips, and errors as one exception type."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dualroot.ocf import light_xml

pytestmark = pytest.mark.unit

LAB_CIB = (Path(__file__).resolve().parents[1] / "drbd" / "data" / "cib_lab_status.xml").read_text()


def test_iteration_matches_elementtree_on_a_real_cib():
    mine, theirs = light_xml.parse(LAB_CIB), ET.fromstring(LAB_CIB)
    assert [(e.tag, e.attrib) for e in mine.iter()] == [(e.tag, e.attrib) for e in theirs.iter()]
    for tag in ("lrm_rsc_op", "nvpair", "node_state"):
        assert [e.attrib for e in mine.iter(tag)] == [e.attrib for e in theirs.iter(tag)]
    for path in ("status/node_state", "configuration/nodes/node", "status/node_state/lrm/lrm_resources"):
        assert [e.attrib for e in mine.iterfind(path)] == [e.attrib for e in theirs.iterfind(path)]
    assert mine.find("configuration/nodes/node").get("uname") == theirs.find("configuration/nodes/node").get(
        "uname")
    assert mine.find("no/such") is None and mine.get("absent", "x") == "x"


def test_serialised_attributes_round_trip_through_a_real_parser():
    nasty = 'a "quoted" <tag> & \'apos\'\n\ttab\r'
    root = light_xml.Element("rsc_location", {"id": "c1", "rsc": nasty})
    root.add("rule", {"score": "-INFINITY"}).add("expression", {"value": nasty})
    text = light_xml.tostring(root)
    parsed = ET.fromstring(text)
    assert parsed.get("rsc") == nasty and parsed.find("rule/expression").get("value") == nasty
    assert light_xml.tostring(light_xml.Element("x", {"id": "1"})) == '<x id="1"/>'


@pytest.mark.parametrize("text", ["", "<a>", "<a></b>", "not xml", "<a/><b/>"])
def test_malformed_text_raises_xml_error(text):
    with pytest.raises(light_xml.XmlError):
        light_xml.parse(text)
