"""SubprocessRunner with real processes: LC_ALL=C, timeouts from the budget, missing tools, tool_root."""

import os

import pytest

from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.runner import SubprocessRunner

pytestmark = pytest.mark.unit


def test_runs_argv_with_lc_all_c_and_no_shell():
    runner = SubprocessRunner(timeout_s=20, environ={"PATH": "/usr/bin:/bin", "LC_ALL": "de_DE.UTF-8"})
    result = runner.run(["/usr/bin/env"])
    assert result.ok and "LC_ALL=C\n" in result.stdout
    # metacharacters stay one argument
    assert runner.run(["/bin/echo", "a;b $(x)"]).stdout == "a;b $(x)\n"


def test_nonzero_exit_is_returned_not_raised():
    result = SubprocessRunner(timeout_s=20).run(["/bin/sh", "-c", "echo oops >&2; exit 3"])
    assert (result.rc, result.first_error_line()) == (3, "oops")


def test_input_is_passed():
    assert SubprocessRunner(timeout_s=20).run(["/bin/cat"], input="xml").stdout == "xml"


def test_timeout_is_bounded_by_the_operation_budget():
    runner = SubprocessRunner(timeout_s=1.0)  # 0.9 s of budget
    with pytest.raises(OcfError) as exc:
        runner.run(["/bin/sleep", "5"])
    assert exc.value.code is OcfExit.ERR_GENERIC and "did not finish within" in exc.value.reason


def test_explicit_timeout_is_bounded_too():
    with pytest.raises(OcfError):
        SubprocessRunner(timeout_s=60).run(["/bin/sleep", "5"], timeout=0.2)


def test_missing_program_is_not_installed():
    with pytest.raises(OcfError) as exc:
        SubprocessRunner(timeout_s=5).run(["/nonexistent/drbdadm", "status"])
    assert exc.value.code is OcfExit.ERR_INSTALLED
    assert exc.value.reason == "/nonexistent/drbdadm is not installed"


def test_tool_root_relocates_commands_and_files(tmp_path):
    (tmp_path / "usr" / "sbin").mkdir(parents=True)
    tool = tmp_path / "usr" / "sbin" / "drbdadm"
    tool.write_text("#!/bin/sh\necho stub \"$@\"\n")
    tool.chmod(0o755)
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "drbd").write_text("version: 8.4.11\n")
    runner = SubprocessRunner(timeout_s=5, tool_root=str(tmp_path))
    assert runner.run(["/usr/sbin/drbdadm", "up", "r0"]).stdout == "stub up r0\n"
    assert runner.read_text("/proc/drbd") == "version: 8.4.11\n"
    assert runner.read_text("/proc/nothing") is None


def test_large_output_and_input_do_not_deadlock():
    runner = SubprocessRunner(timeout_s=20)
    big = "x" * 300_000 + "\n"
    result = runner.run(["/bin/cat"], input=big)
    assert result.stdout == big
    both = runner.run(["/bin/sh", "-c", "head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2"])
    assert len(both.stdout) == 200_000 and len(both.stderr) == 200_000


def test_signal_killed_child_reports_minus_signal():
    result = SubprocessRunner(timeout_s=20).run(["/bin/sh", "-c", "kill -TERM $$"])
    assert result.rc == -15


def test_child_gets_default_sigpipe():
    # Python ignores SIGPIPE; a child must not inherit that: with it ignored, `yes` would see EPIPE and
    # complain "yes: standard output: Broken pipe" instead of dying quietly of SIGPIPE.
    result = SubprocessRunner(timeout_s=10).run(["/bin/sh", "-c", "yes | head -n 1"])
    assert result.ok and result.stdout == "y\n" and result.stderr == ""


def test_timed_out_child_is_killed(tmp_path):
    marker = tmp_path / "pid"
    with pytest.raises(OcfError):
        script = f"echo $$ > {marker}; exec sleep 30"
        SubprocessRunner(timeout_s=60).run(["/bin/sh", "-c", script], timeout=0.5)
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_child_that_does_not_die_on_sigkill_is_left_behind_not_waited_for(monkeypatch):
    """A umount stuck on frozen DRBD I/O ignores SIGKILL until the I/O resumes; the runner must still
    return (with its timeout error) instead of hanging until Pacemaker's own timeout."""
    import time

    from dualroot.ocf import runner as runner_module

    real_waitpid = os.waitpid
    children: list[int] = []

    def unkillable_waitpid(pid, options):
        children.append(pid)
        if options == 0:  # a blocking wait on a process in D state: blocks until its I/O resumes
            time.sleep(15)
        return (0, 0)  # never reports the child gone

    monkeypatch.setattr(runner_module.posix, "waitpid", unkillable_waitpid)
    started = time.monotonic()
    with pytest.raises(OcfError) as exc:
        SubprocessRunner(timeout_s=60).run(["/bin/sleep", "30"], timeout=0.2)
    elapsed = time.monotonic() - started
    monkeypatch.undo()
    for pid in set(children):  # reap the real (killed) child ourselves
        try:
            real_waitpid(pid, 0)
        except ChildProcessError:
            pass
    assert "did not finish within" in exc.value.reason
    assert elapsed < 10, "the runner waited for a child that would not die"


def test_state_files_live_in_ha_rsctmp_and_stamps_follow_changes(tmp_path) -> None:
    runner = SubprocessRunner(timeout_s=20, environ={"HA_RSCTMP": str(tmp_path / "rsc")})
    assert runner.read_state("x") is None
    runner.write_state("x", "one\n")
    assert (tmp_path / "rsc" / "x").read_text() == "one\n"
    assert runner.read_state("x") == "one\n"
    runner.write_state("x", None)
    runner.write_state("x", None)  # removing what is gone is no error
    assert runner.read_state("x") is None

    conf_dir = tmp_path / "etc" / "drbd.d"
    conf_dir.mkdir(parents=True)
    (conf_dir / "r0.res").write_text("a")
    before = runner.stamp(str(conf_dir))
    assert before == runner.stamp(str(conf_dir))
    (conf_dir / "r0.res").write_text("ab")  # same second, other size
    assert runner.stamp(str(conf_dir)) != before
    assert runner.stamp(str(tmp_path / "absent")) == "-"


def test_an_unwritable_state_directory_is_not_an_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    runner = SubprocessRunner(timeout_s=20, environ={"HA_RSCTMP": str(blocker / "sub")})
    runner.write_state("x", "one")
    assert runner.read_state("x") is None


def test_a_child_that_closes_its_output_and_lingers_still_times_out() -> None:
    # Its pipes reach EOF at once; the wait for its exit must keep the command's bound all the same.
    runner = SubprocessRunner(timeout_s=60)
    with pytest.raises(OcfError) as caught:
        runner.run(["/bin/sh", "-c", "exec >&- 2>&-; sleep 5"], timeout=0.3)
    assert caught.value.code == OcfExit.ERR_GENERIC and "did not finish" in caught.value.reason


def test_the_state_directory_is_made_with_its_parents(tmp_path) -> None:
    runner = SubprocessRunner(timeout_s=20, environ={"HA_RSCTMP": str(tmp_path / "a" / "b" / "rsc")})
    runner.write_state("x", "one")
    assert (tmp_path / "a" / "b" / "rsc" / "x").read_text() == "one"
    assert oct((tmp_path / "a" / "b").stat().st_mode & 0o777) == oct(0o755 & ~current_umask())


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
