"""Status parsers: /proc/drbd (8.4) and drbdsetup status --json (9) into one model."""

import pytest

from dualroot.drbd.status import (
    DiskState,
    Role,
    StatusFormatError,
    parse_proc_drbd,
    parse_status_json,
    resource_from_proc,
)
from tests.unit.drbd import fixtures as fx

pytestmark = pytest.mark.unit


def status84(text, minors=(0,)):
    return resource_from_proc(parse_proc_drbd(text), "r0", minors)


def test_version_and_generation():
    proc = parse_proc_drbd(fx.PROC_PRIMARY_PRIMARY)
    assert proc.version == (8, 4, 11) and proc.generation == "8.4"
    assert parse_proc_drbd(fx.HEADER_9).generation == "9"


def test_lab_line_both_primary():
    minor = parse_proc_drbd(fx.PROC_PRIMARY_PRIMARY).minors[0]
    assert (
        minor.cs,
        minor.role,
        minor.peer_role,
        minor.disk,
        minor.peer_disk,
        minor.protocol,
        minor.suspended,
    ) == ("Connected", Role.PRIMARY, Role.PRIMARY, DiskState.UP_TO_DATE, DiskState.UP_TO_DATE, "C", False)
    status = status84(fx.PROC_PRIMARY_PRIMARY)
    assert status.primary and status.all_up_to_date and status.peers[0].connected


@pytest.mark.parametrize(
    ("text", "role", "disk", "connection", "peer_disk", "suspended"),
    [
        (
            fx.PROC_SECONDARY_SECONDARY,
            Role.SECONDARY,
            DiskState.UP_TO_DATE,
            "Connected",
            DiskState.UP_TO_DATE,
            False,
        ),
        (
            fx.PROC_SECONDARY_INCONSISTENT,
            Role.SECONDARY,
            DiskState.INCONSISTENT,
            "Connected",
            DiskState.INCONSISTENT,
            False,
        ),
        (
            fx.PROC_PRIMARY_PEER_LOST_SUSPENDED,
            Role.PRIMARY,
            DiskState.UP_TO_DATE,
            "WFConnection",
            DiskState.UNKNOWN,
            True,
        ),
        (
            fx.PROC_PRIMARY_PEER_OUTDATED,
            Role.PRIMARY,
            DiskState.UP_TO_DATE,
            "WFConnection",
            DiskState.OUTDATED,
            False,
        ),
        (
            fx.PROC_STANDALONE_PRIMARY,
            Role.PRIMARY,
            DiskState.UP_TO_DATE,
            "StandAlone",
            DiskState.UNKNOWN,
            False,
        ),
        (
            fx.PROC_SYNC_TARGET,
            Role.SECONDARY,
            DiskState.INCONSISTENT,
            "Connected",
            DiskState.UP_TO_DATE,
            False,
        ),
        (fx.PROC_OUTDATED, Role.SECONDARY, DiskState.OUTDATED, "WFConnection", DiskState.UNKNOWN, False),
        (
            fx.PROC_DISKLESS_PRIMARY,
            Role.PRIMARY,
            DiskState.DISKLESS,
            "Connected",
            DiskState.UP_TO_DATE,
            False,
        ),
    ],
)
def test_84_states(text, role, disk, connection, peer_disk, suspended):
    status = status84(text)
    assert status.role is role and status.disks == (disk,) and status.suspended is suspended
    assert status.peers[0].connection == connection and status.peers[0].disks == (peer_disk,)
    assert status.generation == "8.4"


def test_standalone_has_blank_protocol():
    minor = parse_proc_drbd(fx.PROC_STANDALONE_SECONDARY).minors[0]
    assert minor.protocol == "" and minor.cs == "StandAlone"
    assert status84(fx.PROC_STANDALONE_SECONDARY).standalone


def test_unconfigured_and_missing_minors_are_not_running():
    assert not parse_proc_drbd(fx.PROC_UNCONFIGURED).minors[0].configured
    assert status84(fx.PROC_UNCONFIGURED) is None
    assert status84(fx.PROC_NO_MINORS) is None
    assert status84(fx.PROC_PRIMARY_PRIMARY, minors=(5,)) is None


@pytest.mark.parametrize(("text", "nothing_up"), [
    (fx.PROC_NO_MINORS, True),
    (fx.PROC_UNCONFIGURED, True),
    (fx.PROC_PRIMARY_PRIMARY, False),
    (fx.PROC_UNCONFIGURED + fx.PROC_TWO_VOLUMES.replace(fx.HEADER_84, "").replace(" 0:", " 7:"), False),
    (fx.HEADER_9, False),  # DRBD 9 lists no minor in /proc/drbd: it cannot tell
])
def test_nothing_up_only_when_proc_drbd_can_tell(text, nothing_up):
    assert parse_proc_drbd(text).nothing_up is nothing_up


def test_two_volumes_aggregate():
    status = status84(fx.PROC_TWO_VOLUMES, minors=(0, 1))
    assert status.disks == (DiskState.UP_TO_DATE, DiskState.UP_TO_DATE)
    assert status.peers[0].disks == (DiskState.UP_TO_DATE, DiskState.INCONSISTENT)
    assert status.peers[0].replication == ("Connected", "SyncSource")
    assert status.peers[0].connected


def test_drbd9_json():
    status = parse_status_json(
        fx.status_json_9(role="Primary", peer_disk="Outdated", connection="Connecting", suspended=True), "r0"
    )
    assert status.generation == "9" and status.primary and status.suspended
    peer = status.peers[0]
    assert (peer.name, peer.connection, peer.connected, peer.disks) == (
        "node2",
        "Connecting",
        False,
        (DiskState.OUTDATED,),
    )
    assert parse_status_json(fx.status_json_9(), "other") is None
    assert parse_status_json("", "r0") is None


@pytest.mark.parametrize("text", ["not json", '{"name": "r0"}'])
def test_drbd9_bad_output(text):
    with pytest.raises(StatusFormatError):
        parse_status_json(text, "r0")


def test_unknown_state_names_are_unknown():
    assert DiskState.parse("Frobnicated") is DiskState.UNKNOWN and Role.parse("x") is Role.UNKNOWN
