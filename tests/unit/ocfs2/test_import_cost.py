"""A monitor of ocf:dualroot:ocfs2 or ocf:dualroot:o2cb pulls in none of the costly stdlib modules
(an agent pays for every import on every monitor; see bench/bench_ocfs2_agent.py)."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("typing", "dataclasses", "inspect", "subprocess", "json", "xml.etree", "pathlib", "re", "enum",
         "ipaddress", "fnmatch", "urllib", "signal", "collections", "mmap", "select")
DEVICE = "/dev/dualroot-disk"
DIRECTORY = "/srv/dualroot-fs"
FS = {"OCF_RESKEY_device": DEVICE, "OCF_RESKEY_directory": DIRECTORY}
STATUS = ("cluster nodeid 1 quorate 1 ring seq 12 12\n"
          "    member_count=2 quorate=1 fence_pid=0 stateful_merge_wait=0\n"
          "node 1 M add 20 rem 0 fail 0 fence 0 at 0 0\n    member=1 need_fencing=0 fence_pid=0\n")


def mounted(root: Path) -> None:
    (root / "proc" / "mounts").write_text(f"/dev/vda / ext4 rw 0 0\n{DEVICE} {DIRECTORY} ocfs2 rw 0 0\n")
    (root / "dev").mkdir()
    (root / DEVICE.lstrip("/")).write_bytes(b"\0" * 8192)


def stack_running(root: Path) -> None:
    """A process called dlm_controld, a kernel lockspace, the pcmk stack and a dlm_tool that answers."""
    (root / "proc" / "4242").mkdir()
    (root / "proc" / "4242" / "comm").write_text("dlm_controld\n")
    (root / "sys" / "kernel" / "dlm" / "fs1").mkdir(parents=True)
    (root / "sys" / "fs" / "ocfs2").mkdir(parents=True)
    (root / "sys" / "fs" / "ocfs2" / "cluster_stack").write_text("pcmk\n")
    (root / "usr" / "sbin").mkdir(parents=True)
    tool = root / "usr" / "sbin" / "dlm_tool"
    tool.write_text(f"#!/bin/sh\n[ \"$1\" = status ] && printf '%s' '{STATUS}'\nexit 0\n")
    tool.chmod(0o755)


CASES = [
    # (id, agent package, parameters, host set-up, expected exit code, modules that case may use)
    ("ocfs2 not running", "ocfs2", FS, None, 7, ()),
    ("ocfs2 depth 0", "ocfs2", FS, mounted, 0, ()),
    ("ocfs2 depth 10", "ocfs2", {**FS, "OCF_CHECK_LEVEL": "10"}, mounted, 0, ("mmap", "select")),
    ("ocfs2 options", "ocfs2", {**FS, "OCF_RESKEY_options": "noatime,acl"}, mounted, 0, ()),
    ("o2cb not running", "stack", {}, None, 7, ()),
    ("o2cb running", "stack", {}, stack_running, 0, ("select",)),  # select: the runner's poll
]


@pytest.mark.parametrize(("case", "package", "params", "setup", "rc", "allowed"), CASES,
                         ids=[c[0] for c in CASES])
def test_monitor_imports_nothing_heavy(tmp_path: Path, case: str, package: str, params: dict[str, str],
                                       setup: object, rc: int, allowed: tuple[str, ...]) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "mounts").write_text("/dev/vda / ext4 rw 0 0\n")
    if callable(setup):
        setup(tmp_path)
    heavy = tuple(m for m in HEAVY if m not in allowed)
    code = (
        "import sys\n"
        f"from dualroot.{package}.agent import AGENT\n"
        "from dualroot.ocf.dispatcher import run_agent\n"
        "rc = run_agent(AGENT, ['agent', 'monitor'])\n"
        f"print(rc, ' '.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "DUALROOT_TOOL_ROOT": str(tmp_path),
           "OCF_RESKEY_CRM_meta_interval": "20000", **params}
    out = subprocess.run(["/usr/bin/python3", "-S", "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == str(rc), out.stdout + out.stderr  # the expected code, nothing heavy loaded
