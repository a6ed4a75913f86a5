"""ocf:dualroot:o2cb — the OCFS2 cluster stack as one clone: dlm_controld with the user stack, or o2cb."""

from __future__ import annotations

import os

from dualroot import paths
from dualroot.ocf.dispatcher import ActionContext, Agent, exit_process, run_agent
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import Action, AgentMetadata, ContentType, Example, Parameter
from dualroot.stack.kernel_stack import StackName

# Every monitor is a new process that pays for its imports: the monitor path imports no pathlib, re,
# enum, subprocess or typing (tests/unit/ocfs2/test_import_cost.py); host paths are plain strings
# and the other actions import what they need inside their functions.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from dualroot.stack.dlm_status import DlmDaemonStatus
    from dualroot.stack.o2cb_conf import CorosyncNode

_DEVICES_HINT = "absolute device paths of letters, digits and . _ + : @ / -, separated by spaces"
_OPTIONS_HINT = "dlm_controld options (e.g. --enable_fencing 1) of letters, digits and . _ = -"

# Parameter syntax, checked with character sets, not the framework's regular expressions (`re`
# costs every action, the monitor included, more than the monitor's own work). Each predicate is
# exactly the pattern in its comment (tests/unit/stack/test_agent.py holds them to it).
_LETTERS_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NAME_CHARS = frozenset(_LETTERS_DIGITS + "_-")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_PATH_CHARS = frozenset(_LETTERS_DIGITS + "._+:@/-")
_OPTION_CHARS = frozenset(_LETTERS_DIGITS + "_.=-")
FENCE_SETTLE_S = 5.0  # how long monitor gives dlm_controld to take up a fence before calling it stuck
_SHOWN_MAX = 40  # how much of a bad value a reason quotes, as the framework's parameter checks do


def _words(value: str) -> list[str] | None:
    """The words of `value` if it is words separated by runs of spaces, no space at either end."""
    parts = value.split(" ")
    return [p for p in parts if p] if parts[0] and parts[-1] else None


def _cluster_name_ok(value: str) -> bool:  # [A-Za-z0-9_-]{1,16}
    return 1 <= len(value) <= 16 and set(value) <= _NAME_CHARS


def _regions_ok(value: str) -> bool:  # [0-9A-Fa-f]{32}( +[0-9A-Fa-f]{32})*
    words = _words(value)
    return words is not None and all(len(w) == 32 and set(w) <= _HEX_DIGITS for w in words)


def _devices_ok(value: str) -> bool:  # /[A-Za-z0-9._+:@/-]*( +/[A-Za-z0-9._+:@/-]*)*
    words = _words(value)
    return words is not None and all(w.startswith("/") and set(w) <= _PATH_CHARS for w in words)


def _daemon_options_ok(value: str) -> bool:  # -[A-Za-z0-9_-]+( +[A-Za-z0-9_.=-]+)*
    words = _words(value)
    return (words is not None and len(words[0]) > 1 and words[0].startswith("-")
            and set(words[0][1:]) <= _NAME_CHARS and all(set(w) <= _OPTION_CHARS for w in words[1:]))


_SYNTAX = {"cluster_name": _cluster_name_ok, "heartbeat_regions": _regions_ok, "volumes": _devices_ok,
           "daemon_options": _daemon_options_ok}  # in declaration order: the first bad one is named

