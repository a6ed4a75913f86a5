"""ocf:dualroot:drbd installed into / by `make install`, checked with the real tools: the OCF 1.1 RelaxNG,
ocf-tester's DTD check and behaviour matrix (on stub DRBD tools), pcs, crm_verify, and the bad-input
matrix on the real executable (exit 2/5/6, one reason naming the parameter, no traceback, nothing run)."""

import os
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from tests.integration.drbd.drbd_clone_cib import (
    CREATE_DRBD_R0,
    DUAL_PRIMARY_CLONE,
    empty_cib,
    install_agents,
    pcs_f,
)
from tests.integration.drbd.drbd_stubs import build_stub_root

pytestmark = pytest.mark.integration
AGENT = Path(paths.OCF_AGENT_DIR) / "drbd"


@pytest.fixture(scope="module")
def installed():
    if os.geteuid() != 0:
        pytest.fail("these tests install the agent into / and must run as root (as on this host and in CI)")
    install_agents()
    return AGENT


def agent_env(**extra: str) -> dict[str, str]:
    # What Pacemaker gives an agent, minus the test runner's own Python settings.
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "OCF_ROOT": str(paths.OCF_ROOT),
        "OCF_RESKEY_crm_feature_set": "3.16.1",
        "OCF_RESKEY_CRM_meta_timeout": "20000",
        "OCF_RESOURCE_INSTANCE": "drbd_r0",
    }
    env.update(extra)
    return env


def test_meta_data_passes_the_ocf_1_1_relaxng_and_ocf_testers_dtd(installed):
    text = subprocess.run([str(installed), "meta-data"], capture_output=True, text=True, check=True).stdout
    schema = etree.RelaxNG(etree.parse(str(paths.OCF_1_1_RNG)))
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    dtd = subprocess.run(
        ["xmllint", "--noout", "--valid", "-"],
        input=text,
        text=True,
        capture_output=True,
        cwd=Path(paths.OCF_RA_API_DTD).parent,
        check=False,
    )
    assert dtd.returncode == 0, dtd.stderr


