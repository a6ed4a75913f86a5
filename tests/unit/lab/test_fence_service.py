"""The host fencing service's answers and its log, without VMs (no QEMU process = already off)."""

from __future__ import annotations

import pytest

from dualroot.lab.fence_service import FenceService, parse_fence_log
from dualroot.lab.layout import LabLayout

pytestmark = pytest.mark.unit


@pytest.fixture
def service(tmp_path):
    layout = LabLayout(tmp_path)
    layout.run.mkdir()
    return FenceService(layout)


def test_ping_status_and_bad_requests(service):
    assert service.answer("node1", "ping") == "PONG"
    assert service.answer("node1", "status node2") == "OFF"
    assert service.answer("node1", "reboot node3").startswith("ERR")
    assert service.answer("node1", "explode node2") == "ERR bad action"
    assert service.answer("node1", "").startswith("ERR")


def test_a_node_without_qemu_is_already_fenced(service):
    assert service.answer("node1", "reboot node2") == "OK reboot node2: already off"
    assert service.answer("node1", "off node2") == "OK off node2: already off"
    assert service.answer("node1", "on node2").startswith("ERR")


def test_stale_pidfile_of_another_process_does_not_count_as_running(service, tmp_path):
    (tmp_path / "run" / "node2.pid").write_text("1\n")  # PID 1 is not a QEMU
    assert service.answer("node1", "status node2") == "OFF"


def test_log_round_trip(service):
    service.log("node1", "reboot node2", "OK reboot node2")
    service.log("node2", "off node1", "OK off node1: already off")
    events = parse_fence_log(service.layout.fenced_log.read_text() + "garbage line\n")
    assert [(e.requester, e.action, e.target) for e in events] == [
        ("node1", "reboot", "node2"), ("node2", "off", "node1")]
    assert events[1].answer == "OK off node1: already off"
    assert events[0].time <= events[1].time
