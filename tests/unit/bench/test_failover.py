"""The failover comparison's report loading: a report narrowed to some of its scenarios."""

import json

import pytest

from tests.unit.bench import loading

pytestmark = pytest.mark.unit


NAMES = ["node_kill:node2", "replication_cut:node2"]


def report(tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"scenarios": [{"name": name} for name in NAMES]}))
    return path


def test_a_report_is_taken_whole_or_narrowed_to_the_named_scenarios(tmp_path):
    bench = loading.load_bench("bench_failover")
    path = report(tmp_path)
    assert [s["name"] for s in bench.load(str(path))["scenarios"]] == NAMES
    assert [s["name"] for s in bench.load(f"{tmp_path}#replication_cut:node2")["scenarios"]] == [
        "replication_cut:node2"]


def test_a_name_the_report_lacks_is_an_error_not_an_empty_side(tmp_path):
    bench = loading.load_bench("bench_failover")
    with pytest.raises(SystemExit, match="no scenario named cold_start"):
        bench.load(f"{report(tmp_path)}#cold_start")
