"""dualroot-dlm-fence: what dlm_stonith gets from dlm_controld's arguments (fail_time moved back by the
configured grace, nothing else changed) and that its exit code is the agent's."""

import pytest

from dualroot import paths
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.stack.dlm_fence import MAX_GRACE_S, adjust, main

pytestmark = pytest.mark.unit

ENV = {"HA_LOGFACILITY": "none"}


@pytest.mark.parametrize(("given", "expected"), [
    ("node=2\nfail_time=1795644599\ngrace=5\n", "node=2\nfail_time=1795644594\n"),
    ("grace=5 node=2 fail_time=1795644599", "node=2\nfail_time=1795644594\n"),  # one line, words
    ("node=2\nfail_time=1795644599\n", "node=2\nfail_time=1795644599\n"),  # no grace: unchanged
    ("node=2\nfail_time=1795644599\ngrace=600\n", f"node=2\nfail_time={1795644599 - MAX_GRACE_S}\n"),
    ("node=2\nfail_time=1795644599\ngrace=-3\n", "node=2\nfail_time=1795644599\n"),  # not a count
    ("node=2\nfail_time=soon\ngrace=5\n", "node=2\nfail_time=soon\n"),  # dlm_stonith judges it
    ("node=2\nfail_time=3\ngrace=5\n", "node=2\nfail_time=0\n"),
])
def test_only_fail_time_moves_and_never_by_more_than_the_cap(given, expected):
    assert adjust(given)[0] == expected


def test_dlm_stonith_gets_the_adjusted_input_and_its_exit_code_is_ours():
    runner = FakeRunner()
    runner.expect([paths.DLM_STONITH], rc=1, stderr="kick_helper error -62 nodeid 2")
    assert main("node=2\nfail_time=100\ngrace=5\n", ENV, runner) == 1
    assert runner.inputs == ["node=2\nfail_time=95\n"]
    runner = FakeRunner()
    runner.expect([paths.DLM_STONITH])
    assert main("node=2\nfail_time=100\ngrace=5\n", ENV, runner) == 0


def test_dlm_stonith_that_cannot_run_is_a_failed_fence():
    runner = FakeRunner()
    runner.expect([paths.DLM_STONITH], error=OcfError(OcfExit.ERR_INSTALLED, "/usr/sbin/dlm_stonith is not "
                                                                             "installed"))
    assert main("node=2\nfail_time=100\n", ENV, runner) == 1
