"""ocf:dualroot:ocfs2 actions with a FakeRunner and a fake host tree (DUALROOT_TOOL_ROOT)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.ocf.dispatcher import run_agent
from dualroot.ocf.fakerunner import FakeRunner
from dualroot.ocfs2 import agent as ocfs2_agent
from dualroot.ocfs2 import bounded_io

pytestmark = pytest.mark.unit

DEVICE = "/dev/drbd0"
DIRECTORY = "/srv/ocfs2"
BASE_MOUNTS = "/dev/vda / ext4 rw 0 0\nconfigfs /sys/kernel/config configfs rw 0 0\n"
MOUNTED = BASE_MOUNTS + f"{DEVICE} {DIRECTORY} ocfs2 rw,noatime,cluster_stack=pcmk 0 0\n"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A host tree: the device (a file), an empty /proc, no sysfs."""
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "drbd0").write_bytes(b"\0" * 8192)
    (tmp_path / "proc").mkdir()
    return tmp_path


def environ(host: Path, action_timeout_ms: int = 20000, **extra: str) -> dict[str, str]:
    env = {
        "OCF_RESKEY_device": DEVICE,
        "OCF_RESKEY_directory": DIRECTORY,
        "OCF_RESKEY_CRM_meta_timeout": str(action_timeout_ms),
        "OCF_RESOURCE_INSTANCE": "fs_ocfs2:0",
        "OCF_RESKEY_CRM_meta_on_node": "node1",
        "DUALROOT_TOOL_ROOT": str(host),
    }
    env.update(extra)
    return env


def call(action: str, env: dict[str, str], runner: FakeRunner) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_agent(
        ocfs2_agent.AGENT, ["ocfs2", action], env, stdout=out, stderr=err,
        runner_factory=lambda e, log: runner,
    )
    reasons = [line for line in err.getvalue().splitlines() if line.startswith("ocf-exit-reason:")]
    assert len(reasons) <= 1 and "Traceback" not in err.getvalue()
    return rc, reasons[0][len("ocf-exit-reason:"):] if reasons else ""


# --- monitor ----------------------------------------------------------------------------------------
def test_monitor_not_mounted_and_probe_without_directory(host: Path) -> None:
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS})
    assert call("monitor", environ(host), runner) == (7, "")
    probe = environ(host, OCF_RESKEY_CRM_meta_interval="0", OCF_RESKEY_directory="/srv/missing")
    assert call("monitor", probe, runner)[0] == 7
    assert runner.calls == []


def test_monitor_depth_0_mounted(host: Path) -> None:
    assert call("monitor", environ(host), FakeRunner({"/proc/mounts": MOUNTED})) == (0, "")


def test_monitor_another_filesystem_on_the_directory_is_an_error(host: Path) -> None:
    mounts = BASE_MOUNTS + f"/dev/sdb {DIRECTORY} ext4 rw 0 0\n"
    rc, reason = call("monitor", environ(host), FakeRunner({"/proc/mounts": mounts}))
    assert rc == 1 and "/dev/sdb (ext4)" in reason


def test_monitor_device_named_by_symlink(host: Path) -> None:
    (host / "dev" / "drbd").mkdir()
    os.symlink(host / "dev" / "drbd0", host / "dev" / "drbd" / "r0")
    env = environ(host, OCF_RESKEY_device="/dev/drbd/r0")
    assert call("monitor", env, FakeRunner({"/proc/mounts": MOUNTED}))[0] == 0


@pytest.mark.parametrize("level", ["10", "15"])
def test_monitor_depth_10_reads_the_device(host: Path, level: str) -> None:
    (host / "srv" / "ocfs2").mkdir(parents=True)
    env = environ(host, OCF_CHECK_LEVEL=level)
    assert call("monitor", env, FakeRunner({"/proc/mounts": MOUNTED})) == (0, "")
    (host / "dev" / "drbd0").unlink()
    rc, reason = call("monitor", env, FakeRunner({"/proc/mounts": MOUNTED}))
    assert rc == 1 and "direct read from /dev/drbd0 failed" in reason


