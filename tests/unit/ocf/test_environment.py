"""OcfEnvironment: parameters vs meta attributes, probes, clone settings, notify variables."""

import pytest

from dualroot.ocf.environment import OcfEnvironment

pytestmark = pytest.mark.unit

BASE = {
    "OCF_RESKEY_drbd_resource": "r0",
    "OCF_RESKEY_crm_feature_set": "3.16.1",
    "OCF_RESKEY_CRM_meta_interval": "0",
    "OCF_RESKEY_CRM_meta_timeout": "20000",
    "OCF_RESKEY_CRM_meta_clone_max": "2",
    "OCF_RESKEY_CRM_meta_master_max": "2",
    "OCF_RESKEY_CRM_meta_on_node": "node1",
    "OCF_RESOURCE_INSTANCE": "drbd_r0:0",
    "OCF_CHECK_LEVEL": "10",
}


def test_params_and_meta_are_split():
    env = OcfEnvironment.from_environ(BASE, "monitor")
    assert dict(env.params) == {"drbd_resource": "r0"}
    assert env.meta["clone_max"] == "2"
    assert env.feature_set == "3.16.1"
    assert env.resource_instance == "drbd_r0:0"
    assert env.check_level == 10
    assert env.timeout_s == 20.0
    assert env.node_name == "node1"


def test_probe_is_monitor_with_interval_zero():
    assert OcfEnvironment.from_environ(BASE, "monitor").is_probe
    recurring = {**BASE, "OCF_RESKEY_CRM_meta_interval": "10000"}
    assert not OcfEnvironment.from_environ(recurring, "monitor").is_probe
    assert not OcfEnvironment.from_environ(BASE, "start").is_probe


def test_old_master_max_is_a_fallback_and_new_name_wins():
    env = OcfEnvironment.from_environ(BASE, "start")
    assert env.promoted_max == 2 and env.clone_max == 2 and env.clone_node_max is None
    env = OcfEnvironment.from_environ({**BASE, "OCF_RESKEY_CRM_meta_promoted_max": "1"}, "start")
    assert env.promoted_max == 1


def test_bad_numbers_read_as_absent():
    bad = {"OCF_RESKEY_CRM_meta_clone_max": "two", "OCF_CHECK_LEVEL": "x"}
    env = OcfEnvironment.from_environ(bad, "start")
    assert env.clone_max is None and env.check_level == 0 and env.timeout_s is None


def test_notify_reads_new_names_then_old_ones():
    env = OcfEnvironment.from_environ({
        "OCF_RESKEY_CRM_meta_notify_type": "post",
        "OCF_RESKEY_CRM_meta_notify_operation": "promote",
        "OCF_RESKEY_CRM_meta_notify_promote_uname": "node2 ",
        "OCF_RESKEY_CRM_meta_notify_master_uname": "node1",
        "OCF_RESKEY_CRM_meta_notify_unpromoted_uname": "node3",
        "OCF_RESKEY_CRM_meta_notify_slave_uname": "old",
    }, "notify")
    info = env.notify
    assert info is not None
    assert (info.type, info.operation) == ("post", "promote")
    assert info.nodes("promote") == ("node2",)
    assert info.nodes("promoted") == ("node1",)
    assert info.nodes("unpromoted") == ("node3",)
    assert info.nodes("stop") == ()


def test_no_notify_outside_notifications():
    assert OcfEnvironment.from_environ(BASE, "notify").notify is None


def test_process_environ_is_os_environ_when_os_is_loaded(monkeypatch):
    from dualroot.ocf.environment import process_environ

    monkeypatch.setenv("DUALROOT_TEST_VARIABLE", "changed after start")
    environ = process_environ()
    assert environ["DUALROOT_TEST_VARIABLE"] == "changed after start"
    assert environ == dict(__import__("os").environ)


def test_process_environ_without_os_decodes_the_start_environment():
    """An agent's process (python3 -S) never loads os: the environment comes from posix, decoded as os does
    it (undecodable bytes survive as surrogates)."""
    import os
    import subprocess
    from pathlib import Path

    code = ("import sys; from dualroot.ocf.environment import process_environ; e = process_environ(); "
            "print('os' in sys.modules, ascii(e['A']), ascii(e['B']), e['PATH'])")
    repo = str(Path(__file__).resolve().parents[3])
    env = {b"PYTHONPATH": repo.encode(), b"PATH": b"/usr/bin:/bin", b"A": "r\u00e9seau".encode(),
           b"B": b"\xff"}
    out = subprocess.run([b"/usr/bin/python3", b"-S", b"-c", code.encode()], env=env, capture_output=True,
                         check=True).stdout.decode()
    assert out.split() == ["False", ascii("r\u00e9seau"), ascii("\udcff"), "/usr/bin:/bin"]
    assert os.fsdecode(b"\xff") == "\udcff"  # what os.environ would have made of it
