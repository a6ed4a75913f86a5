"""`dualroot cib apply` with the real cibadmin, crm_diff and crm_verify, on a CIB file (CIB_file)
standing in for the live cluster: one patch, idempotent, foreign objects kept, agent switch retires."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence

import pytest
from lxml import etree

from dualroot.cib.apply import apply_config
from dualroot.cib.config import Agents, Web, lab_config
from dualroot.command import CommandResult, run_host

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not (shutil.which("cibadmin") and shutil.which("crm_diff")), reason="needs pacemaker"),
]

# what crm-fence-peer.sh places while a peer is fenced: an apply must never remove it
HANDLER_CONSTRAINT = (
    '<rsc_location id="drbd-fence-by-handler-r0-drbd_r0-clone" rsc="drbd_r0-clone">'
    '<rule id="drbd-fence-by-handler-r0-rule-drbd_r0-clone" role="Promoted" score="-INFINITY">'
    '<expression id="drbd-fence-by-handler-r0-expr-drbd_r0-clone" attribute="#uname" operation="ne" '
    'value="node1"/>'
    "</rule></rsc_location>"
)


@pytest.fixture
def live(tmp_path):
    """A CIB file and a runner whose commands act on it, recording every argv."""
    path = tmp_path / "live.xml"
    path.write_text(run_host(["cibadmin", "--empty"]).check().stdout)
    calls: list[list[str]] = []

    def run(argv: Sequence[str], input: str | None = None) -> CommandResult:
        calls.append(list(argv))
        return run_host(argv, input=input, env={"CIB_file": str(path)})

    return path, run, calls


def patches(calls):
    return [argv for argv in calls if "--patch" in argv]


def test_first_apply_pushes_one_patch_second_changes_nothing(live):
    path, run, calls = live
    first = apply_config(run, lab_config())
    assert first.changed and first.pushed
    assert len(patches(calls)) == 1
    assert any("create clone o2cb-clone" in line for line in first.summary)
    cib = etree.parse(str(path)).getroot()
    assert cib.find(".//primitive[@id='drbd_r0']").get("provider") == "dualroot"
    calls.clear()
    second = apply_config(run, lab_config())
    assert not second.changed and not second.pushed and second.diff == ""
    assert patches(calls) == []


def test_apply_keeps_foreign_objects_and_existing_options(live):
    path, run, _ = live
    apply_config(run, lab_config())
    run(["cibadmin", "--create", "--scope", "constraints", "--xml-text", HANDLER_CONSTRAINT]).check()
    run(["crm_attribute", "--type", "crm_config", "--name", "no-quorum-policy", "--update", "stop"]).check()
    run(["crm_attribute", "--type", "crm_config", "--name", "cluster-name", "--update", "dualroot"]).check()
    result = apply_config(run, lab_config())
    assert result.pushed
    assert result.summary == (
        "modify /cib/configuration/crm_config/cluster_property_set[@id='cib-bootstrap-options']"
        "/nvpair[@id='cib-bootstrap-options-no-quorum-policy']: value=freeze",
    )
    cib = etree.parse(str(path)).getroot()
    assert cib.find(".//rsc_location[@id='drbd-fence-by-handler-r0-drbd_r0-clone']") is not None
    policies = cib.findall(".//cluster_property_set/nvpair[@name='no-quorum-policy']")
    assert [p.get("value") for p in policies] == ["freeze"]
    assert cib.find(".//nvpair[@name='cluster-name']").get("value") == "dualroot"
    assert not apply_config(run, lab_config()).changed


def test_switching_agents_retires_the_other_stack(live):
    path, run, _ = live
    apply_config(run, dataclasses.replace(lab_config(), web=Web()))
    result = apply_config(run, dataclasses.replace(lab_config(), agents=Agents.STOCK))
    assert result.pushed
    cib = etree.parse(str(path)).getroot()
    ids = {e.get("id") for e in cib.iterfind("configuration/resources/*")}
    assert ids == {"fence_node1", "fence_node2", "drbd_r0-clone", "dlm-clone", "fs_ocfs2-clone"}
    assert cib.find(".//rsc_order[@id='o_drbd_o2cb']") is None
    assert not apply_config(run, dataclasses.replace(lab_config(), agents=Agents.STOCK)).changed


# what dualroot rendered before the cluster stack and DRBD started side by side
FORMER_CHAIN = (
    '<rsc_order id="o_drbd_o2cb" first="drbd_r0-clone" first-action="promote" then="o2cb-clone" '
    'then-action="start" kind="Mandatory"/>',
    '<rsc_colocation id="c_o2cb_drbd" rsc="o2cb-clone" with-rsc="drbd_r0-clone" '
    'with-rsc-role="Promoted" score="INFINITY"/>',
)


def test_apply_after_an_upgrade_removes_the_former_chain(live):
    path, run, _ = live
    apply_config(run, lab_config())
    for constraint in FORMER_CHAIN:
        run(["cibadmin", "--create", "--scope", "constraints", "--xml-text", constraint]).check()
    result = apply_config(run, lab_config())
    assert result.pushed
    cib = etree.parse(str(path)).getroot()
    assert cib.find(".//rsc_order[@id='o_drbd_o2cb']") is None
    assert cib.find(".//rsc_colocation[@id='c_o2cb_drbd']") is None
    assert cib.find(".//rsc_order[@id='o_drbd_fs']") is not None
    assert not apply_config(run, lab_config()).changed


def test_dry_run_pushes_nothing(live):
    path, run, calls = live
    before = path.read_text()
    result = apply_config(run, lab_config(), dry_run=True)
    assert result.changed and not result.pushed and "<diff" in result.diff
    assert patches(calls) == [] and path.read_text() == before


def test_cli_apply_then_check_the_live_cib(live, monkeypatch, capsys):
    from dualroot.cli import main

    path, run, _ = live
    monkeypatch.setenv("CIB_file", str(path))  # the host runner passes it on: cibadmin works on the file
    assert main(["cib", "apply", "--dry-run"]) == 0
    assert "dry run:" in capsys.readouterr().out
    assert main(["cib", "apply"]) == 0
    assert "pushed one patch" in capsys.readouterr().out
    assert main(["cib", "apply"]) == 0
    assert capsys.readouterr().out.strip() == "nothing changed: the cluster already runs the rendered stack"
    # a live CIB brings its own nodes (ids from corosync) and a status section: check uses them
    for nodeid, name in ((11, "node1"), (12, "node2")):
        node = f'<node id="{nodeid}" uname="{name}"/>'
        run(["cibadmin", "--create", "--scope", "nodes", "--xml-text", node]).check()
    monkeypatch.delenv("CIB_file")
    assert main(["cib", "check", "--cib", str(path)]) == 0
    assert "node2 fenced; survivors untouched" in capsys.readouterr().out
