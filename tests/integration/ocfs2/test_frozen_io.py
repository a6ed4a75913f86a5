"""Real frozen I/O: monitor depth 20 on a frozen file system fails with a reason instead of hanging.

`fsfreeze` on an ext4 loop mount (in a private mount namespace) blocks every write the way DRBD's
suspended I/O does after a replication cut (RECIPE.md 12). DUALROOT_TOOL_ROOT shows the agent a
/proc/mounts that calls the mount ocfs2; the status-file write itself is real and blocks in the kernel.
The agent must answer (rc 1, a reason saying frozen) while its abandoned child is still blocked; the
script thaws the file system before it leaves the namespace, so the child finishes and nothing leaks.
"""

import os
import shutil
import subprocess

import pytest

from tests.integration.ocfs2.agent_process import REPO

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        os.geteuid() != 0 or not os.path.exists("/dev/loop-control") or not shutil.which("fsfreeze"),
        reason="needs root, loop devices and fsfreeze",
    ),
]

SCRIPT = r"""
img=$(mktemp /var/tmp/dualroot-frozen.XXXXXX)
mnt=$(mktemp -d /mnt/dualroot-frozen.XXXXXX)
root=$(mktemp -d)
truncate -s 64M "$img" && mkfs.ext4 -q -F "$img" || exit 90
dev=$(losetup -f --show "$img") || exit 91
cleanup() {
    fsfreeze -u "$mnt" 2>/dev/null
    for i in $(seq 50); do pgrep -f "agents/ocfs2 monitor" >/dev/null || break; sleep 0.1; done
    umount "$mnt"; losetup -d "$dev"; rm -rf "$img" "$mnt" "$root"
}
trap cleanup EXIT
mount "$dev" "$mnt" || exit 92
mkdir -p "$root/proc"
sed "s#^$dev $mnt ext4#$dev $mnt ocfs2#" /proc/mounts > "$root/proc/mounts"
ln -s /dev "$root/dev"; ln -s /mnt "$root/mnt"
env -i PATH=/usr/bin:/bin PYTHONPATH="$REPO" DUALROOT_TOOL_ROOT="$root" OCF_RESKEY_device="$dev" \
    OCF_RESKEY_directory="$mnt" OCF_CHECK_LEVEL=20 OCF_RESKEY_CRM_meta_timeout=5000 \
    OCF_RESKEY_CRM_meta_on_node=node1 "$REPO/agents/ocfs2" monitor
echo "thawed-rc=$?"
fsfreeze -f "$mnt" || exit 93
env -i PATH=/usr/bin:/bin PYTHONPATH="$REPO" DUALROOT_TOOL_ROOT="$root" OCF_RESKEY_device="$dev" \
    OCF_RESKEY_directory="$mnt" OCF_CHECK_LEVEL=20 OCF_RESKEY_CRM_meta_timeout=5000 \
    OCF_RESKEY_CRM_meta_on_node=node1 "$REPO/agents/ocfs2" monitor
echo "frozen-rc=$?"
"""


def test_monitor_depth_20_on_frozen_io_fails_with_a_reason() -> None:
    proc = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", SCRIPT],
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "REPO": str(REPO)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "thawed-rc=0" in proc.stdout, proc.stderr  # the same check passes on a live file system
    assert "frozen-rc=1" in proc.stdout, proc.stderr
    reasons = [line for line in proc.stderr.splitlines() if line.startswith("ocf-exit-reason:")]
    assert len(reasons) == 1 and "frozen" in reasons[0]
