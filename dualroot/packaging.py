"""Distribution packages from the source tree: the Debian .deb (debian/) and the RPM (dualroot.spec).

Both are built from a copy of the tree that holds what a clean checkout would hold plus the work not yet
committed: the tracked files as they are in the work tree, and untracked files git does not ignore,
except tool state in hidden directories (vagrant/.vagrant/ and the like). Nothing is built in the tree
itself, so a build never leaves debian/dualroot/ or .debhelper/ behind in a developer's checkout.

The lab installs the .deb with `build_deb`; the packaging tests build both and inspect them.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dualroot import paths
from dualroot.command import CommandResult, run_host
from dualroot.errors import DualrootError

PACKAGE = "dualroot"
BUILD_TIMEOUT = 900.0  # seconds; a build takes well under a minute on this project's hosts
DEB_TOOLS_HINT = "install the build tools: apt-get install dpkg-dev debhelper dh-python python3"
RPM_TOOLS_HINT = "install rpmbuild: apt-get install rpm (Debian) or dnf install rpm-build"

# Not part of a source tree even when git does not ignore them (fallback when there is no git).
_JUNK_DIRS = {"__pycache__", "build", "dist"}
_CHANGELOG_HEAD = re.compile(r"^(?P<name>[a-z0-9][a-z0-9+.-]*) \((?P<version>[^)\s]+)\)")
_SPEC_VERSION = re.compile(r"^Version:\s*(?P<version>\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SourceVersions:
    """The version each piece of packaging metadata declares; they must agree."""

    debian: str
    rpm: str


def read_versions(repo_root: Path) -> SourceVersions:
    """The top debian/changelog entry's version and dualroot.spec's Version:."""
    try:
        first = (repo_root / "debian" / "changelog").read_text(encoding="utf-8").splitlines()[0]
        spec = (repo_root / "dualroot.spec").read_text(encoding="utf-8")
    except (OSError, IndexError) as exc:
        raise DualrootError(f"cannot read the packaging metadata in {repo_root}: {exc}",
                            "run from a dualroot checkout (debian/ and dualroot.spec)") from exc
    head = _CHANGELOG_HEAD.match(first)
    rpm = _SPEC_VERSION.search(spec)
    if not head or not rpm:
        raise DualrootError(f"no version in {repo_root}/debian/changelog or dualroot.spec",
                            "the changelog starts 'dualroot (VERSION) ...', the spec has 'Version: VERSION'")
    return SourceVersions(debian=head["version"], rpm=rpm["version"])


def _is_hidden_state(relative: str) -> bool:
    # A hidden directory anywhere in the path (.vagrant/, .venv/) is a tool's state, not source.
    return any(part.startswith(".") for part in relative.split("/")[:-1])


def _git_lines(repo_root: Path, *args: str) -> list[str]:
    result = run_host([paths.GIT, "-C", str(repo_root), *args], timeout=60.0)
    if not result.ok:
        raise DualrootError(f"git ls-files failed in {repo_root}: {_last_line(result)}",
                            "build from a git checkout of dualroot")
    return [line for line in result.stdout.split("\0") if line]


def source_files(repo_root: Path) -> list[str]:
    """Relative paths of the tree a package is built from (see the module docstring), sorted."""
    if not (repo_root / ".git").exists():
        return _walk_files(repo_root)
    tracked = _git_lines(repo_root, "ls-files", "-z", "--cached")
    untracked = _git_lines(repo_root, "ls-files", "-z", "--others", "--exclude-standard")
    chosen = {p for p in tracked if os.path.lexists(repo_root / p)}  # deleted in the work tree: gone
    chosen |= {p for p in untracked if not _is_hidden_state(p)}
    return sorted(chosen)


def _walk_files(repo_root: Path) -> list[str]:
    out = []
    for top, dirs, files in os.walk(repo_root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _JUNK_DIRS
                   and not d.endswith(".egg-info")]
        for name in files:
            out.append(str((Path(top) / name).relative_to(repo_root)))
    return sorted(out)


def copy_tree(repo_root: Path, dest: Path) -> Path:
    """Copy the package's source files into dest (created), modes and symlinks kept."""
    for relative in source_files(repo_root):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo_root / relative, target, follow_symlinks=False)
    return dest


def _last_line(result: CommandResult) -> str:
    lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return lines[-1] if lines else "no output"


