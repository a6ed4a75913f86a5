"""ocf:dualroot:drbd, every OCF path with a fake runner that fails on unexpected commands."""

import io

import pytest

from dualroot import paths
from dualroot.drbd.agent import AGENT
from dualroot.ocf.dispatcher import run_agent
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.ocf.runner import BUDGET_SHARE
from tests.unit.drbd import fixtures as fx

pytestmark = pytest.mark.unit

CONF = "/etc/drbd.conf"
PROC = str(paths.PROC_DRBD)
SH_MINOR = [paths.DRBDADM, "-c", CONF, "sh-minor", "r0"]
SCORE = [paths.CRM_ATTRIBUTE, "--promotion=drbd_r0:0", "-l", "reboot"]
DUMP = [paths.DRBDADM, "-c", CONF, "dump-xml"]
CIB = [paths.CIBADMIN, "--query", "--scope", "crm_config"]

BASE = {
    "OCF_RESKEY_drbd_resource": "r0",
    "OCF_RESOURCE_INSTANCE": "drbd_r0:0",
    "OCF_RESKEY_crm_feature_set": "3.16.1",
    "OCF_RESKEY_CRM_meta_timeout": "20000",
    "OCF_RESKEY_CRM_meta_interval": "10000",
    "OCF_RESKEY_CRM_meta_on_node": "node1",
}
DUAL = {
    **BASE,
    "OCF_RESKEY_CRM_meta_clone_max": "2",
    "OCF_RESKEY_CRM_meta_clone_node_max": "1",
    "OCF_RESKEY_CRM_meta_promoted_max": "2",
    "OCF_RESKEY_CRM_meta_promoted_node_max": "1",
    "OCF_RESKEY_CRM_meta_notify": "true",
}


def adm(*args):
    return [paths.DRBDADM, "-c", CONF, *args]


def run(action, runner, environ=None):
    err = io.StringIO()

    def factory(env, log):
        runner.budget_s = env.timeout_s * BUDGET_SHARE  # as SubprocessRunner does
        return runner

    rc = run_agent(
        AGENT, ["drbd", action], environ or BASE, stdout=io.StringIO(), stderr=err, runner_factory=factory
    )
    reasons = [
        line[len("ocf-exit-reason:") :]
        for line in err.getvalue().splitlines()
        if line.startswith("ocf-exit-reason:")
    ]
    return rc, reasons


def with_proc(text, conf=True):
    return FakeRunner(files={PROC: text, CONF: "resource r0 {}\n" if conf else None})


# --- monitor and probes -------------------------------------------------------------------------------
def test_probe_without_module_is_not_running_and_runs_nothing():
    runner = with_proc(None)
    assert run("monitor", runner, {**BASE, "OCF_RESKEY_CRM_meta_interval": "0"}) == (7, [])
    assert runner.calls == []


@pytest.mark.parametrize("text", [fx.PROC_NO_MINORS, fx.PROC_UNCONFIGURED])
def test_probe_with_no_drbd_resource_up_is_not_running_and_runs_nothing(text):
    """No minor of any resource is configured: no `drbdadm sh-minor` (it parses the whole configuration),
    no state file, no score."""
    runner = FakeRunner(files={PROC: text})
    assert run("monitor", runner, {**BASE, "OCF_RESKEY_CRM_meta_interval": "0"}) == (7, [])
    assert runner.calls == []


def test_probe_on_a_node_without_the_resource_is_not_running():
    # Another resource is up here, so the probe must ask which minors are r0's: none.
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).expect(SH_MINOR, rc=1,
                                                           stderr="'r0' not defined in your config")
    assert run("monitor", runner, {**BASE, "OCF_RESKEY_CRM_meta_interval": "0"}) == (7, [])
    runner.assert_done()


def test_probe_of_a_running_resource_reports_it_and_scores():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).expect(SH_MINOR, stdout="0\n").expect([*SCORE, "-v", "10000"])
    assert run("monitor", runner, {**DUAL, "OCF_RESKEY_CRM_meta_interval": "0"}) == (8, [])
    runner.assert_done()


