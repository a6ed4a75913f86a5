"""The mount table: parse /proc/mounts (with the kernel's octal escapes) and answer questions about it."""

from __future__ import annotations

import os

from dualroot.ocf.record import Record

# The kernel escapes space, tab, newline and backslash in /proc/mounts as \040, \011, \012, \134
# (fs/proc_namespace.c, mangle()); a path with a space would otherwise split the line wrongly.
# String methods, not `re`: every monitor parses this file, and importing `re` (with the `enum` it
# pulls in) cost more than the monitor's own work (bench/bench_ocfs2_agent.py).
_OCTAL_DIGITS = frozenset("01234567")


def unescape(field: str) -> str:
    """Undo the kernel's octal escapes in one /proc/mounts field (a backslash and three octal digits;
    any other backslash stays as it is)."""
    if "\\" not in field:
        return field
    first, *rest = field.split("\\")
    parts = [first]
    for part in rest:
        code = part[:3]
        if len(code) == 3 and set(code) <= _OCTAL_DIGITS:
            parts.append(chr(int(code, 8)) + part[3:])
        else:
            parts.append("\\" + part)
    return "".join(parts)


class MountEntry(Record):
    """One line of /proc/mounts."""

    device: str
    directory: str
    fstype: str
    options: tuple[str, ...]

    def option(self, name: str) -> str | None:
        """The value of `name=value` among the options, '' for a bare flag, None when absent."""
        for opt in self.options:
            key, sep, value = opt.partition("=")
            if key == name:
                return value if sep else ""
        return None


def parse_proc_mounts(text: str) -> list[MountEntry]:
    """All entries in file order; malformed lines are skipped (the kernel never writes them)."""
    entries = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        entries.append(
            MountEntry(
                device=unescape(fields[0]),
                directory=unescape(fields[1]),
                fstype=unescape(fields[2]),
                options=tuple(unescape(fields[3]).split(",")),
            )
        )
    return entries


def normalize(directory: str) -> str:
    """A directory as the kernel prints it: absolute, no trailing slash, no `.`/`..` (no symlinks
    resolved: resolving would stat the mount, which hangs when its I/O is frozen)."""
    return os.path.normpath(directory) if directory else directory


def find_mount(entries: list[MountEntry], directory: str) -> MountEntry | None:
    """The entry mounted on `directory`; with stacked mounts the last one is the visible one."""
    wanted = normalize(directory)
    found = None
    for entry in entries:
        if entry.directory == wanted:
            found = entry
    return found


def is_under(path: str, directory: str) -> bool:
    """True when `path` is `directory` itself or lies below it (string test, never touches disk)."""
    directory = normalize(directory)
    if directory == "/":
        return path.startswith("/")
    return path == directory or path.startswith(directory + "/")


def submounts(entries: list[MountEntry], directory: str) -> list[MountEntry]:
    """Mounts strictly below `directory`, deepest first (the order to unmount them in)."""
    directory = normalize(directory)
    below = [e for e in entries if e.directory != directory and is_under(e.directory, directory)]
    return sorted(below, key=lambda e: e.directory.count("/"), reverse=True)
