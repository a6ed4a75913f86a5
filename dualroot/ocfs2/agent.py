"""ocf:dualroot:ocfs2 — mount one OCFS2 volume on a shared block device, cloned on every node using it."""

from __future__ import annotations

import os

from dualroot import paths
from dualroot.ocf.dispatcher import ActionContext, Agent, Outcome, exit_process, run_agent
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import Action, AgentMetadata, Example, Parameter
from dualroot.ocfs2.proc_mounts import MountEntry, find_mount, normalize, parse_proc_mounts, submounts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

# Every monitor is a new process that pays for its imports: the monitor path imports no pathlib, re,
# enum, subprocess or typing (tests/unit/ocfs2/test_import_cost.py). Host paths are plain strings;
# parameter syntax is checked with character sets, not regular expressions; stop, start and
# validate-all import what they need inside their functions.

_LETTERS_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# Paths: absolute, no whitespace or shell metacharacters (they reach mount(8) as argv items, never
# a shell, but a newline or a comma would still corrupt /proc/mounts matching and option lists).
_PATH_CHARS = _LETTERS_DIGITS + "._+:@/-"
_PATH_HINT = "an absolute path of letters, digits and . _ + : @ / -"
# Options: non-empty items of these characters, separated by single commas.
_OPTION_CHARS = frozenset(_LETTERS_DIGITS + "_.:/@+=-")
_OPTIONS_HINT = "comma-separated mount options of letters, digits and . _ : / @ + = -"
_SHOWN_MAX = 40  # how much of a bad value a reason quotes, as the framework's parameter checks do

# Options the agent sets or that would defeat a cluster mount.
_REFUSED_OPTIONS = ("local", "remount", "bind", "move", "cluster_stack")

LONGDESC = """\
Mounts one OCFS2 volume on this node. Clone it (interleave=true) on every node that uses the volume,
after ocf:dualroot:o2cb (ordering and colocation). Nothing here assumes DRBD or two nodes: the
device may be a DRBD resource in dual-primary mode, an iSCSI LUN or a SAN volume, and the clone may
run on as many nodes as the volume has slots (mkfs.ocfs2 -N), up to OCFS2's limit of 255.

start refuses to mount while the OCFS2 cluster stack is not up, or when the volume is stamped for
another stack than the running one. stop unmounts; only if the mount is busy it finds the holders
by walking /proc (open files, working and root directories, mappings) for this mount alone, sends
TERM and then KILL within a budget taken from the stop timeout, and names them in the log. It never
signals a process outside the mount and never unmounts anything but this mount. Every call that
touches the mount is bounded: when the device's I/O is frozen (DRBD suspends I/O after a
replication cut; umount and even stat then hang) stop fails at once with a reason, so the cluster
fences the node instead of waiting out the whole stop timeout.

monitor depths (OCF_CHECK_LEVEL): 0 the mount is in /proc/mounts; 10 also a direct read of one
block from the device; 20 also a write and read-back of this node's status file
DIR/.dualroot-status/NODE with O_DIRECT and O_SYNC. A probe never fails because the directory is
missing. When those reads hang, the monitor fails at once, except while a DRBD fence-peer handler
runs: DRBD freezes I/O on purpose until the peer is fenced, so the monitor answers 190 (degraded)
and Pacemaker leaves the mount, and its writers, alone."""

