"""The pcs and crmsh forms: the same objects and ids as the plan, in each tool's syntax."""

import dataclasses
import shlex

import pytest

from dualroot.cib.config import Agents, Web, lab_config
from dualroot.cib.crmsh_form import render_crmsh
from dualroot.cib.model import plan_stack
from dualroot.cib.pcs_form import pcs_commands, render_pcs

pytestmark = pytest.mark.unit


def test_pcs_commands_for_the_lab():
    commands = pcs_commands(plan_stack(lab_config()), "c.xml")
    assert all(argv[:3] == ["pcs", "-f", "c.xml"] for argv in commands)
    assert commands[0][3:] == [
        "property",
        "set",
        "stonith-enabled=true",
        "no-quorum-policy=freeze",
        "stonith-timeout=60s",
        "dc-deadtime=5s",
    ]
    drbd = next(argv for argv in commands if "drbd_r0" in argv and "create" in argv)
    assert drbd[drbd.index("promotable") + 1:] == [
        "promoted-max=2", "promoted-node-max=1", "clone-max=2", "clone-node-max=1", "notify=true",
        "interleave=true", "--no-default-ops",
    ]  # fmt: skip
    assert "role=Promoted" in drbd and "role=Unpromoted" in drbd
    assert [
        "pcs",
        "-f",
        "c.xml",
        "constraint",
        "location",
        "add",
        "l_fence_node1",
        "fence_node1",
        "node1",
        "--",
        "-INFINITY",
    ] in commands
    assert [
        "pcs",
        "-f",
        "c.xml",
        "constraint",
        "colocation",
        "add",
        "fs_ocfs2-clone",
        "with",
        "Promoted",
        "drbd_r0-clone",
        "INFINITY",
        "id=c_fs_drbd",
    ] in commands
    fs = next(argv for argv in commands if "fs_ocfs2" in argv and "create" in argv)
    assert "OCF_CHECK_LEVEL=10" in fs


def test_pcs_force_only_when_asked():
    assert not any("--force" in argv for argv in pcs_commands(plan_stack(lab_config()), "c.xml"))
    forced = pcs_commands(plan_stack(lab_config()), "c.xml", force=True)
    assert all("--force" in argv for argv in forced if "create" in argv)


def test_render_pcs_is_pasteable():
    text = render_pcs(lab_config(), plan_stack(lab_config()))
    commands = [line for line in text.splitlines() if not line.startswith("#")]
    assert all(shlex.split(line)[0] == "pcs" for line in commands)
    assert len(commands) == len(pcs_commands(plan_stack(lab_config()), "x"))


def test_crmsh_text_for_the_stock_lab_matches_the_recipe_shape():
    cfg = dataclasses.replace(lab_config(), agents=Agents.STOCK)
    text = render_crmsh(cfg, plan_stack(cfg))
    assert "property stonith-enabled=true no-quorum-policy=freeze stonith-timeout=60s" in text
    assert "location l_fence_node1 fence_node1 -inf: node1" in text
    assert "order o_drbd_fs Mandatory: drbd_r0-clone:promote fs_ocfs2-clone:start" in text
    assert "colocation c_fs_drbd inf: fs_ocfs2-clone drbd_r0-clone:Promoted" in text
    assert "primitive fs_ocfs2 ocf:heartbeat:Filesystem \\\n    params device=/dev/drbd0" in text


def test_crmsh_comments_have_no_double_hyphen():
    # crmsh stores comments as XML comments, which may not contain "--" (load fails otherwise)
    cfg = dataclasses.replace(lab_config(), web=Web())
    comments = [line for line in render_crmsh(cfg, plan_stack(cfg)).splitlines() if line.startswith("#")]
    assert comments and not any("--" in line for line in comments)
