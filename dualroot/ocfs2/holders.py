"""Processes keeping one mount busy, found by walking /proc (fd, cwd, root, maps) without touching it."""

from __future__ import annotations

import os
from pathlib import Path

from dualroot.ocf.record import Record
from dualroot.ocfs2.proc_mounts import is_under

# Only link *names* are read (readlink and /proc/<pid>/maps are answered by the kernel from its
# dentry cache); nothing here stats or opens a path inside the mount, so the walk cannot hang
# when the mount's I/O is frozen, unlike `fuser -m`, which stats the mount point first.
_DELETED = " (deleted)"


class Holder(Record):
    """A process using the mount, and how (e.g. `cwd`, `fd 3`, `maps`)."""

    pid: int
    comm: str
    uses: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.comm}[{self.pid}] ({', '.join(self.uses)})"


def _link(path: Path) -> str | None:
    try:
        target = os.readlink(path)
    except OSError:  # the process exited, or the link is not ours to read
        return None
    return target[: -len(_DELETED)] if target.endswith(_DELETED) else target


def _inside(path: str | None, directory: str, excluded: tuple[str, ...]) -> bool:
    # A path under a deeper mount belongs to that file system, not to this one.
    if path is None or not is_under(path, directory):
        return False
    return not any(is_under(path, sub) for sub in excluded)


def _maps_paths(text: str) -> set[str]:
    paths = set()
    for line in text.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5].startswith("/"):
            path = fields[5]
            paths.add(path[: -len(_DELETED)] if path.endswith(_DELETED) else path)
    return paths


def uses_of(proc_dir: Path, directory: str, excluded: tuple[str, ...] = ()) -> tuple[str, ...]:
    """How the process behind `proc_dir` (/proc/<pid>) uses `directory`; empty if it does not."""
    uses = []
    for name in ("cwd", "root"):
        if _inside(_link(proc_dir / name), directory, excluded):
            uses.append(name)
    try:
        fds = sorted(os.listdir(proc_dir / "fd"), key=lambda n: int(n) if n.isdigit() else -1)
    except OSError:
        fds = []
    for fd in fds:
        if _inside(_link(proc_dir / "fd" / fd), directory, excluded):
            uses.append(f"fd {fd}")
    try:
        maps = (proc_dir / "maps").read_text(errors="replace")
    except OSError:
        maps = ""
    if any(_inside(p, directory, excluded) for p in _maps_paths(maps)):
        uses.append("maps")
    return tuple(uses)


def find_holders(
    directory: str,
    proc_root: Path,
    excluded: tuple[str, ...] = (),
    own_pid: int | None = None,
) -> list[Holder]:
    """Every process with a file, working directory, root or mapping inside `directory`.

    `excluded` are submounts whose users are not holders of this mount; `own_pid` (the agent)
    is never reported, so the agent cannot signal itself.
    """
    holders = []
    try:
        names = os.listdir(proc_root)
    except OSError:
        return []
    for name in names:
        if not name.isdigit() or int(name) == own_pid:
            continue
        proc_dir = proc_root / name
        uses = uses_of(proc_dir, directory, excluded)
        if not uses:
            continue
        try:
            comm = (proc_dir / "comm").read_text().strip()
        except OSError:
            comm = "?"
        holders.append(Holder(pid=int(name), comm=comm, uses=uses))
    return sorted(holders, key=lambda h: h.pid)


def has_exited(proc_root: Path, pid: int) -> bool:
    """True once `pid` no longer runs: gone from /proc, or a zombie (its files are closed already)."""
    try:
        with open(f"{proc_root}/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return True
    fields = stat.rsplit(b")", 1)[-1].split()
    return not fields or fields[0] in (b"Z", b"X")