METADATA = AgentMetadata(
    name="ocfs2",
    version="1.0",
    shortdesc="OCFS2 cluster file system mount (any shared block device, any number of nodes)",
    longdesc=LONGDESC,
    parameters=(
        Parameter(
            "device",
            "Block device holding the OCFS2 volume",
            "The shared block device to mount, e.g. /dev/drbd0, /dev/drbd/by-res/r0/0, or a SAN/iSCSI "
            "device path such as /dev/disk/by-id/wwn-0x600... (the same on every node).",
            required=True,
            allowed_chars=_PATH_CHARS,
            prefix="/",
            pattern_hint=_PATH_HINT,
        ),
        Parameter(
            "directory",
            "Mount point",
            "Absolute path of the mount point; created if missing. Never / .",
            required=True,
            unique_group="directory",
            allowed_chars=_PATH_CHARS,
            prefix="/",
            pattern_hint=_PATH_HINT,
        ),
        Parameter(
            "fstype",
            "File system type (only ocfs2)",
            "Kept for symmetry with ocf:heartbeat:Filesystem; any other type is refused.",
            default="ocfs2",
            choices=("ocfs2",),
        ),
        Parameter(
            "options",
            "Mount options",
            "Comma-separated options passed to mount -o, e.g. noatime. The options local, remount, "
            "bind, move and cluster_stack are refused.",
            pattern_hint=_OPTIONS_HINT,  # the syntax is checked by Volume (items, commas)
        ),
    ),
    actions=(
        Action("start", timeout=60),
        Action("stop", timeout=60),
        Action("monitor", timeout=40, interval=20, depth=0),
        Action("monitor", timeout=40, interval=61, depth=10),
        Action("monitor", timeout=60, interval=121, depth=20),
        Action("validate-all", timeout=20),
        Action("meta-data", timeout=5),
    ),
    examples=(
        Example(
            "An OCFS2 volume on DRBD dual-primary, cloned after the o2cb stack",
            "pcs resource create fs_ocfs2 ocf:dualroot:ocfs2 device=/dev/drbd0 directory=/srv/ocfs2 "
            "options=noatime op monitor interval=20s clone interleave=true\n"
            "pcs constraint order start o2cb-clone then start fs_ocfs2-clone\n"
            "pcs constraint colocation add fs_ocfs2-clone with o2cb-clone INFINITY",
            "primitive fs_ocfs2 ocf:dualroot:ocfs2 params device=/dev/drbd0 directory=/srv/ocfs2 "
            "options=noatime op monitor interval=20s\n"
            "clone fs_ocfs2-clone fs_ocfs2 meta interleave=true\n"
            "order o2cb-then-fs Mandatory: o2cb-clone fs_ocfs2-clone\n"
            "colocation fs-with-o2cb inf: fs_ocfs2-clone o2cb-clone",
        ),
    ),
    see_also=("ocf_dualroot_o2cb(7)", "ocf_dualroot_drbd(7)", "mount.ocfs2(8)", "o2cluster(8)"),
)

_LEVELS = (0, 10, 20)


def check_level(ctx: ActionContext) -> int:
    """The supported depth for OCF_CHECK_LEVEL (unsupported levels fall back to the next lower one)."""
    raw = ctx.env.raw.get("OCF_CHECK_LEVEL", ctx.env.meta.get("OCF_CHECK_LEVEL", ""))
    text = raw.strip()
    if text == "":
        return 0
    if not text.isdigit():
        raise OcfError(OcfExit.ERR_CONFIGURED, f"OCF_CHECK_LEVEL must be 0, 10 or 20, got {raw!r}")
    level = int(text)
    return max(lv for lv in _LEVELS if lv <= level)


class Volume:
    """This resource's device and mount point, checked beyond what the meta-data pattern can say."""

    def __init__(self, ctx: ActionContext) -> None:
        self.device = ctx.params.text("device")
        self.directory = normalize(ctx.params.text("directory"))
        options = ctx.params.text("options") if ctx.params.has("options") else ""
        self.options = options.split(",") if options else []
        if not all(o and set(o) <= _OPTION_CHARS for o in self.options):
            shown = repr(options)
            shown = shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 4] + "...'"
            raise OcfError(OcfExit.ERR_CONFIGURED, f"parameter options must consist of {_OPTIONS_HINT}, "
                           f"got {shown}")
        if self.directory == "/" or ".." in ctx.params.text("directory").split("/"):
            raise OcfError(
                OcfExit.ERR_CONFIGURED,
                f"parameter directory must be a mount point below /, got {ctx.params.text('directory')!r}",
            )
        for option in self.options:
            if option.split("=")[0] in _REFUSED_OPTIONS:
                raise OcfError(
                    OcfExit.ERR_CONFIGURED,
                    f"parameter options must not contain {option.split('=')[0]!r} "
                    "(it defeats a cluster mount)",
                )


