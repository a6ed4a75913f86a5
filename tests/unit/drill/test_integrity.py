"""Read-back verification: lost, damaged, duplicated and foreign records are found."""

import pytest

from dualroot.drill.integrity import check_all, check_file
from dualroot.drill.records import encode_record

pytestmark = pytest.mark.unit


def file_of(node, seqs):
    return b"".join(encode_record(s, node) for s in seqs)


def test_all_acked_present_is_clean():
    check = check_file(file_of("node1", range(1, 6)), "node1", "node2", acked=range(1, 6))
    assert check.clean and check.intact == 5 and check.missing_acked == ()


def test_unacked_extra_record_is_fine_missing_acked_is_lost():
    check = check_file(file_of("node1", [1, 2, 4]), "node1", "node1", acked=[1, 2, 3])
    assert check.missing_acked == (3,)
    assert not check.clean


def test_torn_tail_is_not_corruption():
    data = file_of("node1", [1, 2]) + encode_record(3, "node1")[:30]
    check = check_file(data, "node1", "node2", acked=[1, 2])
    assert check.clean and check.tail_garbage_lines == 1 and check.corrupt_lines == 0


def test_zeros_after_a_crash_are_tail_garbage():
    data = file_of("node2", [1, 2]) + b"\0" * 4096
    check = check_file(data, "node2", "node1", acked=[1, 2])
    assert check.clean and check.tail_garbage_lines == 1


def test_damage_before_the_last_intact_record_is_corruption():
    good = file_of("node1", [1, 2, 3]).split(b"\n")
    good[1] = good[1].replace(b"R 0", b"R 9")
    check = check_file(b"\n".join(good), "node1", "node1", acked=[1, 3])
    assert check.corrupt_lines == 1 and not check.clean
    assert check.missing_acked == ()   # seq 2 was damaged but not in this ack list


def test_damaged_acked_record_counts_as_lost():
    lines = file_of("node1", [1, 2, 3]).split(b"\n")
    lines[1] = lines[1][:-1] + (b"0" if lines[1][-1:] != b"0" else b"1")
    check = check_file(b"\n".join(lines), "node1", "node1", acked=[1, 2, 3])
    assert check.missing_acked == (2,)


def test_duplicates_and_foreign_records_are_flagged():
    data = file_of("node1", [1, 1]) + file_of("node2", [1])
    check = check_file(data, "node1", "node1", acked=[1])
    assert check.duplicates == 1 and check.foreign == 1 and not check.clean


def test_check_all_counts_written_and_lost_over_readers():
    contents = {
        ("node1", "node1"): file_of("node1", [1, 2, 3]),
        ("node1", "node2"): file_of("node1", [1, 2]),          # node2 misses record 3
        ("node2", "node1"): file_of("node2", [1, 2]),
        ("node2", "node2"): file_of("node2", [1, 2]),
    }
    result = check_all(contents, {"node1": [1, 2, 3], "node2": [1, 2]})
    assert result.records_written == 5
    assert result.records_lost == 1
    assert not result.views_agree and not result.clean


def test_check_all_clean():
    data = {(w, r): file_of(w, [1, 2]) for w in ("node1", "node2") for r in ("node1", "node2")}
    result = check_all(data, {"node1": [1, 2], "node2": [1, 2]})
    assert result.clean and result.records_lost == 0 and result.views_agree


def test_unreadable_file_loses_everything_it_acknowledged():
    result = check_all({("node1", "node1"): file_of("node1", [1])}, {"node1": [1], "node2": [1, 2]})
    assert result.records_lost == 2


def test_binary_garbage_tail_is_tolerated():
    data = file_of("node1", [1, 2]) + bytes([0xFF, 0xFE, 0x80, 0x00, 0xC3])
    check = check_file(data, "node1", "node2", acked=[1, 2])
    assert check.clean and check.tail_garbage_lines == 1
