"""Record format: round trip, and every kind of damage is refused; the writer program run for real."""

import subprocess
import sys

import pytest

from dualroot.drill import records
from dualroot.drill.records import Record, encode_record, parse_record, record_payload

pytestmark = pytest.mark.unit


def test_round_trip():
    line = encode_record(42, "node1").decode()
    assert line.endswith("\n")
    assert parse_record(line[:-1]) == Record(seq=42, node="node1")


def test_payload_depends_on_node_and_seq_only():
    assert record_payload(7, "node1") == record_payload(7, "node1")
    assert record_payload(7, "node1") != record_payload(7, "node2")
    assert record_payload(7, "node1") != record_payload(8, "node1")


@pytest.mark.parametrize("damage", [
    lambda s: s[:-1],                                  # torn: digest cut short
    lambda s: s[: len(s) // 2],                        # torn in the middle
    lambda s: s.replace(" node1 ", " node2 "),         # relabelled: payload and digest disagree
    lambda s: s[:20] + ("0" if s[20] != "0" else "1") + s[21:],   # one payload character flipped
    lambda s: "\0" * len(s),                           # zeros where a crash left unwritten blocks
    lambda s: "",
    lambda s: s + " extra",
])
def test_damaged_line_is_refused(damage):
    line = encode_record(3, "node1").decode()[:-1]
    assert parse_record(damage(line)) is None


def test_writer_program_appends_verifiable_records_and_acks_after_fsync(tmp_path):
    target = tmp_path / "run" / "node1.rec"
    out = subprocess.run([sys.executable, records.__file__, str(target), "node1", "0.01", "0.3"],
                         capture_output=True, text=True, timeout=30, check=True).stdout.splitlines()
    assert out[0].startswith("start ")
    assert out[-1] == "done"
    acked = [int(line.split()[1]) for line in out if line.startswith("ack ")]
    assert acked == list(range(1, len(acked) + 1)) and len(acked) >= 3
    found = [parse_record(line) for line in target.read_text().splitlines()]
    assert [r.seq for r in found if r] == acked


def test_writer_program_rejects_wrong_arguments():
    done = subprocess.run([sys.executable, records.__file__, "only-one"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 2 and "usage" in done.stderr