def _root(ctx: ActionContext) -> str:
    return ctx.env.raw.get("DUALROOT_TOOL_ROOT", "").rstrip("/")


def _host(ctx: ActionContext, path: str) -> str:
    """A host path under the test/bench tool root (empty in production)."""
    return _root(ctx) + path


def _mounts(ctx: ActionContext) -> list[MountEntry]:
    text = ctx.runner.read_text(paths.PROC_MOUNTS)
    if text is None:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot read {paths.PROC_MOUNTS}")
    return parse_proc_mounts(text)


def _same_device(ctx: ActionContext, entry: MountEntry, device: str) -> bool:
    # /dev/drbd/by-res/r0/0 and /dev/disk/by-id/... are symlinks to what /proc/mounts shows;
    # resolving names under /dev never touches the OCFS2 mount.
    if entry.device == device:
        return True
    root = _root(ctx)
    return os.path.realpath(root + entry.device) == os.path.realpath(root + device)


def _our_mount(ctx: ActionContext, volume: Volume, strict: bool = True) -> MountEntry | None:
    """Our mount, or None. Another file system on our directory is never touched: an error when
    `strict`; for stop it only means our volume is not mounted there."""
    entries = _mounts(ctx)
    entry = find_mount(entries, volume.directory)
    if entry is None:
        return None
    if not strict:
        ours = [e for e in entries if e.directory == entry.directory and e.fstype == "ocfs2"
                and _same_device(ctx, e, volume.device)]
        if ours and ours[-1] is not entry:
            raise OcfError(OcfExit.ERR_GENERIC, f"{volume.directory} has {entry.device} mounted over "
                           f"{volume.device}; unmount it first")
        return ours[-1] if ours else None
    if entry.fstype != "ocfs2" or not _same_device(ctx, entry, volume.device):
        raise OcfError(
            OcfExit.ERR_GENERIC,
            f"{volume.directory} has {entry.device} ({entry.fstype}) mounted, not {volume.device}",
        )
    return entry


def _bound(ctx: ActionContext, share: float, cap: float) -> float:
    return max(0.5, min(cap, ctx.runner.remaining() * share))


# --- start ------------------------------------------------------------------------------------------
def _running_stack(ctx: ActionContext) -> str:
    """The OCFS2 stack the kernel runs, or an OcfError saying the stack is not up."""
    stack = (ctx.runner.read_text(f"{paths.SYS_FS_OCFS2}/cluster_stack") or "").strip()
    if not stack:
        raise OcfError(
            OcfExit.ERR_GENERIC,
            "the OCFS2 cluster stack is not loaded; start ocf:dualroot:o2cb on this node first",
        )
    if stack == "pcmk":
        from dualroot.stack.daemon import find_pids

        if not find_pids(_host(ctx, paths.PROC), "dlm_controld"):
            raise OcfError(
                OcfExit.ERR_GENERIC,
                "dlm_controld is not running, so the OCFS2 user stack is not up; "
                "start ocf:dualroot:o2cb first",
            )
    elif stack == "o2cb":
        try:
            registered = os.listdir(_host(ctx, f"{paths.CONFIGFS}/cluster"))
        except OSError:  # no configfs, or no o2cb cluster directory in it
            registered = []
        if not registered:
            raise OcfError(
                OcfExit.ERR_GENERIC,
                "no o2cb cluster is registered in configfs; start ocf:dualroot:o2cb with stack=o2cb first",
            )
    return stack


