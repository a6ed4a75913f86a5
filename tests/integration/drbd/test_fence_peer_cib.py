"""dualroot-fence-peer against a real CIB file through the real cibadmin (CIB_file), with stub DRBD state
and stub crm_node/crm_mon/stonith_admin: the constraint it places is accepted by Pacemaker's schema and
crm_verify, bans the peer's promotion in crm_simulate, and unfence removes it."""

import os
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths
from tests.integration.drbd.drbd_clone_cib import REPO, dual_primary_cib, install_agents, promoted_after_start

pytestmark = pytest.mark.integration

HANDLER = REPO / "agents" / "dualroot-fence-peer"
HEADER = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 4B3E2E2CD48CAE5280A8E1A \n"
LOST = HEADER + " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s-----\n"
SYNCED = HEADER + " 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n"


def script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def world(tmp_path):
    install_agents()
    cib = dual_primary_cib(tmp_path / "cib.xml", ("property", "set", "stonith-enabled=false"))
    env = {**os.environ, "CIB_file": str(cib)}
    for node_id, name in ((1, "node1"), (2, "node2")):
        subprocess.run(
            ["cibadmin", "-C", "-o", "nodes", "-X", f'<node id="{node_id}" uname="{name}"/>'],
            env=env,
            check=True,
            capture_output=True,
        )
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "usr/sbin").mkdir(parents=True)
    (root / "usr/sbin/cibadmin").symlink_to(paths.CIBADMIN)
    script(root / "usr/sbin/crm_node", "#!/bin/sh\necho node1\n")
    script(root / "usr/sbin/crm_mon", "#!/bin/sh\nexit 1\n")
    script(root / "usr/sbin/stonith_admin", f'#!/bin/sh\necho "$@" >> {root}/stonith\n')
    handler_env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "CIB_file": str(cib),
        "DUALROOT_TOOL_ROOT": str(root),
        "DRBD_RESOURCE": "r0",
        "DRBD_MINOR": "0",
        "HA_LOGFACILITY": "none",
        "HA_LOGFILE": str(tmp_path / "handler.log"),
    }
    return cib, root, handler_env


def run_handler(env, *args):
    return subprocess.run([str(HANDLER), *args], env=env, capture_output=True, text=True, check=False)


def test_fence_then_unfence_on_a_real_cib(world):
    cib, root, env = world
    (root / "proc/drbd").write_text(LOST)
    result = run_handler(env)
    assert result.returncode == 7, Path(env["HA_LOGFILE"]).read_text()
    assert (root / "stonith").read_text().startswith("--reboot node2 --tolerance 30s --timeout ")
    doc = etree.parse(str(cib))
    (location,) = doc.xpath("//rsc_location[@id='drbd-fence-by-handler-r0-drbd_r0-clone']")
    assert location.get("rsc") == "drbd_r0-clone"
    assert location.xpath("rule/@role") == ["Promoted"] and location.xpath("rule/expression/@value") == [
        "node1"
    ]
    verify = subprocess.run(
        [paths.CRM_VERIFY, "--xml-file", str(cib)], capture_output=True, text=True, check=False
    )
    assert verify.returncode == 0, verify.stderr
    # a second fence-peer call (both volumes, or a retry) finds its own constraint and still succeeds
    assert run_handler(env, "fence").returncode == 7

    (root / "proc/drbd").write_text(SYNCED)
    assert run_handler(env).returncode == 0  # connected again: unfence
    assert etree.parse(str(cib)).xpath("//rsc_location") == []
    assert run_handler(env, "unfence").returncode == 0  # nothing left to remove: still fine


def test_the_constraint_keeps_the_peer_from_being_promoted(world, tmp_path):
    cib, root, env = world
    (root / "proc/drbd").write_text(LOST)
    assert run_handler(env).returncode == 7
    assert promoted_after_start(cib, tmp_path) == ["node1"]  # without the constraint both are (next test)


def test_without_the_constraint_both_are_promoted(world, tmp_path):
    cib, _, _ = world
    assert sorted(promoted_after_start(cib, tmp_path)) == ["node1", "node2"]


def test_the_handler_loads_no_costly_module(world):
    """DRBD holds every write while the handler runs: its whole fence path (CIB query, constraint and
    fence sent together) loads none of the costly standard modules (ElementTree drags in re and enum,
    threading drags in os)."""
    _, root, env = world
    (root / "proc/drbd").write_text(LOST)
    heavy = ("os", "xml.etree", "enum", "re", "typing", "subprocess", "json", "threading", "functools",
             "collections")
    code = (
        "import sys\n"
        "from dualroot.drbd.fence_peer import main\n"
        "rc = main(['dualroot-fence-peer'])\n"
        f"print(rc, ' '.join(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(["/usr/bin/python3", "-S", "-c", code], env=env, capture_output=True, text=True,
                          check=False)
    assert done.stdout.strip() == "7", done.stdout + done.stderr + Path(env["HA_LOGFILE"]).read_text()
    assert (root / "stonith").read_text().startswith("--reboot node2 ")