LONGDESC = """\
Runs the OCFS2 cluster stack of this node, cloned on every node that mounts OCFS2 (ordered before
ocf:dualroot:ocfs2). It does not assume DRBD or two nodes: the same pair serves OCFS2 on any shared
block device (DRBD dual-primary, an iSCSI LUN, a SAN), cloned on up to OCFS2's limit of 255 nodes.

stack=pcmk (default): loads the OCFS2 user-stack module (ocfs2_stack_user) and the DLM, mounts
configfs, selects the pcmk stack in /sys/fs/ocfs2/cluster_stack, starts and supervises dlm_controld
and waits until the DLM is ready. On Debian 12 and other current distributions the kernel talks to
dlm_controld directly; there is no ocfs2_controld, which is why the old ocf:pacemaker:o2cb (removed
from Pacemaker in 2024) can no longer start. ocf:pacemaker:controld also starts dlm_controld; this
agent adds what OCFS2 needs around it: the stack module and stack selection, a monitor that reads
the daemon's machine output (dlm_tool status -v, dlm_tool ls) and fails with a reason when the DLM
waits for fencing or for a stateful merge, a stop that fails at once with a reason naming the
mount while an OCFS2 volume is still mounted (instead of hanging), and a validate-all that checks
fencing, no-quorum-policy=freeze, binaries, kernel support and the stack stamped on the volumes.

stack=o2cb: the classic in-kernel stack. Writes /etc/ocfs2/cluster.conf from the cluster's own
node list (corosync node ids, names and ring0 addresses), registers the cluster in configfs and
brings it online with the heartbeat mode given (local, or global with heartbeat regions). Note that
o2cb fences by itself (a node that loses its disk heartbeat reboots), beside Pacemaker's fencing.

Use one stack per cluster; volumes are stamped with their stack at mkfs time (o2cluster -o shows
it, o2cluster -u changes it while unmounted everywhere)."""

METADATA = AgentMetadata(
    name="o2cb",
    version="1.0",
    shortdesc="OCFS2 cluster stack: dlm_controld with the user stack (pcmk), or classic o2cb",
    longdesc=LONGDESC,
    parameters=(
        Parameter(
            "stack",
            "Cluster stack (pcmk or o2cb)",
            "pcmk: the OCFS2 user stack with dlm_controld (current distributions). o2cb: the classic "
            "in-kernel stack with its own disk heartbeat.",
            default="pcmk",
            choices=("pcmk", "o2cb"),
        ),
        Parameter(
            "cluster_name",
            "OCFS2 cluster name",
            "The cluster name the volumes are stamped with. Default: corosync's totem.cluster_name. For "
            "stack=o2cb at most 16 letters or digits.",
            pattern_hint="1-16 letters, digits, _ and -",
        ),
        Parameter(
            "heartbeat_mode",
            "o2cb heartbeat mode (stack=o2cb)",
            "local: one heartbeat region per mounted volume. global: fixed heartbeat regions given in "
            "heartbeat_regions.",
            default="local",
            choices=("local", "global"),
        ),
        Parameter(
            "heartbeat_regions",
            "Global heartbeat regions (stack=o2cb, heartbeat_mode=global)",
            "Space-separated UUIDs of the heartbeat regions (as mounted.ocfs2 -d shows them, without "
            "dashes).",
            pattern_hint="32-hex-digit UUIDs separated by spaces",
        ),
        Parameter(
            "volumes",
            "OCFS2 volumes to check",
            "Space-separated devices of the OCFS2 volumes this stack serves; validate-all checks that "
            "each is stamped for the configured stack.",
            pattern_hint=_DEVICES_HINT,
        ),
        Parameter(
            "daemon_options",
            "Extra dlm_controld options (stack=pcmk)",
            "Options added to the dlm_controld command line, split on spaces (never passed to a shell).",
            pattern_hint=_OPTIONS_HINT,
        ),
        Parameter(
            "dlm_toss_secs",
            "Seconds the DLM keeps an unused lock resource (stack=pcmk)",
            "Written to the kernel DLM's toss_secs once dlm_controld is up, and again by reload-agent. "
            "When the kernel evicts a cached inode, OCFS2 drops its cluster locks; the DLM keeps each "
            "lock resource for toss_secs (kernel default 10 s) and then forgets it, and the next use of "
            "that file costs a directory lookup and mastering, round trips to other nodes (about 10 ms "
            "per file in the lab, where a cold stat of 2,000 files took 28.9 s at 10 s and 7.8 s at "
            "600 s). A longer time keeps a web root's working set quick after its inodes were evicted, "
            "at a few hundred bytes of kernel memory per kept resource (OCFS2 uses about four per file) "
            "and a longer scan of the kept resources every 5 s. Empty: the kernel's value is left alone. "
            "The classic o2cb stack has no such setting.",
            content=ContentType.INTEGER,
            reloadable=True,
            minimum=1,
            maximum=86400,
        ),
    ),
    actions=(
        Action("start", timeout=90),
        Action("stop", timeout=100),
        Action("monitor", timeout=20, interval=10),
        Action("validate-all", timeout=30),
        Action("reload-agent", timeout=30),
        Action("meta-data", timeout=5),
    ),
    examples=(
        Example(
            "The user stack (pcmk) cloned on all nodes, before the OCFS2 mounts",
            "pcs resource create o2cb ocf:dualroot:o2cb stack=pcmk op monitor interval=10s "
            "clone interleave=true",
            "primitive o2cb ocf:dualroot:o2cb params stack=pcmk op monitor interval=10s\n"
            "clone o2cb-clone o2cb meta interleave=true",
        ),
    ),
    see_also=("ocf_dualroot_ocfs2(7)", "ocf_dualroot_drbd(7)", "dlm_controld(8)", "dlm_tool(8)", "o2cb(8)",
              "o2cluster(8)"),
)