def _check_disk_stack(ctx: ActionContext, volume: Volume, running: str) -> None:
    result = ctx.runner.run([paths.O2CLUSTER, "-o", volume.device], timeout=_bound(ctx, 0.2, 10))
    from dualroot.stack.kernel_stack import parse_o2cluster

    try:
        disk = parse_o2cluster(result.stdout) if result.ok else None
    except ValueError:
        disk = None
    if disk is None:
        # Only a clear mismatch refuses the start; if the stamp cannot be read, mount says why.
        ctx.log.warning(f"cannot read the cluster stack of {volume.device}: {result.first_error_line()}")
        return
    if disk.stack != running:
        raise OcfError(
            OcfExit.ERR_CONFIGURED,
            f"{volume.device} is stamped for the {disk.stack} stack but this node runs {running}; "
            f"unmount it everywhere and run: o2cluster -u {running},{disk.cluster},"
            f"{'none' if running == 'pcmk' else 'local'} {volume.device}",
        )


def start(ctx: ActionContext) -> OcfExit:
    volume = Volume(ctx)
    check_level(ctx)
    if _our_mount(ctx, volume) is not None:
        return OcfExit.SUCCESS
    if not os.path.exists(_root(ctx) + volume.device):
        raise OcfError(OcfExit.ERR_INSTALLED, f"device {volume.device} does not exist on this node")
    running = _running_stack(ctx)
    _check_disk_stack(ctx, volume, running)
    try:
        os.makedirs(_host(ctx, volume.directory), exist_ok=True)
    except OSError as exc:
        raise OcfError(
            OcfExit.ERR_GENERIC, f"cannot create mount point {volume.directory}: {exc.strerror}"
        ) from exc
    _load_ocfs2(ctx)
    argv = [paths.MOUNT, "-t", "ocfs2"]
    if volume.options:
        argv += ["-o", ",".join(volume.options)]
    argv += [volume.device, volume.directory]
    result = ctx.runner.run(argv)
    if not result.ok:
        raise OcfError(OcfExit.ERR_GENERIC, f"mount of {volume.device} on {volume.directory} failed: "
                       f"{result.first_error_line()}")
    if _our_mount(ctx, volume) is None:
        raise OcfError(OcfExit.ERR_GENERIC, f"mount reported success but {volume.directory} is not mounted")
    ctx.log.info(f"mounted {volume.device} on {volume.directory}")
    return OcfExit.SUCCESS


# --- stop -------------------------------------------------------------------------------------------
def _frozen_reason(volume: Volume, seconds: float) -> str:
    return (
        f"I/O on {volume.device} is frozen: a read or stat gave no answer within {seconds:.1f} s; "
        "failing the stop now so that the cluster fences this node"
    )


