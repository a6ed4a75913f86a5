"""render_manpage: sections from the declaration, roff escaping, no date (stable output)."""

import pytest

from dualroot.ocf.manpage import load_metadata, render_manpage, roff_escape
from tests.unit.ocf.sample_agent import METADATA

pytestmark = pytest.mark.unit


def test_sections_in_order():
    page = render_manpage(METADATA)
    order = [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH SUPPORTED PARAMETERS",
             ".SH SUPPORTED ACTIONS", ".SH EXAMPLE PCS", ".SH EXAMPLE CRM SHELL", ".SH SEE ALSO"]
    positions = [page.index(s) for s in order]
    assert positions == sorted(positions)
    assert page.startswith('.TH OCF_DUALROOT_SAMPLE 7 "" "dualroot 0.1"')
    assert "ocf_dualroot_sample \\- A sample <agent> & friends" in page
    assert "(integer, default 3, reloadable)" in page
    assert "Suggested timeout 20s, interval 11s, depth 0, role Unpromoted." in page
    assert "pcs resource create s ocf:dualroot:sample name=x" in page


def test_roff_escaping():
    assert roff_escape(".TH x\n'y\na\\b") == "\\&.TH x\n\\&'y\na\\eb"
    page = render_manpage(METADATA)
    assert "\n.A line" not in page and "back\\eslash" in page


def test_stable_output_and_loader():
    assert render_manpage(METADATA) == render_manpage(load_metadata("tests.unit.ocf.sample_agent:METADATA"))
