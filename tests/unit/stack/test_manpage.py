"""man/ocf_dualroot_o2cb.7 is what the meta-data declaration renders (fails when it is stale)."""

from pathlib import Path

import pytest

from dualroot.ocf.manpage import render_manpage
from dualroot.stack.agent import METADATA

pytestmark = pytest.mark.unit

PAGE = Path(__file__).resolve().parents[3] / "man" / "ocf_dualroot_o2cb.7"


def test_committed_man_page_is_current() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_manpage(METADATA), (
        "man/ocf_dualroot_o2cb.7 is stale: run "
        "python3 -m dualroot.ocf.manpage dualroot.stack.agent:METADATA man/ocf_dualroot_o2cb.7"
    )


def test_page_names_every_parameter_and_action() -> None:
    text = PAGE.read_text(encoding="utf-8")
    for parameter in METADATA.parameters:
        assert f"\\fB{parameter.name}\\fR" in text
    for name in METADATA.action_names:
        assert f"\\fB{name}\\fR" in text
