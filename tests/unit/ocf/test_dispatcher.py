"""run_agent: built-in actions, unknown actions, parameter errors, reasons, no tracebacks."""

import io

import pytest

from dualroot.ocf.dispatcher import run_agent
from dualroot.ocf.fakerunner import FakeRunner, UnexpectedCall
from tests.unit.ocf.sample_agent import AGENT

pytestmark = pytest.mark.unit


def call(action, environ=None, runner=None):
    out, err = io.StringIO(), io.StringIO()
    fake = runner or FakeRunner()
    rc = run_agent(AGENT, ["/usr/lib/ocf/resource.d/dualroot/sample", *([action] if action else [])],
                   environ or {}, stdout=out, stderr=err, runner_factory=lambda env, log: fake)
    return rc, out.getvalue(), err.getvalue(), fake


def test_meta_data_needs_no_parameters():
    rc, out, err, fake = call("meta-data")
    assert rc == 0 and "<resource-agent" in out and err == "" and fake.calls == []


def test_usage_and_methods():
    assert call("usage")[1] == "usage: sample {start|stop|monitor|promote|demote|notify|reload-agent|" \
                               "validate-all|meta-data}\n"
    rc, out, _, _ = call("methods")
    assert rc == 0 and "reload-agent" in out.split()


def test_no_action_is_invalid_arguments():
    rc, out, err, _ = call("")
    assert rc == 2 and out == "" and err.startswith("usage:")


def test_unknown_or_unimplemented_action_exits_3():
    rc, _, err, _ = call("migrate_to", {"OCF_RESKEY_name": "x"})
    assert rc == 3 and err == "ocf-exit-reason:action 'migrate_to' is not implemented by sample\n"
    rc, _, _, _ = call("demote", {"OCF_RESKEY_name": "x"})
    assert rc == 3


def test_missing_parameter_exits_6_and_runs_nothing():
    runner = FakeRunner()
    rc, _, err, _ = call("start", {}, runner)
    assert rc == 6
    assert err == "ocf-exit-reason:parameter name is required (The name) but is not set\n"
    assert runner.calls == []


def test_handler_result_and_commands():
    runner = FakeRunner().expect(["/bin/true", "x"])
    rc, _, err, _ = call("start", {"OCF_RESKEY_name": "x"}, runner)
    assert rc == 0 and err == ""
    runner.assert_done()


def test_ocf_error_becomes_reason_and_code():
    rc, _, err, _ = call("stop", {"OCF_RESKEY_name": "x"})
    assert rc == 1 and err == "ocf-exit-reason:could not stop sample x\n"


def test_outcome_with_reason_is_not_an_error():
    rc, _, err, _ = call("monitor", {"OCF_RESKEY_name": "degraded"})
    assert rc == 191 and err == "ocf-exit-reason:replication link down\n"
    assert call("monitor", {"OCF_RESKEY_name": "x"})[0] == 7


def test_unexpected_exception_is_one_line_without_traceback():
    rc, _, err, _ = call("promote", {"OCF_RESKEY_name": "x"})
    assert rc == 1
    assert err == "ocf-exit-reason:internal error during promote: RuntimeError: boom second line\n"
    assert "Traceback" not in err


def test_fake_runner_failure_is_not_swallowed():
    with pytest.raises(UnexpectedCall):
        call("start", {"OCF_RESKEY_name": "y"}, FakeRunner().expect(["/bin/true", "x"]))


def test_exit_process_flushes_what_was_written_and_exits_with_the_code():
    """exit_process skips interpreter finalization: what the agent wrote must still arrive."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from dualroot.ocf.dispatcher import exit_process; sys.stdout.write('meta'); "
            "sys.stderr.write('ocf-exit-reason:why'); exit_process(8)")
    repo = str(Path(__file__).resolve().parents[3])
    done = subprocess.run([sys.executable, "-S", "-c", code], env={"PYTHONPATH": repo}, capture_output=True,
                          text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (8, "meta", "ocf-exit-reason:why")
