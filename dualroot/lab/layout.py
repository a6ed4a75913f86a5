"""Where the lab keeps its files under one home directory (default paths.LAB_HOME)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dualroot import paths


@dataclass(frozen=True)
class LabLayout:
    home: Path = Path(paths.LAB_HOME)

    @property
    def cache(self) -> Path:
        """Built images, kept across labs and rebuilt only when their inputs change."""
        return self.home / "cache"

    @property
    def run(self) -> Path:
        """One running lab: disks, sockets, pid files, consoles, logs."""
        return self.home / "run"

    @property
    def ssh_key(self) -> Path:
        return self.home / "ssh" / "id_ed25519"

    @property
    def state_file(self) -> Path:
        return self.run / "lab.json"

    def pidfile(self, node: str) -> Path:
        return self.run / f"{node}.pid"

    def qmp_socket(self, node: str) -> Path:
        return self.run / f"qmp-{node}.sock"

    def fence_socket(self, node: str) -> Path:
        return self.run / f"fence-{node}.sock"

    def console(self, node: str) -> Path:
        return self.run / f"{node}.console"

    def disk(self, node: str, role: str) -> Path:
        """role: root (qcow2 overlay), drbd (DRBD backing disk), spare (ext4 for benchmarks)."""
        suffix = "qcow2" if role == "root" else "img"
        return self.run / f"{node}-{role}.{suffix}"

    @property
    def fenced_pidfile(self) -> Path:
        return self.run / "fenced.pid"

    @property
    def fenced_log(self) -> Path:
        return self.run / "fenced.log"