def _root(ctx: ActionContext) -> str:
    return ctx.env.raw.get("DUALROOT_TOOL_ROOT", "").rstrip("/")


def _host(ctx: ActionContext, path: str) -> str:
    """A host path under the test/bench tool root (empty in production)."""
    return _root(ctx) + path


def _has_entries(directory: str) -> bool:
    try:
        return bool(os.listdir(directory))
    except OSError:  # missing, or not a directory
        return False


def _stack(ctx: ActionContext) -> StackName:
    return StackName(ctx.params.text("stack"))


# --- shared checks ------------------------------------------------------------------------------------
def _mounted_ocfs2(ctx: ActionContext) -> list[str]:
    from dualroot.ocfs2.proc_mounts import parse_proc_mounts

    text = ctx.runner.read_text(paths.PROC_MOUNTS) or ""
    return [f"{e.device} on {e.directory}" for e in parse_proc_mounts(text) if e.fstype == "ocfs2"]


def _cluster_problems(ctx: ActionContext) -> list[str] | None:
    """Problems with the cluster options, or None when the CIB cannot be read."""
    from dualroot.stack.cluster_properties import parse_crm_config

    result = ctx.runner.run([paths.CIBADMIN, "--query", "--scope", "crm_config"], timeout=15)
    if not result.ok:
        ctx.log.warning(f"cannot read the cluster options: {result.first_error_line()}")
        return None
    try:
        return parse_crm_config(result.stdout).problems()
    except ValueError as exc:
        ctx.log.warning(str(exc))
        return None


def _read(ctx: ActionContext, path: str) -> str:
    return (ctx.runner.read_text(path) or "").strip()


def _kernel_stack(ctx: ActionContext) -> str:
    return _read(ctx, f"{paths.SYS_FS_OCFS2}/cluster_stack")


def _modprobe(ctx: ActionContext, module: str) -> None:
    result = ctx.runner.run([paths.MODPROBE, module], timeout=30)
    if not result.ok:
        raise OcfError(
            OcfExit.ERR_INSTALLED,
            f"cannot load kernel module {module}: {result.first_error_line()}")


def _ensure_configfs(ctx: ActionContext) -> None:
    from dualroot.ocfs2.proc_mounts import find_mount, parse_proc_mounts

    text = ctx.runner.read_text(paths.PROC_MOUNTS) or ""
    if find_mount(parse_proc_mounts(text), paths.CONFIGFS) is not None:
        return
    _modprobe(ctx, "configfs")
    result = ctx.runner.run([paths.MOUNT, "-t", "configfs", "none", paths.CONFIGFS], timeout=15)
    if not result.ok:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot mount configfs on {paths.CONFIGFS}: "
                       f"{result.first_error_line()}")


def _select_stack(ctx: ActionContext, stack: StackName) -> None:
    """Write the stack name to /sys/fs/ocfs2/cluster_stack (the kernel refuses while volumes are mounted)."""
    if _kernel_stack(ctx) == stack.value:
        return
    target = _host(ctx, f"{paths.SYS_FS_OCFS2}/cluster_stack")
    try:
        with open(target, "w", encoding="ascii") as handle:
            handle.write(stack.value + "\n")
    except OSError as exc:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot select the {stack.value} stack in {paths.SYS_FS_OCFS2}/"
                       f"cluster_stack: {exc.strerror}") from exc


