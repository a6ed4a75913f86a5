"""/proc/mounts parsing: octal escapes, stacked mounts, parents and submounts."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dualroot.ocfs2.proc_mounts import find_mount, is_under, parse_proc_mounts, submounts, unescape

pytestmark = pytest.mark.unit

MOUNTS = (
    "/dev/vda / ext4 rw,relatime 0 0\n"
    "proc /proc proc rw,relatime 0 0\n"
    "/dev/drbd0 /srv/ocfs2 ocfs2 rw,noatime,heartbeat=none,cluster_stack=pcmk,coherency=full 0 0\n"
    "/dev/sdb1 /srv/my\\040share ocfs2 rw,cluster_stack=o2cb 0 0\n"
    "tmpfs /srv/ocfs2/scratch tmpfs rw 0 0\n"
    "tmpfs /srv/ocfs2/scratch/deeper tmpfs rw 0 0\n"
    "/dev/drbd1 /srv/ocfs2 ocfs2 rw 0 0\n"
    "garbage\n"
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("/srv/my\\040share", "/srv/my share"),
        ("tab\\011and\\012newline", "tab\tand\nnewline"),
        ("back\\134slash", "back\\slash"),
        ("plain", "plain"),
        ("\\04", "\\04"),  # not three octal digits: left alone
    ],
)
def test_unescape(raw: str, text: str) -> None:
    assert unescape(raw) == text


@given(st.text(alphabet="\\0123478a ", max_size=30))
def test_unescape_as_the_pattern_did(field: str) -> None:
    """unescape uses string methods (no `re` on the monitor path); it must do what the regular
    expression it replaced did, on any mix of backslashes and (octal and other) digits."""
    assert unescape(field) == re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def test_parse_fields_and_options() -> None:
    entries = parse_proc_mounts(MOUNTS)
    assert len(entries) == 7  # the malformed line is skipped
    drbd = entries[2]
    assert (drbd.device, drbd.directory, drbd.fstype) == ("/dev/drbd0", "/srv/ocfs2", "ocfs2")
    assert drbd.option("cluster_stack") == "pcmk"
    assert drbd.option("noatime") == ""
    assert drbd.option("missing") is None
    assert entries[3].directory == "/srv/my share"


def test_find_mount_takes_the_last_stacked_entry_and_normalizes() -> None:
    entries = parse_proc_mounts(MOUNTS)
    found = find_mount(entries, "/srv/ocfs2/")
    assert found is not None and found.device == "/dev/drbd1"
    assert find_mount(entries, "/srv/my share") is not None
    assert find_mount(entries, "/srv/none") is None


@pytest.mark.parametrize(
    ("path", "directory", "inside"),
    [
        ("/srv/ocfs2", "/srv/ocfs2", True),
        ("/srv/ocfs2/a/b", "/srv/ocfs2", True),
        ("/srv/ocfs2-other/file", "/srv/ocfs2", False),  # a sibling with the same prefix
        ("/srv", "/srv/ocfs2", False),  # a parent is never inside
        ("socket:[123]", "/srv/ocfs2", False),
        ("/anything", "/", True),
    ],
)
def test_is_under(path: str, directory: str, inside: bool) -> None:
    assert is_under(path, directory) is inside


def test_submounts_deepest_first() -> None:
    subs = submounts(parse_proc_mounts(MOUNTS), "/srv/ocfs2")
    assert [s.directory for s in subs] == ["/srv/ocfs2/scratch/deeper", "/srv/ocfs2/scratch"]
