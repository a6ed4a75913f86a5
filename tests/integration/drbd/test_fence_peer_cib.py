"""dualroot-fence-peer against a real CIB file through the real cibadmin (CIB_file), with stub DRBD state
and stub crm_node/crm_mon/stonith_admin: the constraint it places is accepted by Pacemaker's schema and
crm_verify, bans the peer's promotion in crm_simulate, and unfence removes it."""

import os
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from dualroot import paths

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]
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
    cib = tmp_path / "cib.xml"
    cib.write_text(subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, check=True).stdout)
    env = {**os.environ, "CIB_file": str(cib)}
    for node_id, name in ((1, "node1"), (2, "node2")):
        subprocess.run(
            ["cibadmin", "-C", "-o", "nodes", "-X", f'<node id="{node_id}" uname="{name}"/>'],
            env=env,
            check=True,
            capture_output=True,
        )
    subprocess.run(["make", "-s", "-C", str(REPO), "install"], check=True, capture_output=True)
    for args in (
        ["property", "set", "stonith-enabled=false"],
        [
            "resource",
            "create",
            "drbd_r0",
            "ocf:dualroot:drbd",
            "drbd_resource=r0",
            "promotable",
            "promoted-max=2",
            "promoted-node-max=1",
            "clone-max=2",
            "clone-node-max=1",
            "notify=true",
        ],
    ):
        subprocess.run([paths.PCS, "-f", str(cib), *args], check=True, capture_output=True)
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
    sim_env = {**os.environ, "CIB_file": str(cib)}
    out = tmp_path / "up.xml"
    subprocess.run(
        [
            paths.CRM_SIMULATE,
            "-x",
            str(cib),
            "-u",
            "node1",
            "-u",
            "node2",
            "-q",
            "true",
            "-S",
            "-O",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    for node in ("node1", "node2"):
        subprocess.run(
            ["crm_attribute", "-N", node, "-n", "master-drbd_r0", "-v", "10000", "-l", "reboot"],
            env={**sim_env, "CIB_file": str(out)},
            check=True,
            capture_output=True,
        )
    result = subprocess.run(
        [paths.CRM_SIMULATE, "-x", str(out), "-q", "true", "-S", "--output-as=xml"],
        capture_output=True,
        text=True,
        check=True,
    )
    promoted = etree.fromstring(result.stdout.encode()).xpath("//rsc_action[@op='promote']/@node")
    assert promoted == ["node1"]  # without the constraint both are promoted (see the next test)


def test_without_the_constraint_both_are_promoted(world, tmp_path):
    cib, _, _ = world
    out = tmp_path / "up.xml"
    subprocess.run(
        [
            paths.CRM_SIMULATE,
            "-x",
            str(cib),
            "-u",
            "node1",
            "-u",
            "node2",
            "-q",
            "true",
            "-S",
            "-O",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    for node in ("node1", "node2"):
        subprocess.run(
            ["crm_attribute", "-N", node, "-n", "master-drbd_r0", "-v", "10000", "-l", "reboot"],
            env={**os.environ, "CIB_file": str(out)},
            check=True,
            capture_output=True,
        )
    result = subprocess.run(
        [paths.CRM_SIMULATE, "-x", str(out), "-q", "true", "-S", "--output-as=xml"],
        capture_output=True,
        text=True,
        check=True,
    )
    promoted = etree.fromstring(result.stdout.encode()).xpath("//rsc_action[@op='promote']/@node")
    assert sorted(promoted) == ["node1", "node2"]