def test_monitor_depth_20_writes_this_nodes_status_file(host: Path) -> None:
    (host / "srv" / "ocfs2").mkdir(parents=True)
    env = environ(host, OCF_CHECK_LEVEL="20")
    assert call("monitor", env, FakeRunner({"/proc/mounts": MOUNTED})) == (0, "")
    status = host / "srv" / "ocfs2" / paths.OCFS2_STATUS_DIR / "node1"
    assert status.read_bytes().startswith(b"node1 fs_ocfs2:0\n")


def hanging(*_args: str) -> Callable[[], str]:
    """A bounded_io work factory whose work never answers in time, as on frozen I/O."""
    def work() -> str:
        time.sleep(60)
        return ""

    return work


@pytest.mark.parametrize(("cmdline", "expected"), [
    (None, 1),  # frozen, no other process: fails fast with a reason
    (b"/sbin/drbdadm\0fence-peer\0r0\0", 190),  # DRBD 8.4 and 9 run their handler through drbdadm
    (b"/bin/bash\0/usr/lib/drbd/crm-fence-peer.9.sh\0", 190),
    (b"/usr/bin/python3\0-S\0/usr/lib/dualroot/dualroot-fence-peer\0", 190),
    (b"/usr/bin/sleep\0900\0", 1),  # frozen, and nobody is fencing: a failure
])
def test_monitor_frozen_device_fails_fast_unless_the_fence_peer_handler_runs(
        host: Path, monkeypatch: pytest.MonkeyPatch, cmdline: bytes | None, expected: int) -> None:
    monkeypatch.setattr(bounded_io, "read_direct", hanging)
    if cmdline is not None:
        (host / "proc" / "4711").mkdir(parents=True, exist_ok=True)
        (host / "proc" / "4711" / "cmdline").write_bytes(cmdline)
    runner = FakeRunner({"/proc/mounts": MOUNTED}, budget_s=1.8)  # what is left of a 2 s monitor
    rc, reason = call("monitor", environ(host, 2000, OCF_CHECK_LEVEL="10"), runner)
    assert rc == expected
    assert ("fence-peer handler runs" in reason) if expected == 190 else ("frozen" in reason)


def test_monitor_depth_20_frozen_status_file_fails_with_its_reason(host: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (host / "srv" / "ocfs2").mkdir(parents=True)
    monkeypatch.setattr(bounded_io, "status_file_roundtrip", hanging)
    runner = FakeRunner({"/proc/mounts": MOUNTED}, budget_s=1.8)
    rc, reason = call("monitor", environ(host, 2000, OCF_CHECK_LEVEL="20"), runner)
    assert rc == 1 and "status file in /srv/ocfs2 gave no answer" in reason and "frozen" in reason


@pytest.mark.parametrize("level", ["abc", "-1", "1 0"])
def test_bad_check_level(host: Path, level: str) -> None:
    rc, reason = call("monitor", environ(host, OCF_CHECK_LEVEL=level), FakeRunner({"/proc/mounts": MOUNTED}))
    assert rc == 6 and "OCF_CHECK_LEVEL" in reason


# --- start ------------------------------------------------------------------------------------------
def test_start_is_idempotent(host: Path) -> None:
    runner = FakeRunner({"/proc/mounts": MOUNTED})
    assert call("start", environ(host), runner) == (0, "")
    assert runner.calls == []


def test_start_refuses_without_the_stack(host: Path) -> None:
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": None})
    rc, reason = call("start", environ(host), runner)
    assert rc == 1 and "start ocf:dualroot:o2cb" in reason


def test_start_refuses_pcmk_stack_without_dlm_controld(host: Path) -> None:
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n"})
    rc, reason = call("start", environ(host), runner)
    assert rc == 1 and "dlm_controld is not running" in reason


def fake_daemon(host: Path, pid: int = 4242, comm: str = "dlm_controld") -> None:
    (host / "proc" / str(pid)).mkdir()
    (host / "proc" / str(pid) / "comm").write_text(comm + "\n")


def test_start_refuses_a_volume_stamped_for_another_stack(host: Path) -> None:
    fake_daemon(host)
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n"})
    runner.expect([paths.O2CLUSTER, "-o", DEVICE], stdout="o2cb,oldc,local\n")
    rc, reason = call("start", environ(host), runner)
    assert rc == 6 and "o2cluster -u pcmk,oldc,none /dev/drbd0" in reason


def test_start_mounts_with_options(host: Path) -> None:
    fake_daemon(host)
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n",
                         "/proc/filesystems": "nodev\tproc\n\text4\n"})
    runner.expect([paths.O2CLUSTER, "-o", DEVICE], stdout="pcmk,vmlab,none\n")
    # the file system module is loaded first: mount.ocfs2 fails without it (seen in the lab)
    runner.expect([paths.MODPROBE, "ocfs2"])
    mount = [paths.MOUNT, "-t", "ocfs2", "-o", "noatime,acl", DEVICE, DIRECTORY]
    runner.expect(mount, effect=lambda: runner.files.update({"/proc/mounts": MOUNTED}))
    assert call("start", environ(host, OCF_RESKEY_options="noatime,acl"), runner) == (0, "")
    assert (host / "srv" / "ocfs2").is_dir()
    runner.assert_done()