def test_pcs_describes_the_agent(installed):
    result = subprocess.run(
        [paths.PCS, "resource", "describe", "ocf:dualroot:drbd"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for word in (
        "drbd_resource (required)",
        "connect_wait",
        "role=Promoted",
        "role=Unpromoted",
        "reload-agent",
    ):
        assert word in result.stdout


def test_pcs_creates_a_dual_primary_promotable_clone_and_crm_verify_accepts_it(installed, tmp_path):
    monitors = ("op", "monitor", "interval=10s", "role=Promoted",
                "op", "monitor", "interval=20s", "role=Unpromoted")
    cib = empty_cib(tmp_path / "cib.xml")
    for args in (
        ("property", "set", "stonith-enabled=false"),
        (*CREATE_DRBD_R0, *monitors, *DUAL_PRIMARY_CLONE, "interleave=true"),
    ):
        result = pcs_f(cib, *args)
        assert result.returncode == 0, result.stderr
    xml = etree.parse(str(cib))
    primitive = xml.find(".//clone[@id='drbd_r0-clone']/primitive[@id='drbd_r0']")
    assert (
        primitive is not None and primitive.get("provider") == "dualroot" and primitive.get("type") == "drbd"
    )
    metas = {nv.get("name"): nv.get("value") for nv in xml.iterfind(".//clone/meta_attributes/nvpair")}
    assert metas["promotable"] == "true" and metas["promoted-max"] == "2" and metas["notify"] == "true"
    # pcs copied the agent's default operations, each with its timeout
    ops = {(op.get("name"), op.get("role")): op for op in primitive.iterfind("operations/op")}
    assert ops[("start", None)].get("timeout") == "240s"
    verify = subprocess.run(
        [paths.CRM_VERIFY, "--xml-file", str(cib)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr


def test_pcs_rejects_a_missing_required_parameter(installed, tmp_path):
    result = pcs_f(empty_cib(tmp_path / "cib.xml"), "resource", "create", "d", "ocf:dualroot:drbd")
    assert result.returncode != 0 and "drbd_resource" in result.stderr


def test_ocf_tester_passes_on_stub_drbd(installed, tmp_path):
    stubs = build_stub_root(tmp_path / "stubs", "down")
    env = {**os.environ, **stubs.env_for_dualroot()}
    result = subprocess.run(
        [paths.OCF_TESTER, "-v", "-n", "drbd_r0", "-o", "drbd_resource=r0", str(installed)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "passed all tests" in result.stdout
    calls = stubs.calls()
    assert any(c.endswith("up r0") for c in calls) and any(c.endswith("primary r0") for c in calls)
    assert stubs.state() == "down"


BAD_INPUT = [
    # (parameters, meta attributes, expected code, words in the reason)
    ({}, {}, 6, "parameter drbd_resource is required"),
    ({"drbd_resource": ""}, {}, 6, "parameter drbd_resource is required"),
    ({"drbd_resource": "r0; reboot"}, {}, 6, "parameter drbd_resource must consist of"),
    ({"drbd_resource": "$(touch /tmp/pwned)"}, {}, 6, "parameter drbd_resource must consist of"),
    ({"drbd_resource": "r0\nr1"}, {}, 6, "parameter drbd_resource must consist of"),
    ({"drbd_resource": "-r0"}, {}, 6, "parameter drbd_resource must consist of"),
    ({"drbd_resource": "r0", "drbdconf": "relative.conf"}, {}, 6, "parameter drbdconf must consist of"),
    ({"drbd_resource": "r0", "drbdconf": "/etc/drbd.conf|x"}, {}, 6, "parameter drbdconf must consist of"),
    ({"drbd_resource": "r0", "connect_wait": "five"}, {}, 6, "parameter connect_wait must be an integer"),
    ({"drbd_resource": "r0", "connect_wait": "301"}, {}, 6, "parameter connect_wait must be at most 300"),
    ({"drbd_resource": "r0", "connect_wait": "1;id"}, {}, 6, "parameter connect_wait must be an integer"),
    (
        {"drbd_resource": "r0", "adjust_on_notify": "sure"},
        {},
        6,
        "parameter adjust_on_notify must be a boolean",
    ),
    (
        {"drbd_resource": "r0"},
        {"promoted_max": "3", "clone_max": "3", "notify": "true"},
        6,
        "promoted-max is 3",
    ),
    (
        {"drbd_resource": "r0"},
        {"promoted_max": "2", "clone_node_max": "2", "notify": "true"},
        6,
        "clone-node-max is 2",
    ),
    (
        {"drbd_resource": "r0"},
        {"promoted_max": "2", "promoted_node_max": "2", "notify": "true"},
        6,
        "promoted-node-max is 2",
    ),
    ({"drbd_resource": "r0"}, {"promoted_max": "2", "clone_max": "3", "notify": "true"}, 6, "clone-max is 3"),
]


@pytest.mark.parametrize(("params", "meta", "code", "words"), BAD_INPUT)
def test_bad_input_matrix(installed, tmp_path, params, meta, code, words):
    stubs = build_stub_root(tmp_path / "stubs", "secondary")
    env = agent_env(
        **stubs.env_for_dualroot(),
        **{f"OCF_RESKEY_{k}": v for k, v in params.items()},
        **{f"OCF_RESKEY_CRM_meta_{k}": v for k, v in meta.items()},
    )
    actions = (
        ["start", "promote", "validate-all"]
        if meta
        else ["start", "stop", "monitor", "promote", "demote", "notify", "validate-all", "reload-agent"]
    )
    for action in actions:
        result = subprocess.run(
            [str(installed), action], capture_output=True, text=True, env=env, check=False
        )
        reasons = [line for line in result.stderr.splitlines() if line.startswith("ocf-exit-reason:")]
        assert result.returncode == code, (action, result.stderr)
        assert len(reasons) == 1 and words in reasons[0], (action, result.stderr)
        assert "Traceback" not in result.stderr
    assert stubs.calls() == []  # nothing was run
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("action", ["start", "promote", "validate-all"])
def test_unknown_resource_is_2_naming_the_parameter(installed, tmp_path, action):
    stubs = build_stub_root(tmp_path / "stubs", "down")
    env = agent_env(**stubs.env_for_dualroot(), OCF_RESKEY_drbd_resource="nosuch", OCF_CHECK_LEVEL="10")
    result = subprocess.run([str(installed), action], capture_output=True, text=True, env=env, check=False)
    reasons = [line for line in result.stderr.splitlines() if line.startswith("ocf-exit-reason:")]
    assert result.returncode == 2, result.stderr
    assert len(reasons) == 1
    assert reasons[0].startswith(
        "ocf-exit-reason:parameter drbd_resource: DRBD resource nosuch is not defined"
    )
    assert "Traceback" not in result.stderr


def test_empty_optional_value_means_its_default(installed, tmp_path):
    stubs = build_stub_root(tmp_path / "stubs", "secondary")
    env = agent_env(
        **stubs.env_for_dualroot(),
        OCF_RESKEY_drbd_resource="r0",
        OCF_RESKEY_drbdconf="",
        OCF_RESKEY_CRM_meta_interval="20000",
    )
    result = subprocess.run([str(installed), "monitor"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert stubs.calls()[0] == "drbdadm -c /etc/drbd.conf sh-minor r0"


def test_unknown_resource_probe_is_not_running(installed, tmp_path):
    stubs = build_stub_root(tmp_path / "stubs", "secondary")
    env = agent_env(
        **stubs.env_for_dualroot(), OCF_RESKEY_drbd_resource="nosuch", OCF_RESKEY_CRM_meta_interval="0"
    )
    result = subprocess.run([str(installed), "monitor"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 7 and result.stderr == ""


def test_unknown_action_is_3(installed):
    result = subprocess.run(
        [str(installed), "migrate_to"],
        capture_output=True,
        text=True,
        env=agent_env(OCF_RESKEY_drbd_resource="r0"),
        check=False,
    )
    assert result.returncode == 3 and result.stderr.startswith("ocf-exit-reason:action 'migrate_to'")