def _refuse_disabled_fencing(ctx: ActionContext) -> None:
    problems = _cluster_problems(ctx) or []
    for problem in problems:
        if "stonith-enabled" in problem:
            raise OcfError(OcfExit.ERR_CONFIGURED, problem)
        ctx.log.warning(problem)


# --- pcmk: dlm_controld ----------------------------------------------------------------------------
def _dlm_pids(ctx: ActionContext) -> list[int]:
    from dualroot.stack.daemon import find_pids

    return find_pids(_host(ctx, paths.PROC), "dlm_controld")


def _lockspace_dirs(ctx: ActionContext) -> list[str]:
    directory = _host(ctx, paths.SYS_KERNEL_DLM)  # one directory per kernel lockspace
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


def _pcmk_monitor(ctx: ActionContext) -> OcfExit:
    """What Pacemaker's controld checks (the daemon runs; no stateful merge; no lockspace waits for
    fencing that nobody carries out; lockspaces without a daemon mean this node must be fenced),
    plus that the kernel runs the pcmk stack. Each check is a /proc or /sys read where one answers
    it; only the daemon's own state needs dlm_tool."""
    # The daemon runs (what controld's `killall -0` asks), read from /proc without a command.
    if not _dlm_pids(ctx):
        leftovers = _lockspace_dirs(ctx)
        if leftovers:
            # Lockspaces without their daemon can never recover: only fencing this node clears them.
            raise OcfError(
                OcfExit.ERR_GENERIC,
                f"DLM lockspaces {', '.join(leftovers)} exist but dlm_controld "
                           "is not running; this node must be fenced")
        return OcfExit.NOT_RUNNING
    # The daemon answers and is not stuck in a stateful merge: only it knows, so dlm_tool asks it.
    status, waiting = _dlm_state(ctx)
    if status.stateful_merge_wait:
        raise OcfError(OcfExit.ERR_GENERIC, "the DLM waits for a stateful merge (a partition rejoined with "
                       "lockspaces); a node of the old partition must be fenced")
    stuck = bool(waiting) and not status.fencing_under_way and not _fencing_pending(ctx)
    if stuck and ctx.runner.remaining() > FENCE_SETTLE_S + 5:
        # Right after a membership change dlm_controld starts its fence helper only a moment later, and
        # takes a fence Pacemaker has just completed some seconds later (dlm_stonith under load: 5 s in
        # the lab). Failing here restarted the stack, and the mount, on the only surviving node: look
        # again once before calling the DLM stuck.
        ctx.runner.sleep(FENCE_SETTLE_S)
        status, waiting = _dlm_state(ctx)
        stuck = bool(waiting) and not status.fencing_under_way and not _fencing_pending(ctx)
    if stuck:
        raise OcfError(
            OcfExit.ERR_GENERIC,
            f"DLM lockspace {', '.join(waiting)} waits for fencing of node(s) "
                       f"{', '.join(map(str, status.nodes_waiting_for_fencing)) or '?'} and no fencing "
                       "is pending")
    # The daemon alone does not make OCFS2 usable: the kernel must have selected the user stack.
    stack = _kernel_stack(ctx)
    if stack and stack != "pcmk":
        raise OcfError(OcfExit.ERR_GENERIC, f"the kernel runs the {stack} OCFS2 stack, not pcmk")
    return OcfExit.SUCCESS


