"""The built-in QEMU provider: one daemonized QEMU per node, its disks, links, fence port and QMP.

Accelerator choice (`--accel auto`): KVM only where the CPU flags show vmx or svm and a guest kernel then
speaks on the serial console within a bound; TCG otherwise. On this project's machines /dev/kvm exists
but is backed by kvm_pvm (no vmx/svm), and a stock Debian kernel hangs under it (RECIPE.md section 1).
"""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path

from dualroot import paths
from dualroot.command import run_host
from dualroot.errors import DualrootError
from dualroot.lab.fence_service import power_cut, qemu_pid
from dualroot.lab.image import Image
from dualroot.lab.layout import LabLayout
from dualroot.lab.topology import (
    DRBD_DISK_MIB,
    GUEST_MEMORY_MIB,
    GUEST_VCPUS,
    SPARE_DISK_MIB,
    Link,
    NodeSpec,
    peer_of,
)

KVM_PROBE_SECONDS = 25.0  # a kernel under working KVM prints "Linux version" within a few seconds


class Accel(Enum):
    AUTO = "auto"
    KVM = "kvm"
    TCG = "tcg"


def cpu_has_hw_virt(cpuinfo: str) -> bool:
    """True when /proc/cpuinfo's flags show Intel VT-x (vmx) or AMD-V (svm)."""
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return bool(flags & {"vmx", "svm"})
    return False


def accel_args(accel: Accel) -> list[str]:
    if accel is Accel.KVM:
        # plain `-cpu host` aborts under nested KVM: "failed to set MSR 0x10a" (IA32_ARCH_CAPABILITIES)
        return ["-accel", "kvm", "-cpu", "host,-arch-capabilities"]
    return ["-accel", "tcg,thread=multi", "-cpu", "max"]


def qemu_argv(layout: LabLayout, image: Image, node: NodeSpec, accel: Accel) -> list[str]:
    peer = peer_of(node)
    name = node.name
    argv = [paths.QEMU_SYSTEM, "-name", name, *accel_args(accel), "-machine", "q35", "-smp", str(GUEST_VCPUS),
            "-m", str(GUEST_MEMORY_MIB), "-display", "none", "-nodefaults", "-daemonize",
            "-pidfile", str(layout.pidfile(name)),
            "-kernel", str(image.kernel), "-initrd", str(image.initrd),
            "-append", f"root=/dev/vda rw console=ttyS0 systemd.hostname={name} net.ifnames=0",
            # cache=unsafe on the throw-away root overlay only; the DRBD and spare disks keep flushes
            "-drive", f"file={layout.disk(name, 'root')},if=virtio,format=qcow2,cache=unsafe",
            "-drive", f"file={layout.disk(name, 'drbd')},if=virtio,format=raw,cache=writeback",
            "-drive", f"file={layout.disk(name, 'spare')},if=virtio,format=raw,cache=writeback",
            # the only host-to-guest path: ssh forwarded on 127.0.0.1, no outside access (restrict=on)
            "-netdev", f"user,id=ssh,restrict=on,hostfwd=tcp:127.0.0.1:{node.ssh_port}-:22",
            "-device", f"virtio-net-pci,netdev=ssh,mac={node.mac(0)}"]
    for nic, link in ((1, Link.CLUSTER), (2, Link.REPLICATION)):
        argv += ["-netdev", f"socket,id={link.netdev_id},udp=127.0.0.1:{peer.udp_port(link)},"
                            f"localaddr=127.0.0.1:{node.udp_port(link)}",
                 "-device", f"virtio-net-pci,netdev={link.netdev_id},mac={node.mac(nic)}"]
    argv += ["-device", "virtio-rng-pci",
             "-chardev", f"socket,id=fence,path={layout.fence_socket(name)},reconnect=1",
             "-device", "virtio-serial-pci",
             "-device", "virtserialport,chardev=fence,name=dualroot.fence",
             "-qmp", f"unix:{layout.qmp_socket(name)},server=on,wait=off",
             "-chardev", f"file,id=console,path={layout.console(name)}", "-serial", "chardev:console"]
    return argv


def create_disks(layout: LabLayout, image: Image, node: NodeSpec) -> None:
    """Fresh disks unless they exist (a restarted node keeps its data)."""
    name = node.name
    if not layout.disk(name, "root").exists():
        run_host([paths.QEMU_IMG, "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(image.base),
                  str(layout.disk(name, "root"))]).check()
    for role, mib in (("drbd", DRBD_DISK_MIB), ("spare", SPARE_DISK_MIB)):
        if not layout.disk(name, role).exists():
            run_host([paths.QEMU_IMG, "create", "-q", "-f", "raw", str(layout.disk(name, role)),
                      f"{mib}M"]).check()


def start_node(layout: LabLayout, image: Image, node: NodeSpec, accel: Accel) -> None:
    if qemu_pid(layout, node.name):
        return
    create_disks(layout, image, node)
    layout.console(node.name).unlink(missing_ok=True)
    layout.pidfile(node.name).unlink(missing_ok=True)
    result = run_host(qemu_argv(layout, image, node, accel), timeout=60)
    if not result.ok:
        raise DualrootError(f"QEMU for {node.name} did not start: {result.stderr.strip()}",
                            "see `dualroot lab status`; `dualroot lab down` stops what the lab started")


def kill_node(layout: LabLayout, node: NodeSpec) -> float:
    """SIGKILL the node's QEMU (a hard crash); returns the host time of the kill."""
    pid = qemu_pid(layout, node.name)
    now = time.time()
    if pid is not None:
        power_cut(pid)
    layout.pidfile(node.name).unlink(missing_ok=True)
    return now


def console_shows_kernel(console: Path) -> bool:
    try:
        return b"Linux version" in console.read_bytes()
    except OSError:
        return False


def choose_accel(requested: Accel, cpuinfo_path: Path = Path("/proc/cpuinfo")) -> tuple[Accel, str]:
    """Resolve `auto` before booting: TCG unless the CPU shows hardware virtualisation and /dev/kvm is
    there. Returns the choice and why; `auto` with hardware support is confirmed by `probe_kvm`."""
    if requested is not Accel.AUTO:
        return requested, "requested"
    if not Path("/dev/kvm").exists():
        return Accel.TCG, "no /dev/kvm"
    if not cpu_has_hw_virt(cpuinfo_path.read_text()):
        return Accel.TCG, "/dev/kvm exists but the CPU flags show no vmx/svm (a Linux guest hangs there)"
    return Accel.KVM, "vmx/svm present; confirmed if the kernel speaks within the probe bound"
