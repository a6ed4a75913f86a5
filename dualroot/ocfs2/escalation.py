"""How a busy stop escalates: when to TERM, when to KILL and when to give up, within the stop timeout."""

from __future__ import annotations

import enum
import signal

from dualroot.ocf.record import Record


class Phase(enum.Enum):
    UMOUNT = "umount"  # no signal yet: a plain umount is tried first (resource-agents#1907)
    TERM = "TERM"
    KILL = "KILL"
    GIVE_UP = "give up"

    @property
    def signal(self) -> signal.Signals | None:
        return {Phase.TERM: signal.SIGTERM, Phase.KILL: signal.SIGKILL}.get(self)


class EscalationPlan(Record):
    """Offsets in seconds from the start of the stop.

    `give_up_at` lies before the operation timeout so the agent reports its own reason (naming
    the holders) instead of being killed by Pacemaker without one.
    """

    term_at: float
    kill_at: float
    give_up_at: float
    call_bound: float  # bound on each umount or probe of the mount
    round_delay: float  # longest wait for signalled holders to exit before the next umount

    def phase(self, elapsed: float) -> Phase:
        if elapsed >= self.give_up_at:
            return Phase.GIVE_UP
        if elapsed >= self.kill_at:
            return Phase.KILL
        if elapsed >= self.term_at:
            return Phase.TERM
        return Phase.UMOUNT


def plan_escalation(timeout: float) -> EscalationPlan:
    """Split a stop timeout (seconds) into umount, TERM and KILL phases.

    A margin of 10 % (at least 1 s) is kept for the final report; one sixth of the rest
    (0.5-10 s) bounds each call touching the mount; TERM gets half of what remains after the
    first umount, KILL the other half. A 60 s timeout gives TERM at 9 s, KILL at 31.5 s and
    giving up at 54 s.
    """
    if timeout <= 0:
        raise ValueError("the stop timeout must be positive")
    margin = max(1.0, timeout * 0.1)
    usable = max(timeout - margin, timeout * 0.5)
    call_bound = min(10.0, max(0.5, usable / 6))
    call_bound = min(call_bound, usable / 3)
    term_at = call_bound
    kill_at = term_at + (usable - term_at) / 2
    return EscalationPlan(
        term_at=term_at,
        kill_at=kill_at,
        give_up_at=usable,
        call_bound=call_bound,
        round_delay=min(0.5, (usable - term_at) / 10),
    )
