"""Bringing the lab's machines up and down: the built-in QEMU provider (default) and Vagrant.

The provider owns the machines and the host's fencing service; `dualroot.lab.deploy` owns what runs on
them. Everything the QEMU provider starts is recorded by PID under the lab's run directory and stopped
by that PID only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from dualroot.command import run_host
from dualroot.errors import DualrootError
from dualroot.lab.control import Lab
from dualroot.lab.fence_service import power_cut, process_gone, qemu_pid
from dualroot.lab.image import Image, build_image, current_image
from dualroot.lab.layout import LabLayout
from dualroot.lab.qemu import (
    KVM_PROBE_SECONDS,
    Accel,
    choose_accel,
    console_shows_kernel,
    kill_node,
    start_node,
)
from dualroot.lab.topology import NODES, NodeSpec, host_ports

Progress = Callable[[str], None]
BOOT_TIMEOUT = 300.0  # TCG boots took 28-40 s in the recipe; a reset guest up to ~150 s


@dataclass
class LabState:
    """What `up` decided, kept in run/lab.json so that later commands and `status` can show it."""

    accel: str = "tcg"
    accel_reason: str = ""
    image: str = ""
    agents: str = ""
    deployed: bool = False

    @classmethod
    def load(cls, layout: LabLayout) -> LabState:
        try:
            return cls(**json.loads(layout.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return cls()

    def save(self, layout: LabLayout) -> None:
        layout.run.mkdir(parents=True, exist_ok=True)
        layout.state_file.write_text(json.dumps(asdict(self), indent=2) + "\n")


def port_in_use(proto: str, port: int) -> bool:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class QemuProvider:
    def __init__(self, layout: LabLayout | None = None) -> None:
        self.layout = layout or LabLayout()
        self.lab = Lab(self.layout)

    # --- fencing service -------------------------------------------------------------------------
    def fenced_pid(self) -> int | None:
        try:
            pid = int(self.layout.fenced_pidfile.read_text())
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"dualroot.lab.fence_service" in cmdline.read():
                    return pid
        except (OSError, ValueError):
            pass
        return None

    def start_fenced(self) -> None:
        if self.fenced_pid():
            return
        self.layout.run.mkdir(parents=True, exist_ok=True)
        package_root = Path(__file__).resolve().parents[2]
        with open(self.layout.run / "fenced.out", "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "dualroot.lab.fence_service", str(self.layout.home)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                cwd=package_root, env={**os.environ, "PYTHONPATH": str(package_root)})
        self.layout.fenced_pidfile.write_text(str(proc.pid))
        Lab.wait_for("the fencing service listening",
                     lambda: all(self.layout.fence_socket(n.name).exists() for n in NODES), 15, 0.1)

    def stop_fenced(self) -> None:
        pid = self.fenced_pid()
        if pid:
            os.kill(pid, signal.SIGTERM)
        self.layout.fenced_pidfile.unlink(missing_ok=True)

    # --- machines --------------------------------------------------------------------------------
    def running_nodes(self) -> list[str]:
        return [n.name for n in NODES if qemu_pid(self.layout, n.name)]

    def check_ports_free(self) -> None:
        busy = [f"{proto}/{port}" for proto, port in host_ports() if port_in_use(proto, port)]
        if busy:
            raise DualrootError(
                f"the lab's ports on 127.0.0.1 are in use by another program: {', '.join(busy)}",
                "stop the other lab (or whatever holds them) and run `dualroot lab up` again")

    def image(self) -> Image:
        return current_image(self.layout)

    def start_one(self, node: NodeSpec) -> None:
        state = LabState.load(self.layout)
        image = Image(state.image, self.layout.cache / f"image-{state.image}") if state.image \
            else self.image()
        self.start_fenced()
        start_node(self.layout, image, node, Accel(state.accel or "tcg"))

    def up(self, accel: Accel, progress: Progress) -> LabState:
        """Boot both nodes (reusing running ones) and wait until ssh answers on both."""
        state = LabState.load(self.layout)
        running = self.running_nodes()
        if not running:
            self.check_ports_free()
        started = time.monotonic()
        image = build_image(self.layout, progress) if not running else self._running_image(state)
        self.start_fenced()
        if running:
            progress(f"nodes: reusing running {', '.join(running)} ({state.accel})")
        else:
            choice, why = choose_accel(accel)
            if accel is Accel.AUTO and choice is Accel.KVM:
                choice, why = self._probe_kvm(image)
            state = LabState(accel=choice.value, accel_reason=why, image=image.key)
            state.save(self.layout)
            progress(f"nodes: booting {', '.join(n.name for n in NODES)} with {choice.value} ({why})")
        for node in NODES:
            start_node(self.layout, image, node, Accel(state.accel))
        for node in NODES:
            Lab.wait_for(f"ssh on {node.name}", partial(self.lab.ssh_ready, node.name), BOOT_TIMEOUT, 1.0)
            progress(f"nodes: {node.name} answers ssh ({time.monotonic() - started:.1f} s)")
        return state

    def _running_image(self, state: LabState) -> Image:
        return Image(state.image, self.layout.cache / f"image-{state.image}")

    def _probe_kvm(self, image: Image) -> tuple[Accel, str]:
        node = NODES[0]
        start_node(self.layout, image, node, Accel.KVM)
        deadline = time.monotonic() + KVM_PROBE_SECONDS
        while time.monotonic() < deadline:
            if console_shows_kernel(self.layout.console(node.name)):
                return Accel.KVM, "vmx/svm present and the guest kernel spoke under KVM"
            time.sleep(0.5)
        kill_node(self.layout, node)
        for role in ("root", "drbd", "spare"):
            self.layout.disk(node.name, role).unlink(missing_ok=True)
        return Accel.TCG, f"KVM present but the guest kernel said nothing in {KVM_PROBE_SECONDS:.0f} s"

    def down(self, progress: Progress, timeout: float = 60.0) -> None:
        """ACPI power-off of both nodes at once, one shared bound, then SIGKILL of what is left."""
        from dualroot.lab.qmp import qmp_command

        self.lab.close_connections()
        running = {n.name: pid for n in NODES if (pid := qemu_pid(self.layout, n.name))}
        for name in running:
            progress(f"down: powering off {name}")
            try:
                qmp_command(self.layout.qmp_socket(name), "system_powerdown")
            except DualrootError:
                pass
        deadline = time.monotonic() + timeout
        # wait for the processes, not the pid files: a QEMU is only gone when all its threads are
        while not all(process_gone(pid) for pid in running.values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        for node in NODES:
            pid = running.get(node.name)
            if pid is not None and not process_gone(pid):
                progress(f"down: {node.name} did not power off in {timeout:.0f} s: killing its QEMU")
                power_cut(pid)
            kill_node(self.layout, node)
        self.stop_fenced()
        progress("down: no lab process left running")

    def destroy(self, progress: Progress) -> None:
        self.down(progress, timeout=0)  # the disks go anyway: no clean shutdown needed
        for node in NODES:
            for role in ("root", "drbd", "spare"):
                self.layout.disk(node.name, role).unlink(missing_ok=True)
        state = self.layout.state_file
        state.unlink(missing_ok=True)
        progress("destroy: node disks removed (the image cache is kept)")


class VagrantProvider:
    """Drives vagrant/Vagrantfile (libvirt). Its VMs cannot run on this project's machines: the libvirt
    management network is a host bridge with private addresses, which the network rule forbids."""

    def __init__(self, vagrant_dir: Path | None = None) -> None:
        self.dir = vagrant_dir or Path(__file__).resolve().parents[2] / "vagrant"

    def _vagrant(self, *args: str, timeout: float = 1800) -> str:
        if not shutil.which("vagrant"):
            raise DualrootError("vagrant is not installed",
                                "install vagrant and vagrant-libvirt, or use the default QEMU provider")
        result = run_host(["vagrant", *args], timeout=timeout, env={"VAGRANT_CWD": str(self.dir)})
        return result.check().stdout

    def up(self, progress: Progress) -> None:
        progress("vagrant: vagrant up (provisioning with dualroot/lab/provision/provision.sh)")
        self._vagrant("up")

    def status(self) -> str:
        return self._vagrant("status", "--machine-readable", timeout=60)

    def ssh(self, node: str, command: str) -> str:
        return self._vagrant("ssh", node, "-c", command, timeout=600)

    def down(self) -> None:
        self._vagrant("halt")

    def destroy(self) -> None:
        self._vagrant("destroy", "-f")


def vagrant_validate(vagrant_dir: Path) -> str:
    return run_host(["vagrant", "validate"], timeout=120,
                    env={"VAGRANT_CWD": str(vagrant_dir)}).check().stdout

