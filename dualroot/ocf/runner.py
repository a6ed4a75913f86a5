"""The one way agent code runs a command or reads a system file, with the operation's time budget.

Every command: an argv list (never a shell; started with posix_spawn), `LC_ALL=C` (machine output must
not depend on the locale), a timeout no longer than what is left of the operation's timeout, argv
logged at debug level.

`Runner` is the interface; `SubprocessRunner` the real one; tests pass a fake that fails on any
unexpected call. Waiting loops use `monotonic()`/`sleep()`/`remaining()` from the runner so that
fakes can drive time.

Test and benchmark hook: `tool_root` (from `DUALROOT_TOOL_ROOT` in the agent's environment) is
prefixed to every absolute command path and file path, so stub tools and fixture files under a
temporary directory stand in for /usr/sbin/drbdadm, /proc/drbd, ...

`posix`, not `os`: the agents' processes never import `os` (with the collections ABCs it loads, it was a
fifth of a monitor's imports, bench/bench_drbd_agent.py); the calls used here are the same functions.
"""

from __future__ import annotations

import posix
import time

from dualroot import paths
from dualroot.ocf.environment import process_environ
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.log import AgentLog, NullLog
from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Protocol

# Part of the operation's timeout kept back so the agent can still report a reason before
# Pacemaker's own timeout kills it.
BUDGET_SHARE = 0.9
# How long a killed child may take to go before the runner stops waiting for it.
_REAP_SECONDS = 1.0
# Budget when no operation timeout was given (a person running the agent by hand).
DEFAULT_BUDGET_S = 60.0
# A single command never gets less than this, so a nearly spent budget still gives a clear error.
MIN_COMMAND_TIMEOUT_S = 0.5
# Signals a child gets back at their default action: Python ignores SIGPIPE, and an ignored signal
# survives exec (subprocess' restore_signals does the same). Numbers, not `signal.SIG*`: importing
# `signal` costs more than the spawn. Linux numbering.
SIGPIPE, SIGXFSZ, SIGKILL = 13, 25, 9
_CHUNK = 65536
DEVNULL = "/dev/null"
# File type bits of st_mode (stat.S_IFMT/S_IFDIR; the same on every Linux).
S_IFMT, S_IFDIR = 0o170000, 0o040000


def _make_dirs(path: str, mode: int = 0o755) -> None:
    """os.makedirs(path, mode, exist_ok=True) on `posix` alone."""
    try:
        posix.mkdir(path, mode)
    except FileExistsError:
        return
    except FileNotFoundError:
        parent = path.rstrip("/").rpartition("/")[0]
        if not parent:
            raise
        _make_dirs(parent, mode)
        try:
            posix.mkdir(path, mode)
        except FileExistsError:
            return


class CommandTimeout(Exception):
    """Raised by spawn() when the command outlived its timeout (it has been killed)."""


