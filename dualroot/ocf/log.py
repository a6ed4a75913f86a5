"""Agent logging as the HA environment expects it (the same variables ocf-shellfuncs' ha_log reads).

- `HA_LOGFACILITY` (e.g. "daemon"; "none" or empty disables): syslog with that facility;
- `HA_LOGFILE`: append every message to that file;
- `HA_DEBUGLOG`: append debug messages to that file (only when debugging is on);
- `HA_debug` ("1", "yes", "true", or a positive number): debugging on;
- neither syslog nor a log file configured: messages go to stderr, which Pacemaker records.

The `logging` package is not used on purpose: it is the bulk of a Python agent's start-up time
(resource-agents' ocf.py spends ~7 ms importing it) and nothing here needs its machinery.
"""

from __future__ import annotations

import posix
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

_LEVELS = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR"}


def _truthy(value: str) -> bool:
    value = value.strip().lower()
    if value in ("yes", "true", "on"):
        return True
    try:
        return int(value) > 0
    except ValueError:
        return False


class AgentLog:
    """Where an agent's messages go; build it with `AgentLog.from_environ(tag, environ)`."""

    def __init__(self, tag: str, *, facility: str = "", logfile: str = "", debuglog: str = "",
                 debug: bool = False, stderr: TextIO | None = None) -> None:
        self.tag = tag
        self.facility = facility if facility.lower() not in ("", "none") else ""
        self.logfile = logfile
        self.debuglog = debuglog
        self.debug_enabled = debug
        self._stderr = stderr
        self._syslog_open = False

    @classmethod
    def from_environ(cls, tag: str, environ: Mapping[str, str], stderr: TextIO | None = None) -> AgentLog:
        return cls(tag, facility=environ.get("HA_LOGFACILITY", ""), logfile=environ.get("HA_LOGFILE", ""),
                   debuglog=environ.get("HA_DEBUGLOG", ""), debug=_truthy(environ.get("HA_debug", "0")),
                   stderr=stderr)

    @property
    def uses_stderr(self) -> bool:
        """True when messages go to stderr (no syslog facility and no log file configured)."""
        return not self.facility and not self.logfile

    def debug(self, message: str) -> None:
        if self.debug_enabled:
            self._emit("debug", message)

    def info(self, message: str) -> None:
        self._emit("info", message)

    def warning(self, message: str) -> None:
        self._emit("warning", message)

    def error(self, message: str) -> None:
        self._emit("error", message)

    def _emit(self, level: str, message: str) -> None:
        line = f"{_LEVELS[level]}: {message}"
        if self.facility:
            self._to_syslog(level, line)
        stamped = f"{time.strftime('%b %d %H:%M:%S')} {self.tag}[{posix.getpid()}]: {line}\n"
        if self.logfile:
            self._append(self.logfile, stamped)
        if level == "debug" and self.debuglog and self.debuglog != self.logfile:
            self._append(self.debuglog, stamped)
        if self.uses_stderr:
            stream = self._stderr if self._stderr is not None else sys.stderr
            stream.write(f"{self.tag}: {line}\n")

    def _to_syslog(self, level: str, line: str) -> None:
        try:
            import syslog  # only agents that log to syslog pay for the import

            if not self._syslog_open:
                facility = getattr(syslog, "LOG_" + self.facility.upper(), syslog.LOG_DAEMON)
                syslog.openlog(self.tag, syslog.LOG_PID, facility)
                self._syslog_open = True
            priority = {"debug": syslog.LOG_DEBUG, "info": syslog.LOG_INFO,
                        "warning": syslog.LOG_WARNING, "error": syslog.LOG_ERR}[level]
            syslog.syslog(priority, line)
        except OSError:
            pass  # logging must never change an action's result

    @staticmethod
    def _append(path: str, text: str) -> None:
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(text)
        except OSError:
            pass  # an unwritable log file must not fail the action


class NullLog(AgentLog):
    """A log that drops everything (tests and library callers that have no agent context)."""

    def __init__(self) -> None:
        super().__init__("null")

    def _emit(self, level: str, message: str) -> None:
        return None
