"""A monitor of ocf:dualroot:ocfs2 or ocf:dualroot:o2cb pulls in none of the costly stdlib modules
(an agent pays for every import on every monitor; see bench/bench_ocfs2_agent.py)."""

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("typing", "dataclasses", "inspect", "subprocess", "json", "xml.etree", "mmap", "select", "signal")


@pytest.mark.parametrize(("package", "params"), [
    ("ocfs2", {"OCF_RESKEY_device": "/dev/dualroot-none", "OCF_RESKEY_directory": "/srv/dualroot-none"}),
    ("stack", {}),
])
def test_monitor_imports_nothing_heavy(tmp_path: Path, package: str, params: dict[str, str]) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc" / "mounts").write_text("/dev/vda / ext4 rw 0 0\n")
    code = (
        "import sys\n"
        f"from dualroot.{package}.agent import AGENT\n"
        "from dualroot.ocf.dispatcher import run_agent\n"
        "rc = run_agent(AGENT, ['agent', 'monitor'])\n"
        f"print(rc, ' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "DUALROOT_TOOL_ROOT": str(tmp_path), **params}
    out = subprocess.run(["/usr/bin/python3", "-S", "-c", code], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout.strip() == "7", out.stdout + out.stderr  # not running, and nothing heavy loaded
