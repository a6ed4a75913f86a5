#!/bin/bash
# Provision one dualroot lab node. Shared by both providers, so the nodes are the same either way:
#  - the QEMU image builder runs it in a chroot of the mmdebstrap tree (packages already there);
#  - vagrant/Vagrantfile runs it inside each VM (it installs packages.txt with apt first).
# Usage: provision.sh DIR   (DIR holds this script, packages.txt and files/)
set -euo pipefail
src=$1
if [ "${DUALROOT_INSTALL_PACKAGES:-no}" = yes ]; then
  apt-get update -q
  grep -v '^#' "$src/packages.txt" | DEBIAN_FRONTEND=noninteractive xargs apt-get install -y -q --no-install-recommends
fi
cp -a "$src/files/." /
chmod 755 /usr/sbin/fence_vmlab
echo root:dualroot | chpasswd                      # console login, for when ssh is not enough
rm -f /etc/hostname                                # the name comes from the provider (kernel cmdline / Vagrant)
# The cluster starts only once `dualroot lab up` has written corosync.conf; Pacemaker owns DRBD, DLM and
# OCFS2, so their own boot-time units stay off. Timers that would compete for the one vCPU stay off too.
systemctl enable systemd-networkd ssh >/dev/null 2>&1 || true
systemctl disable corosync pacemaker pcsd pcsd-ruby drbd dlm ocfs2 o2cb nginx \
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer \
  dpkg-db-backup.timer >/dev/null 2>&1 || true
mkdir -p /srv/ocfs2
