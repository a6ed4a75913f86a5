"""File listings of built packages as (mode, path) pairs, from dpkg-deb -c and rpm --queryformat."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

from dualroot import paths


@dataclass(frozen=True)
class Entry:
    mode: str  # as ls shows it: -rwxr-xr-x
    path: str  # absolute, no trailing slash: /usr/bin/dualroot


def run(*argv: str | Path) -> str:
    return subprocess.run([str(a) for a in argv], check=True, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"}).stdout


def parse_dpkg_deb_contents(text: str) -> dict[str, Entry]:
    """`dpkg-deb -c`: '-rwxr-xr-x root/root 139 2026-11-25 11:50 ./usr/bin/x' per line."""
    entries = {}
    for line in text.splitlines():
        mode, _owner, _size, _date, _time, name = line.split(maxsplit=5)
        path = name.split(" -> ")[0].removeprefix(".").rstrip("/") or "/"
        entries[path] = Entry(mode, path)
    return entries


def deb_entries(deb: Path) -> dict[str, Entry]:
    return parse_dpkg_deb_contents(run(paths.DPKG_DEB, "-c", deb))


def rpm_entries(rpm: Path) -> dict[str, Entry]:
    text = run(paths.RPM, "-qp", "--queryformat", "[%{FILEMODES:perms} %{FILENAMES}\\n]", rpm)
    entries = {}
    for line in text.splitlines():
        mode, path = line.split(" ", 1)
        entries[path] = Entry(mode, path)
    return entries


def lintian_tags(output: str, severities: str) -> list[str]:
    """Lines of lintian's output whose tag severity letter is in `severities` ('E', 'EW', ...)."""
    return [line for line in output.splitlines()
            if len(line) > 2 and line[0] in severities and line[1] == ":" and line[2] == " "]