def test_recurring_monitor_of_an_undefined_resource_is_2_naming_the_parameter():
    runner = with_proc(fx.PROC_NO_MINORS).expect(SH_MINOR, rc=1, stderr="'r0' not defined in your config")
    rc, reasons = run("monitor", runner)
    assert (
        rc == 2
        and len(reasons) == 1
        and reasons[0].startswith("parameter drbd_resource: DRBD resource r0 is")
    )


def test_monitor_down_is_7_without_touching_the_score():
    runner = with_proc(fx.PROC_UNCONFIGURED).expect(SH_MINOR, stdout="0\n")
    assert run("monitor", runner) == (7, [])
    runner.assert_done()


@pytest.mark.parametrize(
    ("text", "environ", "rc", "score"),
    [
        (fx.PROC_SECONDARY_SECONDARY, BASE, 0, ["-v", "10000"]),
        (fx.PROC_PRIMARY_PRIMARY, DUAL, 8, ["-v", "10000"]),
        (fx.PROC_PRIMARY_PEER_OUTDATED, DUAL, 8, ["-v", "10000"]),
        (fx.PROC_SYNC_TARGET, DUAL, 0, ["-D"]),
        (fx.PROC_OUTDATED, DUAL, 0, ["-D"]),
        (fx.PROC_STANDALONE_SECONDARY, DUAL, 190, ["-v", "1000"]),
        (fx.PROC_PRIMARY_PEER_LOST, DUAL, 191, ["-v", "10000"]),
        (fx.PROC_PRIMARY_PEER_LOST, BASE, 8, ["-v", "10000"]),
    ],
)
def test_monitor_codes_and_scores(text, environ, rc, score):
    runner = with_proc(text).expect(SH_MINOR, stdout="0\n").expect([*SCORE, *score])
    got, reasons = run("monitor", runner, environ)
    assert got == rc
    assert len(reasons) == (1 if rc in (190, 191) else 0)
    runner.assert_done()


def test_monitor_asks_drbdadm_for_the_minor_once_until_the_configuration_changes():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).expect(SH_MINOR, stdout="0\n")
    runner.allow([*SCORE, "-v", "10000"])
    assert run("monitor", runner) == (0, [])
    assert run("monitor", runner) == (0, [])
    assert runner.calls.count(tuple(SH_MINOR)) == 1  # the second monitor used the remembered minor
    runner.files[CONF] = "resource r0 { device minor 1; }\n"  # an edited configuration
    runner.expect(SH_MINOR, stdout="1\n")
    assert run("monitor", runner) == (7, [])  # minor 1 is not configured in the kernel
    runner.assert_done()


def test_an_edit_in_drbd_d_also_makes_the_monitor_ask_again():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).expect(SH_MINOR, stdout="0\n")
    runner.files["/etc/drbd.d/r0.res"] = "resource r0 { device minor 0; }\n"
    runner.allow([*SCORE, "-v", "10000"])
    assert run("monitor", runner) == (0, [])
    runner.files["/etc/drbd.d/r0.res"] = "resource r0 { device minor 0; } # edited\n"
    runner.expect(SH_MINOR, stdout="0\n")
    assert run("monitor", runner) == (0, [])
    runner.assert_done()


def test_start_and_stop_forget_the_remembered_minor():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY)
    runner.state["dualroot-drbd-r0.minors"] = "stale\n5\n"
    runner.expect(SH_MINOR, stdout="0\n").allow([*SCORE, "-D"])
    runner.files[PROC] = fx.PROC_UNCONFIGURED
    assert run("stop", runner) == (0, [])
    assert "dualroot-drbd-r0.minors" not in runner.state


def test_monitor_survives_a_failed_score_update():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).expect(SH_MINOR, stdout="0\n")
    runner.expect([*SCORE, "-v", "10000"], rc=102, stderr="Could not connect to the CIB")
    assert run("monitor", runner) == (0, [])


