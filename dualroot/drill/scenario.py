"""What a failover scenario is: a fault it injects into a healthy cluster, and how it undoes it.

Each scenario lives in its own module under dualroot.drill.scenarios; the measuring, the writers and
the checks around it are the same for all (dualroot.drill.execution).
"""

from __future__ import annotations

import abc
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dualroot.drill.storage import Storage


class CommandOutcome(Protocol):
    # read-only properties: the lab's CommandResult is a frozen dataclass
    @property
    def rc(self) -> int: ...

    @property
    def stdout(self) -> str: ...

    @property
    def stderr(self) -> str: ...

    @property
    def ok(self) -> bool: ...


class FenceRecord(Protocol):
    @property
    def time(self) -> float: ...

    @property
    def requester(self) -> str: ...

    @property
    def action(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def answer(self) -> str: ...


class LabApi(Protocol):
    """The part of dualroot.lab.control.Lab the drills use (tests pass a fake)."""

    @property
    def nodes(self) -> tuple[str, ...]: ...

    @property
    def storage(self) -> Storage: ...

    def run(self, node: str, argv: Sequence[str], timeout: float = 60.0,
            input: str | None = None) -> CommandOutcome: ...

    def script(self, node: str, text: str, timeout: float = 60.0) -> CommandOutcome: ...

    def popen(self, node: str, argv: Sequence[str]) -> subprocess.Popen[str]: ...

    def put(self, node: str, local: Path | str, remote: str, timeout: float = 120.0) -> None: ...

    def wait_for(self, name: str, predicate: Callable[[], bool], timeout: float,
                 interval: float = 1.0) -> float: ...

    def kill(self, node: str) -> float: ...

    def start_node(self, node: str) -> None: ...

    def set_link(self, node: str, link: str, up: bool) -> None: ...

    def is_running(self, node: str) -> bool: ...

    def fence_events(self) -> Sequence[FenceRecord]: ...


@dataclass(frozen=True)
class Fault:
    time: float                 # host time.time() the fault took effect
    target: str                 # the node the fault was aimed at
    description: str


class Scenario(abc.ABC):
    """A fault and its undoing. `target` is the node the fault is aimed at."""

    name: str = ""
    summary: str = ""
    # Whether the cluster must fence a node to get over the fault: the drill waits for that fence, takes
    # its target as the node that lost, and fails the verdict if no fence came.
    expects_fencing: bool = True
    # Whether the target's writer is stopped before the fault (planned operations, see standby).
    stops_target_writer_first: bool = False
    # A fault of the whole cluster (cold start): no survivor; every writer stops before the fault.
    whole_cluster: bool = False

    def __init__(self, target: str) -> None:
        self.target = target

    @property
    def label(self) -> str:
        """The name in reports: the scenario and its target node."""
        return f"{self.name}:{self.target}"

    @abc.abstractmethod
    def inject(self, lab: LabApi) -> Fault:
        """Cause the fault; return when it took effect."""

    @abc.abstractmethod
    def restore(self, lab: LabApi, loser: str) -> None:
        """Undo the fault so that `loser` (the node that lost) can come back."""

    def while_degraded(self, lab: LabApi, survivor: str) -> str:
        """Extra work on the survivor while the other node is away; returns a note for the report."""
        del lab, survivor
        return ""

    def cleanup(self, lab: LabApi) -> None:
        """Remove what while_degraded left behind, once the checks are done."""
        del lab

    @staticmethod
    def start_if_stopped(lab: LabApi, node: str) -> None:
        # A fence with action "off" (or a kill) leaves the VM stopped; "reboot" restarts it by itself.
        if not lab.is_running(node):
            lab.start_node(node)
