"""ocf:dualroot:o2cb actions with a FakeRunner and a fake host tree (DUALROOT_TOOL_ROOT)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualroot import paths
from dualroot.ocf.dispatcher import run_agent
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.stack import agent as o2cb_agent
from tests.unit.stack.test_dlm_status import LS, STATUS_HEALTHY

pytestmark = pytest.mark.unit

MOUNTS = "/dev/vda / ext4 rw 0 0\nconfigfs /sys/kernel/config configfs rw 0 0\n"
CIB = [paths.CIBADMIN, "--query", "--scope", "crm_config"]
STATUS = [paths.DLM_TOOL, "status", "-v"]
LS_ARGV = [paths.DLM_TOOL, "ls"]


def crm_config(stonith: str = "true", nqp: str = "freeze") -> str:
    return (
        '<crm_config><cluster_property_set id="cib-bootstrap-options">'
        f'<nvpair id="a" name="stonith-enabled" value="{stonith}"/>'
        f'<nvpair id="b" name="no-quorum-policy" value="{nqp}"/>'
        "</cluster_property_set></crm_config>"
    )


class HostRunner(FakeRunner):
    """Files not scripted are read from `sysfs_root` for /sys."""

    def __init__(
        self, files: dict[str, str | None], budget_s: float = 60.0, sysfs_root: Path | None = None
    ) -> None:
        super().__init__(files, budget_s)
        self.sysfs_root = sysfs_root

    def read_text(self, path: str) -> str | None:
        if self.sysfs_root is not None and path.startswith("/sys/") and path not in self.files:
            target = self.sysfs_root / path.lstrip("/")
            return target.read_text() if target.exists() else None
        return super().read_text(path)



@pytest.fixture
def host(tmp_path: Path) -> Path:
    (tmp_path / "proc").mkdir()
    return tmp_path


def environ(host: Path, **extra: str) -> dict[str, str]:
    env = {"OCF_RESKEY_CRM_meta_timeout": "20000", "DUALROOT_TOOL_ROOT": str(host)}
    env.update(extra)
    return env


def call(action: str, env: dict[str, str], runner: FakeRunner) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_agent(
        o2cb_agent.AGENT, ["o2cb", action], env, stdout=out, stderr=err,
        runner_factory=lambda e, log: runner,
    )
    reasons = [line for line in err.getvalue().splitlines() if line.startswith("ocf-exit-reason:")]
    assert len(reasons) <= 1 and "Traceback" not in err.getvalue()
    return rc, reasons[0][len("ocf-exit-reason:"):] if reasons else ""


def fake_daemon(host: Path, pid: int = 4242) -> None:
    (host / "proc" / str(pid)).mkdir()
    (host / "proc" / str(pid) / "comm").write_text("dlm_controld\n")


def kernel_lockspace(host: Path, name: str = "vmlab_fs") -> None:
    (host / "sys" / "kernel" / "dlm" / name).mkdir(parents=True)


# --- monitor (pcmk) ---------------------------------------------------------------------------------
def test_monitor_not_running(host: Path) -> None:
    runner = HostRunner({})
    assert call("monitor", environ(host), runner) == (7, "")
    assert runner.calls == []


def test_monitor_lockspaces_without_daemon_is_an_error(host: Path) -> None:
    (host / "sys" / "kernel" / "dlm" / "vmlab_fs").mkdir(parents=True)
    rc, reason = call("monitor", environ(host), HostRunner({}))
    assert rc == 1 and "vmlab_fs" in reason and "fenced" in reason


def test_monitor_healthy(host: Path) -> None:
    fake_daemon(host)
    kernel_lockspace(host)
    runner = HostRunner({"/sys/fs/ocfs2/cluster_stack": "pcmk\n"})
    runner.expect(STATUS, stdout=STATUS_HEALTHY).expect(LS_ARGV, stdout="")
    assert call("monitor", environ(host), runner) == (0, "")
    runner.assert_done()


def test_monitor_without_kernel_lockspaces_does_not_list_them(host: Path) -> None:
    """No lockspace in /sys/kernel/dlm, so none can wait for fencing: no `dlm_tool ls` (the fake
    runner fails on any command not expected)."""
    fake_daemon(host)
    runner = HostRunner({"/sys/fs/ocfs2/cluster_stack": "pcmk\n"})
    runner.expect(STATUS, stdout=STATUS_HEALTHY)
    assert call("monitor", environ(host), runner) == (0, "")
    runner.assert_done()


def test_monitor_stateful_merge(host: Path) -> None:
    fake_daemon(host)
    runner = HostRunner({})
    runner.expect(STATUS, stdout=STATUS_HEALTHY.replace("stateful_merge_wait=0", "stateful_merge_wait=1"))
    rc, reason = call("monitor", environ(host), runner)
    assert rc == 1 and "stateful merge" in reason


HISTORY = [paths.STONITH_ADMIN, "--history", "*", "--output-as", "xml"]
NO_HISTORY = "<pacemaker-result/>"
# node 2 left and waits for fencing, and dlm_controld has not started its helper (yet)
STATUS_NODE2_WAITS = STATUS_HEALTHY.replace(
    "node 2 M add 22 rem 0 fail 0 fence 0 at 0 0\n    member=1 killed=0 left_reason=none need_fencing=0",
    "node 2 X add 22 rem 90 fail 90 fence 0 at 0 0\n    member=0 killed=0 left_reason=NODEDOWN "
    "need_fencing=1")


def waiting_runner(host: Path, budget_s: float = 60.0) -> HostRunner:
    fake_daemon(host)
    kernel_lockspace(host, "clvmd")
    return HostRunner({"/sys/fs/ocfs2/cluster_stack": "pcmk\n"}, budget_s=budget_s)


def test_monitor_fails_when_fencing_stays_undone(host: Path) -> None:
    """Nobody fences (dlm_controld's helper idle, nothing pending in Pacemaker) on two looks FENCE_SETTLE_S
    apart: the DLM is stuck, an error naming the lockspace."""
    runner = waiting_runner(host)
    for _ in range(2):
        runner.expect(STATUS, stdout=STATUS_NODE2_WAITS).expect(LS_ARGV, stdout=LS)
        runner.expect(HISTORY, stdout=NO_HISTORY)
    rc, reason = call("monitor", environ(host), runner)
    assert rc == 1 and "clvmd waits for fencing of node(s) 2" in reason
    assert runner.now >= o2cb_agent.FENCE_SETTLE_S
    runner.assert_done()


def test_monitor_gives_dlm_controld_time_to_take_up_a_completed_fence(host: Path) -> None:
    """The lab's race: Pacemaker's fence is complete (nothing pending) and dlm_controld has not yet
    taken it up; a moment later the lockspace has recovered. Not a failure (it once restarted the stack
    and the mount on the only surviving node)."""
    runner = waiting_runner(host)
    runner.expect(STATUS, stdout=STATUS_NODE2_WAITS).expect(LS_ARGV, stdout=LS)
    runner.expect(HISTORY, stdout=NO_HISTORY)
    runner.expect(STATUS, stdout=STATUS_HEALTHY).expect(LS_ARGV, stdout="")
    assert call("monitor", environ(host), runner) == (0, "")
    runner.assert_done()


def test_monitor_with_dlm_controlds_fence_helper_running_is_fine(host: Path) -> None:
    from tests.unit.stack.test_dlm_status import STATUS_FENCING

    runner = waiting_runner(host)
    runner.expect(STATUS, stdout=STATUS_FENCING).expect(LS_ARGV, stdout=LS)
    assert call("monitor", environ(host), runner) == (0, "")
    runner.assert_done()
    assert runner.now == 0.0  # no second look, no stonith_admin


def test_monitor_with_a_fence_pending_in_pacemaker_is_fine(host: Path) -> None:
    runner = waiting_runner(host)
    runner.expect(STATUS, stdout=STATUS_NODE2_WAITS).expect(LS_ARGV, stdout=LS)
    runner.expect(HISTORY, stdout='<pacemaker-result><fence_history><fence_event status="pending" '
                                  'target="node2"/></fence_history></pacemaker-result>')
    assert call("monitor", environ(host), runner) == (0, "")
    runner.assert_done()


def test_monitor_without_time_for_a_second_look_decides_at_once(host: Path) -> None:
    runner = waiting_runner(host, budget_s=8.0)
    runner.expect(STATUS, stdout=STATUS_NODE2_WAITS).expect(LS_ARGV, stdout=LS)
    runner.expect(HISTORY, stdout=NO_HISTORY)
    rc, reason = call("monitor", environ(host), runner)
    assert rc == 1 and "waits for fencing" in reason
    assert runner.now == 0.0


def test_monitor_wrong_kernel_stack(host: Path) -> None:
    fake_daemon(host)
    runner = HostRunner({"/sys/fs/ocfs2/cluster_stack": "o2cb\n"})
    runner.expect(STATUS, stdout=STATUS_HEALTHY)
    rc, reason = call("monitor", environ(host), runner)
    assert rc == 1 and "o2cb OCFS2 stack" in reason


# --- start (pcmk) -----------------------------------------------------------------------------------
def test_start_refuses_disabled_fencing(host: Path) -> None:
    runner = HostRunner({})
    runner.expect(CIB, stdout=crm_config(stonith="false"))
    rc, reason = call("start", environ(host), runner)
    assert rc == 6 and "stonith-enabled" in reason


def test_start_launches_dlm_controld_and_waits_until_ready(host: Path) -> None:
    runner = HostRunner({"/proc/mounts": MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n"})
    runner.expect(CIB, stdout=crm_config())
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    daemon = [paths.DLM_CONTROLD, "--enable_startup_fencing", "0", "--enable_fencing", "1"]
    runner.expect(daemon, effect=lambda: fake_daemon(host))
    # first answer: not ready yet (the daemon has not joined); then ready once comms exist
    runner.expect(STATUS, rc=1, stderr="dlm_controld is not ready\n")
    comms = host / "sys/kernel/config/dlm/cluster/comms/1"
    runner.expect(STATUS, stdout=STATUS_HEALTHY, effect=lambda: comms.mkdir(parents=True, exist_ok=True))
    runner.allow(STATUS, stdout=STATUS_HEALTHY)
    runner.allow(LS_ARGV, stdout="")
    env = environ(host, OCF_RESKEY_daemon_options="--enable_fencing 1")
    assert call("start", env, runner) == (0, "")
    runner.assert_done()


def test_start_selects_the_pcmk_stack_and_mounts_configfs(host: Path) -> None:
    (host / "sys" / "fs" / "ocfs2").mkdir(parents=True)
    (host / "sys" / "fs" / "ocfs2" / "cluster_stack").write_text("o2cb\n")
    (host / "sys/kernel/config/dlm/cluster/comms/1").mkdir(parents=True)
    fake_daemon(host)
    runner = HostRunner({"/proc/mounts": "/dev/vda / ext4 rw 0 0\n"}, sysfs_root=host)
    runner.expect(CIB, stdout=crm_config(nqp="stop"))  # only a warning at start
    runner.expect([paths.MODPROBE, "configfs"])
    runner.expect([paths.MOUNT, "-t", "configfs", "none", "/sys/kernel/config"])
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    runner.allow(STATUS, stdout=STATUS_HEALTHY).allow(LS_ARGV, stdout="")
    assert call("start", environ(host), runner) == (0, "")
    assert (host / "sys" / "fs" / "ocfs2" / "cluster_stack").read_text() == "pcmk\n"


def started_stack(host: Path, toss: str) -> HostRunner:
    """A node whose dlm_controld runs and whose DLM cluster directory holds toss_secs = `toss`."""
    (host / "sys/kernel/config/dlm/cluster/comms/1").mkdir(parents=True)
    (host / "sys/kernel/config/dlm/cluster/toss_secs").write_text(toss + "\n")
    (host / "sys/fs/ocfs2").mkdir(parents=True)
    (host / "sys/fs/ocfs2/cluster_stack").write_text("pcmk\n")
    fake_daemon(host)
    return HostRunner({"/proc/mounts": MOUNTS}, sysfs_root=host)


def test_start_sets_the_dlm_toss_secs(host: Path) -> None:
    runner = started_stack(host, "10")
    runner.expect(CIB, stdout=crm_config())
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    runner.allow(STATUS, stdout=STATUS_HEALTHY)
    assert call("start", environ(host, OCF_RESKEY_dlm_toss_secs="600"), runner) == (0, "")
    assert (host / "sys/kernel/config/dlm/cluster/toss_secs").read_text() == "600\n"


def test_start_without_dlm_toss_secs_leaves_the_kernels_value(host: Path) -> None:
    runner = started_stack(host, "10")
    runner.expect(CIB, stdout=crm_config())
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    runner.allow(STATUS, stdout=STATUS_HEALTHY)
    assert call("start", environ(host), runner) == (0, "")
    assert (host / "sys/kernel/config/dlm/cluster/toss_secs").read_text() == "10\n"


def test_reload_agent_applies_a_changed_dlm_toss_secs(host: Path) -> None:
    runner = started_stack(host, "600")
    assert call("reload-agent", environ(host, OCF_RESKEY_dlm_toss_secs="120"), runner) == (0, "")
    assert (host / "sys/kernel/config/dlm/cluster/toss_secs").read_text() == "120\n"
    assert runner.calls == []


def test_reload_agent_while_stopped_writes_nothing(host: Path) -> None:
    # the DLM's file is there to be written (the test's tree), but no dlm_controld runs: nothing to reload
    toss = host / "sys/kernel/config/dlm/cluster/toss_secs"
    toss.parent.mkdir(parents=True)
    toss.write_text("10\n")
    runner = HostRunner({}, sysfs_root=host)
    assert call("reload-agent", environ(host, OCF_RESKEY_dlm_toss_secs="120"), runner) == (0, "")
    assert toss.read_text() == "10\n" and runner.calls == []


def test_an_unwritable_toss_secs_is_a_warning_not_a_failed_start(host: Path) -> None:
    runner = started_stack(host, "10")
    toss = host / "sys/kernel/config/dlm/cluster/toss_secs"
    toss.unlink()
    toss.mkdir()  # open(..., "w") fails: IsADirectoryError
    runner.files[paths.DLM_TOSS_SECS] = "10\n"  # what a read shows
    runner.expect(CIB, stdout=crm_config())
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    runner.allow(STATUS, stdout=STATUS_HEALTHY)
    assert call("start", environ(host, OCF_RESKEY_dlm_toss_secs="600"), runner) == (0, "")


@pytest.mark.parametrize(("value", "why"), [("0", "at least 1"), ("abc", "integer"), ("86401", "at most")])
def test_bad_dlm_toss_secs_is_named(host: Path, value: str, why: str) -> None:
    rc, reason = call("monitor", environ(host, OCF_RESKEY_dlm_toss_secs=value), HostRunner({}))
    assert rc == 6 and "dlm_toss_secs" in reason and why in reason


def test_dlm_toss_secs_with_the_classic_stack_is_refused(host: Path) -> None:
    env = environ(host, OCF_RESKEY_stack="o2cb", OCF_RESKEY_dlm_toss_secs="600")
    rc, reason = call("monitor", env, HostRunner({}))
    assert rc == 6 and "dlm_toss_secs applies only to stack=pcmk" in reason


# --- stop (pcmk) ------------------------------------------------------------------------------------
def test_stop_refuses_while_ocfs2_is_mounted(host: Path) -> None:
    fake_daemon(host)
    runner = HostRunner({"/proc/mounts": MOUNTS + "/dev/drbd0 /srv/ocfs2 ocfs2 rw 0 0\n"})
    rc, reason = call("stop", environ(host), runner)
    assert rc == 1 and "/dev/drbd0 on /srv/ocfs2" in reason and "ocf:dualroot:ocfs2" in reason
    assert runner.calls == []


def test_stop_not_running_is_success(host: Path) -> None:
    assert call("stop", environ(host), HostRunner({"/proc/mounts": MOUNTS})) == (0, "")


def test_stop_refuses_while_lockspaces_are_in_use(host: Path) -> None:
    fake_daemon(host)
    runner = HostRunner({"/proc/mounts": MOUNTS})
    runner.expect(LS_ARGV, stdout=LS)
    rc, reason = call("stop", environ(host), runner)
    assert rc == 1 and "clvmd" in reason


class RealPauseRunner(HostRunner):
    """Virtual time as usual, plus a short real pause per sleep: the real daemon below needs real time
    to die and be reaped, or a loaded machine saw the agent escalate to SIGKILL (a flaky -9)."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        time.sleep(min(seconds, 0.2))


def test_stop_terms_dlm_controld(host: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A real process named dlm_controld (a copy of sleep), shown in the fake /proc by a link to its
    # real entry, so it disappears from there once SIGTERM ended it and it was reaped.
    bindir = tmp_path_factory.mktemp("bin")
    shutil.copy("/bin/sleep", bindir / "dlm_controld")
    daemon = subprocess.Popen([str(bindir / "dlm_controld"), "120"])
    reaper = threading.Thread(target=daemon.wait)
    reaper.start()
    try:
        os.symlink(f"/proc/{daemon.pid}", host / "proc" / str(daemon.pid))
        runner = RealPauseRunner({"/proc/mounts": MOUNTS})
        runner.expect(LS_ARGV, stdout="")
        assert call("stop", environ(host), runner) == (0, "")
        reaper.join(timeout=30)
        assert daemon.returncode == -15
    finally:
        daemon.kill()
        reaper.join()


# --- o2cb (classic) ---------------------------------------------------------------------------------
def cmap(hostname: str) -> str:
    return (
        f"nodelist.node.0.name (str) = {hostname}\nnodelist.node.0.nodeid (u32) = 1\n"
        "nodelist.node.0.ring0_addr (str) = 192.168.100.1\n"
        "nodelist.node.1.name (str) = peer\nnodelist.node.1.nodeid (u32) = 2\n"
        "nodelist.node.1.ring0_addr (str) = 192.168.100.2\ntotem.cluster_name (str) = vmlab\n"
    )


def test_o2cb_start_writes_cluster_conf_and_registers(host: Path) -> None:
    (host / "sys" / "fs" / "ocfs2").mkdir(parents=True)
    runner = HostRunner({"/proc/mounts": MOUNTS, "/sys/fs/ocfs2/cluster_stack": "o2cb\n",
                         "/etc/ocfs2/cluster.conf": None})
    runner.expect(CIB, stdout=crm_config())
    runner.allow([paths.COROSYNC_CMAPCTL], stdout=cmap(os.uname().nodename))
    runner.expect([paths.MODPROBE, "ocfs2_stack_o2cb"])
    register = [paths.O2CB, "register-cluster", "vmlab"]
    runner.expect(register, effect=lambda: (host / "sys/kernel/config/cluster/vmlab").mkdir(parents=True))
    assert call("start", environ(host, OCF_RESKEY_stack="o2cb"), runner) == (0, "")
    conf = (host / "etc" / "ocfs2" / "cluster.conf").read_text()
    assert "\tname = vmlab\n" in conf and "\tip_address = 192.168.100.2\n" in conf
    runner.assert_done()
    # monitor and stop of the registered cluster
    runner.allow([paths.O2CB, "unregister-cluster", "vmlab"])
    assert call("monitor", environ(host, OCF_RESKEY_stack="o2cb"), runner) == (0, "")
    assert call("stop", environ(host, OCF_RESKEY_stack="o2cb"), runner) == (0, "")
    assert runner.ran(paths.O2CB, "unregister-cluster", "vmlab")


def test_o2cb_start_refuses_when_this_node_is_not_in_the_node_list(host: Path) -> None:
    runner = HostRunner({"/proc/mounts": MOUNTS, "/sys/fs/ocfs2/cluster_stack": "o2cb\n"})
    runner.expect(CIB, stdout=crm_config())
    runner.allow([paths.COROSYNC_CMAPCTL], stdout=cmap("someone-else"))
    runner.expect([paths.MODPROBE, "ocfs2_stack_o2cb"])
    rc, reason = call("start", environ(host, OCF_RESKEY_stack="o2cb"), runner)
    assert rc == 6 and os.uname().nodename in reason


# --- validate-all -----------------------------------------------------------------------------------
def install_tools(host: Path, *tools: str) -> None:
    for tool in tools:
        target = host / tool.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)


ALL_TOOLS = (paths.DLM_CONTROLD, paths.DLM_TOOL, paths.MODPROBE, paths.O2CLUSTER, paths.O2CB)


def test_validate_no_quorum_policy(host: Path) -> None:
    runner = HostRunner({})
    runner.expect(CIB, stdout=crm_config(nqp="stop"))
    rc, reason = call("validate-all", environ(host), runner)
    assert rc == 6 and "no-quorum-policy" in reason


def test_validate_missing_binary(host: Path) -> None:
    install_tools(host, paths.DLM_TOOL, paths.MODPROBE, paths.O2CLUSTER)
    runner = HostRunner({})
    runner.expect(CIB, stdout=crm_config())
    rc, reason = call("validate-all", environ(host), runner)
    assert rc == 5 and paths.DLM_CONTROLD in reason


def test_validate_kernel_support_and_stamped_volumes(host: Path) -> None:
    install_tools(host, *ALL_TOOLS)
    runner = HostRunner({})
    runner.allow(CIB, stdout=crm_config())
    rc, reason = call("validate-all", environ(host), runner)
    assert rc == 5 and "ocfs2_stack_user" in reason
    (host / "sys" / "module" / "ocfs2_stack_user").mkdir(parents=True)
    runner.expect([paths.O2CLUSTER, "-o", "/dev/drbd0"], stdout="pcmk,vmlab,none\n")
    runner.expect([paths.O2CLUSTER, "-o", "/dev/sdb"], stdout="o2cb,vmlab,local\n")
    rc, reason = call("validate-all", environ(host, OCF_RESKEY_volumes="/dev/drbd0 /dev/sdb"), runner)
    assert rc == 6 and "o2cluster -u pcmk,vmlab,none /dev/sdb" in reason


def test_validate_unreadable_cib_is_skipped_with_a_warning(host: Path) -> None:
    install_tools(host, *ALL_TOOLS)
    (host / "sys" / "module" / "ocfs2_stack_user").mkdir(parents=True)
    runner = HostRunner({})
    runner.expect(CIB, rc=102, stderr="Could not connect to the CIB\n")
    assert call("validate-all", environ(host), runner) == (0, "")


def test_start_timeout_names_what_never_arrived(host: Path) -> None:
    fake_daemon(host)
    runner = HostRunner({"/proc/mounts": MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n"}, budget_s=10)
    runner.expect(CIB, stdout=crm_config())
    runner.expect([paths.MODPROBE, "dlm"]).expect([paths.MODPROBE, "ocfs2_stack_user"])
    runner.allow(STATUS, stdout="something new\n    a=b\n")
    rc, reason = call("start", environ(host), runner)
    assert rc == 1 and "did not become ready" in reason and "'something new'" in reason


# --- parameter syntax --------------------------------------------------------------------------------
# The agent checks these with character sets (no `re` on any action); they must accept exactly what
# the regular expressions of the declaration accepted.
PATTERNS = {
    "cluster_name": r"[A-Za-z0-9_-]{1,16}",
    "heartbeat_regions": r"[0-9A-Fa-f]{32}( +[0-9A-Fa-f]{32})*",
    "volumes": r"/[A-Za-z0-9._+:@/-]*( +/[A-Za-z0-9._+:@/-]*)*",
    "daemon_options": r"-[A-Za-z0-9_-]+( +[A-Za-z0-9_.=-]+)*",
}
_ODD = st.sampled_from(["", ";", "a\tb", "é", "-", "/", "="])  # words that break one pattern or another
_WORDS = {  # per parameter: words that mostly fit, some that do not
    "cluster_name": st.text(alphabet="aZ09_-.", max_size=18),
    "heartbeat_regions": st.sampled_from(["0" * 32, "Ab" * 16, "a" * 31, "g" * 32, "0" * 33]),
    "volumes": st.builds(str.__add__, st.sampled_from(["/", "/", "", "-"]), st.text(alphabet="aZ09._+:@/-;",
                                                                                        max_size=10)),
    "daemon_options": st.text(alphabet="aZ09_.=-;", max_size=10).map(lambda w: "-" + w),
}


@st.composite
def _values(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(PATTERNS)))
    words = draw(st.lists(st.one_of(_WORDS[name], _ODD), min_size=1, max_size=3))
    separator = draw(st.sampled_from([" ", "  ", "\t"]))
    ends = draw(st.sampled_from([("", ""), ("", ""), (" ", ""), ("", " ")]))
    return name, ends[0] + separator.join(words) + ends[1]


@settings(max_examples=400)
@given(_values())
def test_parameter_syntax_as_the_declared_patterns(case: tuple[str, str]) -> None:
    import re

    name, value = case
    assert o2cb_agent._SYNTAX[name](value) == bool(re.fullmatch(PATTERNS[name], value)), value


@pytest.mark.parametrize(("name", "value"), [("volumes", "/dev/a x"), ("daemon_options", "--x 1 "),
                                             ("heartbeat_regions", "0" * 31), ("cluster_name", "a" * 17)])
def test_bad_parameter_syntax_is_named(host: Path, name: str, value: str) -> None:
    rc, reason = call("monitor", environ(host, **{f"OCF_RESKEY_{name}": value}), HostRunner({}))
    assert rc == 6 and reason.startswith(f"parameter {name} must consist of ") and repr(value) in reason
