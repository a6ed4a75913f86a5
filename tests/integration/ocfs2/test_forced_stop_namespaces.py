"""A forced stop in its own PID and mount namespaces: the real agent, real umount and real processes.

A tmpfs stands in for the OCFS2 volume (this host has no OCFS2): DUALROOT_TOOL_ROOT gives the agent a
/proc/mounts that calls it ocfs2, while every /proc/<pid> entry, umount and the mount point itself are
the real ones. Two holders (a working directory and an open file inside the mount) must be stopped and
the mount gone; a process outside the mount must survive. The namespace ends with the test, taking
every process in it along, so nothing leaks onto the host.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.integration.ocfs2.agent_process import AGENT_PYTHON, REPO

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for unshare and mount"),
]

DRIVER = r"""
import json, os, subprocess, sys, tempfile, time

repo = sys.argv[1]
mnt = "/mnt/dualroot-stoptest"
os.makedirs(mnt, exist_ok=True)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "dualroot-test", mnt], check=True)
cwd_holder = subprocess.Popen(["sleep", "300"], cwd=mnt)
file_holder = subprocess.Popen(["sh", "-c", "exec 3>" + mnt + "/held; exec sleep 300"])
outsider = subprocess.Popen(["sleep", "300"], cwd="/")
deadline = time.monotonic() + 10
while not os.path.exists("/proc/%d/fd/3" % file_holder.pid) or \
        os.readlink("/proc/%d/exe" % file_holder.pid).endswith("/sh"):
    assert time.monotonic() < deadline, "file holder did not start"
    time.sleep(0.05)

root = tempfile.mkdtemp()
os.makedirs(root + "/proc")
os.makedirs(root + "/bin")
for name in os.listdir("/proc"):
    if name.isdigit():
        os.symlink("/proc/" + name, root + "/proc/" + name)
with open("/proc/mounts") as real, open(root + "/proc/mounts", "w") as fake:
    for line in real:
        fake.write(line.replace("dualroot-test " + mnt + " tmpfs", "/dev/dualroot-test " + mnt + " ocfs2"))
os.symlink("/bin/umount", root + "/bin/umount")
os.symlink("/mnt", root + "/mnt")

env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": repo, "DUALROOT_TOOL_ROOT": root,
       "OCF_RESKEY_device": "/dev/dualroot-test", "OCF_RESKEY_directory": mnt,
       "OCF_RESKEY_CRM_meta_timeout": "20000", "OCF_RESOURCE_INSTANCE": "fs_test"}
stop = subprocess.run([sys.executable, repo + "/agents/ocfs2", "stop"], env=env, capture_output=True,
                      text=True, timeout=60)
still_mounted = any(line.split()[1] == mnt for line in open("/proc/mounts"))
result = {"rc": stop.returncode, "stderr": stop.stderr, "still_mounted": still_mounted,
          "cwd_holder": cwd_holder.wait(timeout=10), "file_holder": file_holder.wait(timeout=10),
          "outsider_alive": outsider.poll() is None}
print(json.dumps(result))
"""


def test_forced_stop_kills_only_the_holders() -> None:
    proc = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount", "--mount-proc", "--propagation", "private",
         AGENT_PYTHON, "-c", DRIVER, str(REPO)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(result["stderr"], file=sys.stderr)
    assert result["rc"] == 0, result["stderr"]
    assert not result["still_mounted"]
    assert result["cwd_holder"] == -15 and result["file_holder"] == -15  # SIGTERM was enough
    assert result["outsider_alive"]
    assert "sleep[" in result["stderr"] and "(cwd)" in result["stderr"] and "(fd 3)" in result["stderr"]
