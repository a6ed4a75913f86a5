"""Writer gap analysis: where a writer stalled, and when the survivor wrote again after a fault."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# A pause counts as a gap when it is this many times the writer's usual interval, and at least
# MIN_GAP_SECONDS: ssh and TCG scheduling jitter alone make sub-second pauses common.
GAP_FACTOR = 5.0
MIN_GAP_SECONDS = 1.0


@dataclass(frozen=True)
class Gap:
    start: float        # host time of the last acknowledgement before the pause
    end: float          # host time of the first acknowledgement after it

    @property
    def seconds(self) -> float:
        return self.end - self.start


def gap_threshold(times: Sequence[float]) -> float:
    steps = [b - a for a, b in zip(times, times[1:])]
    if not steps:
        return MIN_GAP_SECONDS
    return max(MIN_GAP_SECONDS, GAP_FACTOR * statistics.median(steps))


def find_gaps(times: Sequence[float], threshold: float | None = None) -> tuple[Gap, ...]:
    """Pauses between consecutive acknowledgements (sorted host times) at least `threshold` long."""
    ordered = sorted(times)
    limit = gap_threshold(ordered) if threshold is None else threshold
    return tuple(Gap(a, b) for a, b in zip(ordered, ordered[1:]) if b - a >= limit)


def outage_after(times: Sequence[float], fault_time: float) -> Gap | None:
    """The writer's largest pause that ends after the fault: the outage the fault caused.

    None when the writer acknowledged nothing after the fault (it never resumed).
    """
    ordered = sorted(times)
    candidates = [Gap(a, b) for a, b in zip(ordered, ordered[1:]) if b > fault_time]
    before = [t for t in ordered if t <= fault_time]
    after = [t for t in ordered if t > fault_time]
    if after and not before:
        candidates.append(Gap(fault_time, after[0]))
    if not candidates:
        return None
    return max(candidates, key=lambda g: g.seconds)


def first_write_after_outage(times: Sequence[float], fault_time: float) -> float | None:
    """Host time of the survivor's first successful write after the outage the fault caused."""
    gap = outage_after(times, fault_time)
    return None if gap is None else gap.end
