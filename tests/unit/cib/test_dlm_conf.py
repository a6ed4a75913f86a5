"""The rendered /etc/dlm/dlm.conf: dualroot's fence agent with its grace, only where it belongs."""

from dataclasses import replace

import pytest

from dualroot import paths
from dualroot.cib.config import Agents, Stack, lab_config
from dualroot.cib.dlm_conf import fence_grace_s, render_dlm_conf, wants_dlm_conf
from dualroot.stack.dlm_fence import MAX_GRACE_S

pytestmark = pytest.mark.unit


def settings(cfg):
    return [line for line in render_dlm_conf(cfg).splitlines() if not line.startswith("#")]


def test_the_lab_gets_dualroots_fence_agent_with_its_grace():
    cfg = replace(lab_config(), dlm_directory=None)
    assert wants_dlm_conf(cfg)
    assert settings(cfg) == [f"fence_all {paths.DUALROOT_DLM_FENCE} grace=9"]


def test_the_grace_covers_token_and_consensus_up_to_the_cap():
    # a dead peer fenced as soon as corosync's link drops is dropped from the membership only after
    # the token and consensus: 3000 ms x 2.2 = 6.6 s, and 2 s for whole-second clocks
    assert fence_grace_s(lab_config()) == 9
    assert fence_grace_s(replace(lab_config(), token_ms=1000)) == 5
    assert fence_grace_s(replace(lab_config(), token_ms=10000)) == MAX_GRACE_S


def test_the_labs_lock_directory_is_on_node1_in_the_volumes_lockspace():
    # OCFS2 names its lockspace after the volume's UUID as 32 upper-case hex digits (what
    # `tunefs.ocfs2 -Q %U` prints; tests/integration/cib/test_mkfs_real.py checks it on a real volume).
    assert settings(lab_config())[1:] == [
        "lockspace 592D4EFF9B344400923A1583F6F812AC",
        "master 592D4EFF9B344400923A1583F6F812AC node=1",
    ]
    assert "nodir" not in render_dlm_conf(lab_config())  # node2 must still master its own locks


def test_the_directory_node_is_named_by_its_corosync_nodeid():
    cfg = lab_config()
    nodes = (replace(cfg.nodes[0], nodeid=11), replace(cfg.nodes[1], nodeid=12))
    cfg = replace(cfg, nodes=nodes, dlm_directory="node2")
    assert settings(cfg)[-1] == "master 592D4EFF9B344400923A1583F6F812AC node=12"


def test_stock_agents_and_the_classic_stack_keep_dlm_controlds_default():
    assert not wants_dlm_conf(replace(lab_config(), agents=Agents.STOCK))
    assert not wants_dlm_conf(replace(lab_config(), stack=Stack.O2CB))
