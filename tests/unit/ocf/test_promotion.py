"""Promotion scores: crm_attribute --promotion or crm_master by feature set; never fails an action."""

import pytest

from dualroot import paths
from dualroot.ocf.environment import OcfEnvironment
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.ocf.log import NullLog
from dualroot.ocf.promotion import PromotionScores, score_argv, uses_promotion_option

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
