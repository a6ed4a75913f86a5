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


class FileLab:
    """Keeps what deploy writes into each node, by path."""

    nodes = ("node1", "node2")

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], str] = {}
        self.removed: list[tuple[str, str]] = []

    def run(self, node: str, argv: list[str], timeout: float = 60.0,
            input: str | None = None) -> CommandResult:
        if argv[:2] == ["sh", "-c"]:
            self.files[(node, argv[-1])] = input or ""
        elif argv[:2] == ["rm", "-f"]:
            self.removed.append((node, argv[-1]))
        return CommandResult(argv=tuple(argv), rc=0, stdout="", stderr="", seconds=0.1)


@pytest.mark.parametrize("agents", ["dualroot", "stock"])
def test_dlm_conf_is_written_for_dualroot_and_removed_for_the_stock_stack(agents: str) -> None:
    from dualroot import paths

    lab = FileLab()
    deploy.write_cluster_files(lab, deploy.lab_cluster_config(agents))  # type: ignore[arg-type]
    for node in lab.nodes:
        assert (node, "/etc/corosync/corosync.conf") in lab.files
        if agents == "dualroot":
            assert f"fence_all {paths.DUALROOT_DLM_FENCE} grace=" in lab.files[(node, paths.DLM_CONF)]
            assert (node, paths.DLM_CONF) not in lab.removed
        else:
            assert (node, paths.DLM_CONF) not in lab.files and (node, paths.DLM_CONF) in lab.removed
