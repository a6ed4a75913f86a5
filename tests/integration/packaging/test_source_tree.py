"""What the packages are built from: versions that agree, the file selection (tracked and new files in,
ignored files and hidden tool state out), and a failing build reported as one DualrootError with a hint."""

import configparser
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from dualroot import __version__
from dualroot.errors import DualrootError
from dualroot.packaging import (
    build_deb,
    build_failure_reason,
    read_versions,
    source_files,
    source_tarball,
)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo)})


def test_debian_rpm_python_and_setup_cfg_versions_agree():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    versions = read_versions(REPO)
    assert versions.debian == versions.rpm == __version__ == cfg["metadata"]["version"]


def test_source_selection_keeps_work_in_progress_and_drops_junk(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".gitignore").write_text("__pycache__/\n")
    for name in ("kept.py", "edited.py", "deleted.py"):
        (repo / name).write_text("x = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "edited.py").write_text("x = 2\n")
    (repo / "deleted.py").unlink()
    (repo / "pkg").mkdir()
    (repo / "pkg" / "new.py").write_text("")  # not committed yet: still part of the package
    (repo / "pkg" / "__pycache__").mkdir()
    (repo / "pkg" / "__pycache__" / "new.pyc").write_text("")  # ignored
    (repo / "vagrant" / ".vagrant" / "machines").mkdir(parents=True)
    (repo / "vagrant" / ".vagrant" / "machines" / "id").write_text("")  # untracked tool state
    # what an in-tree dpkg-buildpackage leaves behind stays out (debian/.gitignore)
    (repo / "debian" / "dualroot" / "usr").mkdir(parents=True)
    shutil.copy(REPO / "debian" / ".gitignore", repo / "debian" / ".gitignore")
    for leftover in ("dualroot/usr/x", "files", "dualroot.substvars", "debhelper-build-stamp"):
        (repo / "debian" / leftover).write_text("")
    assert source_files(repo) == [".gitignore", "debian/.gitignore", "edited.py", "kept.py", "pkg/new.py"]


def test_the_tarball_is_the_selection_under_one_top_directory(tmp_path):
    tarball = source_tarball(REPO, tmp_path)
    assert tarball.name == f"dualroot-{__version__}.tar.gz"
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    assert sorted(n.removeprefix(f"dualroot-{__version__}/") for n in names) == source_files(REPO)
    top = f"dualroot-{__version__}"
    assert f"{top}/dualroot.spec" in names and f"{top}/debian/rules" in names


def test_a_failing_build_is_one_error_with_the_log(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(REPO / "debian", tree / "debian")
    shutil.copy(REPO / "dualroot.spec", tree)
    # no Makefile and no package: `make install` fails inside dh_auto_install (and no git: the walk fallback)
    with pytest.raises(DualrootError) as caught:
        build_deb(tree, tmp_path / "out")
    log = tmp_path / "out" / "dualroot-deb-build.log"
    assert "dpkg-buildpackage failed" in caught.value.message and str(log) in caught.value.hint
    assert "dh_auto_install" in log.read_text()


def test_a_tree_without_packaging_metadata_is_refused(tmp_path):
    with pytest.raises(DualrootError) as caught:
        build_deb(tmp_path, tmp_path / "out")
    assert "debian/changelog" in str(caught.value) or "packaging metadata" in str(caught.value)


@pytest.mark.parametrize(("output", "reason"), [
    ("dpkg-checkbuilddeps: error: Unmet build dependencies: dh-python\n"
     "dpkg-buildpackage: warning: build dependencies/conflicts unsatisfied; aborting\n"
     "dpkg-buildpackage: warning: (Use -d flag to override.)\n",
     "dpkg-checkbuilddeps: error: Unmet build dependencies: dh-python"),
    ("+ make install\nerror: Bad exit status from /var/tmp/rpm-tmp.x (%install)\n   \n",
     "error: Bad exit status from /var/tmp/rpm-tmp.x (%install)"),
    ("first\nlast line\n\n", "last line"),
    ("", "no output"),
])
def test_the_reason_a_build_failed(output, reason):
    assert build_failure_reason(output) == reason
