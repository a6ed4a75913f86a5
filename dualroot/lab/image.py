"""Building the lab's guest image: Debian 12 with every package the nodes need, cached by its inputs.

Two cache levels, so that editing the provisioning does not download Debian again:
  rootfs-<packages key>.tar   mmdebstrap's output for the package list (the slow, network part)
  image-<image key>/          base.img (ext4, packed with `mkfs.ext4 -d`, no loop mount), vmlinuz,
                              initrd.img; the key adds the provisioning tree and the lab's ssh key
Guests boot the kernel directly (-kernel/-initrd) from a qcow2 overlay on base.img.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dualroot import paths
from dualroot.command import run_host
from dualroot.errors import DualrootError
from dualroot.lab.layout import LabLayout
from dualroot.lab.topology import NODES, ROOT_IMAGE_SIZE, Link

PROVISION_DIR = Path(__file__).parent / "provision"
SUITE = "bookworm"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Image:
    key: str
    directory: Path

    @property
    def base(self) -> Path:
        return self.directory / "base.img"

    @property
    def kernel(self) -> Path:
        return self.directory / "vmlinuz"

    @property
    def initrd(self) -> Path:
        return self.directory / "initrd.img"

    def exists(self) -> bool:
        return self.base.is_file() and self.kernel.is_file() and self.initrd.is_file()


def guest_packages() -> list[str]:
    text = (PROVISION_DIR / "packages.txt").read_text()
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def packages_key() -> str:
    return hashlib.sha256(f"{SUITE}\n{chr(10).join(sorted(guest_packages()))}".encode()).hexdigest()[:12]


def networkd_files() -> dict[str, str]:
    """systemd-networkd files that name each link by its MAC (QEMU provider only; Vagrant sets its own)."""
    files = {
        "10-ssh.network": "# host -> guest ssh only (restrict=on user netdev, no gateway)\n"
                          "[Match]\nMACAddress=" + " ".join(n.mac(0) for n in NODES)
                          + "\n[Network]\nAddress=10.0.2.15/24\n",
    }
    for node in NODES:
        for nic, link in ((1, Link.CLUSTER), (2, Link.REPLICATION)):
            address = node.cluster_address if link is Link.CLUSTER else node.replication_address
            files[f"{20 + nic * 10}-{link.value}-{node.name}.network"] = (
                f"# {link.value} link of {node.name} (QEMU UDP socket netdev on the host's 127.0.0.1)\n"
                f"[Match]\nMACAddress={node.mac(nic)}\n[Network]\nAddress={address}/24\n"
            )
    return files


def image_key(layout: LabLayout) -> str:
    digest = hashlib.sha256(packages_key().encode())
    for path in sorted(PROVISION_DIR.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(PROVISION_DIR)).encode())
            digest.update(path.read_bytes())
    for name, text in sorted(networkd_files().items()):
        digest.update(name.encode() + text.encode())
    digest.update(ssh_public_key(layout).encode())
    return digest.hexdigest()[:12]


def ssh_public_key(layout: LabLayout) -> str:
    """The lab's own key pair, made once; baked into the image, so it is part of the image key."""
    key = layout.ssh_key
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        run_host([paths.SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "dualroot-lab",
                  "-f", str(key)]).check()
    return key.with_suffix(".pub").read_text().strip()


def current_image(layout: LabLayout) -> Image:
    key = image_key(layout)
    return Image(key, layout.cache / f"image-{key}")


def build_image(layout: LabLayout, progress: Progress) -> Image:
    """Return the image for the current inputs, building what is missing. Shows progress."""
    image = current_image(layout)
    if image.exists():
        progress(f"image {image.key}: cached ({image.directory})")
        return image
    layout.cache.mkdir(parents=True, exist_ok=True)
    rootfs = build_rootfs(layout, progress)
    progress(f"image {image.key}: provisioning and packing")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=layout.cache, prefix="tree-") as tmp:
        tree = Path(tmp) / "root"
        tree.mkdir()
        run_host(["tar", "--numeric-owner", "-xpf", str(rootfs), "-C", str(tree)], timeout=300).check()
        provision_tree(tree, ssh_public_key(layout))
        staging = layout.cache / f"image-{image.key}.part"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        shutil.copy(_one(tree / "boot", "vmlinuz-*"), staging / "vmlinuz")
        shutil.copy(_one(tree / "boot", "initrd.img-*"), staging / "initrd.img")
        run_host([paths.MKFS_EXT4, "-q", "-L", "dualroot", "-d", str(tree), str(staging / "base.img"),
                  ROOT_IMAGE_SIZE], timeout=600).check()
        staging.rename(image.directory)
    progress(f"image {image.key}: packed in {time.monotonic() - started:.1f} s")
    return image


def build_rootfs(layout: LabLayout, progress: Progress) -> Path:
    key = packages_key()
    tarball = layout.cache / f"rootfs-{key}.tar"
    if tarball.is_file():
        progress(f"rootfs {key}: cached")
        return tarball
    partial = tarball.with_suffix(".tar.part")
    partial.unlink(missing_ok=True)
    progress(f"rootfs {key}: mmdebstrap {SUITE} with {len(guest_packages())} packages (about 70-120 s)")
    started = time.monotonic()
    argv = [paths.MMDEBSTRAP, "--format=tar", "--variant=apt",
            "--include=" + ",".join(guest_packages()), SUITE, str(partial)]
    # mmdebstrap reports its phases as "I: ..." lines on stderr: pass them on as progress.
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}) as proc:
        assert proc.stderr is not None
        tail: list[str] = []
        for line in proc.stderr:
            tail = (tail + [line.rstrip()])[-10:]
            if line.startswith("I: "):
                progress(f"rootfs {key}: {time.monotonic() - started:5.1f} s {line[3:].strip()}")
        rc = proc.wait()
    if rc != 0:
        partial.unlink(missing_ok=True)
        raise DualrootError(f"mmdebstrap failed (exit {rc}): {' | '.join(tail[-3:])}",
                            "check that the Debian mirror is reachable, then run `dualroot lab up` again")
    partial.rename(tarball)
    progress(f"rootfs {key}: built in {time.monotonic() - started:.1f} s")
    return tarball


def provision_tree(tree: Path, public_key: str) -> None:
    """Apply the shared provisioning to an unpacked root tree, plus what only the QEMU provider needs."""
    staged = tree / "root" / "dualroot-provision"
    shutil.copytree(PROVISION_DIR, staged)
    run_host(["chroot", str(tree), "/bin/bash", "/root/dualroot-provision/provision.sh",
              "/root/dualroot-provision"], timeout=300).check()
    shutil.rmtree(staged)
    network = tree / "etc" / "systemd" / "network"
    network.mkdir(parents=True, exist_ok=True)
    for name, text in networkd_files().items():
        (network / name).write_text(text)
    ssh_dir = tree / "root" / ".ssh"
    ssh_dir.mkdir(mode=0o700, exist_ok=True)
    (ssh_dir / "authorized_keys").write_text(public_key + "\n")
    (ssh_dir / "authorized_keys").chmod(0o600)


def _one(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    if not found:
        raise DualrootError(f"no {pattern} in {directory}: the image has no kernel",
                            "make sure linux-image-amd64 is in the lab's packages.txt")
    return found[-1]
