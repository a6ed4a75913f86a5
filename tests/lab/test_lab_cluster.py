"""The lab's cluster is real: DRBD dual-primary, Pacemaker Promoted on both, OCFS2 shared both ways."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from dualroot.lab.health import cluster_health, parse_proc_drbd

pytestmark = pytest.mark.lab


def test_both_nodes_primary_uptodate_promoted_and_mounted(lab):
    health = cluster_health(lab)
    assert health.healthy, health.problems
    for node in lab.nodes:
        drbd = parse_proc_drbd(lab.run(node, ["cat", "/proc/drbd"]).check().stdout)[0]
        assert (drbd.connection, drbd.role, drbd.peer_role) == ("Connected", "Primary", "Primary")
        assert (drbd.disk, drbd.peer_disk) == ("UpToDate", "UpToDate")
        mounts = lab.run(node, ["cat", "/proc/mounts"]).check().stdout
        assert any(line.split()[1:3] == ["/srv/ocfs2", "ocfs2"] for line in mounts.splitlines())
        assert health.crm is not None
        assert health.crm.roles_on(node, ":drbd") == ["Promoted"]


@pytest.mark.parametrize(("writer", "reader"), [("node1", "node2"), ("node2", "node1")])
def test_file_written_on_one_node_reads_back_identical_on_the_other(lab, writer, reader):
    data = secrets.token_bytes(256 * 1024).hex()  # 512 KiB of text, new every run
    path = f"/srv/ocfs2/cross-{writer}-{secrets.token_hex(4)}"
    lab.run(writer, ["sh", "-c", 'cat > "$1" && sync "$1"', "write", path], input=data).check()
    read = lab.run(reader, ["cat", path]).check().stdout
    assert hashlib.sha256(read.encode()).hexdigest() == hashlib.sha256(data.encode()).hexdigest()
    lab.run(reader, ["rm", "-f", path]).check()
