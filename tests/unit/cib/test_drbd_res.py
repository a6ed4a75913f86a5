"""The DRBD resource file: dual-primary safety options, handlers per agent set, 8.4 vs 9 syntax."""

import dataclasses
import re

import pytest

from dualroot.cib.config import Agents, Drbd, lab_config
from dualroot.cib.drbd_res import FenceHandlers, render_drbd_res
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit


def options(text):
    """`keyword value;` statements, comments stripped, as (keyword, value) pairs."""
    body = re.sub(r"#[^\n]*", "", text)
    return re.findall(r"([a-z0-9-]+)\s+([^;{}]+);", body)


def test_dualroot_agents_point_both_handlers_at_dualroot_fence_peer():
    text = render_drbd_res(lab_config())
    found = dict(options(text))
    assert found["fence-peer"] == '"/usr/lib/dualroot/dualroot-fence-peer fence"'
    assert found["after-resync-target"] == '"/usr/lib/dualroot/dualroot-fence-peer unfence"'
    assert "unfence-peer" not in found  # 8.4 never calls it


def test_stock_agents_use_linbit_84_scripts():
    cfg = dataclasses.replace(lab_config(), agents=Agents.STOCK)
    found = dict(options(render_drbd_res(cfg)))
    assert found["fence-peer"] == '"/usr/lib/drbd/crm-fence-peer.sh"'
    assert found["after-resync-target"] == '"/usr/lib/drbd/crm-unfence-peer.sh"'


def test_dual_primary_safety_options_and_timing():
    text = render_drbd_res(lab_config())
    found = dict(options(text))
    assert found["protocol"] == "C"
    assert found["allow-two-primaries"] == "yes"
    assert found["fencing"] == "resource-and-stonith"
    assert (found["ping-int"], found["ping-timeout"], found["timeout"]) == ("3", "10", "20")
    # 8.4: fencing lives in disk {}
    assert re.search(r"disk \{[^}]*fencing resource-and-stonith;", text)


def test_split_brain_policies_never_discard_a_primary():
    found = dict(options(render_drbd_res(lab_config())))
    assert found["after-sb-0pri"] == "discard-zero-changes"
    assert found["after-sb-1pri"] in ("consensus", "disconnect")
    assert found["after-sb-2pri"] == "disconnect"
    assert "discard" not in found["after-sb-1pri"] + found["after-sb-2pri"]


def test_nodes_and_addresses():
    text = render_drbd_res(lab_config())
    assert "on node1 {" in text and "on node2 {" in text
    assert "address 192.168.101.1:7789;" in text and "address 192.168.101.2:7789;" in text
    assert text.count("device /dev/drbd0; disk /dev/vdb; meta-disk internal;") == 2


def test_activity_log_is_sized_below_the_lab_disk():
    text = render_drbd_res(lab_config())
    assert re.search(r"disk \{[^}]*al-extents 67;", text)  # 268 MiB of the lab's 1 GiB
    cfg = lab_config()
    assert cfg.drbd is not None
    default = dataclasses.replace(cfg, drbd=dataclasses.replace(cfg.drbd, al_extents=Drbd.al_extents))
    assert "al-extents 1237;" in render_drbd_res(default)  # DRBD's own default, said out loud


def test_drbd9_syntax():
    cfg = lab_config()
    assert cfg.drbd is not None
    cfg = dataclasses.replace(cfg, agents=Agents.STOCK, drbd=dataclasses.replace(cfg.drbd, version="9"))
    text = render_drbd_res(cfg)
    found = dict(options(text))
    assert re.search(r"net \{[^}]*fencing resource-and-stonith;", text)
    assert not re.search(r"disk \{[^}]*fencing", text)  # DRBD 9 moved it from disk to net
    assert found["unfence-peer"] == '"/usr/lib/drbd/crm-unfence-peer.9.sh"'
    assert "node-id 0;" in text and "node-id 1;" in text


def test_handler_must_be_a_plain_path():
    with pytest.raises(DualrootError, match="absolute path with plain arguments"):
        render_drbd_res(lab_config(), FenceHandlers(fence_peer="/x; reboot", unfence_peer="/y"))


def test_no_drbd_section():
    cfg = dataclasses.replace(lab_config(), drbd=None)
    with pytest.raises(DualrootError, match=r"no \[drbd\] section"):
        render_drbd_res(cfg)
