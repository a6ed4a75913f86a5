"""The rendered corosync.conf passes `corosync -t` (parse and value checks), run in a private network
namespace that holds the first node's cluster address, so corosync finds itself in the nodelist."""

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dualroot.cib.config import lab_config, load_config
from dualroot.cib.corosync_conf import render_corosync_conf

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not shutil.which("corosync") or not shutil.which("unshare") or os.geteuid() != 0,
        reason="needs corosync and root for a private network namespace",
    ),
]
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def corosync_test(tmp_path, text, address):
    # with crypto, corosync reads its key: give it one here (totem.keyfile) instead of /etc/corosync/authkey
    key = tmp_path / "authkey"
    key.write_bytes(os.urandom(256))
    key.chmod(0o400)
    conf = tmp_path / "corosync.conf"
    hash_line = "    crypto_hash: sha256\n"
    conf.write_text(text.replace(hash_line, f"{hash_line}    keyfile: {key}\n"))
    script = 'ip link set lo up && ip addr add "$1"/32 dev lo && exec corosync -t -c "$2"'
    return subprocess.run(
        ["unshare", "-n", "--", "/bin/sh", "-c", script, "sh", address, str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
    )


@pytest.mark.parametrize("crypto", [False, True])
def test_lab_corosync_conf_is_accepted(tmp_path, crypto):
    cfg = dataclasses.replace(lab_config(), crypto=crypto)
    result = corosync_test(tmp_path, render_corosync_conf(cfg), "192.168.100.1")
    assert result.returncode == 0, result.stderr


def test_three_node_corosync_conf_is_accepted(tmp_path):
    cfg = load_config(EXAMPLES / "shared-storage-3-nodes.toml")
    result = corosync_test(tmp_path, render_corosync_conf(cfg), "10.0.10.13")
    assert result.returncode == 0, result.stderr


def test_corosync_rejects_a_broken_value(tmp_path):
    text = render_corosync_conf(lab_config()).replace("two_node: 1", "two_node: yes")
    result = corosync_test(tmp_path, text, "192.168.100.1")
    assert result.returncode != 0 and "two_node" in result.stderr
