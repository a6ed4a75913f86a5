"""AgentLog: HA_LOGFILE, HA_DEBUGLOG, HA_debug, stderr fallback."""

import io

import pytest

from dualroot.ocf.log import AgentLog

pytestmark = pytest.mark.unit


def test_stderr_when_nothing_configured():
    err = io.StringIO()
    log = AgentLog.from_environ("drbd(r0)", {}, stderr=err)
    log.info("hello")
    log.debug("hidden")
    assert err.getvalue() == "drbd(r0): INFO: hello\n"


def test_logfile_and_debuglog(tmp_path):
    err = io.StringIO()
    logfile, debuglog = tmp_path / "ha.log", tmp_path / "debug.log"
    log = AgentLog.from_environ("drbd(r0)", {"HA_LOGFILE": str(logfile), "HA_DEBUGLOG": str(debuglog),
                                             "HA_debug": "1"}, stderr=err)
    log.warning("careful")
    log.debug("details")
    text = logfile.read_text()
    assert "drbd(r0)[" in text and "WARNING: careful" in text and "DEBUG: details" in text
    assert "DEBUG: details" in debuglog.read_text() and "careful" not in debuglog.read_text()
    assert err.getvalue() == ""  # a configured log file replaces stderr


def test_unwritable_logfile_does_not_raise(tmp_path):
    log = AgentLog.from_environ("x", {"HA_LOGFILE": str(tmp_path / "no" / "such" / "dir.log")},
                                stderr=io.StringIO())
    log.error("still fine")


@pytest.mark.parametrize(("value", "enabled"), [("1", True), ("yes", True), ("0", False), ("", False),
                                                 ("false", False), ("2", True)])
def test_ha_debug_values(value, enabled):
    assert AgentLog.from_environ("x", {"HA_debug": value}).debug_enabled is enabled


def test_facility_none_means_no_syslog():
    assert AgentLog.from_environ("x", {"HA_LOGFACILITY": "none"}).facility == ""
    assert AgentLog.from_environ("x", {"HA_LOGFACILITY": "daemon"}).facility == "daemon"
