"""A drill's results as data (ScenarioResult), as report.json, and as the table printed on the terminal."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dualroot.drill.gaps import Gap, find_gaps

REPORT_VERSION = 1


class Verdict(enum.Enum):
    PASS = "pass"
    FAIL = "fail"          # the cluster misbehaved: lost records, split-brain, no fence, no return
    ERROR = "error"        # the drill itself could not complete (a bound ran out before the fault, ...)


@dataclass(frozen=True)
class WriterTrace:
    node: str
    ack_times: tuple[float, ...]          # host time of each acknowledgement, in arrival order
    errors: int                           # writes or fsyncs that failed (never acknowledged)

    def gaps(self) -> tuple[Gap, ...]:
        return find_gaps(self.ack_times)


@dataclass(frozen=True)
class FenceMark:
    time: float
    target: str
    action: str
    answer: str


@dataclass(frozen=True)
class Timings:
    """Host times (time.time()); None where the event was not seen."""

    started: float
    fault: float | None = None
    detection: float | None = None               # the earlier of the two below
    detection_membership: float | None = None    # survivor's crm_mon shows the lost node not online
    detection_replication: float | None = None   # survivor's DRBD no longer Connected
    fencing: float | None = None                 # first successful fence after the fault
    survivor_first_write: float | None = None    # end of the survivor's largest gap after the fault
    recovery_action: float | None = None         # node restarted / links restored / unstandby
    returned: float | None = None                # both UpToDate and mounted again
    finished: float | None = None

    def after_fault(self, value: float | None) -> float | None:
        if value is None or self.fault is None:
            return None
        return round(value - self.fault, 3)


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    agents: str
    target: str
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    fault_description: str = ""
    lost_node: str | None = None                 # the node that was fenced / went away
    survivor: str | None = None
    timings: Timings = field(default_factory=lambda: Timings(started=0.0))
    records_written: int = 0
    records_lost: int | None = None              # None: could not be checked
    split_brain: bool | None = None
    fsck_clean: bool | None = None               # None: skipped, see fsck_note
    fsck_note: str = ""
    views_agree: bool | None = None
    writers: tuple[WriterTrace, ...] = ()
    fences: tuple[FenceMark, ...] = ()
    notes: tuple[str, ...] = ()                  # what the scenario did besides the fault
    resync_kib: int | None = None                # DRBD resync after the return (kernel log)
    resync_seconds: int | None = None
    # (node, seconds, exit code) of each fence-peer handler call (kernel log); I/O waits while it runs
    fence_peer: tuple[tuple[str, float, int], ...] = ()

    @property
    def return_seconds(self) -> float | None:
        t = self.timings
        if t.returned is None or t.recovery_action is None:
            return None
        return round(t.returned - t.recovery_action, 3)

    def to_json(self) -> dict[str, object]:
        t = self.timings
        return {
            "name": self.name,
            "agents": self.agents,
            "target": self.target,
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "fault": self.fault_description,
            "lost_node": self.lost_node,
            "survivor": self.survivor,
            "times": {
                "started": t.started, "fault": t.fault, "detection": t.detection,
                "detection_membership": t.detection_membership,
                "detection_replication": t.detection_replication, "fencing": t.fencing,
                "survivor_first_write": t.survivor_first_write,
                "recovery_action": t.recovery_action, "returned": t.returned, "finished": t.finished,
            },
            "seconds_after_fault": {
                "detection": t.after_fault(t.detection),
                "fencing": t.after_fault(t.fencing),
                "survivor_first_write": t.after_fault(t.survivor_first_write),
            },
            "return_seconds": self.return_seconds,
            "records_written": self.records_written,
            "records_lost": self.records_lost,
            "split_brain": self.split_brain,
            "fsck_clean": self.fsck_clean,
            "fsck_note": self.fsck_note,
            "views_agree": self.views_agree,
            "resync_kib": self.resync_kib,
            "resync_seconds": self.resync_seconds,
            "fence_peer_handler": [{"node": n, "seconds": sec, "exit_code": rc}
                                   for n, sec, rc in self.fence_peer],
            "fence_peer_seconds": max((sec for _, sec, _ in self.fence_peer), default=None),
            "notes": list(self.notes),
            "writers": {
                w.node: {
                    "acked": len(w.ack_times),
                    "errors": w.errors,
                    "gaps": [{"start": g.start, "end": g.end, "seconds": round(g.seconds, 3)}
                             for g in w.gaps()],
                } for w in self.writers
            },
            "fences": [{"time": f.time, "target": f.target, "action": f.action, "answer": f.answer}
                       for f in self.fences],
        }


def report_document(results: Sequence[ScenarioResult]) -> dict[str, object]:
    return {
        "version": REPORT_VERSION,
        "passed": all(r.verdict is Verdict.PASS for r in results),
        "scenarios": [r.to_json() for r in results],
    }


def write_report_json(results: Sequence[ScenarioResult], path: Path) -> Path:
    path.write_text(json.dumps(report_document(results), indent=2) + "\n")
    return path


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _flag(value: bool | None, yes: str, no: str) -> str:
    return "skipped" if value is None else (yes if value else no)


TABLE_COLUMNS = ("scenario", "verdict", "detect s", "fence s", "survivor write s", "return s",
                 "written", "lost", "split-brain", "fsck", "resync KiB")


def render_table(results: Sequence[ScenarioResult]) -> str:
    """A plain-text table, one row per scenario; times are seconds after the fault."""
    rows = [TABLE_COLUMNS]
    for r in results:
        t = r.timings
        rows.append((
            r.name,
            r.verdict.value.upper(),
            _seconds(t.after_fault(t.detection)),
            _seconds(t.after_fault(t.fencing)),
            _seconds(t.after_fault(t.survivor_first_write)),
            _seconds(r.return_seconds),
            str(r.records_written),
            "?" if r.records_lost is None else str(r.records_lost),
            _flag(r.split_brain, "YES", "no"),
            _flag(r.fsck_clean, "clean", "ERRORS"),
            "-" if r.resync_kib is None else str(r.resync_kib),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        for reason in r.reasons:
            lines.append(f"{r.name}: {reason}")
        for note in r.notes:
            lines.append(f"{r.name}: note: {note}")
    return "\n".join(lines)
