"""Every system path dualroot uses, in one place (tests and packaging override them here).

Plain strings, not pathlib: every agent run imports this module, and pathlib (with the re, fnmatch
and urllib it pulls in) was half of a monitor's time (bench/bench_drbd_agent.py). Host-side code
wraps what it needs in Path().
"""

# No `import os`: every agent action imports this module, and `os` (with the collections ABCs it loads)
# was a fifth of a monitor's imports (bench/bench_drbd_agent.py). posix.environ is the environment the
# process started with, as bytes.
from posix import environ as _environ

# --- OCF / Pacemaker ------------------------------------------------------------------------------
OCF_ROOT = "/usr/lib/ocf"
OCF_AGENT_DIR = OCF_ROOT + "/resource.d/dualroot"
OCF_1_1_RNG = "/usr/share/pcs/data/ocf-1.1.rng"
OCF_RA_API_DTD = "/usr/share/resource-agents/ra-api-1.dtd"
PACEMAKER_SCHEMA_DIR = "/usr/share/pacemaker"

RSCTMP = "/run/resource-agents"  # agents' own state files when Pacemaker gives no HA_RSCTMP

# --- Pacemaker tools ------------------------------------------------------------------------------
CRM_ATTRIBUTE = "/usr/sbin/crm_attribute"
CRM_MON = "/usr/sbin/crm_mon"
CIBADMIN = "/usr/sbin/cibadmin"
CRM_VERIFY = "/usr/sbin/crm_verify"
CRM_SIMULATE = "/usr/sbin/crm_simulate"
CRM_DIFF = "/usr/sbin/crm_diff"
CRM_RESOURCE = "/usr/sbin/crm_resource"
CRM_NODE = "/usr/sbin/crm_node"
CRM_MASTER = "/usr/sbin/crm_master"  # Pacemaker < 2.1 (feature set < 3.10.0) only
STONITH_ADMIN = "/usr/sbin/stonith_admin"
PCS = "/usr/sbin/pcs"
CRM = "/usr/sbin/crm"
OCF_TESTER = "/usr/sbin/ocf-tester"

# --- DRBD -----------------------------------------------------------------------------------------
DRBDADM = "/usr/sbin/drbdadm"
DRBDSETUP = "/usr/sbin/drbdsetup"
PROC_DRBD = "/proc/drbd"
DRBD_CONF = "/etc/drbd.conf"
DRBDADM_84 = "/usr/lib/drbd/drbdadm-84"  # what drbd-utils 9's drbdadm runs for an 8.4 kernel module
DRBD_LINBIT_AGENT = OCF_ROOT + "/resource.d/linbit/drbd"  # the shell agent, for bench/ comparisons

# --- OCFS2 / DLM ----------------------------------------------------------------------------------
DLM_CONTROLD = "/usr/sbin/dlm_controld"
DLM_TOOL = "/usr/sbin/dlm_tool"
DLM_STONITH = "/usr/sbin/dlm_stonith"
DLM_CONF = "/etc/dlm/dlm.conf"
MOUNT = "/bin/mount"
UMOUNT = "/bin/umount"
MODPROBE = "/sbin/modprobe"
PROC_MOUNTS = "/proc/mounts"
PROC = "/proc"
SYS_FS_OCFS2 = "/sys/fs/ocfs2"
CONFIGFS = "/sys/kernel/config"
DLM_TOSS_SECS = f"{CONFIGFS}/dlm/cluster/toss_secs"  # how long the DLM caches an unused lock resource
DLM_SPACES = f"{CONFIGFS}/dlm/cluster/spaces"  # per lockspace: nodes/<nodeid>/weight (the directory's share)
O2CB = "/usr/sbin/o2cb"
O2CLUSTER = "/usr/sbin/o2cluster"
COROSYNC_CMAPCTL = "/usr/sbin/corosync-cmapctl"
COROSYNC_CFGTOOL = "/usr/sbin/corosync-cfgtool"
OCFS2_CLUSTER_CONF = "/etc/ocfs2/cluster.conf"
SYS_KERNEL_DLM = "/sys/kernel/dlm"  # one directory per kernel DLM lockspace
SYS_MODULE = "/sys/module"
LIB_MODULES = "/lib/modules"
PROC_FILESYSTEMS = "/proc/filesystems"
OCFS2_STATUS_DIR = ".dualroot-status"  # monitor depth 20's per-node files, inside the mount
FILESYSTEM_AGENT = OCF_ROOT + "/resource.d/heartbeat/Filesystem"  # bench/ comparison
CONTROLD_AGENT = OCF_ROOT + "/resource.d/pacemaker/controld"  # bench/ comparison