def spawn(argv: Sequence[str], env: Mapping[str, str], input: str | None, timeout: float
          ) -> tuple[int, str, str]:
    """Run argv (no shell) with posix_spawn; return (exit code, stdout, stderr); kill it at `timeout`.

    Why not `subprocess`: it costs an agent ~5 ms of imports on every monitor; this is the part of it
    the agents need. A signal-killed child reports -signal, as subprocess does. `posix`, not `os`: see
    the module docstring.
    """
    import select

    out_r, out_w = posix.pipe()
    err_r, err_w = posix.pipe()
    if input is not None:
        in_r, in_w = posix.pipe()
    else:
        in_r, in_w = posix.open(DEVNULL, posix.O_RDONLY), -1
    # pipe() descriptors are close-on-exec; dup2 onto 0-2 clears the flag for the child's copies.
    dup2 = posix.POSIX_SPAWN_DUP2
    actions = [(dup2, in_r, 0), (dup2, out_w, 1), (dup2, err_w, 2)]
    start = posix.posix_spawn if argv[0].startswith("/") else posix.posix_spawnp
    try:
        pid = start(argv[0], list(argv), dict(env), file_actions=actions, setsigdef=(SIGPIPE, SIGXFSZ))
    except OSError:
        for fd in (out_r, err_r, in_w):
            if fd >= 0:
                posix.close(fd)
        raise
    finally:
        for fd in (out_w, err_w, in_r):
            posix.close(fd)
    deadline = time.monotonic() + timeout
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    pending = (input or "").encode()
    poller = select.poll()
    open_fds = {out_r, err_r}
    for fd in open_fds:
        poller.register(fd, select.POLLIN)
    if in_w >= 0:
        if pending:
            poller.register(in_w, select.POLLOUT)
            open_fds.add(in_w)
        else:
            posix.close(in_w)
    try:
        while open_fds:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CommandTimeout()
            for fd, _event in poller.poll(left * 1000.0):
                if fd == in_w:
                    try:
                        written = posix.write(fd, pending[:_CHUNK])
                    except BrokenPipeError:
                        written = len(pending)
                    pending = pending[written:]
                    if not pending:
                        poller.unregister(fd)
                        posix.close(fd)
                        open_fds.discard(fd)
                    continue
                data = posix.read(fd, _CHUNK)
                if data:
                    chunks[fd].append(data)
                else:
                    poller.unregister(fd)
                    posix.close(fd)
                    open_fds.discard(fd)
        done, status = posix.waitpid(pid, posix.WNOHANG)
        if not done:
            # Its pipes are closed but it has not exited yet: wait on a pidfd, not a polling loop
            # (a 2 ms sleep was most of a short command's cost).
            pidfd = posix.pidfd_open(pid)
            try:
                ready, _, _ = select.select([pidfd], [], [], max(0.0, deadline - time.monotonic()))
            finally:
                posix.close(pidfd)
            if not ready:
                raise CommandTimeout()
            _, status = posix.waitpid(pid, 0)
    except BaseException:
        for fd in open_fds:
            posix.close(fd)
        try:
            posix.kill(pid, SIGKILL)
            # A child in uninterruptible sleep (umount or stat on DRBD I/O frozen after a replication
            # cut) does not die until the I/O resumes: wait a moment, then leave it to init rather
            # than hang the agent until Pacemaker's own timeout.
            reap_by = time.monotonic() + _REAP_SECONDS
            while posix.waitpid(pid, posix.WNOHANG) == (0, 0) and time.monotonic() < reap_by:
                time.sleep(0.01)
        except (ProcessLookupError, ChildProcessError):
            pass
        raise
    text = [b"".join(chunks[fd]).decode("utf-8", "replace") for fd in (out_r, err_r)]
    return posix.waitstatus_to_exitcode(status), text[0], text[1]


class CommandResult(Record):
    """What a command did: its argv, exit code and output (text, decoded as UTF-8 with replacement)."""

    argv: tuple[str, ...]
    rc: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def first_error_line(self) -> str:
        """The first non-empty line of stderr (or stdout), for one-sentence reasons."""
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip():
                    return line.strip()
        return f"exit code {self.rc}"


if TYPE_CHECKING:
    class Runner(Protocol):
        """What agent code needs from the host. Implementations: SubprocessRunner, tests' FakeRunner."""

        def run(self, argv: Sequence[str], *, input: str | None = None,
                timeout: float | None = None) -> CommandResult:
            """Run argv; never raises for a non-zero exit. Raises OcfError on timeout (ERR_GENERIC),
            a missing program (ERR_INSTALLED) or no permission (ERR_PERM)."""
            ...

        def run_together(self, commands: Sequence[Sequence[str]], *, timeout: float | None = None
                         ) -> list[CommandResult | OcfError]:
            """Start the commands at once and wait for all; per command its result or the OcfError
            run() would have raised, in the order given."""
            ...

        def read_text(self, path: str) -> str | None:
            """The file's text, or None when it does not exist."""
            ...

        def stamp(self, path: str) -> str:
            """A cheap fingerprint of a file, or of a directory and its entries: changes when they do."""
            ...

        def read_state(self, name: str) -> str | None:
            """The agent's own state file `name` (in HA_RSCTMP), None when absent."""
            ...

        def write_state(self, name: str, text: str | None) -> None:
            """Replace (None: remove) the agent's state file `name`; best effort, never raises."""
            ...

        def monotonic(self) -> float: ...

        def sleep(self, seconds: float) -> None: ...

        def remaining(self) -> float:
            """Seconds left of the operation's budget."""
            ...

else:

    class Runner:
        """What agent code needs from the host (a Protocol for type checkers, see above):
        run(argv, *, input=None, timeout=None) -> CommandResult, run_together(commands, *, timeout=None),
        read_text(path) -> str | None,
        stamp(path), read_state(name), write_state(name, text), monotonic(), sleep(seconds),
        remaining(). Implementations: SubprocessRunner, FakeRunner."""


