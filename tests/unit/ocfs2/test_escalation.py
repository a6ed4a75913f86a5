"""The stop escalation plan: phases in order, all inside the stop timeout."""

import signal

import pytest

from dualroot.ocfs2.escalation import Phase, plan_escalation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("timeout", [0.5, 2.0, 5.0, 20.0, 60.0, 100.0, 600.0])
def test_phases_are_ordered_and_inside_the_timeout(timeout: float) -> None:
    plan = plan_escalation(timeout)
    assert 0 < plan.term_at < plan.kill_at < plan.give_up_at < timeout
    assert plan.call_bound <= plan.term_at
    assert 0 < plan.round_delay <= 0.5
    assert plan.phase(0) is Phase.UMOUNT
    assert plan.phase(plan.term_at) is Phase.TERM
    assert plan.phase(plan.kill_at) is Phase.KILL
    assert plan.phase(plan.give_up_at) is Phase.GIVE_UP


def test_sixty_seconds() -> None:
    plan = plan_escalation(60)
    assert (plan.term_at, plan.kill_at, plan.give_up_at) == (9.0, 31.5, 54.0)


def test_signals_of_phases() -> None:
    assert Phase.TERM.signal is signal.SIGTERM
    assert Phase.KILL.signal is signal.SIGKILL
    assert Phase.UMOUNT.signal is None and Phase.GIVE_UP.signal is None


@pytest.mark.parametrize("timeout", [0, -1])
def test_non_positive_timeout_is_refused(timeout: float) -> None:
    with pytest.raises(ValueError):
        plan_escalation(timeout)
