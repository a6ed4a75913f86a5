"""What both packages (.deb and .rpm) hold, and running the packaged agent and command from an unpacked
copy of a package, with only that copy on PYTHONPATH."""

import subprocess
from pathlib import Path

from dualroot import __version__

AGENTS = ("drbd", "o2cb", "ocfs2")


def unpacked_env(root: Path, site_packages: str) -> dict[str, str]:
    """The environment that makes the unpacked copy's Python package the only dualroot in reach."""
    return {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "PYTHONPATH": str(root / site_packages.lstrip("/"))}


def check_agent_and_command_run(root: Path, env: dict[str, str]) -> None:
    """The unpacked drbd agent prints its meta-data and `dualroot --version` the package's version.
    Both run from `root`: `python3 -c` puts the current directory (a checkout?) first on sys.path."""
    agent = root / "usr/lib/ocf/resource.d/dualroot/drbd"
    meta = subprocess.run([str(agent), "meta-data"], env=env, cwd=root, capture_output=True, text=True,
                          check=False)
    assert meta.returncode == 0 and '<resource-agent name="drbd"' in meta.stdout, meta.stderr
    command = subprocess.run([str(root / "usr/bin/dualroot"), "--version"], env=env, cwd=root,
                             capture_output=True, text=True, check=False)
    assert (command.returncode, command.stdout.strip()) == (0, f"dualroot {__version__}"), command.stderr
