"""Finding a daemon's processes by name in a /proc tree (dlm_controld forks itself; no pid file to trust)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


def find_pids(proc_root: str | Path, comm: str) -> list[int]:
    """PIDs whose /proc/<pid>/comm is `comm` (the kernel truncates comm to 15 characters).

    Raw os.open/os.read on purpose: this runs on every monitor over every process, and text-mode
    file objects cost ten times more per file (0.1 ms against 0.01 ms here).
    """
    wanted = comm[:15].encode() + b"\n"
    root = str(proc_root)
    pids = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            fd = os.open(f"{root}/{name}/comm", os.O_RDONLY)
        except OSError:  # exited while we looked
            continue
        try:
            if os.read(fd, 64) == wanted:
                pids.append(int(name))
        except OSError:
            pass
        finally:
            os.close(fd)
    return sorted(pids)
