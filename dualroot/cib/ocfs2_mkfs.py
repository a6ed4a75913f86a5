"""The mkfs.ocfs2 command for the shared volume, rendered from the cluster config.

Making the filesystem is a one-off, destructive step, so dualroot prints it rather than runs it; the lab's
deploy runs the same argv. Every choice in it is deliberate and explained in the rendered comments.
"""

from __future__ import annotations

import shlex

from dualroot import paths
from dualroot.cib.config import ClusterConfig, FeatureLevel, Stack

# 4 KiB blocks and clusters: a web root's small files then take one data cluster each, and OCFS2 keeps
# a file of up to ~3.8 KiB inside its inode block (inline-data, part of every feature level).
BLOCK_SIZE = 4096
CLUSTER_SIZE = 4096


def volume_slots(cfg: ClusterConfig) -> int:
    """The volume's node slots: the config's `mount.slots`, or else one per node."""
    return cfg.mount.slots or len(cfg.nodes)


def mkfs_argv(cfg: ClusterConfig) -> list[str]:
    """mkfs.ocfs2's arguments for the config's volume: its stack and cluster, its slots, the chosen
    feature level, the cluster's name as the label."""
    stack = "pcmk" if cfg.stack is Stack.PCMK else "o2cb"
    return [
        paths.MKFS_OCFS2,
        f"--cluster-stack={stack}",
        f"--cluster-name={cfg.name}",
        "-N", str(volume_slots(cfg)),
        "-b", str(BLOCK_SIZE),
        "-C", str(CLUSTER_SIZE),
        f"--fs-feature-level={cfg.mount.feature_level.value}",
        "-L", cfg.name,
        *(["-U", cfg.mount.uuid] if cfg.mount.uuid is not None else []),
        cfg.mount.device,
    ]


def render_mkfs(cfg: ClusterConfig) -> str:
    """A commented shell line that makes the volume, for `dualroot cib render --format mkfs`."""
    where = (
        f"on one node, with DRBD {cfg.drbd.resource} Primary there (drbdadm primary {cfg.drbd.resource})"
        if cfg.drbd is not None else "on one node"
    )
    stack = ("ocf:dualroot:o2cb (or dlm_controld) running" if cfg.stack is Stack.PCMK
             else "the o2cb cluster online (ocf:dualroot:o2cb stack=o2cb)")
    slots = volume_slots(cfg)
    if cfg.mount.feature_level is FeatureLevel.DEFAULT:
        features = [
            "# --fs-feature-level=default, mkfs.ocfs2's own: sparse files, unwritten extents, inline data,",
            "#   xattrs, indexed directories, reflinks. max-features adds metaecc (a CRC32 and an ECC code",
            "#   over every metadata block written) and user and group quotas (an update in every create);",
            "#   with them the lab created 10,000 small files 1.19x slower and read them as fast",
            "#   (bench/results/ocfs2_features.json). Set mount.feature_level = \"max-features\" for both.",
        ]
    else:
        features = [f"# --fs-feature-level={cfg.mount.feature_level.value}: chosen in the config "
                    "(mount.feature_level)."]
    return "\n".join([
        f"# OCFS2 for cluster {cfg.name}; rendered by `dualroot cib render --format mkfs`",
        f"# Run it once, {where}",
        f"# and {stack}. It erases {cfg.mount.device}.",
        f"# -N {slots}: one journal slot per node that mounts the volume (tunefs.ocfs2 -N adds more later).",
        f"# -b {BLOCK_SIZE} -C {CLUSTER_SIZE}: 4 KiB blocks and clusters, so a small file takes one cluster.",
        *features,
        *(["# -U: the UUID from the config (mount.uuid); it names the volume's DLM lockspace in dlm.conf."]
          if cfg.mount.uuid is not None else []),
        shlex.join(mkfs_argv(cfg)),
    ]) + "\n"
