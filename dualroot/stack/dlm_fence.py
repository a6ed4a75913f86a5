"""dualroot-dlm-fence: dlm_controld's fence agent (`fence_all` in /etc/dlm/dlm.conf), in front of dlm_stonith.

When a node leaves the membership, dlm_controld runs its fence agent with `node=<id>` and
`fail_time=<epoch s>` (when it saw the node go) on stdin. dlm_stonith, the default agent, counts a fence
of that node in Pacemaker's history only if it completed at or after fail_time, in whole seconds, and
else fences (reboots) the node once more.

Why an agent in front of it: when dualroot-fence-peer fences a peer, the fence completes as the
membership re-forms (the fencer's result travels by corosync, which waits out the token), within a
second of dlm_controld noticing the departure. Which side of a second boundary each falls on is chance:
in the lab one replication cut got `last kicked 1795644598` against `fail_time 1795644599`, a second
reboot of a node already fenced, and 3 s more of frozen DLM on the survivor (issue 4). This agent moves
fail_time back by `grace` seconds (at most MAX_GRACE_S) and hands everything else to dlm_stonith as it
came.

Why that is safe: a fence counts when the node cannot have touched the storage since. A node fenced at
T runs again only after it has booted, rejoined corosync and the DLM's group; its next departure then
gives a fail_time after T + boot + the token timeout, far beyond the grace. A fence completed within
the grace before fail_time therefore ended the very life of the node that just left.
"""

from __future__ import annotations

import sys

from dualroot import paths
from dualroot.ocf.environment import process_environ
from dualroot.ocf.errors import OcfError
from dualroot.ocf.log import AgentLog
from dualroot.ocf.runner import SubprocessRunner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from dualroot.ocf.runner import Runner

MAX_GRACE_S = 10  # well below any boot and rejoin; more would only hide a clock problem
BUDGET_S = 330.0  # dlm_stonith's own fence request waits up to 300 s
FAILED = 1


def adjust(args: str) -> tuple[str, str]:
    """dlm_stonith's input for dlm_controld's `args` (key=value lines): fail_time moved back by our own
    `grace` (which dlm_stonith does not get); and what was done, for the log."""
    # One key=value per line, as dlm_controld writes them; split on any white space all the same.
    words = args.split()
    grace_lines = [word for word in words if word.startswith("grace=")]
    kept = [word for word in words if not word.startswith("grace=")]
    grace_text = grace_lines[-1].partition("=")[2].strip() if grace_lines else "0"
    grace = min(int(grace_text), MAX_GRACE_S) if grace_text.isdigit() else 0
    note = "fail_time passed on unchanged"
    for index, line in enumerate(kept):
        key, _, value = line.partition("=")
        if key == "fail_time" and value.strip().isdigit() and grace:
            moved = max(0, int(value) - grace)
            kept[index] = f"fail_time={moved}"
            note = f"fail_time {value.strip()} taken as {moved} (grace {grace} s)"
    return "".join(f"{line}\n" for line in kept), note


def main(stdin_text: str | None = None, environ: Mapping[str, str] | None = None,
         runner: Runner | None = None) -> int:
    environ = process_environ() if environ is None else environ
    log = AgentLog("dualroot-dlm-fence", facility=environ.get("HA_LOGFACILITY", "daemon"),
                   logfile=environ.get("HA_LOGFILE", ""))
    text = sys.stdin.read() if stdin_text is None else stdin_text
    given, note = adjust(text)
    node = next((line.partition("=")[2] for line in given.splitlines() if line.startswith("node=")), "?")
    runner = runner or SubprocessRunner(timeout_s=BUDGET_S / 0.9, log=log,
                                        tool_root=environ.get("DUALROOT_TOOL_ROOT", ""))
    log.info(f"node {node}: {note}; asking {paths.DLM_STONITH}")
    try:
        result = runner.run([paths.DLM_STONITH], input=given)
    except OcfError as exc:
        log.error(f"node {node}: {exc.reason}")
        return FAILED
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip():
            log.info(f"dlm_stonith: {line.strip()}")
    return result.rc