def test_monitor_uses_crm_master_on_old_pacemaker():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).expect(SH_MINOR, stdout="0\n")
    runner.expect([paths.CRM_MASTER, "-l", "reboot", "-v", "10000"])
    assert run("monitor", runner, {**BASE, "OCF_RESKEY_crm_feature_set": "3.0.14"}) == (0, [])
    runner.assert_done()


def test_monitor_drbd9():
    runner = with_proc(fx.HEADER_9)
    runner.expect([paths.DRBDSETUP, "status", "r0", "--json"], stdout=fx.status_json_9(role="Primary"))
    runner.expect([*SCORE, "-v", "10000"])
    assert run("monitor", runner, DUAL) == (8, [])
    runner = with_proc(fx.HEADER_9).expect(
        [paths.DRBDSETUP, "status", "r0", "--json"], rc=10, stderr="r0: No such resource"
    )
    assert run("monitor", runner) == (7, [])


# --- start --------------------------------------------------------------------------------------------
def test_start_brings_up_waits_for_the_peer_and_scores():
    runner = with_proc(fx.PROC_UNCONFIGURED)
    runner.expect(DUMP, stdout=fx.dump_xml()).expect(CIB, stdout=fx.CIB_CRM_CONFIG.format(value="true"))
    runner.allow(SH_MINOR, stdout="0\n")
    runner.expect(adm("up", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_OUTDATED}))
    runner.expect([*SCORE, "-v", "10000"])

    def connect():
        runner.files[PROC] = fx.PROC_SECONDARY_SECONDARY

    # the peer connects while start waits (virtual time): simulate it after the first poll
    original_sleep = runner.sleep

    def sleep(seconds):
        original_sleep(seconds)
        connect()

    runner.sleep = sleep
    assert run("start", runner, DUAL) == (0, [])
    runner.assert_done()


def test_start_without_peer_succeeds_after_connect_wait():
    runner = with_proc(fx.PROC_UNCONFIGURED).allow(SH_MINOR, stdout="0\n")
    runner.expect(
        adm("up", "r0"),
        effect=lambda: runner.files.update({PROC: fx.PROC_OUTDATED.replace("ds:Outdated", "ds:UpToDate")}),
    )
    runner.expect([*SCORE, "-v", "1000"])
    assert run("start", runner, {**BASE, "OCF_RESKEY_connect_wait": "2"}) == (0, [])
    assert 2.0 <= runner.now <= 2.5  # waited connect_wait (virtual seconds), no longer


def test_start_when_running_is_idempotent():
    runner = (
        with_proc(fx.PROC_SECONDARY_SECONDARY).allow(SH_MINOR, stdout="0\n").expect([*SCORE, "-v", "10000"])
    )
    assert run("start", runner) == (0, [])
    assert not runner.ran(*adm("up", "r0"))


def test_start_loads_the_module():
    runner = with_proc(None).allow(SH_MINOR, stdout="0\n")
    runner.expect([paths.MODPROBE, "drbd"], effect=lambda: runner.files.update({PROC: fx.PROC_NO_MINORS}))
    runner.expect(adm("up", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_SECONDARY_SECONDARY}))
    runner.expect([*SCORE, "-v", "10000"])
    assert run("start", runner) == (0, [])
    runner.assert_done()


def test_start_without_module_is_5():
    runner = with_proc(None).expect(
        [paths.MODPROBE, "drbd"], rc=1, stderr="modprobe: FATAL: Module drbd not found"
    )
    rc, reasons = run("start", runner)
    assert rc == 5 and reasons == [
        "the drbd kernel module could not be loaded: modprobe: FATAL: Module drbd not found"
    ]


def test_start_with_missing_conf_is_5():
    rc, reasons = run("start", with_proc(fx.PROC_NO_MINORS, conf=False))
    assert rc == 5 and reasons == ["parameter drbdconf: /etc/drbd.conf does not exist on this node"]


