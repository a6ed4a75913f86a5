"""Promotion scores and monitor outcomes for DRBD states."""

import pytest

from dualroot.drbd.state_policy import SCORE_BEST, SCORE_PEER_UNKNOWN, monitor_outcome, promotion_score
from dualroot.drbd.status import parse_proc_drbd, parse_status_json, resource_from_proc
from dualroot.ocf.exitcodes import OcfExit
from tests.unit.drbd import fixtures as fx

pytestmark = pytest.mark.unit


def status84(text):
    return resource_from_proc(parse_proc_drbd(text), "r0", (0,))


@pytest.mark.parametrize(
    ("text", "score"),
    [
        (fx.PROC_SECONDARY_SECONDARY, SCORE_BEST),
        (fx.PROC_SECONDARY_PEER_PRIMARY, SCORE_BEST),
        (fx.PROC_PRIMARY_PRIMARY, SCORE_BEST),
        (fx.PROC_PRIMARY_PEER_LOST, SCORE_BEST),  # a working Primary keeps its score
        (fx.PROC_STANDALONE_SECONDARY, SCORE_PEER_UNKNOWN),
        (fx.PROC_OUTDATED, None),
        (fx.PROC_CONSISTENT, None),
        (fx.PROC_SECONDARY_INCONSISTENT, None),
        (fx.PROC_SYNC_TARGET, None),
        (fx.PROC_DISKLESS_PRIMARY, None),
    ],
)
def test_scores_84(text, score):
    assert promotion_score(status84(text)) == score


def test_secondary_with_peer_unknown_scores_lower():
    peer_lost = fx.PROC_OUTDATED.replace("ds:Outdated/DUnknown", "ds:UpToDate/DUnknown")
    assert promotion_score(status84(peer_lost)) == SCORE_PEER_UNKNOWN
    assert SCORE_PEER_UNKNOWN < SCORE_BEST


@pytest.mark.parametrize(
    ("text", "dual", "code", "words"),
    [
        (fx.PROC_PRIMARY_PRIMARY, True, OcfExit.RUNNING_PROMOTED, None),
        (fx.PROC_SECONDARY_SECONDARY, True, OcfExit.SUCCESS, None),
        (fx.PROC_SYNC_TARGET, True, OcfExit.SUCCESS, None),
        (fx.PROC_PRIMARY_PEER_LOST, True, OcfExit.DEGRADED_PROMOTED, "both sides may be writing"),
        (fx.PROC_PRIMARY_PEER_LOST_SUSPENDED, True, OcfExit.DEGRADED_PROMOTED, "I/O frozen"),
        (fx.PROC_PRIMARY_PEER_LOST, False, OcfExit.RUNNING_PROMOTED, None),
        (fx.PROC_PRIMARY_PEER_OUTDATED, True, OcfExit.RUNNING_PROMOTED, None),  # the peer was fenced
        (fx.PROC_STANDALONE_PRIMARY, True, OcfExit.DEGRADED_PROMOTED, "StandAlone"),
        (fx.PROC_STANDALONE_SECONDARY, False, OcfExit.DEGRADED, "StandAlone"),
        (fx.PROC_DISKLESS_PRIMARY, True, OcfExit.DEGRADED_PROMOTED, "no local disk (Diskless)"),
    ],
)
def test_monitor_outcomes(text, dual, code, words):
    outcome = monitor_outcome(status84(text), dual)
    assert outcome.code is code
    assert (words is None and outcome.reason == "") or (words in outcome.reason and "r0" in outcome.reason)


def test_drbd9_same_rules():
    primary_lost = parse_status_json(
        fx.status_json_9(
            role="Primary",
            connection="Connecting",
            peer_role="Unknown",
            peer_disk="DUnknown",
            replication="Off",
        ),
        "r0",
    )
    assert monitor_outcome(primary_lost, True).code is OcfExit.DEGRADED_PROMOTED
    assert promotion_score(primary_lost) == SCORE_BEST
    secondary = parse_status_json(fx.status_json_9(), "r0")
    assert (
        monitor_outcome(secondary, True).code is OcfExit.SUCCESS and promotion_score(secondary) == SCORE_BEST
    )
    inconsistent = parse_status_json(fx.status_json_9(disk="Inconsistent", replication="SyncTarget"), "r0")
    assert promotion_score(inconsistent) is None
