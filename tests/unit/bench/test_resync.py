"""The resync benchmark's arithmetic: the resync set next to the writes and the device, and the line
through them, from drill results (no lab)."""

import pytest

from tests.unit.bench import loading

pytestmark = pytest.mark.unit


def load_bench():
    return loading.load_bench("bench_resync")


def scenario(resync_kib, seconds=30, verdict="pass"):
    return {"resync_kib": resync_kib, "resync_seconds": seconds, "verdict": verdict, "records_lost": 0}


def test_line_fit_recovers_slope_and_intercept():
    bench = load_bench()
    slope, intercept = bench.line_fit([(16, 40.0), (64, 88.0), (192, 216.0)])
    assert slope == pytest.approx(1.0) and intercept == pytest.approx(24.0)
    assert bench.line_fit([(64, 90.0)]) is None
    assert bench.line_fit([(64, 90.0), (64, 95.0)]) is None  # one amount: no line


def test_rows_set_the_resync_next_to_writes_and_device():
    bench = load_bench()
    report = bench.resync_rows([(16, scenario(40 * 1024)), (64, scenario(88 * 1024)),
                                (192, scenario(216 * 1024, 95))], device_mib=1024, al_mib=268)
    assert [r["resync_mib"] for r in report["runs"]] == [40.0, 88.0, 216.0]
    assert report["runs"][2]["resync_share_of_device"] == round(216 / 1024, 3)
    assert report["runs"][2]["resync_seconds"] == 95
    assert report["fit"] == {"slope": 1.0, "intercept_mib": 24.0}
    assert report["device_mib"] == 1024 and report["activity_log_mib"] == 268


def test_a_whole_device_resync_shows_as_such():
    # the recipe's trap 7: the resync no longer follows the writes, the line is flat at the device
    bench = load_bench()
    report = bench.resync_rows([(16, scenario(1024 * 1024)), (192, scenario(1024 * 1024))],
                               device_mib=1024, al_mib=4948)
    assert report["fit"] == {"slope": 0.0, "intercept_mib": 1024.0}
    assert all(r["resync_share_of_device"] == 1.0 for r in report["runs"])


def test_a_run_without_a_resync_line_is_kept_but_not_fitted(capsys):
    bench = load_bench()
    report = bench.resync_rows([(16, scenario(None, None, "fail")), (64, scenario(88 * 1024))],
                               device_mib=1024, al_mib=268)
    assert report["runs"][0]["resync_mib"] is None and report["fit"] is None
    bench.print_table(report)
    out = capsys.readouterr().out
    assert "no line" in out and "fail" in out