def _dlm_state(ctx: ActionContext) -> tuple[DlmDaemonStatus, list[str]]:
    """dlm_controld's status and the lockspaces that wait for fencing."""
    from dualroot.stack.dlm_status import parse_ls, parse_status  # not needed while stopped

    result = ctx.runner.run([paths.DLM_TOOL, "status", "-v"], timeout=10)
    if not result.ok:
        raise OcfError(OcfExit.ERR_GENERIC, f"dlm_tool status failed: {result.first_error_line()}")
    try:
        status = parse_status(result.stdout)
    except ValueError as exc:
        raise OcfError(OcfExit.ERR_GENERIC, f"dlm_tool status: {exc}") from exc
    # A lockspace can wait for fencing only while the kernel has it (dlm_controld makes its lockspaces
    # on the kernel's uevents and drops them when the kernel leaves them): with /sys/kernel/dlm empty
    # (the stack up, no volume mounted) `dlm_tool ls` has nothing to say and is not run.
    waiting: list[str] = []
    if _lockspace_dirs(ctx):
        listing = ctx.runner.run([paths.DLM_TOOL, "ls"], timeout=10)
        waiting = [ls.name for ls in parse_ls(listing.stdout) if ls.waits_for_fencing] if listing.ok else []
    return status, waiting


def _fencing_pending(ctx: ActionContext) -> bool:
    import xml.etree.ElementTree as ET

    result = ctx.runner.run([paths.STONITH_ADMIN, "--history", "*", "--output-as", "xml"], timeout=10)
    if not result.ok:
        return False
    try:
        root = ET.fromstring(result.stdout)
    except ET.ParseError:
        return False
    return any(e.get("status") == "pending" or e.get("extended-status") == "pending"
               for e in root.iter("fence_event"))


def _pcmk_start(ctx: ActionContext) -> OcfExit:
    from dualroot.stack.dlm_status import parse_status

    _ensure_configfs(ctx)
    _modprobe(ctx, "dlm")
    _modprobe(ctx, StackName.PCMK.module)
    _select_stack(ctx, StackName.PCMK)
    if not _dlm_pids(ctx):
        options = ctx.params.text("daemon_options").split() if ctx.params.has("daemon_options") else []
        # No startup fencing (what controld's default "-s 0" does): Pacemaker already fences a node
        # that fails. With it on, dlm_controld fenced a healthy peer in the lab whose own start came
        # later than post_join_delay (30 s), e.g. after its DRBD promote. Options given later win.
        options = ["--enable_startup_fencing", "0", *options]
        result = ctx.runner.run([paths.DLM_CONTROLD, *options], timeout=30)
        if not result.ok:
            raise OcfError(OcfExit.ERR_GENERIC, f"dlm_controld did not start: {result.first_error_line()}")
    # Ready = the daemon answers with its node id and the kernel DLM has its comms configured
    # (the same condition Pacemaker's controld waits for before it reports success).
    waiting_for = "dlm_tool status"
    while True:
        if not _dlm_pids(ctx):
            raise OcfError(OcfExit.ERR_GENERIC, "dlm_controld exited during start; see its log "
                           "(dlm_tool dump)")
        result = ctx.runner.run([paths.DLM_TOOL, "status", "-v"], timeout=10)
        comms = _host(ctx, f"{paths.CONFIGFS}/dlm/cluster/comms")
        if not result.ok:
            waiting_for = f"dlm_tool status (it said: {result.first_error_line()})"
        else:
            try:
                ready = parse_status(result.stdout).our_nodeid is not None
            except ValueError:
                ready = False
            if not ready:
                first = result.stdout.strip().splitlines()[:1]
                began = first[0] if first else ""
                waiting_for = f"this node's id in dlm_tool status -v (it began: {began!r})"
            elif not _has_entries(comms):
                waiting_for = f"the DLM's node addresses in {paths.CONFIGFS}/dlm/cluster/comms"
            else:
                ctx.log.info("dlm_controld is ready")
                _apply_toss_secs(ctx)
                return _pcmk_monitor(ctx)
        if ctx.runner.remaining() < 2:
            # Name what never arrived: the lab once waited out the timeout on an unread output form.
            raise OcfError(OcfExit.ERR_GENERIC, f"dlm_controld did not become ready within the start "
                           f"timeout: no {waiting_for}")
        ctx.runner.sleep(1)


