"""The pcs and crmsh forms, run for real against an empty CIB (`pcs -f`, crmsh with CIB_file), give a
configuration equivalent to the XML form (compared as XML, ignoring ids)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from dualroot.cib.cib_xml import render_cib
from dualroot.cib.config import Agents, ClusterConfig, Web, lab_config, load_config
from dualroot.cib.crmsh_form import render_crmsh
from dualroot.cib.model import plan_stack
from dualroot.cib.pcs_form import pcs_commands
from tests.integration.cib.cib_equivalence import canonical_configuration, first_difference

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (shutil.which("pcs") and shutil.which("crm") and shutil.which("cibadmin")),
        reason="needs pcs, crmsh and cibadmin",
    ),
]
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ENV = {"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
DUALROOT_AGENTS_INSTALLED = all((Path(paths.OCF_AGENT_DIR) / a).exists() for a in ("drbd", "o2cb", "ocfs2"))


def host_fence(cfg: ClusterConfig) -> ClusterConfig:
    """The same cluster with a fence agent this host has (pcs and crmsh check parameters against the
    agent's meta-data): the config's own when installed (fence_ipmilan), else fence_dummy."""
    if shutil.which(cfg.fencing.method, path="/usr/sbin:/usr/bin:/sbin"):
        return cfg
    pacemaker_only = tuple(
        (node, tuple((k, v) for k, v in params if k.startswith("pcmk_")))
        for node, params in cfg.fencing.node_params
    )
    fencing = dataclasses.replace(cfg.fencing, method="fence_dummy", params=(), node_params=pacemaker_only)
    return dataclasses.replace(cfg, fencing=fencing)


def empty_cib(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(
        subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True, env=ENV).stdout
    )
    return path


def run_pcs(cfg: ClusterConfig, tmp_path: Path, force: bool) -> etree._Element:
    cib = empty_cib(tmp_path, "pcs.xml")
    for argv in pcs_commands(plan_stack(cfg), str(cib), force=force):
        result = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=60, check=False)
        assert result.returncode == 0, f"{argv}: {result.stderr}"
    return etree.parse(str(cib)).getroot()


def run_crmsh(cfg: ClusterConfig, tmp_path: Path) -> etree._Element:
    cib = empty_cib(tmp_path, "crmsh.xml")
    text = tmp_path / "stack.crm"
    text.write_text(render_crmsh(cfg, plan_stack(cfg)))
    result = subprocess.run(
        ["crm", "configure", "load", "update", str(text)],
        capture_output=True,
        text=True,
        env={**ENV, "CIB_file": str(cib)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return etree.parse(str(cib)).getroot()


def assert_equivalent(got: etree._Element, cfg: ClusterConfig) -> None:
    want = canonical_configuration(render_cib(plan_stack(cfg)))
    have = canonical_configuration(got)
    assert have == want, first_difference(have, want)


STOCK_CONFIGS = {
    "lab-stock": dataclasses.replace(lab_config(), agents=Agents.STOCK),
}


@pytest.mark.parametrize("name", sorted(STOCK_CONFIGS))
def test_pcs_form_equals_xml_form_stock(tmp_path, name):
    cfg = host_fence(STOCK_CONFIGS[name])
    assert_equivalent(run_pcs(cfg, tmp_path, force=False), cfg)


@pytest.mark.parametrize("name", sorted(STOCK_CONFIGS))
def test_crmsh_form_equals_xml_form_stock(tmp_path, name):
    cfg = host_fence(STOCK_CONFIGS[name])
    assert_equivalent(run_crmsh(cfg, tmp_path), cfg)


# dualroot's agents and systemd units: pcs checks parameters against the agents' meta-data when they
# are installed (`make install`); --force makes it take the plan as is when they are not.
FORCED_CONFIGS = {
    "lab-dualroot": lab_config(),
    "lab-web": load_config(EXAMPLES / "lab-web.toml"),
    "shared-storage-3-nodes": load_config(EXAMPLES / "shared-storage-3-nodes.toml"),
    "drbd9": load_config(EXAMPLES / "two-node-drbd9-ipmi.toml"),
}


@pytest.mark.parametrize("name", sorted(FORCED_CONFIGS))
def test_pcs_form_equals_xml_form_dualroot(tmp_path, name):
    cfg = host_fence(FORCED_CONFIGS[name])
    assert_equivalent(run_pcs(cfg, tmp_path, force=not DUALROOT_AGENTS_INSTALLED or cfg.web is not None), cfg)


@pytest.mark.skipif(
    not DUALROOT_AGENTS_INSTALLED, reason="crmsh needs dualroot's agents installed (make install)"
)
def test_crmsh_form_equals_xml_form_dualroot(tmp_path):
    cfg = host_fence(lab_config())
    assert_equivalent(run_crmsh(cfg, tmp_path), cfg)


def test_comparison_sees_a_real_difference(tmp_path):
    # the equivalence above can fail: a plan with another interleave value is not equivalent
    cfg = host_fence(STOCK_CONFIGS["lab-stock"])
    got = run_pcs(cfg, tmp_path, force=False)
    changed = dataclasses.replace(cfg, web=Web())
    with pytest.raises(AssertionError):
        assert_equivalent(got, changed)
    nvpair = got.find(".//clone[@id='dlm-clone']/meta_attributes/nvpair[@name='interleave']")
    assert nvpair is not None
    nvpair.set("value", "false")
    with pytest.raises(AssertionError):
        assert_equivalent(got, cfg)
