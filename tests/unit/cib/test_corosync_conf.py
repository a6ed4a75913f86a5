"""corosync.conf: knet, token, nodelist, two_node only for two nodes."""

import dataclasses

import pytest

from dualroot.cib.config import Node, lab_config
from dualroot.cib.corosync_conf import render_corosync_conf

pytestmark = pytest.mark.unit


def test_lab_corosync_conf():
    text = render_corosync_conf(lab_config())
    for line in (
        "cluster_name: dualroot",
        "transport: knet",
        "crypto_cipher: none",
        "token: 3000",
        "ring0_addr: 192.168.100.1",
        "name: node2",
        "nodeid: 2",
        "two_node: 1",
    ):
        assert line in text
    assert text.count("node {") == 2
    assert text.count("{") == text.count("}")


def test_three_nodes_have_no_two_node():
    cfg = lab_config()
    cfg = dataclasses.replace(cfg, drbd=None, nodes=cfg.nodes + (Node("node3", 3, "192.168.100.3", None),))
    text = render_corosync_conf(cfg)
    assert "two_node" not in text
    assert text.count("node {") == 3


def test_crypto_on_and_off():
    plain = render_corosync_conf(lab_config())
    assert "crypto_cipher: none" in plain and "crypto_hash: none" in plain
    secure = render_corosync_conf(dataclasses.replace(lab_config(), crypto=True))
    assert "crypto_cipher: aes256" in secure and "crypto_hash: sha256" in secure and "authkey" in secure