def _apply_toss_secs(ctx: ActionContext) -> None:
    """Write dlm_toss_secs to the kernel DLM (dlm_controld makes the directory when it starts and
    removes it when it exits, so every start writes it again). A failure is logged, not fatal: it
    is a cache tuning, never worth failing the stack and every mount above it."""
    if not ctx.params.has("dlm_toss_secs"):
        return
    wanted = str(ctx.params.integer("dlm_toss_secs"))
    if _read(ctx, paths.DLM_TOSS_SECS) == wanted:
        return
    try:
        with open(_host(ctx, paths.DLM_TOSS_SECS), "w", encoding="ascii") as handle:
            handle.write(wanted + "\n")
    except OSError as exc:
        ctx.log.warning(f"cannot set {paths.DLM_TOSS_SECS} to {wanted}: {exc.strerror}; the DLM keeps "
                        "its own value")
        return
    ctx.log.info(f"the DLM keeps unused lock resources for {wanted} s")


def _pcmk_stop(ctx: ActionContext) -> OcfExit:
    import signal

    from dualroot.stack.dlm_status import parse_ls

    pids = _dlm_pids(ctx)
    if not pids:
        leftovers = _lockspace_dirs(ctx)
        if leftovers:
            raise OcfError(OcfExit.ERR_GENERIC, f"DLM lockspaces {', '.join(leftovers)} exist without "
                           "dlm_controld; this node must be fenced")
        return OcfExit.SUCCESS
    listing = ctx.runner.run([paths.DLM_TOOL, "ls"], timeout=10)
    names = [ls.name for ls in parse_ls(listing.stdout)] if listing.ok else []
    if names:
        raise OcfError(OcfExit.ERR_GENERIC, f"DLM lockspaces {', '.join(names)} are in use; stop their users "
                       "(cluster file systems, lvmlockd) first")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    while _dlm_pids(ctx):
        if ctx.runner.remaining() < 1:
            raise OcfError(
                OcfExit.ERR_GENERIC,
                f"dlm_controld (pid {', '.join(map(str, pids))}) did not exit "
                           "after SIGTERM")
        ctx.runner.sleep(0.5)
    return OcfExit.SUCCESS


# --- o2cb: the classic stack ---------------------------------------------------------------------------
def _corosync_nodes(ctx: ActionContext) -> tuple[str | None, list[CorosyncNode]]:
    from dualroot.stack.o2cb_conf import parse_cmap_nodelist

    result = ctx.runner.run([paths.COROSYNC_CMAPCTL], timeout=10)
    if not result.ok:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot read corosync's node list: {result.first_error_line()}")
    return parse_cmap_nodelist(result.stdout)


def _cluster_name(ctx: ActionContext) -> str:
    if ctx.params.has("cluster_name"):
        return ctx.params.text("cluster_name")
    name, _ = _corosync_nodes(ctx)
    if not name:
        raise OcfError(OcfExit.ERR_CONFIGURED, "parameter cluster_name is not set and corosync has no "
                       "totem.cluster_name")
    return name


def _o2cb_registered(ctx: ActionContext, name: str) -> bool:
    return os.path.isdir(_host(ctx, f"{paths.CONFIGFS}/cluster/{name}"))


def _o2cb_write_conf(ctx: ActionContext, name: str) -> None:
    import socket

    from dualroot.stack.o2cb_conf import ConfigError, HeartbeatMode, O2cbNode, render_cluster_conf

    _, members = _corosync_nodes(ctx)
    nodes = []
    for member in members:
        try:
            address = socket.gethostbyname(member.address)
        except OSError as exc:
            raise OcfError(
                OcfExit.ERR_GENERIC,
                f"cannot resolve {member.address} of node {member.name}") from exc
        nodes.append(O2cbNode(number=member.nodeid, name=member.name, address=address))
    if os.uname().nodename not in {n.name for n in nodes}:
        raise OcfError(
            OcfExit.ERR_CONFIGURED,
            f"this node's name {os.uname().nodename} is not among corosync's "
                       "node names; o2cb finds itself by hostname")
    has_regions = ctx.params.has("heartbeat_regions")
    regions = tuple(ctx.params.text("heartbeat_regions").split()) if has_regions else ()
    try:
        text = render_cluster_conf(name, nodes, HeartbeatMode(ctx.params.text("heartbeat_mode")), regions)
    except ConfigError as exc:
        raise OcfError(OcfExit.ERR_CONFIGURED, f"cannot write {paths.OCFS2_CLUSTER_CONF}: {exc}") from exc
    target = _host(ctx, paths.OCFS2_CLUSTER_CONF)
    if ctx.runner.read_text(paths.OCFS2_CLUSTER_CONF) == text:
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = target + ".dualroot-new"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, target)  # atomic: o2cb never reads half a file
    ctx.log.info(f"wrote {paths.OCFS2_CLUSTER_CONF} for {len(nodes)} nodes")


