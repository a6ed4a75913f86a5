"""`dualroot cib check` against the real Pacemaker tools: RelaxNG, crm_verify and crm_simulate."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from dualroot.cib.check import check_cib, validate_schema
from dualroot.cib.cib_xml import render_cib
from dualroot.cib.config import Agents, lab_config, load_config
from dualroot.cib.model import plan_stack
from dualroot.cli import main

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not shutil.which("crm_simulate"), reason="needs pacemaker-cli-utils"),
]
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CONFIGS = {
    "lab-dualroot": lab_config(),
    "lab-stock": dataclasses.replace(lab_config(), agents=Agents.STOCK),
    "lab-web": load_config(EXAMPLES / "lab-web.toml"),
    "shared-storage-3-nodes": load_config(EXAMPLES / "shared-storage-3-nodes.toml"),
    "shared-storage-3-nodes-stock": dataclasses.replace(
        load_config(EXAMPLES / "shared-storage-3-nodes.toml"), agents=Agents.STOCK
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_rendered_stack_passes_every_check(name):
    cfg = CONFIGS[name]
    report = check_cib(render_cib(plan_stack(cfg)), [(n.nodeid, n.name) for n in cfg.nodes])
    assert report.schema_errors == ()
    assert report.verify_rc == 0, report.verify_output
    assert [s.ok for s in report.scenarios] == [True, True, True], report.scenarios
    start, loss, monitor = report.scenarios
    assert start.name == "start"
    assert loss.name == f"{cfg.nodes[-1].name} fails" and "fenced" in loss.seen
    # the failed node's own mount was restarted; nothing elsewhere (checked inside, shown here)
    assert f"{cfg.nodes[0].name}:" in monitor.seen and "fs_ocfs2" in monitor.seen


def test_schema_rejects_a_broken_cib():
    cib = render_cib(plan_stack(lab_config()))
    clone = cib.find(".//clone[@id='drbd_r0-clone']")
    assert clone is not None
    clone.set("bogus", "1")
    _, errors = validate_schema(cib)
    assert errors


def test_without_interleave_the_monitor_scenario_fails():
    # the scenarios can fail: without interleave, node1's drbd recovery restarts node2's mount too
    cib = render_cib(plan_stack(lab_config()))
    nvpair = cib.find(".//clone[@id='fs_ocfs2-clone']/meta_attributes/nvpair[@name='interleave']")
    assert nvpair is not None
    nvpair.set("value", "false")
    report = check_cib(cib, [(1, "node1"), (2, "node2")])
    monitor = report.scenarios[2]
    assert not monitor.ok and "fs_ocfs2" in monitor.seen and not report.ok


def test_without_fencing_crm_verify_fails():
    cib = render_cib(plan_stack(lab_config()))
    for device in cib.findall(".//primitive[@class='stonith']"):
        device.getparent().remove(device)
    for location in cib.findall(".//rsc_location"):
        location.getparent().remove(location)
    report = check_cib(cib, [(1, "node1"), (2, "node2")])
    assert report.verify_rc != 0 and not report.ok


def test_cli_check_prints_a_table_and_exits_0(capsys):
    assert main(["cib", "check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["check", "expected", "seen", "result"]
    assert [line.split()[-1] for line in out[1:]] == ["ok"] * 5


def test_cli_check_of_a_cib_file(tmp_path, capsys):
    path = tmp_path / "cib.xml"
    assert main(["cib", "render", "--agents", "stock"]) == 0
    path.write_text(capsys.readouterr().out)
    assert main(["cib", "check", "--cib", str(path)]) == 0
    assert "node2 fenced; survivors untouched" in capsys.readouterr().out