class SubprocessRunner:
    """Runs commands with subprocess within the operation's budget (see module docstring)."""

    def __init__(self, *, timeout_s: float | None, log: AgentLog | None = None, tool_root: str = "",
                 environ: Mapping[str, str] | None = None) -> None:
        budget = (timeout_s * BUDGET_SHARE) if timeout_s else DEFAULT_BUDGET_S
        self._deadline = time.monotonic() + budget
        self._log = log or NullLog()
        self._tool_root = tool_root.rstrip("/")
        env = dict(process_environ() if environ is None else environ)
        env["LC_ALL"] = "C"
        self._env = env
        self._state_dir = self._relocate(env.get("HA_RSCTMP") or paths.RSCTMP)

    def _relocate(self, path: str) -> str:
        if self._tool_root and path.startswith("/"):
            return self._tool_root + path
        return path

    def run(self, argv: Sequence[str], *, input: str | None = None,
            timeout: float | None = None) -> CommandResult:
        args = [str(a) for a in argv]
        limit = max(self.remaining(), MIN_COMMAND_TIMEOUT_S)
        if timeout is not None:
            limit = min(limit, timeout)
        self._log.debug(f"run: {args!r} (timeout {limit:.1f} s)")
        real = [self._relocate(args[0]), *args[1:]]
        try:
            rc, out, err = spawn(real, self._env, input, limit)
        except CommandTimeout as exc:
            raise OcfError(OcfExit.ERR_GENERIC,
                           f"{args[0]} {' '.join(args[1:3])} did not finish within {limit:.1f} s") from exc
        except FileNotFoundError as exc:
            raise OcfError(OcfExit.ERR_INSTALLED, f"{args[0]} is not installed") from exc
        except PermissionError as exc:
            raise OcfError(OcfExit.ERR_PERM, f"no permission to run {args[0]}") from exc
        except OSError as exc:
            raise OcfError(OcfExit.ERR_GENERIC, f"{args[0]} could not be run: {exc.strerror}") from exc
        result = CommandResult(tuple(args), rc, out, err)
        if not result.ok:
            self._log.debug(f"rc={result.rc} from {args[0]}: {result.first_error_line()}")
        return result

    def run_together(self, commands: Sequence[Sequence[str]], *, timeout: float | None = None
                     ) -> list[CommandResult | OcfError]:
        # Threads only here (the fence-peer handler's fence path): spawn() waits in poll/select with
        # the GIL released, and pipes are close-on-exec, so one child never holds another's pipe.
        # `_thread`, not `threading`: the latter loads `os` and `functools` with I/O frozen.
        import _thread

        results: list[CommandResult | OcfError | None] = [None] * len(commands)
        finished = [_thread.allocate_lock() for _ in commands]

        def one(index: int, argv: Sequence[str]) -> None:
            try:
                results[index] = self.run(argv, timeout=timeout)
            except OcfError as exc:
                results[index] = exc
            finally:
                finished[index].release()

        for index, argv in enumerate(commands):
            finished[index].acquire()
            _thread.start_new_thread(one, (index, argv))
        for lock in finished:
            lock.acquire()  # released by its thread once the command is done
        return [r if r is not None else OcfError(OcfExit.ERR_GENERIC, "command did not run") for r in results]

    def read_text(self, path: str) -> str | None:
        try:
            with open(self._relocate(str(path)), encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def stamp(self, path: str) -> str:
        real = self._relocate(path)
        try:
            st = posix.stat(real)
        except OSError:
            return "-"
        parts = [f"{st.st_mtime_ns}.{st.st_size}"]
        if st.st_mode & S_IFMT == S_IFDIR:
            with posix.scandir(real) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    try:
                        est = entry.stat()
                    except OSError:
                        continue
                    parts.append(f"{entry.name}:{est.st_mtime_ns}.{est.st_size}")
        return " ".join(parts)

    def read_state(self, name: str) -> str | None:
        try:
            with open(f"{self._state_dir}/{name}", encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            return None

    def write_state(self, name: str, text: str | None) -> None:
        path = f"{self._state_dir}/{name}"
        try:
            if text is None:
                posix.unlink(path)
                return
            _make_dirs(self._state_dir)
            tmp = f"{path}.{posix.getpid()}"
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
            posix.replace(tmp, path)  # a monitor running beside us never reads half a file
        except OSError as exc:
            if text is not None or not isinstance(exc, FileNotFoundError):
                self._log.debug(f"state file {path}: {exc.strerror}")

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def remaining(self) -> float:
        return self._deadline - time.monotonic()
