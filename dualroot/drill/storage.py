"""Where the drilled file system lives on the nodes: the DRBD resource, its device and the mount.

The lab's are fixed (dualroot.paths); a cluster drilled over ssh takes them from the dualroot config
it was rendered from, so every check of the drill looks at that cluster's own resource and mount.
"""

from __future__ import annotations

from dataclasses import dataclass

from dualroot import paths

DRILL_SUBDIR = "dualroot-drill"  # the writers' record files, one folder per run, under the mount


@dataclass(frozen=True)
class Storage:
    resource: str = "r0"
    minor: int = 0
    device: str = paths.GUEST_DRBD_DEVICE
    mount: str = paths.GUEST_OCFS2_MOUNT

    @property
    def drill_dir(self) -> str:
        return f"{self.mount.rstrip('/')}/{DRILL_SUBDIR}"


LAB_STORAGE = Storage()
