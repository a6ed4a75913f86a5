"""The host side of the lab's real fencing: a small service that powers off or resets a VM over QMP.

Each VM's QEMU connects a virtio-serial port (guest: /dev/virtio-ports/dualroot.fence) to a Unix socket
this service listens on. The guests' fence agent (`fence_vmlab`) writes one request line and reads one
answer line:

    off NODE | reboot NODE | on NODE | status NODE | ping
    -> OK ... | ON | OFF | PONG | ERR ...

`off` is SIGKILL of the node's QEMU (power cut); `reboot` is off, then a new QEMU process for the node
(a power cycle). A reboot is answered as soon as the node is off, as a power switch's "cycle" returns
at once: the fencer must not wait for a VM to be launched (that cost the drills seconds). A node whose
QEMU process is already gone counts as fenced: it cannot run, and it is left off (whoever killed it
starts it again). Every request is logged, one line each, to `fenced.log` as
`<unix time> <requester> <action> <target> <answer>`, which is what drills read.

Run as `python3 -m dualroot.lab.fence_service HOME`; it writes its PID file and runs until SIGTERM.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dualroot.errors import DualrootError
from dualroot.lab.layout import LabLayout
from dualroot.lab.topology import NODES


@dataclass(frozen=True)
class FenceEvent:
    """One request the fencing service answered, as drills read it back."""

    time: float
    requester: str
    action: str
    target: str
    answer: str


def parse_fence_log(text: str) -> list[FenceEvent]:
    events = []
    for line in text.splitlines():
        parts = line.split(" ", 4)
        if len(parts) == 5:
            try:
                events.append(FenceEvent(float(parts[0]), parts[1], parts[2], parts[3], parts[4]))
            except ValueError:
                continue
    return events


def qemu_pid(layout: LabLayout, node: str) -> int | None:
    """The PID of the node's QEMU if it runs (a SIGKILLed QEMU leaves a stale pid file behind)."""
    try:
        pid = int(layout.pidfile(node).read_text().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if b"qemu-system" in cmdline.read() :
                return pid
    except (OSError, ValueError):
        pass
    return None


def process_gone(pid: int, proc: Path = Path("/proc")) -> bool:
    """True once no thread of the process is left, so its open files, and QEMU's image locks, are closed.

    The leader's cmdline (what `qemu_pid` reads) reads empty as soon as the leader thread has dropped
    its memory map, while QEMU's other threads may still hold the file table: a new QEMU started then failed
    with "Failed to get write lock" on the node's disk, and a fenced node stayed off (CI, 2026-11-26).
    So wait until the leader is the only task left and is itself a zombie (or reaped)."""
    try:
        tasks = os.listdir(proc / str(pid) / "task")
        stat = (proc / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    if tasks != [str(pid)]:
        return False
    # "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ")"
    return stat[stat.rfind(")") + 1:].split()[:1] in (["Z"], ["X"])


def wait_gone(pid: int, timeout: float) -> bool:
    """Poll `process_gone` for up to `timeout` seconds; returns whether the process is gone."""
    deadline = time.monotonic() + timeout
    while not process_gone(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def power_cut(pid: int, timeout: float = 10.0) -> bool:
    """SIGKILL the process (a VM's power cut) and wait until it is gone (`process_gone`); returns
    whether it is."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return wait_gone(pid, timeout)


class FenceService:
    def __init__(self, layout: LabLayout) -> None:
        self.layout = layout

    def answer(self, requester: str, line: str) -> str:
        """The answer to one request; a reboot's power-on is left to `after_answer`."""
        words = line.split()
        if words == ["ping"]:
            return "PONG"
        names = [n.name for n in NODES]
        if len(words) != 2 or words[1] not in names:
            return "ERR bad request"
        action, target = words
        pid = qemu_pid(self.layout, target)
        if action == "status":
            return "ON" if pid else "OFF"
        if action == "on":
            return f"OK on {target}" if pid else f"ERR {target} is off: start it with `dualroot lab up`"
        if action not in ("off", "reboot"):
            return "ERR bad action"
        if pid is None:
            return f"OK {action} {target}: already off"
        # Both actions first power the VM off: SIGKILL of its QEMU, as a power switch cuts a machine
        # (a graceful QMP quit flushed the disk images first and took 16 s under load in the drills;
        # nothing the guest wrote is lost either way: it sits in the host's page cache). `reboot` then
        # powers it on as a new QEMU process: a guest reset in place (QMP system_reset) took 80-170 s
        # to boot under TCG against ~30 s for a fresh start.
        if not power_cut(pid):
            return f"ERR {target} did not power off"
        if action == "reboot":
            return f"OK reboot {target}: power-cycled"
        return f"OK off {target}"

    def after_answer(self, line: str, answer: str) -> None:
        """Power a rebooted node on again, once the fencer has its answer."""
        words = line.split()
        if len(words) != 2 or words[0] != "reboot" or not answer.endswith("power-cycled"):
            return
        from dualroot.lab.provider import QemuProvider
        from dualroot.lab.topology import node_spec

        try:
            QemuProvider(self.layout).start_one(node_spec(words[1]))
        except DualrootError as exc:
            self.log("fenced", f"on {words[1]}", f"ERR {words[1]} did not power on again: {exc}")

    def log(self, requester: str, line: str, answer: str) -> None:
        words = (line.split() + ["-", "-"])[:2]
        with open(self.layout.fenced_log, "a", encoding="utf-8") as log:
            log.write(f"{time.time():.3f} {requester} {words[0]} {words[1]} {answer}\n")

    def serve(self) -> None:
        selector = selectors.DefaultSelector()
        for node in NODES:
            path = self.layout.fence_socket(node.name)
            path.unlink(missing_ok=True)
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(str(path))
            listener.listen(4)
            selector.register(listener, selectors.EVENT_READ, ("listen", node.name))
        buffers: dict[socket.socket, bytes] = {}
        while True:
            for key, _ in selector.select():
                kind, node_name = key.data
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if kind == "listen":
                    conn, _ = sock.accept()
                    selector.register(conn, selectors.EVENT_READ, ("conn", node_name))
                    buffers[conn] = b""
                    continue
                data = sock.recv(4096)
                if not data:  # that node's QEMU went away
                    selector.unregister(sock)
                    sock.close()
                    buffers.pop(sock, None)
                    continue
                buffers[sock] += data
                while b"\n" in buffers[sock]:
                    raw, buffers[sock] = buffers[sock].split(b"\n", 1)
                    line = raw.decode(errors="replace").strip()
                    if not line:
                        continue
                    answer = self.answer(node_name, line)
                    if line != "ping" and not line.startswith("status"):
                        self.log(node_name, line, answer)
                    try:
                        sock.sendall((answer + "\n").encode())
                    except OSError:
                        pass
                    self.after_answer(line, answer)


def main(argv: list[str]) -> int:
    layout = LabLayout(Path(argv[0])) if argv else LabLayout()
    layout.run.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    FenceService(layout).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