def _o2cb(ctx: ActionContext, *args: str) -> None:
    result = ctx.runner.run([paths.O2CB, *args], timeout=30)
    if not result.ok:
        raise OcfError(OcfExit.ERR_GENERIC, f"o2cb {' '.join(args)} failed: {result.first_error_line()}")


def _o2cb_start(ctx: ActionContext) -> OcfExit:
    name = _cluster_name(ctx)
    _ensure_configfs(ctx)
    _modprobe(ctx, StackName.O2CB.module)
    _select_stack(ctx, StackName.O2CB)
    _o2cb_write_conf(ctx, name)
    if not _o2cb_registered(ctx, name):
        _o2cb(ctx, "register-cluster", name)
    if ctx.params.text("heartbeat_mode") == "global":
        _o2cb(ctx, "start-heartbeat", name)
    return _o2cb_monitor(ctx)


def _o2cb_monitor(ctx: ActionContext) -> OcfExit:
    name = _cluster_name(ctx)
    if not _o2cb_registered(ctx, name):
        return OcfExit.NOT_RUNNING
    stack = _kernel_stack(ctx)
    if stack != "o2cb":
        raise OcfError(OcfExit.ERR_GENERIC, f"cluster {name} is registered but the kernel runs the "
                       f"{stack or 'no'} OCFS2 stack")
    if ctx.params.text("heartbeat_mode") == "global":
        result = ctx.runner.run([paths.O2CB, "cluster-status", name], timeout=10)
        if not result.ok:
            raise OcfError(OcfExit.ERR_GENERIC, f"o2cb cluster {name} is registered but not online")
    return OcfExit.SUCCESS


def _o2cb_stop(ctx: ActionContext) -> OcfExit:
    name = _cluster_name(ctx)
    if not _o2cb_registered(ctx, name):
        return OcfExit.SUCCESS
    if ctx.params.text("heartbeat_mode") == "global":
        _o2cb(ctx, "stop-heartbeat", name)
    _o2cb(ctx, "unregister-cluster", name)
    return OcfExit.SUCCESS


def _check_params(ctx: ActionContext) -> StackName:
    """Parameter syntax and what the meta-data cannot say; every action checks it first (6 on every
    node)."""
    for name, syntax_ok in _SYNTAX.items():
        if ctx.params.has(name) and not syntax_ok(value := ctx.params.text(name)):
            declared = METADATA.parameter(name)
            hint = declared.pattern_hint if declared is not None else ""
            shown = repr(value)
            shown = shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 4] + "...'"
            raise OcfError(OcfExit.ERR_CONFIGURED, f"parameter {name} must consist of {hint}, got {shown}")
    stack = _stack(ctx)
    if stack is StackName.O2CB and ctx.params.has("cluster_name"):
        from dualroot.stack.o2cb_conf import ConfigError, check_cluster_name

        try:
            check_cluster_name(ctx.params.text("cluster_name"))
        except ConfigError as exc:
            raise OcfError(OcfExit.ERR_CONFIGURED, f"parameter cluster_name: {exc}") from exc
    if stack is StackName.O2CB and ctx.params.text("heartbeat_mode") == "global" \
            and not ctx.params.has("heartbeat_regions"):
        raise OcfError(
            OcfExit.ERR_CONFIGURED,
            "parameter heartbeat_regions is required with heartbeat_mode=global")
    if stack is StackName.O2CB and ctx.params.has("dlm_toss_secs"):
        raise OcfError(OcfExit.ERR_CONFIGURED, "parameter dlm_toss_secs applies only to stack=pcmk (the "
                       "classic o2cb stack's DLM has no such setting); remove it")
    return stack


