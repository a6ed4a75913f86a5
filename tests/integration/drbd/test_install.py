"""`make install` into a temporary root: package for /usr/bin/python3, agents 755, handler, man pages."""

import os
import stat
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def make_install(destdir: Path, *extra: str) -> None:
    subprocess.run(
        ["make", "-s", "-C", str(REPO), "install", f"DESTDIR={destdir}", *extra],
        check=True,
        capture_output=True,
        text=True,
    )


def test_install_layout_and_modes(tmp_path):
    make_install(tmp_path)
    ocf = tmp_path / "usr/lib/ocf/resource.d/dualroot"
    agents = sorted(p.name for p in (REPO / "agents").iterdir())
    handlers = {"dualroot-fence-peer", "dualroot-dlm-fence"}
    assert sorted(p.name for p in ocf.iterdir()) == sorted(set(agents) - handlers)
    assert "drbd" in agents
    for path in [*ocf.iterdir(), *(tmp_path / "usr/lib/dualroot" / h for h in handlers if h in agents)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o755, path
    assert (tmp_path / "usr/lib/python3/dist-packages/dualroot/ocf/dispatcher.py").is_file()
    assert list((tmp_path / "usr/lib/python3/dist-packages/dualroot/ocf/__pycache__").glob("*.pyc"))
    assert (tmp_path / "usr/share/man/man7/ocf_dualroot_drbd.7").is_file()


def test_installed_agent_runs_on_debian_python_from_the_install_root(tmp_path):
    make_install(tmp_path)
    agent = tmp_path / "usr/lib/ocf/resource.d/dualroot/drbd"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "usr/lib/python3/dist-packages")}
    result = subprocess.run([str(agent), "meta-data"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0 and '<resource-agent name="drbd"' in result.stdout
    assert agent.read_text().startswith("#!/usr/bin/python3 -S\n")


def test_prefix_rewrites_the_agents_package_path(tmp_path):
    make_install(tmp_path, "PREFIX=/usr/local")
    agent = tmp_path / "usr/local/lib/ocf/resource.d/dualroot/drbd"
    assert '"/usr/local/lib/python3/dist-packages"' in agent.read_text()
    assert (tmp_path / "usr/local/lib/python3/dist-packages/dualroot/drbd/agent.py").is_file()
    assert os.access(agent, os.X_OK)
