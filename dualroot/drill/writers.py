"""The host side of the drill writers: start one per node, stamp each acknowledgement on arrival."""

from __future__ import annotations

import shlex
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dualroot import paths
from dualroot.drill import records
from dualroot.drill.scenario import LabApi
from dualroot.errors import DualrootError

WRITE_INTERVAL = 0.1        # seconds between records: ~10 fsyncs a second, enough to time a stall
WRITER_LIFETIME = 3600.0    # the guest writer's own bound, should the host never stop it


@dataclass(frozen=True)
class Ack:
    seq: int
    host_time: float            # time.time() on the host when the line arrived
    guest_monotonic: float      # the guest's clock when fsync returned (for ordering within a node)


class Writer:
    """One guest writer, fed through ssh. A reader thread stamps its lines as they arrive."""

    def __init__(self, node: str, path: str, process: subprocess.Popen[str]) -> None:
        self.node = node
        self.path = path
        self._process = process
        self._lock = threading.Lock()
        self._acks: list[Ack] = []
        self._errors: list[tuple[int, float]] = []
        self.guest_pid: int | None = None
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self._read, name=f"writer-{node}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        for line in stream:
            now = time.time()
            words = line.split()
            with self._lock:
                if len(words) == 3 and words[0] == "ack":
                    self._acks.append(Ack(int(words[1]), now, float(words[2])))
                elif len(words) == 3 and words[0] == "err":
                    self._errors.append((int(words[1]), now))
                elif len(words) == 2 and words[0] == "start":
                    self.guest_pid = int(words[1])
        self.finished.set()

    @property
    def acks(self) -> tuple[Ack, ...]:
        with self._lock:
            return tuple(self._acks)

    @property
    def errors(self) -> tuple[tuple[int, float], ...]:
        with self._lock:
            return tuple(self._errors)

    def ack_times(self) -> list[float]:
        return [a.host_time for a in self.acks]

    def acked_after(self, when: float) -> bool:
        return any(a.host_time > when for a in self.acks)

    def stop(self, lab: LabApi) -> None:
        """End the guest writer by its PID (if its node still runs), then the ssh that carried it."""
        if self.guest_pid is not None and lab.is_running(self.node) and not self.finished.is_set():
            # Only if that PID is still our writer: after a reboot the number may belong to another.
            pid = str(self.guest_pid)
            script = (f"grep -qF {shlex.quote(paths.GUEST_WRITER_SCRIPT)} /proc/{pid}/cmdline 2>/dev/null"
                      f" && {shlex.quote(paths.GUEST_KILL)} -TERM {pid}; exit 0\n")
            try:
                lab.script(self.node, script, timeout=15.0)
            except DualrootError:
                pass                     # the node went away meanwhile; closing ssh below suffices
        self.finished.wait(timeout=10.0)
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10.0)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10.0)
        self._thread.join(timeout=10.0)


def writer_path(run_dir: str, node: str) -> str:
    return f"{run_dir}/{node}.rec"


def start_writer(lab: LabApi, node: str, run_dir: str, interval: float = WRITE_INTERVAL) -> Writer:
    """Copy the writer program into the node and start it appending to its own file in run_dir."""
    lab.put(node, Path(records.__file__), paths.GUEST_WRITER_SCRIPT)
    path = writer_path(run_dir, node)
    process = lab.popen(node, [paths.GUEST_PYTHON, paths.GUEST_WRITER_SCRIPT, path, node,
                               f"{interval}", f"{WRITER_LIFETIME}"])
    return Writer(node, path, process)
