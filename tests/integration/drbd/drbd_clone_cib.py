"""ocf:dualroot:drbd as a dual-primary promotable clone in a CIB file, made by the real cibadmin and pcs,
and what crm_simulate promotes in such a CIB once both nodes are up with a promotion score."""

import os
import subprocess
from pathlib import Path

from lxml import etree

from dualroot import paths

REPO = Path(__file__).resolve().parents[3]

CREATE_DRBD_R0 = ("resource", "create", "drbd_r0", "ocf:dualroot:drbd", "drbd_resource=r0")
# Two Primaries at most, one instance per node: what the agent's dual-primary checks require.
DUAL_PRIMARY_CLONE = (
    "promotable",
    "promoted-max=2",
    "promoted-node-max=1",
    "clone-max=2",
    "clone-node-max=1",
    "notify=true",
)


def install_agents() -> None:
    """`make install` into /: pcs and Pacemaker find the agent under /usr/lib/ocf/resource.d/dualroot."""
    subprocess.run(["make", "-s", "-C", str(REPO), "install"], check=True, capture_output=True, text=True)


def empty_cib(path: Path) -> Path:
    empty = subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True)
    path.write_text(empty.stdout)
    return path


def pcs_f(cib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([paths.PCS, "-f", str(cib), *args], capture_output=True, text=True, check=False)


def dual_primary_cib(path: Path, *pcs_settings: tuple[str, ...]) -> Path:
    """An empty CIB with `pcs -f` settings applied first, then the drbd_r0 dual-primary clone."""
    empty_cib(path)
    for args in (*pcs_settings, (*CREATE_DRBD_R0, *DUAL_PRIMARY_CLONE)):
        result = pcs_f(path, *args)
        assert result.returncode == 0, (args, result.stderr)
    return path


def promoted_after_start(cib: Path, work: Path) -> list[str]:
    """The nodes crm_simulate promotes once node1 and node2 are up and each has the promotion score the
    agent sets on an UpToDate Secondary (10000)."""
    up = work / "up.xml"
    subprocess.run(
        [paths.CRM_SIMULATE, "-x", str(cib), "-u", "node1", "-u", "node2", "-q", "true", "-S", "-O", str(up)],
        check=True,
        capture_output=True,
    )
    for node in ("node1", "node2"):
        subprocess.run(
            ["crm_attribute", "-N", node, "-n", "master-drbd_r0", "-v", "10000", "-l", "reboot"],
            env={**os.environ, "CIB_file": str(up)},
            check=True,
            capture_output=True,
        )
    result = subprocess.run(
        [paths.CRM_SIMULATE, "-x", str(up), "-q", "true", "-S", "--output-as=xml"],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(etree.fromstring(result.stdout.encode()).xpath("//rsc_action[@op='promote']/@node"))
