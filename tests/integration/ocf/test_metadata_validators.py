"""The DOCTYPE trick, pinned against the real validators: ocf-tester's `xmllint --valid` with
resource-agents' ra-api-1.dtd, and the OCF 1.1 RelaxNG that Debian's pcs ships."""

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from dualroot.ocf.metadata import DOCTYPE, render_metadata
from tests.unit.ocf.sample_agent import METADATA

pytestmark = pytest.mark.integration


def xmllint_valid(text: str) -> subprocess.CompletedProcess:
    """Exactly what ocf-tester does: `xmllint --noout --valid -` run in the DTD's directory."""
    return subprocess.run(["xmllint", "--noout", "--valid", "-"], input=text, text=True, capture_output=True,
                          cwd=Path(paths.OCF_RA_API_DTD).parent, check=False)


def relaxng_errors(text: str) -> list[str]:
    schema = etree.RelaxNG(etree.parse(str(paths.OCF_1_1_RNG)))
    doc = etree.fromstring(text.encode())
    return [] if schema.validate(doc) else [str(e) for e in schema.error_log]


def test_rendered_metadata_passes_both_validators():
    text = render_metadata(METADATA)
    result = xmllint_valid(text)
    assert result.returncode == 0, result.stderr
    assert relaxng_errors(text) == []


def test_without_doctype_the_dtd_check_fails():
    text = render_metadata(METADATA).replace(DOCTYPE + "\n", "")
    result = xmllint_valid(text)
    assert result.returncode != 0 and "no DTD found" in result.stderr
    assert relaxng_errors(text) == []


def test_without_the_internal_subset_ocf_1_1_attributes_fail_the_dtd():
    text = render_metadata(METADATA).replace(DOCTYPE, '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">')
    result = xmllint_valid(text)
    assert result.returncode != 0
    assert "reload-agent" in result.stderr and "reloadable" in result.stderr


def test_element_additions_cannot_pass_the_dtd():
    # Why agents name allowed values in text instead of <content type="select"><option/>...
    select = '<content type="select" default="a"><option value="a" /></content>'
    text = render_metadata(METADATA).replace('<content type="string" default="a" />', select)
    assert '<option value="a" />' in text
    assert relaxng_errors(text) == []
    assert xmllint_valid(text).returncode != 0