def test_start_failure_names_drbdadm_output():
    runner = with_proc(fx.PROC_UNCONFIGURED).allow(SH_MINOR, stdout="0\n")
    runner.expect(adm("up", "r0"), rc=10, stderr="0: Failure: (114) Lower device is already claimed.\n")
    rc, reasons = run("start", runner)
    assert rc == 1 and reasons == ["drbdadm up r0 failed: 0: Failure: (114) Lower device is already claimed."]


@pytest.mark.parametrize(
    ("dump_kwargs", "words"),
    [
        ({"net_options": ()}, "allow-two-primaries"),
        ({"disk_options": ()}, "fencing resource-and-stonith"),
        ({"handlers": ()}, "fence-peer handler"),
        ({"net_options": (("allow-two-primaries", "yes"), ("protocol", "A"))}, "protocol C"),
    ],
)
def test_dual_primary_start_refuses_missing_drbd_settings_with_6(dump_kwargs, words):
    runner = with_proc(fx.PROC_UNCONFIGURED).expect(DUMP, stdout=fx.dump_xml(**dump_kwargs))
    rc, reasons = run("start", runner, DUAL)
    assert rc == 6 and len(reasons) == 1 and words in reasons[0]
    assert not runner.ran(*adm("up", "r0"))


def test_dual_primary_start_refuses_without_cluster_fencing():
    runner = with_proc(fx.PROC_UNCONFIGURED).expect(DUMP, stdout=fx.dump_xml())
    runner.expect(CIB, stdout=fx.CIB_CRM_CONFIG.format(value="false"))
    rc, reasons = run("start", runner, DUAL)
    assert rc == 6 and reasons == [
        "cluster property stonith-enabled is false; dual-primary DRBD needs Pacemaker fencing"
    ]


@pytest.mark.parametrize(
    ("meta", "words"),
    [
        ({"OCF_RESKEY_CRM_meta_promoted_max": "3"}, "promoted-max is 3"),
        ({"OCF_RESKEY_CRM_meta_promoted_node_max": "2"}, "promoted-node-max is 2"),
        ({"OCF_RESKEY_CRM_meta_clone_node_max": "2"}, "clone-node-max is 2"),
        ({"OCF_RESKEY_CRM_meta_clone_max": "3"}, "clone-max is 3"),
        ({"OCF_RESKEY_CRM_meta_notify": "false"}, "notify must be true"),
    ],
)
def test_clone_meta_guards_give_6_and_run_nothing(meta, words):
    runner = FakeRunner()
    for action in ("start", "promote", "validate-all", "reload-agent"):
        rc, reasons = run(action, runner, {**DUAL, **meta})
        assert rc == 6 and len(reasons) == 1 and words in reasons[0], action
    assert runner.calls == []


def test_old_master_max_name_is_honoured():
    environ = {k: v for k, v in DUAL.items() if "promoted_max" not in k}
    rc, reasons = run("validate-all", FakeRunner(), {**environ, "OCF_RESKEY_CRM_meta_master_max": "3"})
    assert rc == 6 and "promoted-max is 3" in reasons[0]


# --- stop ---------------------------------------------------------------------------------------------
def test_stop_when_down_succeeds_and_clears_the_score():
    runner = with_proc(fx.PROC_UNCONFIGURED).expect(SH_MINOR, stdout="0\n").expect([*SCORE, "-D"])
    assert run("stop", runner) == (0, [])
    runner.assert_done()


def test_stop_of_an_undefined_resource_succeeds():
    runner = with_proc(fx.PROC_NO_MINORS).expect(SH_MINOR, rc=1).expect([*SCORE, "-D"])
    assert run("stop", runner) == (0, [])


def test_stop_demotes_retries_and_takes_down():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).allow(SH_MINOR, stdout="0\n")
    runner.expect(
        adm("secondary", "r0"), rc=11, stderr="0: State change failed: (-12) Device is held open by someone"
    )
    runner.expect(
        adm("secondary", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_SECONDARY_SECONDARY})
    )
    runner.expect(adm("down", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_UNCONFIGURED}))
    runner.expect([*SCORE, "-D"])
    assert run("stop", runner) == (0, [])
    runner.assert_done()


