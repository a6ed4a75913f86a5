"""Neither agent assumes DRBD or two nodes: o2cb + ocfs2 cloned on three nodes over a shared SAN LUN,
rendered with real `pcs -f`, accepted by `crm_verify`, and started on all three by `crm_simulate`."""

import subprocess
from pathlib import Path

import pytest

from tests.integration.ocfs2.agent_process import installed

pytestmark = pytest.mark.integration

NODES = ("node1", "node2", "node3")
LUN = "/dev/disk/by-id/wwn-0x600140512345678900000000000000001"


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False, timeout=120, env=env)
    assert result.returncode == 0, f"{argv}: {result.stderr}"
    return result


def build_cib(path: Path) -> None:
    path.write_text(run("cibadmin", "--empty").stdout)
    pcs = ("pcs", "-f", str(path))
    run(*pcs, "property", "set", "stonith-enabled=true", "no-quorum-policy=freeze")
    for node in NODES:
        # crm_verify wants fencing configured when stonith-enabled=true (HOST-TOOLS.md item 1).
        run(*pcs, "stonith", "create", f"fence_{node}", "fence_dummy", f"pcmk_host_list={node}")
        run(*pcs, "constraint", "location", f"fence_{node}", "avoids", node)
    run(*pcs, "resource", "create", "o2cb", "ocf:dualroot:o2cb", "stack=pcmk", f"volumes={LUN}",
        "op", "monitor", "interval=10s", "clone", "interleave=true", "clone-max=3", "clone-node-max=1")
    run(*pcs, "resource", "create", "fs_shared", "ocf:dualroot:ocfs2", f"device={LUN}",
        "directory=/srv/shared", "options=noatime", "op", "monitor", "interval=20s",
        "clone", "interleave=true", "clone-max=3", "clone-node-max=1")
    run(*pcs, "constraint", "order", "start", "o2cb-clone", "then", "start", "fs_shared-clone")
    run(*pcs, "constraint", "colocation", "add", "fs_shared-clone", "with", "o2cb-clone", "INFINITY")


def test_three_node_clone_verifies_and_starts_everywhere(tmp_path: Path) -> None:
    cib = tmp_path / "cib.xml"
    with installed("o2cb", "ocfs2"):
        build_cib(cib)
    verify = subprocess.run(["crm_verify", "--xml-file", str(cib), "-V"], capture_output=True, text=True,
                            check=False)
    assert verify.returncode == 0, verify.stderr
    text = cib.read_text()
    assert 'type="o2cb"' in text and 'type="ocfs2"' in text and 'provider="dualroot"' in text
    # Three nodes online: every instance of both clones is placed, one per node.
    sim = subprocess.run(
        ["crm_simulate", "-x", str(cib), *[a for n in NODES for a in ("-u", n)], "-q", "true", "-S"],
        capture_output=True, text=True, check=False,
    )
    assert sim.returncode == 0, sim.stderr
    for node in NODES:
        assert f"fs_shared:{NODES.index(node)}" in sim.stdout
    revised = sim.stdout.split("Revised Cluster Status")[-1]
    assert "fs_shared-clone [fs_shared]" in revised and "Started: [ node1 node2 node3 ]" in revised
