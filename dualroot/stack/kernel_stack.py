"""Which OCFS2 cluster stack the kernel runs (sysfs) and which one a volume is stamped with (o2cluster)."""

from __future__ import annotations

from dualroot.ocf.named_values import NamedStr
from dualroot.ocf.record import Record

TYPE_CHECKING = False  # not `typing`, and no `enum` or `pathlib`: every o2cb monitor imports this
if TYPE_CHECKING:
    from pathlib import Path
    from typing import ClassVar

_MODULES = {"pcmk": "ocfs2_stack_user", "o2cb": "ocfs2_stack_o2cb"}


class StackName(NamedStr):
    """A stack's name as /sys/fs/ocfs2/cluster_stack and `o2cluster` spell it (used like an Enum)."""

    PCMK: ClassVar[StackName]  # the user stack (ocfs2_stack_user) with dlm_controld
    O2CB: ClassVar[StackName]  # the classic in-kernel stack (ocfs2_stack_o2cb, o2net/o2hb)

    @property
    def module(self) -> str:
        return _MODULES[self.value]


StackName.define(PCMK="pcmk", O2CB="o2cb")


class KernelStack(Record):
    """/sys/fs/ocfs2: the selected stack and the loaded plugins ("user", "o2cb")."""

    cluster_stack: str | None
    loaded_plugins: tuple[str, ...]


def read_kernel_stack(sys_fs_ocfs2: Path) -> KernelStack | None:
    """None when the ocfs2 stack glue is not loaded (the directory is missing)."""
    if not sys_fs_ocfs2.is_dir():
        return None

    def read(name: str) -> str | None:
        try:
            return (sys_fs_ocfs2 / name).read_text().strip()
        except OSError:
            return None

    plugins = read("loaded_cluster_plugins") or ""
    return KernelStack(cluster_stack=read("cluster_stack"), loaded_plugins=tuple(plugins.split()))


class DiskStack(Record):
    """The stack stamped in a volume's superblock (`o2cluster -o`): `pcmk,vmlab,none`."""

    stack: str
    cluster: str
    flags: str

    def as_argument(self) -> str:
        return f"{self.stack},{self.cluster},{self.flags}"


def parse_o2cluster(text: str) -> DiskStack:
    """Parse the one-line answer of `o2cluster -o DEVICE` (also `-r`); ValueError otherwise."""
    line = text.strip().splitlines()[-1].strip() if text.strip() else ""
    parts = line.split(",")
    if len(parts) != 3 or not all(parts[:1]):
        raise ValueError(f"unexpected o2cluster output {line!r}")
    return DiskStack(stack=parts[0], cluster=parts[1], flags=parts[2])
