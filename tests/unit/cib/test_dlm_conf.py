"""The rendered /etc/dlm/dlm.conf: dualroot's fence agent with its grace, only where it belongs."""

from dataclasses import replace

import pytest

from dualroot import paths
from dualroot.cib.config import Agents, Stack, lab_config
from dualroot.cib.dlm_conf import FENCE_GRACE_S, render_dlm_conf, wants_dlm_conf
from dualroot.stack.dlm_fence import MAX_GRACE_S

pytestmark = pytest.mark.unit


def test_the_lab_gets_dualroots_fence_agent_with_its_grace():
    cfg = lab_config()
    assert wants_dlm_conf(cfg)
    lines = [line for line in render_dlm_conf(cfg).splitlines() if not line.startswith("#")]
    assert lines == [f"fence_all {paths.DUALROOT_DLM_FENCE} grace={FENCE_GRACE_S}"]
    assert 0 < FENCE_GRACE_S <= MAX_GRACE_S


def test_stock_agents_and_the_classic_stack_keep_dlm_controlds_default():
    assert not wants_dlm_conf(replace(lab_config(), agents=Agents.STOCK))
    assert not wants_dlm_conf(replace(lab_config(), stack=Stack.O2CB))