def stop(ctx: ActionContext) -> OcfExit:
    import signal
    from pathlib import Path

    from dualroot.ocfs2.bounded_io import Outcome as IoOutcome
    from dualroot.ocfs2.bounded_io import read_direct, run_bounded, stat_path
    from dualroot.ocfs2.escalation import Phase, plan_escalation
    from dualroot.ocfs2.holders import find_holders, has_exited

    volume = Volume(ctx)
    if _our_mount(ctx, volume, strict=False) is None:
        return OcfExit.SUCCESS
    below = submounts(_mounts(ctx), volume.directory)
    if below:
        raise OcfError(
            OcfExit.ERR_GENERIC,
            f"{volume.directory} has file systems mounted below it "
            f"({', '.join(e.directory for e in below)}); unmount them first",
        )
    plan = plan_escalation(ctx.env.timeout_s or 60.0)
    started = ctx.runner.monotonic()
    named: list[str] = []
    while True:
        elapsed = ctx.runner.monotonic() - started
        # Before every umount: one direct read from the device (DRBD's suspended I/O blocks it even
        # when OCFS2 still answers a stat from cached locks) and a stat of the mount point. Either
        # hanging means umount would hang too: fail now so the node is fenced at once.
        for work in (read_direct(_root(ctx) + volume.device), stat_path(_root(ctx) + volume.directory)):
            if run_bounded(work, plan.call_bound).outcome is IoOutcome.FROZEN:
                raise OcfError(OcfExit.ERR_GENERIC, _frozen_reason(volume, plan.call_bound))
        result = ctx.runner.run([paths.UMOUNT, volume.directory], timeout=plan.call_bound)
        if result.ok or _our_mount(ctx, volume, strict=False) is None:
            if named:
                ctx.log.info(f"unmounted {volume.directory} after stopping: {'; '.join(named)}")
            return OcfExit.SUCCESS
        phase = plan.phase(ctx.runner.monotonic() - started)
        proc = Path(_host(ctx, paths.PROC))
        holders = find_holders(volume.directory, proc, own_pid=os.getpid())
        holders = [h for h in holders if h.pid != 1]  # never signal init, whatever it holds
        if phase is Phase.GIVE_UP:
            who = ", ".join(h.describe() for h in holders[:5]) or "no process (a kernel user?)"
            raise OcfError(
                OcfExit.ERR_GENERIC,
                f"{volume.directory} is still busy after {elapsed:.0f} s: {who}; umount said: "
                f"{result.first_error_line()}",
            )
        sig = (Phase.TERM if phase is Phase.UMOUNT else phase).signal
        assert sig is not None
        signalled = []
        for holder in holders:
            try:
                os.kill(holder.pid, sig)
            except ProcessLookupError:
                continue
            except PermissionError:
                ctx.log.warning(f"no permission to signal {holder.describe()}")
                continue
            text = f"{signal.Signals(sig).name} {holder.describe()}"
            named.append(text)
            signalled.append(holder.pid)
            ctx.log.warning(f"{volume.directory} busy: sent {text}")
        # Retry umount as soon as every signalled holder has exited, at most round_delay later.
        # (and never less than 50 ms, so a round always lets time pass toward the next phase).
        waited = 0.0
        while waited < 0.05 or (
            waited < plan.round_delay and not all(has_exited(proc, pid) for pid in signalled)
        ):
            ctx.runner.sleep(0.025)
            waited += 0.025


# --- monitor ----------------------------------------------------------------------------------------
def monitor(ctx: ActionContext) -> OcfExit | Outcome:
    volume = Volume(ctx)
    level = check_level(ctx)
    entry = _our_mount(ctx, volume)
    if entry is None:
        return OcfExit.NOT_RUNNING
    if level < 10:
        return OcfExit.SUCCESS
    # Only the deeper checks pay for the fork/O_DIRECT machinery (depth 0 is the frequent one).
    from dualroot.ocfs2.bounded_io import BoundedSteps, read_direct, status_file_roundtrip
    from dualroot.ocfs2.bounded_io import Outcome as IoOutcome

    # Depth 10: one block read from the device, past the page cache (DRBD's suspended I/O shows
    # here first). Depth 20 also: this node's status file written and read back with O_DIRECT and
    # O_SYNC (the device path and the cluster locks work). Both in one bounded child process.
    works = [read_direct(_root(ctx) + volume.device)]
    if level >= 20:
        node = ctx.env.node_name or os.uname().nodename
        status = f"{_root(ctx)}{volume.directory}/{paths.OCFS2_STATUS_DIR}/{node}"
        works.append(status_file_roundtrip(status, f"{node} {ctx.env.resource_instance}"))
    steps = BoundedSteps(works)
    try:
        bound = _bound(ctx, 0.4, 20)
        result = steps.next_result(bound)
        if result.outcome is IoOutcome.FROZEN:
            if _fence_handler_running(ctx):
                return _fencing_in_progress(volume)
            raise OcfError(OcfExit.ERR_GENERIC, f"a read from {volume.device} gave no answer within "
                           f"{bound:.1f} s: its I/O is frozen")
        if result.outcome is IoOutcome.FAILED:
            raise OcfError(OcfExit.ERR_GENERIC, f"a direct read from {volume.device} failed: {result.detail}")
        if level >= 20:
            bound = _bound(ctx, 0.4, 30)
            result = steps.next_result(bound)
            if result.outcome is IoOutcome.FROZEN:
                if _fence_handler_running(ctx):
                    return _fencing_in_progress(volume)
                raise OcfError(OcfExit.ERR_GENERIC, f"the status file in {volume.directory} gave no answer "
                               f"within {bound:.1f} s: I/O on {volume.device} is frozen")
            if result.outcome is IoOutcome.FAILED:
                raise OcfError(OcfExit.ERR_GENERIC, f"write and read-back of {status} failed: "
                               f"{result.detail}")
    finally:
        steps.close()
    return OcfExit.SUCCESS


