"""Finding the holders of one mount in a fake /proc tree (symlinks, maps), and only of that mount."""

import os
from pathlib import Path

import pytest

from dualroot.ocfs2.holders import find_holders

pytestmark = pytest.mark.unit


def fake_process(
    proc: Path,
    pid: int,
    comm: str,
    *,
    cwd: str = "/",
    root: str = "/",
    fds: dict[int, str] | None = None,
    maps: list[str] | None = None,
) -> None:
    d = proc / str(pid)
    (d / "fd").mkdir(parents=True)
    (d / "comm").write_text(comm + "\n")
    os.symlink(cwd, d / "cwd")
    os.symlink(root, d / "root")
    for fd, target in (fds or {}).items():
        os.symlink(target, d / "fd" / str(fd))
    lines = [
        f"7f00{i:04x}000-7f00{i:04x}fff r-xp 00000000 fd:00 {1000 + i}  {p}" for i, p in enumerate(maps or [])
    ]
    (d / "maps").write_text("\n".join(lines) + "\n")


@pytest.fixture
def proc(tmp_path: Path) -> Path:
    root = tmp_path / "proc"
    root.mkdir()
    fake_process(root, 1, "init")
    fake_process(root, 100, "bash", cwd="/srv/ocfs2/work")
    fake_process(root, 101, "chrooted", root="/srv/ocfs2/jail", cwd="/srv/ocfs2/jail")
    fake_process(root, 102, "writer", fds={0: "/dev/null", 1: "pipe:[4]", 3: "/srv/ocfs2/log (deleted)"})
    fake_process(root, 103, "qemu", maps=["/usr/lib/libc.so.6", "/srv/ocfs2/images/vm 1.raw"])
    fake_process(root, 200, "sibling", cwd="/srv/ocfs2-other", fds={3: "/srv/ocfs2-other/f"})
    fake_process(root, 201, "parent", cwd="/srv")
    fake_process(root, 202, "submount", cwd="/srv/ocfs2/scratch/x", fds={4: "/srv/ocfs2/scratch/y"})
    fake_process(root, 300, "agent", cwd="/srv/ocfs2")
    (root / "self").mkdir()  # not a pid
    (root / "999").mkdir()  # vanished mid-walk: nothing readable
    return root


def test_holders_of_one_mount_only(proc: Path) -> None:
    holders = find_holders("/srv/ocfs2", proc, excluded=("/srv/ocfs2/scratch",), own_pid=300)
    assert [(h.pid, h.comm, h.uses) for h in holders] == [
        (100, "bash", ("cwd",)),
        (101, "chrooted", ("cwd", "root")),
        (102, "writer", ("fd 3",)),
        (103, "qemu", ("maps",)),
    ]
    assert holders[1].describe() == "chrooted[101] (cwd, root)"


def test_submount_users_count_when_not_excluded(proc: Path) -> None:
    pids = [h.pid for h in find_holders("/srv/ocfs2", proc)]
    assert 202 in pids and 300 in pids


def test_no_holders_for_an_unused_directory(proc: Path) -> None:
    assert find_holders("/mnt/empty", proc) == []


def test_missing_proc_root_gives_nothing(tmp_path: Path) -> None:
    assert find_holders("/srv/ocfs2", tmp_path / "absent") == []


def test_real_proc_finds_this_test_process(tmp_path: Path) -> None:
    inside = tmp_path / "mnt"
    inside.mkdir()
    with open(inside / "held", "w") as handle:
        holders = find_holders(str(inside), Path("/proc"))
        mine = [h for h in holders if h.pid == os.getpid()]
        assert mine and any(use.startswith("fd ") for use in mine[0].uses)
        handle.write("x")


def test_has_exited(tmp_path: Path) -> None:
    from dualroot.ocfs2.holders import has_exited

    assert not has_exited(Path("/proc"), os.getpid())
    assert has_exited(tmp_path, 12345)  # no such entry
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "stat").write_bytes(b"7 (a) b) Z 1 7 7 0")  # a comm with ") " in it, a zombie
    assert has_exited(tmp_path, 7)
    (tmp_path / "7" / "stat").write_bytes(b"7 (sleep) S 1 7 7 0")
    assert not has_exited(tmp_path, 7)