# --- actions ----------------------------------------------------------------------------------------
def start(ctx: ActionContext) -> OcfExit:
    _check_params(ctx)
    _refuse_disabled_fencing(ctx)
    if _stack(ctx) is StackName.PCMK:
        return _pcmk_start(ctx)
    return _o2cb_start(ctx)


def stop(ctx: ActionContext) -> OcfExit:
    _check_params(ctx)
    mounted = _mounted_ocfs2(ctx)
    if mounted:
        # Never pull the stack from under a mounted volume (that would hang or panic the node);
        # failing at once lets Pacemaker stop the mount first or fence.
        raise OcfError(OcfExit.ERR_GENERIC, f"OCFS2 is still mounted ({'; '.join(mounted)}); stop its "
                       "ocf:dualroot:ocfs2 resource first")
    if _stack(ctx) is StackName.PCMK:
        return _pcmk_stop(ctx)
    return _o2cb_stop(ctx)


def monitor(ctx: ActionContext) -> OcfExit:
    _check_params(ctx)
    if _stack(ctx) is StackName.PCMK:
        return _pcmk_monitor(ctx)
    return _o2cb_monitor(ctx)


def reload_agent(ctx: ActionContext) -> OcfExit:
    """Apply a changed dlm_toss_secs (the only reloadable parameter) to the running DLM; a change of
    any other makes Pacemaker restart the stack instead."""
    if _check_params(ctx) is StackName.PCMK and _dlm_pids(ctx):
        _apply_toss_secs(ctx)
    return OcfExit.SUCCESS


def _kernel_supports(ctx: ActionContext, module: str) -> bool:
    from pathlib import Path  # validate-all only

    if os.path.isdir(_host(ctx, f"{paths.SYS_MODULE}/{module}")):
        return True
    module_dir = Path(_host(ctx, f"{paths.LIB_MODULES}/{os.uname().release}"))
    return module_dir.is_dir() and any(module_dir.glob(f"**/{module}.ko*"))


def validate(ctx: ActionContext) -> OcfExit:
    """Cluster options (6), binaries (5), kernel support (5), stack stamped on the volumes (6)."""
    from dualroot.stack.kernel_stack import parse_o2cluster

    stack = _check_params(ctx)
    for problem in _cluster_problems(ctx) or []:
        raise OcfError(OcfExit.ERR_CONFIGURED, problem)
    tools = (paths.DLM_CONTROLD, paths.DLM_TOOL) if stack is StackName.PCMK else (paths.O2CB,)
    for tool in (*tools, paths.MODPROBE, paths.O2CLUSTER):
        if not os.access(_root(ctx) + tool, os.X_OK):
            raise OcfError(OcfExit.ERR_INSTALLED, f"{tool} is not installed")
    if not _kernel_supports(ctx, stack.module):
        raise OcfError(OcfExit.ERR_INSTALLED, f"the kernel {os.uname().release} has no {stack.module} module "
                       f"(needed for stack={stack.value})")
    volumes = ctx.params.text("volumes").split() if ctx.params.has("volumes") else []
    for device in volumes:
        result = ctx.runner.run([paths.O2CLUSTER, "-o", device], timeout=15)
        if not result.ok:
            raise OcfError(OcfExit.ERR_GENERIC, f"cannot read the stack stamped on {device}: "
                           f"{result.first_error_line()}")
        try:
            disk = parse_o2cluster(result.stdout)
        except ValueError as exc:
            raise OcfError(OcfExit.ERR_GENERIC, f"o2cluster -o {device}: {exc}") from exc
        if disk.stack != stack.value:
            flags = "none" if stack is StackName.PCMK else ctx.params.text("heartbeat_mode")
            raise OcfError(OcfExit.ERR_CONFIGURED, f"{device} is stamped for the {disk.stack} stack, not "
                           f"{stack.value}; with it unmounted on every node run: o2cluster -u "
                           f"{stack.value},{disk.cluster},{flags} {device}")
    return OcfExit.SUCCESS


AGENT = Agent(
    metadata=METADATA,
    handlers={"start": start, "stop": stop, "monitor": monitor, "validate-all": validate,
              "reload-agent": reload_agent},
)


def main() -> NoReturn:
    exit_process(run_agent(AGENT))
