"""Driving a running lab from Python: commands in guests, faults, and the fencing log.

This is the API the CLI, the tests and the drills share. A command in a guest runs over ssh through the
node's forwarded port on 127.0.0.1 and comes back as a CommandResult with its exit code, stdout and
stderr apart; it never raises for a non-zero exit (call `.check()` for that).
"""

from __future__ import annotations

import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dualroot import paths
from dualroot.command import CommandResult, Runner, run_host
from dualroot.drill.storage import LAB_STORAGE, Storage
from dualroot.errors import DualrootError
from dualroot.lab.fence_service import FenceEvent, parse_fence_log, qemu_pid
from dualroot.lab.layout import LabLayout
from dualroot.lab.qmp import qmp_command
from dualroot.lab.topology import NODES, Link, node_spec

SSH_CONNECT_TIMEOUT = 5
SSH_UNREACHABLE = 255  # ssh's own exit code when it reached no shell on the node


def ssh_unreachable(result: CommandResult) -> bool:
    """ssh itself failed (no connection, no login): the remote command never ran."""
    return result.rc == SSH_UNREACHABLE and not result.stdout


class SshNodes:
    """Commands on a cluster's nodes over ssh, for any set of nodes that says how to reach them
    (`ssh_argv`) and whether one is up (`is_running`): the lab below, and clusters drilled over ssh
    (dualroot.drill.ssh_cluster)."""

    def ssh_argv(self, node: str, remote: str, *, batch: bool = True) -> list[str]:
        raise NotImplementedError

    def is_running(self, node: str) -> bool:
        raise NotImplementedError

    def run(self, node: str, argv: Sequence[str], timeout: float = 60.0,
            input: str | None = None) -> CommandResult:
        """Run argv in the guest. ssh hands the remote side one string, so each word is quoted."""
        self._require_running(node)
        result = run_host(self.ssh_argv(node, shlex.join(argv)), input=input, timeout=timeout)
        stderr = result.stderr
        if ssh_unreachable(result):
            stderr = f"ssh to {node} failed: {stderr.strip()}"
        return CommandResult(tuple(argv), result.rc, result.stdout, stderr, result.seconds, where=node)

    def script(self, node: str, text: str, timeout: float = 60.0) -> CommandResult:
        """Run a bash script in the guest (fed on stdin, so nothing is quoted twice)."""
        return self.run(node, ["bash", "-s"], timeout=timeout, input=text)

    def runner(self, node: str, timeout: float = 60.0) -> Runner:
        def run(argv: Sequence[str], input: str | None = None) -> CommandResult:
            return self.run(node, argv, timeout=timeout, input=input)

        return run

    def popen(self, node: str, argv: Sequence[str]) -> subprocess.Popen[str]:
        """A long-running command in the guest (drill writers); the caller reads and ends it."""
        self._require_running(node)
        return subprocess.Popen(self.ssh_argv(node, shlex.join(argv)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                bufsize=1, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})

    def put(self, node: str, local: Path | str, remote: str, timeout: float = 120.0) -> None:
        with open(local, "rb") as source:
            data = source.read()
        self._require_running(node)
        result = subprocess.run(self.ssh_argv(node, f"cat > {shlex.quote(remote)}"), input=data,
                                capture_output=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise DualrootError(f"copying {local} to {node}:{remote} failed: "
                                f"{result.stderr.decode(errors='replace').strip()}")

    def ssh_ready(self, node: str) -> bool:
        return self.is_running(node) and self.run(node, ["true"], timeout=SSH_CONNECT_TIMEOUT + 5).ok

    # --- waiting ---------------------------------------------------------------------------------
    @staticmethod
    def wait_for(name: str, predicate: Callable[[], bool], timeout: float, interval: float = 1.0) -> float:
        """Poll until predicate() is true; return the seconds it took, or raise naming the condition."""
        started = time.monotonic()
        while True:
            if predicate():
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise DualrootError(f"timed out after {timeout:.0f} s waiting for: {name}",
                                    "see `dualroot lab status` and the node consoles in "
                                    f"{LabLayout().run}")
            time.sleep(interval)

    def _require_running(self, node: str) -> None:
        if not self.is_running(node):
            raise DualrootError(f"{node} is not running",
                                "start the lab with `dualroot lab up`")


class Lab(SshNodes):
    def __init__(self, layout: LabLayout | None = None) -> None:
        self.layout = layout or LabLayout()

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(n.name for n in NODES)

    @property
    def storage(self) -> Storage:
        return LAB_STORAGE

    # --- commands in guests ----------------------------------------------------------------------
    def ssh_argv(self, node: str, remote: str, *, batch: bool = True) -> list[str]:
        spec = node_spec(node)
        return [paths.SSH, "-i", str(self.layout.ssh_key), "-p", str(spec.ssh_port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}",
                "-o", "BatchMode=yes" if batch else "BatchMode=no",
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
                # One shared connection per node: a fresh ssh handshake costs seconds of emulated CPU
                # under TCG. `down` ends the master connections it made (ssh -O exit).
                "-o", "ControlMaster=auto", "-o", f"ControlPath={self.layout.run}/ssh-%p.sock",
                "-o", "ControlPersist=120",
                "root@127.0.0.1", remote]

    def close_connections(self) -> None:
        """End the shared ssh connections this lab made."""
        for node in NODES:
            if (self.layout.run / f"ssh-{node.ssh_port}.sock").exists():
                run_host(self.ssh_argv(node.name, "")[:-2] + ["-O", "exit", "root@127.0.0.1"], timeout=10)

    # --- faults ----------------------------------------------------------------------------------
    def is_running(self, node: str) -> bool:
        node_spec(node)
        return qemu_pid(self.layout, node) is not None

    def kill(self, node: str) -> float:
        from dualroot.lab.qemu import kill_node

        return kill_node(self.layout, node_spec(node))

    def start_node(self, node: str) -> None:
        from dualroot.lab.provider import QemuProvider

        QemuProvider(self.layout).start_one(node_spec(node))

    def set_link(self, node: str, link: str | Link, up: bool) -> None:
        link = Link(link) if isinstance(link, str) else link
        self._require_running(node)
        qmp_command(self.layout.qmp_socket(node), "set_link", {"name": link.netdev_id, "up": up})

    def fence_events(self) -> list[FenceEvent]:
        try:
            return parse_fence_log(self.layout.fenced_log.read_text())
        except FileNotFoundError:
            return []
