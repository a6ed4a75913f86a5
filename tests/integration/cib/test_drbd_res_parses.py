"""The rendered DRBD resource file is accepted by the real drbdadm (8.4 parser of drbd-utils 9)."""

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.cib.config import Agents, lab_config, load_config
from dualroot.cib.drbd_res import render_drbd_res

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.path.exists(paths.DRBDADM_84) or not shutil.which("unshare") or os.geteuid() != 0,
        reason="needs drbd-utils' drbdadm-84 and root for a private hostname",
    ),
]


def drbdadm_dump(tmp_path, res_text, node="node1", drbdadm=paths.DRBDADM_84, resource="r0"):
    (tmp_path / "r0.res").write_text(res_text)
    conf = tmp_path / "drbd.conf"
    conf.write_text(f'global {{ usage-count no; }}\ncommon {{ }}\ninclude "{tmp_path}/r0.res";\n')
    # drbdadm only parses the resource for the host it runs on: give it the node's name in a private
    # UTS namespace (argv, no shell).
    return subprocess.run(
        [
            "unshare",
            "-u",
            "--",
            "/bin/sh",
            "-c",
            'hostname "$1" && exec "$2" -c "$3" dump "$4"',
            "sh",
            node,
            drbdadm,
            str(conf),
            resource,
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("agents", [Agents.DUALROOT, Agents.STOCK])
def test_drbdadm_84_accepts_the_rendered_file(tmp_path, agents):
    res = drbdadm_dump(tmp_path, render_drbd_res(dataclasses.replace(lab_config(), agents=agents)))
    assert res.returncode == 0, res.stderr
    assert "allow-two-primaries yes;" in res.stdout
    assert "fencing          resource-and-stonith;" in res.stdout
    assert "ping-int           3;" in res.stdout
    if agents is Agents.DUALROOT:
        assert 'after-resync-target "/usr/lib/dualroot/dualroot-fence-peer unfence";' in res.stdout


def test_drbdadm_84_rejects_a_broken_file(tmp_path):
    # the check above can fail: a DRBD 9 placement of `fencing` is a parse error for 8.4
    text = render_drbd_res(lab_config()).replace("protocol C;", "protocol C; fencing resource-and-stonith;")
    res = drbdadm_dump(tmp_path, text)
    assert res.returncode != 0


def test_drbdadm_9_accepts_the_drbd9_render(tmp_path):
    cfg = load_config(EXAMPLES / "two-node-drbd9-ipmi.toml")
    res = drbdadm_dump(tmp_path, render_drbd_res(cfg), node="alpha", drbdadm=paths.DRBDADM, resource="data")
    assert res.returncode == 0, res.stderr
    assert "fencing          resource-and-stonith;" in res.stdout  # in net {} for DRBD 9
    assert '"/usr/lib/dualroot/dualroot-fence-peer unfence"' in res.stdout
    assert "node-id 1;" in res.stdout
