"""Calls that touch a mount, each run in a forked child with a deadline, so frozen I/O cannot hang the agent.

When DRBD suspends I/O after a replication cut (lab recipe section 12) a stat, read or umount on
the OCFS2 volume sleeps uninterruptibly; a thread or `subprocess.run(timeout=...)` would then
block the agent itself (the kill is not acted on, and the wait that follows never returns).
A forked child can be abandoned: the parent stops waiting at the deadline, sends SIGKILL (acted on
whenever the I/O resumes or the node is fenced) and reports the mount as frozen.
"""

from __future__ import annotations

import mmap
import os
import select
import time

from dualroot.ocf.named_values import NamedStr
from dualroot.ocf.record import Record

# Monitor depths 10 and 20 import this module: no `enum` or `signal` (which imports enum), no
# `collections.abc` at run time (bench/bench_ocfs2_agent.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import ClassVar

BLOCK = 4096  # O_DIRECT needs buffers, offsets and sizes aligned to the logical block size (<= 4 KiB)
SIGKILL = 9  # Linux numbering; `signal.SIGKILL` would cost the `signal` and `enum` imports
_EXIT_WAIT = 1.0  # how long a child that has given its last answer may take to exit


class Outcome(NamedStr):
    """How a bounded call ended (used like an Enum: `result.outcome is Outcome.FROZEN`)."""

    DONE: ClassVar[Outcome]
    FAILED: ClassVar[Outcome]  # the call returned an error
    FROZEN: ClassVar[Outcome]  # the call did not return within its bound


Outcome.define(DONE="done", FAILED="failed", FROZEN="frozen")


class BoundedResult(Record):
    outcome: Outcome
    detail: str = ""  # the error for FAILED, a payload for DONE


def run_bounded(work: Callable[[], str], timeout: float) -> BoundedResult:
    """Run `work` in a child process; DONE/FAILED with its result, or FROZEN after `timeout` s."""
    steps = BoundedSteps([work])
    try:
        return steps.next_result(timeout)
    finally:
        steps.close()


class BoundedSteps:
    """Calls run one after the other in ONE forked child, each answer awaited with its own bound.

    Monitor depth 20 reads the device and then writes its status file: one fork instead of two
    (a fork, and the child's exit, are most of what those checks cost). The child stops at the
    first call that fails; the parent abandons it (SIGKILL, never a blocking wait) at the first
    call that does not answer in time. Answers are length-prefixed on a pipe.
    """

    def __init__(self, works: Sequence[Callable[[], str]]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            status = 0
            try:
                os.close(read_end)
                # Not the agent's stdout/stderr: a child left behind must not hold Pacemaker's pipes open.
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                for work in works:
                    try:
                        message = "ok:" + work()
                    except OSError as exc:
                        message = f"err:{exc.strerror or exc}"
                    except Exception as exc:  # noqa: BLE001 - any failure of the work is a FAILED result
                        message = f"err:{exc}"
                    data = message.encode("utf-8", "replace")[:60000]
                    framed = memoryview(len(data).to_bytes(4, "big") + data)
                    while framed:
                        framed = framed[os.write(write_end, framed):]
                    if message.startswith("err:"):
                        break
            except BaseException:  # noqa: BLE001
                status = 1
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid = pid
        self._fd = read_end
        self._buffer = b""

    def next_result(self, timeout: float) -> BoundedResult:
        """The next call's result: DONE/FAILED, or FROZEN (and the child abandoned) after `timeout` s."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            if len(self._buffer) >= 4:
                size = int.from_bytes(self._buffer[:4], "big")
                if len(self._buffer) >= 4 + size:
                    message = self._buffer[4:4 + size].decode("utf-8", "replace")
                    self._buffer = self._buffer[4 + size:]
                    if message.startswith("ok:"):
                        return BoundedResult(Outcome.DONE, message[3:])
                    return BoundedResult(Outcome.FAILED, message[4:] if message.startswith("err:") else
                                         "the check died")
            left = deadline - time.monotonic()
            ready = select.select([self._fd], [], [], left)[0] if left > 0 and self._fd >= 0 else []
            if not ready:
                self._abandon()
                return BoundedResult(Outcome.FROZEN, f"no answer within {timeout:g} s")
            chunk = os.read(self._fd, 65536)
            if not chunk:  # the child is gone without (the rest of) an answer
                return BoundedResult(Outcome.FAILED, "the check died")
            self._buffer += chunk

    def _abandon(self) -> None:
        if self._pid:
            os.kill(self._pid, SIGKILL)
            # Reap it if the kill was acted on at once; otherwise leave it to init (never block).
            os.waitpid(self._pid, os.WNOHANG)
            self._pid = 0

    def close(self) -> None:
        """Reap the child, which exits right after its last answer; abandon it if it does not."""
        if self._pid:
            pidfd = os.pidfd_open(self._pid)
            try:
                exited = select.select([pidfd], [], [], _EXIT_WAIT)[0]
            finally:
                os.close(pidfd)
            if exited:
                os.waitpid(self._pid, 0)
                self._pid = 0
            else:
                self._abandon()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def stat_path(path: str) -> Callable[[], str]:
    """A stat of `path` (on OCFS2 this takes a cluster lock, so it hangs on frozen I/O)."""

    def work() -> str:
        os.stat(path)
        return ""

    return work


def read_direct(device: str) -> Callable[[], str]:
    """One block read from `device` bypassing the page cache (monitor depth 10)."""

    def work() -> str:
        buf = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT requires
        fd = os.open(device, os.O_RDONLY | os.O_DIRECT)
        try:
            count = os.readv(fd, [buf])
        finally:
            os.close(fd)
        if count <= 0:
            raise OSError(0, f"read {count} bytes")
        return str(count)

    return work


def status_file_roundtrip(path: str, payload: str) -> Callable[[], str]:
    """Write `payload` to `path` with O_DIRECT|O_SYNC and read it back the same way (depth 20).

    O_SYNC makes the write reach the shared device, O_DIRECT makes the read come from it and not
    from this node's cache, so the check proves the device path and the cluster locks work.
    """

    def work() -> str:
        data = payload.encode()[: BLOCK - 1].ljust(BLOCK, b"\n")
        out = mmap.mmap(-1, BLOCK)
        out.write(data)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_DIRECT | os.O_SYNC, 0o644)
        try:
            if os.write(fd, out) != BLOCK:
                raise OSError(0, "short write")
        finally:
            os.close(fd)
        back = mmap.mmap(-1, BLOCK)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
        try:
            count = os.readv(fd, [back])
        finally:
            os.close(fd)
        if count != BLOCK or back[:] != data:
            raise OSError(0, "read back differs from what was written")
        return payload

    return work
