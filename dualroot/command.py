"""Running external commands from the CLI side (lab, cib, drill): argv lists, LC_ALL=C, a timeout.

The agents have their own standard-library runner in dualroot.ocf; this one serves the host tools. A
command that runs in a lab guest returns the same CommandResult, so library code takes a `Runner`
(argv, stdin text) -> CommandResult and does not care where the command ran.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dualroot.errors import DualrootError

log = logging.getLogger("dualroot.command")


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    rc: int
    stdout: str
    stderr: str
    seconds: float
    where: str = "host"

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def check(self) -> CommandResult:
        """Return self, or raise DualrootError naming where it ran, the command and its error."""
        if self.rc != 0:
            detail = (self.stderr.strip() or self.stdout.strip()).splitlines()
            last = detail[-1] if detail else "no output"
            raise DualrootError(
                f"{' '.join(self.argv)!s} failed on {self.where} with exit code {self.rc}: {last}"
            )
        return self


Runner = Callable[[Sequence[str], str | None], CommandResult]


def run_host(argv: Sequence[str], input: str | None = None, timeout: float = 60.0,
             env: dict[str, str] | None = None) -> CommandResult:
    """Run argv on this machine; a timeout or a missing program becomes rc 124 / 127, never a traceback."""
    full_env = dict(os.environ, LC_ALL="C", **(env or {}))
    log.debug("run %s", argv)
    started = time.monotonic()
    try:
        proc = subprocess.run(list(argv), input=input, capture_output=True, text=True,
                              timeout=timeout, env=full_env, check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return CommandResult(tuple(argv), 124, out, f"timed out after {timeout:.0f} s",
                             time.monotonic() - started)
    except FileNotFoundError:
        return CommandResult(tuple(argv), 127, "", f"{argv[0]} not found", time.monotonic() - started)
    return CommandResult(tuple(argv), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def host_runner(timeout: float = 60.0) -> Runner:
    def run(argv: Sequence[str], input: str | None = None) -> CommandResult:
        return run_host(argv, input=input, timeout=timeout)

    return run
