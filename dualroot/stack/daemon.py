"""Finding processes in a /proc tree by their comm or command line (dlm_controld forks itself: no pid file
to trust; DRBD's fence-peer handler has none at all)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def scan_proc(proc_root: str | Path, name: str, size: int, matches: Callable[[bytes], bool]) -> list[int]:
    """PIDs whose /proc/<pid>/<name> (its first `size` bytes) satisfies `matches`.

    Raw os.open/os.read on purpose: this runs on every monitor over every process, and text-mode
    file objects cost ten times more per file (0.1 ms against 0.01 ms here).
    """
    root = str(proc_root)
    pids = []
    try:
        names = os.listdir(root)
    except OSError:
        return []
    for pid in names:
        if not pid.isdigit():
            continue
        try:
            fd = os.open(f"{root}/{pid}/{name}", os.O_RDONLY)
        except OSError:  # exited while we looked
            continue
        try:
            if matches(os.read(fd, size)):
                pids.append(int(pid))
        except OSError:
            pass
        finally:
            os.close(fd)
    return sorted(pids)


def find_pids(proc_root: str | Path, comm: str) -> list[int]:
    """PIDs whose /proc/<pid>/comm is `comm` (the kernel truncates comm to 15 characters)."""
    wanted = comm[:15].encode() + b"\n"
    return scan_proc(proc_root, "comm", 64, wanted.__eq__)