def test_start_reports_mount_failure(host: Path) -> None:
    fake_daemon(host)
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n",
                         "/proc/filesystems": "nodev\tproc\n\tocfs2\n"})
    runner.expect([paths.O2CLUSTER, "-o", DEVICE], stdout="pcmk,vmlab,none\n")
    mount = [paths.MOUNT, "-t", "ocfs2", DEVICE, DIRECTORY]
    runner.expect(mount, rc=1, stderr="mount.ocfs2: Transport endpoint\n")
    rc, reason = call("start", environ(host), runner)
    assert rc == 1 and "mount.ocfs2: Transport endpoint" in reason


def test_start_missing_device_is_not_installed(host: Path) -> None:
    env = environ(host, OCF_RESKEY_device="/dev/drbd9")
    rc, reason = call("start", env, FakeRunner({"/proc/mounts": BASE_MOUNTS}))
    assert rc == 5 and "/dev/drbd9" in reason


# --- stop -------------------------------------------------------------------------------------------
def mounted_host(host: Path) -> Path:
    (host / "srv" / "ocfs2").mkdir(parents=True)
    return host


def test_stop_not_mounted_is_success(host: Path) -> None:
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS})
    assert call("stop", environ(host), runner) == (0, "")
    assert runner.calls == []


def test_stop_plain_umount(host: Path) -> None:
    mounted_host(host)
    runner = FakeRunner({"/proc/mounts": MOUNTED})
    runner.expect([paths.UMOUNT, DIRECTORY],
                  effect=lambda: runner.files.update({"/proc/mounts": BASE_MOUNTS}))
    assert call("stop", environ(host), runner) == (0, "")
    runner.assert_done()


def test_stop_refuses_to_unmount_over_submounts(host: Path) -> None:
    mounted_host(host)
    mounts = MOUNTED + f"tmpfs {DIRECTORY}/scratch tmpfs rw 0 0\n"
    rc, reason = call("stop", environ(host), FakeRunner({"/proc/mounts": mounts}))
    assert rc == 1 and f"{DIRECTORY}/scratch" in reason


def spawn_holder(host: Path, *, ignore_term: bool = False) -> subprocess.Popen[bytes]:
    """A real child process, shown in the fake /proc as holding a file inside the mount."""
    code = "import signal, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += "print('ready', flush=True)\ntime.sleep(120)\n"
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    d = host / "proc" / str(child.pid)
    (d / "fd").mkdir(parents=True)
    (d / "comm").write_text("holder\n")
    os.symlink("/", d / "cwd")
    os.symlink("/", d / "root")
    os.symlink(f"{DIRECTORY}/data/file", d / "fd" / "3")
    (d / "maps").write_text("")
    (d / "stat").write_text(f"{child.pid} (holder) S 1 1 1 0\n")  # stays "running" in the fake /proc
    return child


def test_stop_busy_terms_the_holder_then_unmounts(host: Path) -> None:
    mounted_host(host)
    holder = spawn_holder(host)
    outsider = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        runner = FakeRunner({"/proc/mounts": MOUNTED})
        runner.expect([paths.UMOUNT, DIRECTORY], rc=32, stderr=f"umount: {DIRECTORY}: target is busy.\n")
        runner.expect([paths.UMOUNT, DIRECTORY],
                      effect=lambda: runner.files.update({"/proc/mounts": BASE_MOUNTS}))
        assert call("stop", environ(host), runner) == (0, "")
        assert holder.wait(timeout=30) == -15  # SIGTERM
        assert outsider.poll() is None  # a process outside the mount is never signalled
        runner.assert_done()
    finally:
        for child in (holder, outsider):
            child.kill()
            child.wait()


