"""man/ocf_dualroot_*.7 are what the agents' meta-data declarations render (fails when one is stale)."""

from pathlib import Path

import pytest

from dualroot.ocf.manpage import load_metadata, render_manpage

pytestmark = pytest.mark.unit

MAN = Path(__file__).resolve().parents[2] / "man"
# agent name -> the module whose METADATA declares it
AGENTS = {"drbd": "dualroot.drbd.agent", "o2cb": "dualroot.stack.agent", "ocfs2": "dualroot.ocfs2.agent"}


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_committed_man_page_is_current(agent: str) -> None:
    declaration = f"{AGENTS[agent]}:METADATA"
    page = MAN / f"ocf_dualroot_{agent}.7"
    assert page.read_text(encoding="utf-8") == render_manpage(load_metadata(declaration)), (
        f"man/{page.name} is stale: run python3 -m dualroot.ocf.manpage {declaration} man/{page.name}"
    )


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_page_names_every_parameter_and_action(agent: str) -> None:
    metadata = load_metadata(f"{AGENTS[agent]}:METADATA")
    text = (MAN / f"ocf_dualroot_{agent}.7").read_text(encoding="utf-8")
    for parameter in metadata.parameters:
        assert f"\\fB{parameter.name}\\fR" in text
    for name in metadata.action_names:
        assert f"\\fB{name}\\fR" in text


def test_drbd_page_shows_the_promotable_clone_in_both_forms() -> None:
    text = (MAN / "ocf_dualroot_drbd.7").read_text(encoding="utf-8")
    assert "promotable promoted-max=2" in text and "clone drbd_r0-clone drbd_r0 meta promotable=true" in text