def test_stop_that_cannot_finish_fails_within_the_budget():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).allow(SH_MINOR, stdout="0\n")
    runner.allow(
        adm("secondary", "r0"), rc=11, stderr="0: State change failed: (-12) Device is held open by someone"
    )
    rc, reasons = run("stop", runner)
    assert rc == 1 and reasons == [
        "drbdadm secondary r0 did not succeed in time: 0: State change failed: (-12) "
        "Device is held open by someone"
    ]
    assert runner.now < 18.0  # within the 20 s operation timeout (virtual time)


# --- promote / demote ---------------------------------------------------------------------------------
def test_promote_uptodate():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).allow(SH_MINOR, stdout="0\n")
    runner.expect(DUMP, stdout=fx.dump_xml()).expect(CIB, stdout=fx.CIB_CRM_CONFIG.format(value="true"))
    runner.expect(
        adm("primary", "r0"),
        effect=lambda: runner.files.update(
            {PROC: fx.PROC_SECONDARY_SECONDARY.replace("ro:Secondary/", "ro:Primary/")}
        ),
    )
    runner.expect([*SCORE, "-v", "10000"])
    assert run("promote", runner, DUAL) == (0, [])
    runner.assert_done()


@pytest.mark.parametrize("text", [fx.PROC_OUTDATED, fx.PROC_SYNC_TARGET, fx.PROC_CONSISTENT])
def test_promote_refuses_without_uptodate_data(text):
    runner = with_proc(text).allow(SH_MINOR, stdout="0\n").expect([*SCORE, "-D"])
    runner.expect(DUMP, stdout=fx.dump_xml()).expect(CIB, stdout=fx.CIB_CRM_CONFIG.format(value="true"))
    rc, reasons = run("promote", runner, DUAL)
    assert rc == 1 and "refusing to promote DRBD resource r0" in reasons[0] and "not UpToDate" in reasons[0]
    assert not runner.ran(*adm("primary", "r0"))


def test_promote_when_primary_is_idempotent_and_when_down_fails():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).allow(SH_MINOR, stdout="0\n")
    assert run("promote", runner) == (0, [])
    runner = with_proc(fx.PROC_UNCONFIGURED).allow(SH_MINOR, stdout="0\n")
    rc, reasons = run("promote", runner)
    assert rc == 1 and reasons == ["cannot promote DRBD resource r0: it is not running"]


def test_promote_reports_drbdadm_refusal():
    runner = with_proc(fx.PROC_SECONDARY_SECONDARY).allow(SH_MINOR, stdout="0\n")
    runner.expect(
        adm("primary", "r0"),
        rc=11,
        stderr="0: State change failed: (-1) Multiple primaries not allowed by config",
    )
    rc, reasons = run("promote", runner)
    assert rc == 1 and reasons == [
        "drbdadm primary r0 failed: 0: State change failed: (-1) Multiple primaries not allowed by config"
    ]


def test_demote():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).allow(SH_MINOR, stdout="0\n")
    runner.expect(
        adm("secondary", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_SECONDARY_PEER_PRIMARY})
    )
    runner.expect([*SCORE, "-v", "10000"])
    assert run("demote", runner) == (0, [])
    runner.assert_done()
    runner = (
        with_proc(fx.PROC_SECONDARY_SECONDARY).allow(SH_MINOR, stdout="0\n").expect([*SCORE, "-v", "10000"])
    )
    assert run("demote", runner) == (0, [])


# --- notify, validate-all, reload-agent -------------------------------------------------------------------
def notify_env(ntype, operation, start=""):
    return {
        **DUAL,
        "OCF_RESKEY_CRM_meta_notify_type": ntype,
        "OCF_RESKEY_CRM_meta_notify_operation": operation,
        "OCF_RESKEY_CRM_meta_notify_start_uname": start,
    }


