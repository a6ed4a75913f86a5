"""Deploy's maintenance-mode guard around replacing the agents under a running cluster (a fake lab)."""

from __future__ import annotations

import pytest

from dualroot.command import CommandResult
from dualroot.lab import deploy

pytestmark = pytest.mark.unit


class FakeLab:
    nodes = ("node1", "node2")

    def __init__(self, pacemaker_runs: bool) -> None:
        self.pacemaker_runs = pacemaker_runs
        self.calls: list[list[str]] = []

    def run(self, node: str, argv: list[str], timeout: float = 60.0) -> CommandResult:
        self.calls.append(list(argv))
        rc = 0 if self.pacemaker_runs else 102
        return CommandResult(argv=tuple(argv), rc=rc, stdout="", stderr="" if rc == 0 else "not connected",
                             seconds=0.1)


@pytest.fixture(autouse=True)
def no_settle(monkeypatch) -> None:
    monkeypatch.setattr(deploy, "MAINTENANCE_SETTLE_S", 0.0)


def test_a_running_cluster_is_paused_and_resumed_even_when_the_install_fails() -> None:
    lab = FakeLab(pacemaker_runs=True)
    with pytest.raises(RuntimeError), deploy.maintenance_mode(lab):  # type: ignore[arg-type]
        assert lab.calls == [[*deploy.MAINTENANCE, "--update", "true"]]
        raise RuntimeError("copy failed")
    assert lab.calls[-1] == [*deploy.MAINTENANCE, "--delete"]


def test_without_pacemaker_nothing_is_paused() -> None:
    lab = FakeLab(pacemaker_runs=False)
    with deploy.maintenance_mode(lab):  # type: ignore[arg-type]
        pass
    assert lab.calls == [[*deploy.MAINTENANCE, "--update", "true"]]  # tried once, nothing to undo