def test_stop_escalates_to_kill_and_then_gives_up_naming_the_holder(host: Path) -> None:
    mounted_host(host)
    holder = spawn_holder(host, ignore_term=True)
    reaper = threading.Thread(target=holder.wait)
    reaper.start()
    try:
        runner = FakeRunner({"/proc/mounts": MOUNTED})
        runner.allow([paths.UMOUNT, DIRECTORY], rc=32, stderr=f"umount: {DIRECTORY}: target is busy.\n")
        rc, reason = call("stop", environ(host, 10000), runner)
        assert rc == 1 and "still busy" in reason and f"holder[{holder.pid}] (fd 3)" in reason
        reaper.join(timeout=30)
        assert holder.returncode == -9  # TERM was ignored, KILL was not
    finally:
        holder.kill()
        reaper.join()


def test_stop_on_frozen_io_fails_at_once_without_umount(host: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mounted_host(host)
    monkeypatch.setattr(bounded_io, "stat_path", hanging)
    runner = FakeRunner({"/proc/mounts": MOUNTED})  # no umount scripted: calling it fails the test
    rc, reason = call("stop", environ(host, 6000), runner)
    assert rc == 1 and "frozen" in reason and "fences this node" in reason


# --- validate-all -----------------------------------------------------------------------------------
def test_validate_level_0_checks_parameters_only(host: Path) -> None:
    assert call("validate-all", environ(host), FakeRunner({})) == (0, "")


def test_validate_level_10_needs_kernel_support(host: Path) -> None:
    for tool in (paths.MOUNT, paths.UMOUNT, paths.O2CLUSTER):
        target = host / tool.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)
    env = environ(host, OCF_CHECK_LEVEL="10")
    rc, reason = call("validate-all", env, FakeRunner({"/proc/filesystems": "nodev\tproc\n\text4\n"}))
    assert rc == 5 and "no ocfs2 support" in reason
    assert call("validate-all", env, FakeRunner({"/proc/filesystems": "nodev\tproc\n\tocfs2\n"})) == (0, "")


def test_stop_with_another_filesystem_on_the_directory_is_success(host: Path) -> None:
    mounts = BASE_MOUNTS + f"/dev/sdb {DIRECTORY} ext4 rw 0 0\n"
    runner = FakeRunner({"/proc/mounts": mounts})
    assert call("stop", environ(host), runner) == (0, "")
    assert runner.calls == []  # never touches a file system that is not ours


def test_stop_refuses_when_our_volume_is_covered_by_another_mount(host: Path) -> None:
    mounts = MOUNTED + f"/dev/sdb {DIRECTORY} ext4 rw 0 0\n"
    rc, reason = call("stop", environ(host), FakeRunner({"/proc/mounts": mounts}))
    assert rc == 1 and "/dev/sdb mounted over /dev/drbd0" in reason


def test_start_goes_on_when_the_stamp_cannot_be_read(host: Path) -> None:
    fake_daemon(host)
    runner = FakeRunner({"/proc/mounts": BASE_MOUNTS, "/sys/fs/ocfs2/cluster_stack": "pcmk\n",
                         "/proc/filesystems": "\tocfs2\n"})
    runner.expect([paths.O2CLUSTER, "-o", DEVICE], rc=1, stderr="o2cluster: Device or resource busy\n")
    mount = [paths.MOUNT, "-t", "ocfs2", DEVICE, DIRECTORY]
    runner.expect(mount, effect=lambda: runner.files.update({"/proc/mounts": MOUNTED}))
    assert call("start", environ(host), runner) == (0, "")


def test_stop_when_only_the_device_read_hangs(host: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # OCFS2 may answer a stat from cached cluster locks while DRBD holds every device I/O.
    mounted_host(host)
    monkeypatch.setattr(bounded_io, "read_direct", hanging)
    rc, reason = call("stop", environ(host, 6000), FakeRunner({"/proc/mounts": MOUNTED}))
    assert rc == 1 and "frozen" in reason
