"""Promotion scores: crm_attribute --promotion or crm_master by feature set; never fails an action."""

import pytest

from dualroot import paths
from dualroot.ocf.environment import OcfEnvironment
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.ocf.log import NullLog
from dualroot.ocf.promotion import SCORE_REFRESH_S, PromotionScores, score_argv, uses_promotion_option

pytestmark = pytest.mark.unit


def env(feature_set="3.16.1"):
    return OcfEnvironment.from_environ({"OCF_RESOURCE_INSTANCE": "drbd_r0:1",
                                        "OCF_RESKEY_crm_feature_set": feature_set}, "monitor")


@pytest.mark.parametrize(("fs", "new"), [("3.16.1", True), ("3.10.0", True), ("3.9.9", False),
                                         ("3.2.1", False), ("", True), ("x.y", True)])
def test_feature_set_choice(fs, new):
    assert uses_promotion_option(fs) is new


def test_argv_forms():
    new = [paths.CRM_ATTRIBUTE, "--promotion=drbd_r0:1", "-l", "reboot"]
    assert score_argv(env(), 10000) == [*new, "-v", "10000"]
    assert score_argv(env(), None) == [paths.CRM_ATTRIBUTE, "--promotion=drbd_r0:1", "-l", "reboot", "-D"]
    assert score_argv(env("3.0.14"), 5) == [paths.CRM_MASTER, "-l", "reboot", "-v", "5"]


def test_set_and_clear():
    runner = FakeRunner().expect(score_argv(env(), 1000)).expect(score_argv(env(), None))
    scores = PromotionScores(runner, env(), NullLog())
    assert scores.set(1000) and scores.clear()
    runner.assert_done()


def test_failures_are_reported_not_raised():
    runner = FakeRunner().expect(score_argv(env(), 1), rc=1, stderr="Could not connect to attrd")
    runner.expect(score_argv(env(), 2), error=OcfError(OcfExit.ERR_GENERIC, "crm_attribute did not finish"))
    scores = PromotionScores(runner, env(), NullLog())
    assert scores.set(1) is False
    assert scores.set(2) is False


def monitor_env(interval="20000", instance="drbd_r0:1"):
    return OcfEnvironment.from_environ({"OCF_RESOURCE_INSTANCE": instance,
                                        "OCF_RESKEY_crm_feature_set": "3.16.1",
                                        "OCF_RESKEY_CRM_meta_interval": interval}, "monitor")


def test_a_recurring_monitor_sends_an_unchanged_score_only_after_the_refresh_time():
    runner = FakeRunner()  # its state files persist across the calls, as HA_RSCTMP does across monitors
    runner.expect(score_argv(monitor_env(), 10000))
    scores = PromotionScores(runner, monitor_env(), NullLog())
    assert scores.set(10000)
    runner.sleep(SCORE_REFRESH_S - 1)
    assert scores.set(10000)  # attrd holds it: nothing run (FakeRunner fails on an unexpected call)
    runner.expect(score_argv(monitor_env(), 1000))
    assert scores.set(1000)  # a changed score goes out at once
    runner.sleep(SCORE_REFRESH_S)
    runner.expect(score_argv(monitor_env(), 1000))
    assert scores.set(1000)  # refreshed: an admin's deletion does not last
    runner.assert_done()


def test_probes_and_other_actions_always_send_and_a_clear_or_failure_is_not_remembered():
    runner = FakeRunner()
    runner.expect(score_argv(monitor_env(), 5))
    assert PromotionScores(runner, monitor_env(), NullLog()).set(5)
    for action_env in (monitor_env(interval="0"), env()):  # a probe; an action without interval
        runner.expect(score_argv(action_env, 5))
        assert PromotionScores(runner, action_env, NullLog()).set(5)
    scores = PromotionScores(runner, monitor_env(), NullLog())
    runner.expect(score_argv(monitor_env(), None))
    assert scores.clear()
    runner.expect(score_argv(monitor_env(), 5), rc=1, stderr="Could not connect to attrd")
    assert scores.set(5) is False  # after a clear: sent again
    runner.expect(score_argv(monitor_env(), 5))
    assert scores.set(5)  # after a failure: sent again
    runner.assert_done()


def action_env(action):
    return OcfEnvironment.from_environ({"OCF_RESOURCE_INSTANCE": "drbd_r0:1",
                                        "OCF_RESKEY_crm_feature_set": "3.16.1"}, action)


@pytest.mark.parametrize("action", ["promote", "demote", "notify"])
def test_promote_demote_and_notify_leave_an_unchanged_recent_score_alone(action):
    runner = FakeRunner()
    runner.expect(score_argv(action_env("start"), 10000))
    assert PromotionScores(runner, action_env("start"), NullLog()).set(10000)
    assert PromotionScores(runner, action_env(action), NullLog()).set(10000)  # nothing run
    runner.expect(score_argv(action_env(action), 1000))
    assert PromotionScores(runner, action_env(action), NullLog()).set(1000)  # changed: sent at once
    runner.sleep(SCORE_REFRESH_S)
    runner.expect(score_argv(action_env(action), 1000))
    assert PromotionScores(runner, action_env(action), NullLog()).set(1000)  # too old: sent again
    runner.assert_done()


def test_a_start_sends_even_an_unchanged_recent_score():
    # after Pacemaker itself restarted the record may outlive the attribute; a start must restore it
    runner = FakeRunner()
    for _ in range(2):
        runner.expect(score_argv(action_env("start"), 10000))
        assert PromotionScores(runner, action_env("start"), NullLog()).set(10000)
    runner.assert_done()


def test_each_instance_keeps_its_own_record():
    runner = FakeRunner()
    for instance in ("drbd_r0:0", "drbd_r1:0"):
        runner.expect(score_argv(monitor_env(instance=instance), 10000))
        assert PromotionScores(runner, monitor_env(instance=instance), NullLog()).set(10000)
    assert sorted(runner.state) == ["dualroot-promotion-drbd_r0_0", "dualroot-promotion-drbd_r1_0"]
    runner.assert_done()