def test_post_start_of_the_peer_reconnects_and_rescores():
    runner = with_proc(fx.PROC_STANDALONE_SECONDARY).allow(SH_MINOR, stdout="0\n")
    runner.expect(
        adm("adjust", "r0"), effect=lambda: runner.files.update({PROC: fx.PROC_SECONDARY_SECONDARY})
    )
    runner.expect([*SCORE, "-v", "10000"])
    assert run("notify", runner, notify_env("post", "start", "node2")) == (0, [])
    runner.assert_done()


def test_post_promote_rescores_only_and_pre_does_nothing():
    runner = with_proc(fx.PROC_PRIMARY_PRIMARY).allow(SH_MINOR, stdout="0\n").expect([*SCORE, "-v", "10000"])
    assert run("notify", runner, notify_env("post", "promote")) == (0, [])
    runner.assert_done()
    runner = FakeRunner()
    assert run("notify", runner, notify_env("pre", "start", "node2")) == (0, [])
    assert runner.calls == []


def test_notify_adjust_can_be_switched_off():
    runner = (
        with_proc(fx.PROC_STANDALONE_SECONDARY).allow(SH_MINOR, stdout="0\n").expect([*SCORE, "-v", "1000"])
    )
    environ = {**notify_env("post", "start", "node2"), "OCF_RESKEY_adjust_on_notify": "false"}
    assert run("notify", runner, environ) == (0, [])


def test_validate_all_levels():
    runner = FakeRunner()
    assert run("validate-all", runner, DUAL) == (0, [])
    assert runner.calls == []  # level 0: parameters only (OCF 1.1)
    runner = with_proc(fx.PROC_NO_MINORS).expect(DUMP, stdout=fx.dump_xml(net_options=()))
    rc, reasons = run("validate-all", runner, {**DUAL, "OCF_CHECK_LEVEL": "10"})
    assert rc == 6 and "allow-two-primaries" in reasons[0]


def test_validate_all_level_10_unknown_resource_is_2():
    runner = with_proc(fx.PROC_NO_MINORS).expect(DUMP, stdout=fx.dump_xml())
    runner.expect(adm("dump-xml", "r1"), rc=10, stderr="'r1' not defined in your config (for this host).")
    rc, reasons = run(
        "validate-all", runner, {**DUAL, "OCF_CHECK_LEVEL": "10", "OCF_RESKEY_drbd_resource": "r1"}
    )
    assert rc == 2 and reasons == [
        "parameter drbd_resource: DRBD resource r1 is not defined in /etc/drbd.conf for "
        "this host ('r1' not defined in your config (for this host).)"
    ]


def test_reload_agent():
    assert run("reload-agent", FakeRunner(), {**DUAL, "OCF_RESKEY_connect_wait": "30"}) == (0, [])


@pytest.mark.parametrize(
    ("param", "value", "words"),
    [
        ("drbd_resource", "", "parameter drbd_resource is required"),
        ("drbd_resource", "r0; reboot", "parameter drbd_resource must consist of"),
        ("drbd_resource", "$(id)", "parameter drbd_resource must consist of"),
        ("drbd_resource", "-r0", "parameter drbd_resource must consist of"),
        ("drbd_resource", "--force", "parameter drbd_resource must consist of"),
        ("drbdconf", "etc/drbd.conf", "parameter drbdconf must consist of an absolute path"),
        ("drbdconf", "/etc/drbd.conf`x`", "parameter drbdconf must consist of"),
        ("connect_wait", "5s", "parameter connect_wait must be an integer"),
        ("connect_wait", "-1", "parameter connect_wait must be at least 0"),
        ("adjust_on_notify", "perhaps", "parameter adjust_on_notify must be a boolean"),
    ],
)
def test_bad_parameters_give_6_and_run_nothing(param, value, words):
    for action in ("start", "stop", "monitor", "promote", "demote", "notify", "validate-all"):
        runner = FakeRunner()
        rc, reasons = run(action, runner, {**BASE, f"OCF_RESKEY_{param}": value})
        assert rc == 6 and len(reasons) == 1 and reasons[0].startswith(words), (action, reasons)
        assert runner.calls == []
