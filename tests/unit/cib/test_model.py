"""The stack plan: which objects, which ids, which order and colocation, for each kind of config."""

import dataclasses

import pytest

from dualroot.cib.config import Agents, Mount, Node, Stack, Web, lab_config
from dualroot.cib.model import Colocation, Location, Order, Role, plan_stack

pytestmark = pytest.mark.unit


def shared_three():
    cfg = lab_config()
    return dataclasses.replace(
        cfg,
        drbd=None,
        nodes=cfg.nodes + (Node("node3", 3, "192.168.100.3", None),),
        mount=Mount("/dev/disk/by-id/wwn-0x1", "/srv/ocfs2"),
    )


def by_type(plan, kind):
    return [c for c in plan.constraints if isinstance(c, kind)]


def test_lab_dualroot_stack():
    plan = plan_stack(lab_config())
    assert [c.primitive.agent for c in plan.clones] == [
        "ocf:dualroot:drbd",
        "ocf:dualroot:o2cb",
        "ocf:dualroot:ocfs2",
    ]
    assert plan.drbd is not None and plan.drbd.id == "drbd_r0-clone" and plan.drbd.promotable
    meta = dict(plan.drbd.meta)
    assert meta["promoted-max"] == "2" and meta["notify"] == "true" and meta["interleave"] == "true"
    assert dict(plan.stack.meta) == {"interleave": "true"} and dict(plan.fs.meta) == {"interleave": "true"}
    assert plan.drbd.primitive.params == (("drbd_resource", "r0"),)
    assert plan.stack.primitive.params == (("stack", "pcmk"), ("dlm_toss_secs", "600"))
    assert dict(plan.fs.primitive.params) == {
        "device": "/dev/drbd0",
        "directory": "/srv/ocfs2",
        "options": "noatime",
    }
    assert dict(plan.properties) == {
        "stonith-enabled": "true",
        "no-quorum-policy": "freeze",
        "stonith-timeout": "60s",
        "dc-deadtime": "5s",
    }


def test_stock_form_states_pacemakers_dc_deadtime_so_a_switch_puts_it_back():
    stock = plan_stack(dataclasses.replace(lab_config(), agents=Agents.STOCK))
    assert dict(stock.properties)["dc-deadtime"] == "20s"


@pytest.mark.parametrize("stack", [Stack.PCMK, Stack.O2CB])
def test_mount_waits_for_drbd_and_the_stack_which_start_side_by_side(stack):
    plan = plan_stack(dataclasses.replace(lab_config(), stack=stack))
    assert [(o.first, o.first_action, o.then, o.then_action) for o in by_type(plan, Order)] == [
        ("drbd_r0-clone", "promote", "fs_ocfs2-clone", "start"),
        ("o2cb-clone", "start", "fs_ocfs2-clone", "start"),
    ]
    assert [(c.rsc, c.with_rsc, c.with_role) for c in by_type(plan, Colocation)] == [
        ("fs_ocfs2-clone", "drbd_r0-clone", Role.PROMOTED),
        ("fs_ocfs2-clone", "o2cb-clone", None),
    ]


def test_both_agent_sets_share_one_layout():
    def shape(cfg):
        return [(type(c).__name__, vars(c)) for c in plan_stack(cfg).constraints]

    stock = dataclasses.replace(lab_config(), agents=Agents.STOCK)
    assert repr(shape(stock)).replace("dlm", "o2cb") == repr(shape(lab_config()))


def test_monitors_per_role_have_distinct_intervals():
    for cfg in (lab_config(), dataclasses.replace(lab_config(), agents=Agents.STOCK)):
        plan = plan_stack(cfg)
        for clone in plan.clones:
            intervals = [op.interval for op in clone.primitive.ops if op.name == "monitor"]
            assert len(intervals) == len(set(intervals)), clone.id
        assert plan.drbd is not None
        roles = {op.role for op in plan.drbd.primitive.ops if op.name == "monitor"}
        assert roles == {Role.PROMOTED, Role.UNPROMOTED}


def test_fence_devices_are_banned_from_their_own_node():
    plan = plan_stack(lab_config())
    assert [(p.id, p.agent, p.params) for p in plan.stonith] == [
        ("fence_node1", "stonith:fence_vmlab", (("pcmk_host_list", "node1"),)),
        ("fence_node2", "stonith:fence_vmlab", (("pcmk_host_list", "node2"),)),
    ]
    assert [(c.rsc, c.node, c.score) for c in by_type(plan, Location)] == [
        ("fence_node1", "node1", "-INFINITY"),
        ("fence_node2", "node2", "-INFINITY"),
    ]


def test_stock_stack_is_the_lab_recipe():
    plan = plan_stack(dataclasses.replace(lab_config(), agents=Agents.STOCK))
    assert [c.primitive.agent for c in plan.clones] == [
        "ocf:linbit:drbd", "ocf:pacemaker:controld", "ocf:heartbeat:Filesystem",
    ]  # fmt: skip
    assert [c.id for c in plan.constraints] == [
        "l_fence_node1", "l_fence_node2", "o_drbd_fs", "o_dlm_fs", "c_fs_drbd", "c_fs_dlm",
    ]  # fmt: skip
    assert dict(plan.fs.primitive.params)["fstype"] == "ocfs2"


def test_shared_storage_has_no_drbd_and_no_clone_max():
    plan = plan_stack(shared_three())
    assert plan.drbd is None
    assert [c.id for c in plan.clones] == ["o2cb-clone", "fs_ocfs2-clone"]
    assert all("clone-max" not in dict(c.meta) for c in plan.clones)
    assert len(plan.stonith) == 3
    assert dict(plan.fs.primitive.params)["device"] == "/dev/disk/by-id/wwn-0x1"


def test_web_tier_after_and_with_the_mount():
    plan = plan_stack(dataclasses.replace(lab_config(), web=Web(unit="apache2", name="www")))
    assert (
        plan.web is not None and plan.web.primitive.agent == "systemd:apache2" and plan.web.id == "www-clone"
    )
    assert Order(id="o_fs_www", first="fs_ocfs2-clone", then="www-clone") in plan.constraints
    assert Colocation(id="c_www_fs", rsc="www-clone", with_rsc="fs_ocfs2-clone") in plan.constraints


@pytest.mark.parametrize("agents", list(Agents))
def test_ids_are_deterministic_and_unique(agents):
    cfg = dataclasses.replace(lab_config(), agents=agents, web=Web())
    assert plan_stack(cfg) == plan_stack(cfg)
    ids = plan_stack(cfg).ids
    assert len(ids) == len(set(ids))
