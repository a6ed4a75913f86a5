"""The report: JSON document, terminal table, and the timeline PNG rendered from synthetic data."""

import json
import struct

import pytest
from matplotlib.collections import PolyCollection

from dualroot.drill.report import (
    ScenarioResult,
    Timings,
    Verdict,
    WriterTrace,
    render_table,
    report_document,
    write_report_json,
)
from dualroot.drill.timeline import build_timeline, render_timeline_png, timeline_file_name

pytestmark = pytest.mark.unit

T0 = 1_000_000.0


def synthetic(verdict=Verdict.PASS, **changes):
    survivor = tuple([T0 + 0.1 * i for i in range(100)] + [T0 + 22.0 + 0.1 * i for i in range(50)])
    victim = tuple(T0 + 0.1 * i for i in range(100))
    fields = dict(
        name="node_kill:node2", agents="dualroot", target="node2", verdict=verdict,
        fault_description="SIGKILL of node2's QEMU", lost_node="node2", survivor="node1",
        timings=Timings(started=T0 - 30, fault=T0 + 10.0, detection=T0 + 13.0,
                        detection_membership=T0 + 15.0, detection_replication=T0 + 13.0,
                        fencing=T0 + 18.5, survivor_first_write=T0 + 22.0,
                        recovery_action=T0 + 30.0, returned=T0 + 129.0, finished=T0 + 200.0),
        records_written=250, records_lost=0, split_brain=False, fsck_clean=True,
        fsck_note="clean", views_agree=True,
        writers=(WriterTrace("node1", survivor, 0), WriterTrace("node2", victim, 0)),
    )
    fields.update(changes)
    return ScenarioResult(**fields)


def test_json_has_the_required_fields_per_scenario(tmp_path):
    path = write_report_json([synthetic()], tmp_path / "report.json")
    doc = json.loads(path.read_text())
    assert doc["passed"] is True
    (scenario,) = doc["scenarios"]
    for key in ("name", "times", "records_written", "records_lost", "split_brain", "fsck_clean",
                "verdict"):
        assert key in scenario
    assert scenario["verdict"] == "pass"
    assert scenario["seconds_after_fault"] == {"detection": 3.0, "fencing": 8.5,
                                               "survivor_first_write": 12.0}
    assert scenario["return_seconds"] == 99.0
    assert scenario["writers"]["node1"]["gaps"][0]["seconds"] == pytest.approx(12.1)
    assert scenario["writers"]["node2"]["gaps"] == []


def test_one_failure_fails_the_document():
    doc = report_document([synthetic(), synthetic(Verdict.FAIL, records_lost=3)])
    assert doc["passed"] is False


def test_table_rows():
    failed = synthetic(Verdict.FAIL, name="partition:node2", records_lost=2, split_brain=True,
                       fsck_clean=None, reasons=("2 acknowledged records lost or damaged",))
    lines = render_table([synthetic(), failed]).splitlines()
    assert lines[0].split()[:2] == ["scenario", "verdict"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].split() == ["node_kill:node2", "PASS", "3.0", "8.5", "12.0", "99.0", "250", "0",
                                "no", "clean", "-"]
    assert lines[3].split() == ["partition:node2", "FAIL", "3.0", "8.5", "12.0", "99.0", "250", "2",
                                "YES", "skipped", "-"]
    assert lines[4] == "partition:node2: 2 acknowledged records lost or damaged"


def test_table_with_events_not_seen():
    result = synthetic(Verdict.ERROR, timings=Timings(started=T0), records_lost=None)
    row = render_table([result]).splitlines()[2].split()
    assert row[1:6] == ["ERROR", "-", "-", "-", "-"] and row[7] == "?"


def test_timeline_shows_events_and_gaps():
    figure = build_timeline(synthetic())
    (axes,) = figure.axes
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    for expected in ("fault (+0.0 s)", "detection (+3.0 s)", "fencing (+8.5 s)",
                     "survivor writes again (+12.0 s)", "recovery action (+20.0 s)",
                     "node returned (+119.0 s)", "writer gap", "acknowledged record"):
        assert expected in labels
    bars = [c for c in axes.collections if isinstance(c, PolyCollection)]
    assert len(bars) == 1                          # only the survivor had a gap
    assert [t.get_text() for t in axes.get_yticklabels()] == ["writer node1", "writer node2"]
    assert "12.1 s" in [t.get_text() for t in axes.texts]


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_timeline_png_is_a_valid_png(tmp_path):
    result = synthetic()
    path = render_timeline_png(result, tmp_path / timeline_file_name(result))
    assert path.name == "timeline-node_kill-node2.png"
    data = path.read_bytes()
    width, height = png_size(data)
    assert width == 1100 and height > 100
    assert data.endswith(b"IEND\xaeB`\x82")


def test_timeline_without_a_fault_still_renders(tmp_path):
    result = synthetic(Verdict.ERROR, timings=Timings(started=T0), writers=())
    data = render_timeline_png(result, tmp_path / "t.png").read_bytes()
    assert png_size(data)[0] > 0


def test_resync_and_notes_in_json_and_table():
    result = synthetic(resync_kib=65600, resync_seconds=21, notes=("64 MiB written on node1 in 9.0 s",))
    doc = result.to_json()
    assert doc["resync_kib"] == 65600 and doc["resync_seconds"] == 21
    lines = render_table([result]).splitlines()
    assert lines[2].split()[-1] == "65600"
    assert lines[3] == "node_kill:node2: note: 64 MiB written on node1 in 9.0 s"
