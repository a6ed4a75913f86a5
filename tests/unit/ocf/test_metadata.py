"""render_metadata: OCF 1.1 structure, escaping, DOCTYPE internal subset (validators: integration)."""

import xml.etree.ElementTree as ET

import pytest

from dualroot.ocf.metadata import DOCTYPE, render_metadata
from tests.unit.ocf.sample_agent import METADATA

pytestmark = pytest.mark.unit


def test_document_starts_with_declaration_and_doctype():
    text = render_metadata(METADATA)
    assert text.startswith('<?xml version="1.0"?>\n<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd" [')
    assert DOCTYPE in text
    for declaration in ("<!ATTLIST action name CDATA #REQUIRED>",
                        "<!ATTLIST parameter reloadable CDATA #IMPLIED>",
                        "<!ATTLIST parameter unique-group CDATA #IMPLIED>"):
        assert declaration in text


def test_structure_and_escaping_round_trip():
    root = ET.fromstring(render_metadata(METADATA).split("]>", 1)[1])
    assert root.tag == "resource-agent" and root.get("name") == "sample" and root.get("version") == "0.1"
    assert [child.tag for child in root] == ["version", "longdesc", "shortdesc", "parameters", "actions"]
    assert root.findtext("version") == "1.1"
    assert root.findtext("shortdesc") == "A sample <agent> & friends"
    assert '"quotes", <tags> & ampersands' in root.findtext("longdesc")
    name = root.find("parameters/parameter[@name='name']")
    assert name.get("required") == "1" and name.get("unique-group") == "name"
    assert [c.tag for c in name] == ["longdesc", "shortdesc", "content"]
    count = root.find("parameters/parameter[@name='count']")
    assert count.get("reloadable") == "1"
    assert count.find("content").attrib == {"type": "integer", "default": "3"}
    assert "Range: 1..10." in count.findtext("longdesc")
    assert "Allowed values: a, b." in root.find("parameters/parameter[@name='mode']").findtext("longdesc")


def test_every_action_has_a_timeout_and_new_role_names():
    root = ET.fromstring(render_metadata(METADATA).split("]>", 1)[1])
    actions = root.findall("actions/action")
    assert all(a.get("timeout", "").endswith("s") for a in actions)
    roles = {a.get("role") for a in actions if a.get("role")}
    assert roles == {"Promoted", "Unpromoted"}
    monitors = [a for a in actions if a.get("name") == "monitor"]
    assert len({a.get("interval") for a in monitors}) == 2  # Pacemaker needs distinct intervals per role


def test_no_select_or_deprecated_elements():
    text = render_metadata(METADATA)
    assert "<option" not in text and "<deprecated" not in text and 'type="select"' not in text
