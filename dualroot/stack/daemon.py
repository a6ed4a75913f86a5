"""Finding a daemon's processes by name in a /proc tree (dlm_controld forks itself; no pid file to trust)."""

from __future__ import annotations

import os
from pathlib import Path


def find_pids(proc_root: Path, comm: str) -> list[int]:
    """PIDs whose /proc/<pid>/comm is `comm` (the kernel truncates comm to 15 characters)."""
    wanted = comm[:15]
    pids = []
    try:
        names = os.listdir(proc_root)
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            if (proc_root / name / "comm").read_text().strip() == wanted:
                pids.append(int(name))
        except OSError:  # exited while we looked
            continue
    return sorted(pids)