def build_failure_reason(output: str) -> str:
    """The line that says why a build failed: the last 'error:' line (dpkg-checkbuilddeps' unmet
    dependencies, rpmbuild's failed section), else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()]
    return (errors or lines or ["no output"])[-1]


def _require(program: str, hint: str) -> None:
    if not os.access(program, os.X_OK):
        raise DualrootError(f"{program} is missing", hint)


def _run_build(argv: Sequence[str], cwd: Path, log: Path, what: str, hint: str) -> CommandResult:
    result = run_host([paths.ENV, "-C", str(cwd), *argv], timeout=BUILD_TIMEOUT)
    output = f"{result.stdout}\n{result.stderr}"
    log.write_text(f"$ {' '.join(argv)}\n{output}", encoding="utf-8")
    if not result.ok:
        raise DualrootError(f"{what} failed (exit code {result.rc}): {build_failure_reason(output)}",
                            f"{hint}; the whole output is in {log}")
    return result


def build_deb(repo_root: Path, out_dir: Path) -> Path:
    """Build dualroot_VERSION_all.deb from the tree with `dpkg-buildpackage -us -uc -b`; its path in out_dir.

    The build log is kept next to it as dualroot-deb-build.log.
    """
    repo_root = repo_root.resolve()
    _require(paths.DPKG_BUILDPACKAGE, DEB_TOOLS_HINT)
    version = read_versions(repo_root).debian
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dualroot-deb-") as scratch:
        # dpkg-buildpackage writes its results into the parent of the source directory.
        tree = copy_tree(repo_root, Path(scratch) / f"{PACKAGE}-{version}")
        _run_build([paths.DPKG_BUILDPACKAGE, "-us", "-uc", "-b"], tree, out_dir / "dualroot-deb-build.log",
                   "dpkg-buildpackage", f"unmet build dependencies? {DEB_TOOLS_HINT}")
        built = sorted(Path(scratch).glob(f"{PACKAGE}_{version}_*.deb"))
        if len(built) != 1:
            raise DualrootError(f"dpkg-buildpackage produced {len(built)} packages named "
                                f"{PACKAGE}_{version}_*.deb, expected one",
                                f"look at {out_dir / 'dualroot-deb-build.log'}")
        target = out_dir / built[0].name
        shutil.move(str(built[0]), target)
    return target


def source_tarball(repo_root: Path, out_dir: Path) -> Path:
    """dualroot-VERSION.tar.gz (top directory dualroot-VERSION/), what `git archive` gives for a commit,
    but of the work tree; the spec's Source0."""
    repo_root = repo_root.resolve()
    version = read_versions(repo_root).rpm
    prefix = f"{PACKAGE}-{version}"
    target = out_dir / f"{prefix}.tar.gz"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        for relative in source_files(repo_root):
            tar.add(repo_root / relative, arcname=f"{prefix}/{relative}", recursive=False)
    return target


def build_rpm(repo_root: Path, out_dir: Path, nodeps: bool = True) -> Path:
    """Build the noarch RPM with `rpmbuild -bb dualroot.spec`; its path in out_dir.

    This is the CI build on a Debian host (on an RPM distribution, run rpmbuild yourself): `nodeps` skips
    the BuildRequires check, which Debian's empty RPM database cannot satisfy, and the distribution's
    post-install scripts are left out: Debian's rpm runs them under dash, where brp-compress fails
    ("read: Illegal option -d") and brp-strip scans every file for ELF binaries a noarch package lacks.
    """
    repo_root = repo_root.resolve()
    _require(paths.RPMBUILD, RPM_TOOLS_HINT)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dualroot-rpm-") as scratch:
        top = Path(scratch)
        sources = top / "SOURCES"
        source_tarball(repo_root, sources)
        argv = [paths.RPMBUILD, "-bb", *(["--nodeps"] if nodeps else []), "--define", f"_topdir {top}",
                "--define", "__os_install_post %{nil}", str(repo_root / "dualroot.spec")]
        _run_build(argv, top, out_dir / "dualroot-rpm-build.log", "rpmbuild", "see which section failed")
        built = sorted((top / "RPMS").glob(f"*/{PACKAGE}-*.rpm"))
        if len(built) != 1:
            raise DualrootError(f"rpmbuild produced {len(built)} packages, expected one",
                                f"look at {out_dir / 'dualroot-rpm-build.log'}")
        target = out_dir / built[0].name
        shutil.move(str(built[0]), target)
    return target
