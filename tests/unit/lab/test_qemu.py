"""The QEMU provider's pure parts: accelerator choice and the QEMU command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dualroot.lab.image import Image
from dualroot.lab.layout import LabLayout
from dualroot.lab.qemu import Accel, choose_accel, cpu_has_hw_virt, qemu_argv
from dualroot.lab.topology import NODES

pytestmark = pytest.mark.unit

CPUINFO_PVM = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n"
CPUINFO_VMX = "processor\t: 0\nflags\t\t: fpu vme de vmx pse\n"


def test_hw_virt_flags():
    assert not cpu_has_hw_virt(CPUINFO_PVM)
    assert cpu_has_hw_virt(CPUINFO_VMX)
    assert cpu_has_hw_virt("flags : svm sse\n")
    assert not cpu_has_hw_virt("")


def test_auto_picks_tcg_without_vmx_or_svm(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(CPUINFO_PVM)
    accel, why = choose_accel(Accel.AUTO, cpuinfo)
    assert accel is Accel.TCG
    assert "vmx" in why or "kvm" in why


def test_explicit_choice_is_kept(tmp_path):
    assert choose_accel(Accel.KVM, tmp_path / "none")[0] is Accel.KVM
    assert choose_accel(Accel.TCG, tmp_path / "none")[0] is Accel.TCG


def argv_for(node_index: int, accel: Accel = Accel.TCG) -> list[str]:
    layout = LabLayout(Path("/lab"))
    return qemu_argv(layout, Image("k", Path("/lab/cache/image-k")), NODES[node_index], accel)


def test_only_loopback_and_restricted_networking():
    argv = argv_for(0)
    netdevs = [argv[i + 1] for i, word in enumerate(argv) if word == "-netdev"]
    assert len(netdevs) == 3
    user = [n for n in netdevs if n.startswith("user,")]
    assert user == ["user,id=ssh,restrict=on,hostfwd=tcp:127.0.0.1:2221-:22"]
    sockets = [n for n in netdevs if n.startswith("socket,")]
    # point to point UDP on 127.0.0.1: node1's local port is node2's peer port and the other way round
    assert "socket,id=cl,udp=127.0.0.1:40102,localaddr=127.0.0.1:40101" in sockets
    assert "socket,id=rep,udp=127.0.0.1:40202,localaddr=127.0.0.1:40201" in sockets
    joined = " ".join(argv)
    for forbidden in ("tap", "bridge", "hostfwd=tcp::", "0.0.0.0"):
        assert forbidden not in joined


def test_peer_ports_mirror_each_other():
    one, two = " ".join(argv_for(0)), " ".join(argv_for(1))
    assert "udp=127.0.0.1:40101,localaddr=127.0.0.1:40102" in two
    assert "udp=127.0.0.1:40102,localaddr=127.0.0.1:40101" in one


def test_disks_fence_port_and_accel():
    argv = argv_for(1, Accel.KVM)
    joined = " ".join(argv)
    assert "file=/lab/run/node2-drbd.img,if=virtio,format=raw,cache=writeback" in joined
    assert "file=/lab/run/node2-spare.img" in joined
    assert "virtserialport,chardev=fence,name=dualroot.fence" in joined
    assert "-accel kvm -cpu host,-arch-capabilities" in joined
    assert "-accel tcg,thread=multi" in " ".join(argv_for(0))