def _fence_handler_running(ctx: ActionContext) -> bool:
    """Whether a DRBD fence-peer handler runs (`drbdadm fence-peer RES`, or a handler whose name says
    fence-peer: crm-fence-peer.9.sh, dualroot-fence-peer, ...), read from /proc/PID/cmdline.

    DRBD freezes I/O on purpose while its handler gets the peer fenced (`fencing resource-and-stonith`)
    and resumes it when the handler returns. Calling that a failure made Pacemaker restart the mount on
    the very node that was winning, killing its writers (seen in the lab's replication cut)."""
    from dualroot.stack.daemon import scan_proc

    def fence_peer(cmdline: bytes) -> bool:
        return any(b"fence-peer" in word.rsplit(b"/", 1)[-1] for word in cmdline.split(b"\0")[:3])

    return bool(scan_proc(_host(ctx, paths.PROC), "cmdline", 4096, fence_peer))


def _fencing_in_progress(volume: Volume) -> Outcome:
    # 190: running but degraded. Pacemaker records it and does not recover the mount; if the handler
    # fails, I/O stays frozen, the next monitor finds no handler and reports the failure.
    return Outcome(OcfExit.DEGRADED, f"I/O on {volume.device} is suspended while DRBD's fence-peer handler "
                   "runs; it resumes once the peer is fenced")


def _load_ocfs2(ctx: ActionContext) -> None:
    """Load the file system module before mounting: mount.ocfs2 asks the cluster stack first and, with
    only ocfs2_stack_user loaded, fails "Unable to access cluster service" (seen in the lab on the
    node that had not run mkfs); the kernel would load ocfs2 only for the mount call itself."""
    filesystems = ctx.runner.read_text(paths.PROC_FILESYSTEMS) or ""
    if "ocfs2" in filesystems.split():
        return
    result = ctx.runner.run([paths.MODPROBE, "ocfs2"], timeout=30)
    if not result.ok:
        raise OcfError(OcfExit.ERR_INSTALLED, f"modprobe ocfs2 failed: {result.first_error_line()}")


# --- validate-all -----------------------------------------------------------------------------------
def validate(ctx: ActionContext) -> OcfExit:
    Volume(ctx)
    level = check_level(ctx)
    if level < 10:
        return OcfExit.SUCCESS  # OCF 1.1: level 0 checks the parameters only
    for tool in (paths.MOUNT, paths.UMOUNT, paths.O2CLUSTER):
        if not os.access(_root(ctx) + tool, os.X_OK):
            raise OcfError(OcfExit.ERR_INSTALLED, f"{tool} is not installed")
    filesystems = ctx.runner.read_text(paths.PROC_FILESYSTEMS) or ""
    if "ocfs2" not in filesystems.split():
        from pathlib import Path

        release = os.uname().release
        module_dir = Path(_host(ctx, f"{paths.LIB_MODULES}/{release}"))
        if not any(module_dir.glob("**/ocfs2.ko*")) if module_dir.is_dir() else True:
            raise OcfError(OcfExit.ERR_INSTALLED, f"the kernel {release} has no ocfs2 support")
    return OcfExit.SUCCESS


AGENT = Agent(
    metadata=METADATA,
    handlers={"start": start, "stop": stop, "monitor": monitor, "validate-all": validate},
)


def main() -> NoReturn:
    exit_process(run_agent(AGENT))