# --- CIB rendering: what rendered configs point at (dualroot.cib) ----------------------------------
DUALROOT_FENCE_PEER = "/usr/lib/dualroot/dualroot-fence-peer"
DUALROOT_DLM_FENCE = "/usr/lib/dualroot/dualroot-dlm-fence"
LINBIT_CRM_FENCE_PEER_84 = "/usr/lib/drbd/crm-fence-peer.sh"
LINBIT_CRM_UNFENCE_PEER_84 = "/usr/lib/drbd/crm-unfence-peer.sh"
LINBIT_CRM_FENCE_PEER_9 = "/usr/lib/drbd/crm-fence-peer.9.sh"
LINBIT_CRM_UNFENCE_PEER_9 = "/usr/lib/drbd/crm-unfence-peer.9.sh"
MKFS_OCFS2 = "/sbin/mkfs.ocfs2"  # `dualroot cib render --format mkfs` and the lab's deploy
TUNEFS_OCFS2 = "/sbin/tunefs.ocfs2"  # reads a volume's features back (tests, bench/)

# --- the lab (host side) --------------------------------------------------------------------------
# DUALROOT_LAB_HOME moves the lab (a second lab, or tests that need an empty one)
LAB_HOME = _environ.get(b"DUALROOT_LAB_HOME", b"/var/tmp/dualroot-lab").decode("utf-8", "surrogateescape")
QEMU_SYSTEM = "/usr/bin/qemu-system-x86_64"
QEMU_IMG = "/usr/bin/qemu-img"
MMDEBSTRAP = "/usr/bin/mmdebstrap"
MKFS_EXT4 = "/sbin/mkfs.ext4"
SSH = "/usr/bin/ssh"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
SCP = "/usr/bin/scp"

# --- drills (paths inside the lab guests) ---------------------------------------------------------
GUEST_OCFS2_MOUNT = "/srv/ocfs2"
GUEST_DRBD_DEVICE = "/dev/drbd0"
GUEST_WRITER_SCRIPT = "/root/dualroot-drill-records.py"  # dualroot/drill/records.py, copied in
GUEST_PYTHON = "/usr/bin/python3"
GUEST_FSCK_OCFS2 = "/sbin/fsck.ocfs2"
GUEST_CRM_RESOURCE = "/usr/sbin/crm_resource"
GUEST_DMESG = "/bin/dmesg"
GUEST_TIMEOUT = "/usr/bin/timeout"
GUEST_BOOT_ID = "/proc/sys/kernel/random/boot_id"
GUEST_KILL = "/bin/kill"
GUEST_PIDOF = "/bin/pidof"
GUEST_CRM_ATTRIBUTE = "/usr/sbin/crm_attribute"
GUEST_CAT = "/bin/cat"
GUEST_SYSTEMCTL = "/bin/systemctl"
GUEST_DD = "/bin/dd"
GUEST_RM = "/bin/rm"
GUEST_BASE64 = "/usr/bin/base64"
# clusters drilled over ssh (dualroot.drill.ssh_cluster): link cuts in the node, a crash through sysrq
GUEST_IP = "/sbin/ip"
DRILL_SSH_CONTROL_DIR = f"{LAB_HOME}/ssh-control"  # shared ssh connections to drilled nodes
GUEST_SYSRQ_ENABLE = "/proc/sys/kernel/sysrq"
GUEST_SYSRQ_TRIGGER = "/proc/sysrq-trigger"
GUEST_FENCE_AGENT = "/usr/sbin/fence_vmlab"  # the lab's fence agent (dualroot/lab/provision/files)

# --- packaging (dualroot.packaging: the .deb and the .rpm, built on this host) -----------------------
GIT = "/usr/bin/git"
ENV = "/usr/bin/env"  # `env -C DIR`: the one runner has no cwd, and dpkg-buildpackage builds in its cwd
DPKG_BUILDPACKAGE = "/usr/bin/dpkg-buildpackage"
DPKG_DEB = "/usr/bin/dpkg-deb"
LINTIAN = "/usr/bin/lintian"
RPMBUILD = "/usr/bin/rpmbuild"
RPM = "/usr/bin/rpm"
RPMSPEC = "/usr/bin/rpmspec"
RPM2ARCHIVE = "/usr/bin/rpm2archive"  # package rpm2cpio (a dependency of rpm)
GROFF = "/usr/bin/groff"  # packaging tests render the packaged man pages with warnings on
