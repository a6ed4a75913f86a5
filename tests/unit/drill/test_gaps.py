"""Gap analysis: the outage a fault caused, and the survivor's first write after it."""

import pytest

from dualroot.drill.gaps import Gap, find_gaps, first_write_after_outage, gap_threshold, outage_after

pytestmark = pytest.mark.unit

STEADY = [100.0 + 0.1 * i for i in range(50)]          # 100.0 .. 104.9


def test_steady_writer_has_no_gaps():
    assert find_gaps(STEADY) == ()


def test_threshold_is_at_least_one_second_and_scales_with_interval():
    assert gap_threshold(STEADY) == pytest.approx(1.0)
    assert gap_threshold([0.0, 2.0, 4.0, 6.0]) == pytest.approx(10.0)
    assert gap_threshold([1.0]) == 1.0


def test_stall_is_found():
    times = STEADY + [118.0, 118.1, 118.2]
    assert find_gaps(times) == (Gap(pytest.approx(104.9), 118.0),)


def test_outage_is_the_largest_gap_ending_after_the_fault():
    times = [100.0, 100.1, 103.0, 103.1, 103.2, 116.0, 116.1, 117.0]
    gap = outage_after(times, fault_time=103.15)
    assert gap == Gap(103.2, 116.0)
    assert first_write_after_outage(times, 103.15) == 116.0


def test_gap_before_the_fault_does_not_count():
    times = [100.0, 110.0, 110.1, 110.2, 110.3, 111.5]
    assert outage_after(times, fault_time=110.25) == Gap(110.3, 111.5)


def test_never_resumed_gives_none():
    assert outage_after([100.0, 100.1], fault_time=101.0) is None
    assert first_write_after_outage([], fault_time=1.0) is None


def test_all_writes_after_the_fault_measure_from_the_fault():
    assert outage_after([105.0, 105.1], fault_time=100.0) == Gap(100.0, 105.0)


def test_unsorted_input_is_sorted():
    assert find_gaps([5.0, 0.0, 0.1, 0.2, 0.3, 0.4]) == (Gap(0.4, 5.0),)
