# OCFS2 for cluster dualroot; rendered by `dualroot cib render --format mkfs`
# Run it once, on one node, with DRBD r0 Primary there (drbdadm primary r0)
# and ocf:dualroot:o2cb (or dlm_controld) running. It erases /dev/drbd0.
# -N 2: one journal slot per node that mounts the volume (tunefs.ocfs2 -N adds more later).
# -b 4096 -C 4096: 4 KiB blocks and clusters, so a small file takes one cluster.
# --fs-feature-level=default, mkfs.ocfs2's own: sparse files, unwritten extents, inline data,
#   xattrs, indexed directories, reflinks. max-features adds metaecc (a CRC32 and an ECC code
#   over every metadata block written) and user and group quotas (an update in every create);
#   with them the lab created 10,000 small files 1.19x slower and read them as fast
#   (bench/results/ocfs2_features.json). Set mount.feature_level = "max-features" for both.
# -U: the UUID from the config (mount.uuid); it names the volume's DLM lockspace in dlm.conf.
/sbin/mkfs.ocfs2 --cluster-stack=pcmk --cluster-name=dualroot -N 2 -b 4096 -C 4096 --fs-feature-level=default -L dualroot -U 592d4eff-9b34-4400-923a-1583f6f812ac /dev/drbd0
