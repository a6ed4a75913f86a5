"""Stock against dualroot drill reports: rows, ratios, targets."""

import pytest

from dualroot.drill.comparison import (
    FailoverLimit,
    compare_reports,
    compare_runs,
    limit_rows,
    render_comparison,
    render_limit,
)

pytestmark = pytest.mark.unit


def doc(**scenarios):
    return {"scenarios": [dict(name=name, **fields) for name, fields in scenarios.items()]}


STOCK = doc(**{
    "node_kill:node2": {"seconds_after_fault": {"survivor_first_write": 14.6}, "return_seconds": 99.0},
    "cold_start:node2": {"seconds_after_fault": {"survivor_first_write": None}, "return_seconds": 179.5},
    "standby:node2": {"seconds_after_fault": {"survivor_first_write": 0.2}},
})
OURS = doc(**{
    "node_kill:node2": {"seconds_after_fault": {"survivor_first_write": 9.5}, "return_seconds": 80.0},
    "cold_start:node2": {"seconds_after_fault": {"survivor_first_write": None}, "return_seconds": 150.0},
    "partition:node2": {"seconds_after_fault": {"survivor_first_write": 12.0}},
})


def test_rows_for_scenarios_in_both_reports_only():
    rows = compare_reports(STOCK, OURS)
    assert [(r.scenario, r.metric) for r in rows] == [
        ("node_kill:node2", "survivor_first_write"), ("node_kill:node2", "return_seconds"),
        ("node_kill:node2", "fence_peer_seconds"), ("cold_start:node2", "return_seconds")]


def test_ratios_and_targets():
    kill, ret, handler, cold = compare_reports(STOCK, OURS)
    assert handler.ratio is None  # neither report timed a handler
    assert kill.ratio == pytest.approx(0.651) and kill.target == 0.7 and kill.met is True
    assert ret.target is None and ret.met is None
    assert cold.ratio == pytest.approx(0.836) and cold.met is False


def test_missing_values_give_no_ratio():
    rows = compare_reports(doc(**{"node_kill:node1": {"seconds_after_fault": {}}}),
                           doc(**{"node_kill:node1": {"seconds_after_fault": {"survivor_first_write": 3}}}))
    assert rows[0].ratio is None and rows[0].met is None


def test_table():
    lines = render_comparison(compare_reports(STOCK, OURS)).splitlines()
    assert lines[0].split() == ["scenario", "metric", "stock", "dualroot", "ratio", "target", "met", "runs"]
    assert lines[1].split() == ["node_kill:node2", "survivor_first_write", "14.6", "9.5", "0.65", "<=",
                                "0.7", "yes", "1/1"]
    assert lines[4].split()[-2] == "NO"


def cold(seconds):
    return doc(**{"cold_start:node2": {"return_seconds": seconds}})


def test_several_runs_compare_by_their_medians_and_keep_every_value():
    (row,) = compare_runs([cold(141.9), cold(119.8)], [cold(99.7), cold(89.4), cold(93.1)])
    assert row.stock == pytest.approx(130.85) and row.dualroot == pytest.approx(93.1)
    assert row.ratio == pytest.approx(0.712) and row.met is False
    assert row.stock_runs == (141.9, 119.8) and row.dualroot_runs == (99.7, 89.4, 93.1)
    assert row.to_json()["dualroot_runs"] == [99.7, 89.4, 93.1]


def test_a_run_without_the_value_does_not_count():
    (row,) = compare_runs([cold(100.0), cold(None)], [cold(60.0)])
    assert row.stock_runs == (100.0,) and row.ratio == pytest.approx(0.6)


def test_the_replication_cut_compares_the_losers_fence_too():
    # the stock stack's survivor may write on (it needs none of the frozen loser's locks) while the
    # loser is fenced only after its stop times out: the fence is the row that shows it
    def cut(write, fence):
        return doc(**{"replication_cut:node2": {
            "seconds_after_fault": {"survivor_first_write": write, "fencing": fence}}})

    rows = {r.metric: r for r in compare_runs([cut(134.1, 123.2), cut(6.9, 104.9)],
                                              [cut(13.1, 12.3), cut(8.7, 7.7)])}
    assert rows["fencing"].stock_runs == (123.2, 104.9) and rows["fencing"].dualroot_runs == (12.3, 7.7)
    assert rows["fencing"].ratio == pytest.approx(round(10.0 / 114.05, 3))
    assert rows["survivor_first_write"].stock == pytest.approx(70.5)


def test_node_kills_are_held_against_token_consensus_and_one_fence():
    limit = FailoverLimit(token_ms=3000, consensus_ms=3600, fence_s=0.4)
    assert limit.seconds == pytest.approx(7.0)
    cut = {"seconds_after_fault": {"survivor_first_write": 13.0}}
    stock = {"scenarios": [*STOCK["scenarios"], {"name": "replication_cut:node2", **cut}]}
    ours = {"scenarios": [*OURS["scenarios"], {"name": "replication_cut:node2", **cut}]}
    rows = limit_rows(compare_reports(stock, ours), limit)
    # no floor for a cold start, nor for a replication cut's first write (the membership stays)
    assert [r.scenario for r in rows] == ["node_kill:node2"]
    (kill,) = rows
    assert (kill.limit, kill.stock, kill.dualroot) == (7.0, 14.6, 9.5)
    assert kill.stock_over_limit == pytest.approx(2.09) and kill.dualroot_over_limit == pytest.approx(1.36)
    text = render_limit(rows, limit)
    assert "token 3000 ms + consensus 3600 ms + fence 0.4 s = 7 s" in text
    assert "node_kill:node2: stock 14.6 s = 2.09x the limit, dualroot 9.5 s = 1.36x" in text
    assert limit.to_json() == {"token_ms": 3000, "consensus_ms": 3600, "fence_s": 0.4, "seconds": 7.0}
