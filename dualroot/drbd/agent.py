"""ocf:dualroot:drbd — a DRBD resource (8.4 in-tree module or DRBD 9) as a promotable clone,
dual-primary capable, for OCFS2 under Pacemaker.

The executable agents/drbd calls `main()`. Handlers get an ActionContext (dualroot.ocf.dispatcher);
only the dispatcher prints and exits.
"""

from __future__ import annotations

from dualroot import paths
from dualroot.ocf.dispatcher import ActionContext, Agent, Outcome, exit_process, run_agent
from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import Action, AgentMetadata, ContentType, Example, Parameter, Role

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from dualroot.drbd.control import DrbdResource
    from dualroot.drbd.status import ResourceStatus

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
NAME_CHARS = ALNUM + "_.+-"
NAME_HINT = "letters, digits, '_', '.', '+' and '-' (not starting with '-')"
PATH_CHARS = NAME_CHARS + "/"
PATH_HINT = "an absolute path of letters, digits, '_', '.', '+', '-' and '/'"
# How often waits look at the state again (seconds).
POLL_S = 0.25
# A retry loop stops this long before the operation's budget ends, to leave time for the reason.
RESERVE_S = 1.0

METADATA = AgentMetadata(
    name="drbd",
    version="0.1.0",
    shortdesc="DRBD resource as a promotable clone, dual-primary capable",
    longdesc=(
        "Manages one DRBD resource (the in-tree 8.4 kernel module or DRBD 9) as a promotable clone. "
        "start brings the resource up and connects it, leaving it Secondary (Unpromoted); promote makes it "
        "Primary only with UpToDate local data; monitor returns 8 (Promoted), 0 (Unpromoted) or 7 (not "
        "running), and 190/191 (degraded) with a reason after a split-brain. Promotion scores follow disk "
        "and connection state: 10000 for UpToDate data with a connected UpToDate peer (or already Primary), "
        "1000 for UpToDate data with the peer unknown, none for Consistent, Outdated, Inconsistent or "
        "Diskless.\n\n"
        "Dual-primary (promoted-max=2, for OCFS2) is refused with exit code 6 unless promoted-node-max and "
        "clone-node-max are 1, clone-max is at most 2, notify is true, and the DRBD configuration has "
        "allow-two-primaries, protocol C, fencing resource-and-stonith and fence-peer and unfence handlers "
        "(dualroot-fence-peer). Split-brains are reported, never resolved by discarding data."),
    parameters=(
        Parameter("drbd_resource", "DRBD resource name",
                  "The name of the DRBD resource from the DRBD configuration.", required=True,
                  unique_group="drbd_resource", allowed_chars=NAME_CHARS, pattern_hint=NAME_HINT),
        Parameter("drbdconf", "DRBD configuration file",
                  "The DRBD configuration file drbdadm reads.", default=str(paths.DRBD_CONF),
                  allowed_chars=PATH_CHARS, prefix="/", pattern_hint=PATH_HINT),
        Parameter("connect_wait", "Seconds start waits for the peer",
                  "How long start waits for the connection to the peer before it returns (it succeeds "
                  "without the peer too, Unpromoted, with the lower promotion score).",
                  content=ContentType.INTEGER, default="5", reloadable=True, minimum=0, maximum=300),
        Parameter("adjust_on_notify", "Reconnect on peer start",
                  "When a peer starts (post-start notification) and this node is not connected, run "
                  "drbdadm adjust to connect again.", content=ContentType.BOOLEAN, default="true",
                  reloadable=True),
    ),
    actions=(
        Action("start", 240),
        Action("stop", 100),
        Action("promote", 90),
        Action("demote", 90),
        Action("notify", 90),
        Action("monitor", 20, interval=10, role=Role.PROMOTED),
        Action("monitor", 20, interval=20, role=Role.UNPROMOTED),
        Action("reload-agent", 30),
        Action("validate-all", 30),
        Action("meta-data", 5),
    ),
    examples=(
        Example(
            "Dual-primary DRBD resource r0 for OCFS2 (promoted on both nodes):",
            "pcs resource create drbd_r0 ocf:dualroot:drbd drbd_resource=r0 \\\n"
            "    op monitor interval=10s role=Promoted op monitor interval=20s role=Unpromoted \\\n"
            "    promotable promoted-max=2 promoted-node-max=1 clone-max=2 clone-node-max=1 \\\n"
            "    notify=true interleave=true",
            "primitive drbd_r0 ocf:dualroot:drbd params drbd_resource=r0 \\\n"
            "    op monitor interval=10s role=Promoted op monitor interval=20s role=Unpromoted\n"
            "clone drbd_r0-clone drbd_r0 meta promotable=true promoted-max=2 promoted-node-max=1 \\\n"
            "    clone-max=2 clone-node-max=1 notify=true interleave=true"),
    ),
    see_also=("drbd.conf(5)", "drbdadm(8)", "dualroot-fence-peer(8)", "ocf_dualroot_o2cb(7)",
              "ocf_dualroot_ocfs2(7)", "ocf_linbit_drbd(7)", "pcs(8)", "crm(8)"),
)


# --- checks -----------------------------------------------------------------------------------------
def dual_primary_requested(ctx: ActionContext) -> bool:
    return (ctx.env.promoted_max or 1) >= 2


def check_clone_meta(ctx: ActionContext) -> None:
    """The clone meta attributes DRBD can honour (OCF 6: wrong everywhere, so ban the resource)."""
    env = ctx.env

    def refuse(sentence: str) -> OcfError:
        return OcfError(OcfExit.ERR_CONFIGURED, sentence)

    promoted_max = env.promoted_max
    if promoted_max is None:
        return  # not run as a promotable clone (a plain primitive or by hand)
    if promoted_max > 2:
        raise refuse(f"meta attribute promoted-max is {promoted_max}; DRBD allows at most 2 Primaries")
    if (env.promoted_node_max or 1) != 1:
        raise refuse(f"meta attribute promoted-node-max is {env.promoted_node_max}; it must be 1")
    if (env.clone_node_max or 1) != 1:
        raise refuse(f"meta attribute clone-node-max is {env.clone_node_max}; it must be 1 "
                     f"(one DRBD instance per node)")
    if promoted_max == 2 and (env.clone_max or 2) > 2:
        raise refuse(f"meta attribute clone-max is {env.clone_max}; dual-primary allows at most 2")
    if not env.notify_enabled:
        raise refuse("meta attribute notify must be true for the promotable DRBD clone "
                      "(peers reconnect and rescore on notifications)")


def check_dual_primary_config(ctx: ActionContext, drbd: DrbdResource, generation: str) -> None:
    """Refuse dual-primary without the DRBD settings and cluster fencing it needs (exit 6)."""
    problem = _config_problem(drbd, generation)
    if problem:
        raise OcfError(OcfExit.ERR_CONFIGURED, problem)
    _check_cluster_fencing(ctx)


def _config_problem(drbd: DrbdResource, generation: str) -> str | None:
    from dualroot.drbd.config import dual_primary_problem

    return dual_primary_problem(drbd.config(), generation)


def _check_cluster_fencing(ctx: ActionContext) -> None:
    """Pacemaker must be able to fence: read stonith-enabled from the CIB's XML (default true)."""
    import xml.etree.ElementTree as ET

    try:
        result = ctx.runner.run([paths.CIBADMIN, "--query", "--scope", "crm_config"], timeout=10)
    except OcfError as exc:
        ctx.log.warning(f"could not read the cluster options: {exc.reason}")
        return
    if not result.ok:
        ctx.log.warning(f"could not read the cluster options: {result.first_error_line()}")
        return
    try:
        root = ET.fromstring(result.stdout)
    except ET.ParseError:
        ctx.log.warning("cibadmin printed no valid XML for crm_config")
        return
    for nvpair in root.iter("nvpair"):
        if nvpair.get("name") in ("stonith-enabled", "fencing-enabled") and \
                nvpair.get("value", "true").lower() in ("false", "no", "off", "0", "n"):
            raise OcfError(OcfExit.ERR_CONFIGURED,
                           f"cluster property {nvpair.get('name')} is false; dual-primary DRBD needs "
                           f"Pacemaker fencing")


def resource_for(ctx: ActionContext) -> DrbdResource:
    # imported here so that meta-data, usage and validate-all at level 0 never load the DRBD code
    from dualroot.drbd.control import DrbdResource

    return DrbdResource(ctx.runner, ctx.params.text("drbd_resource"), ctx.params.text("drbdconf"))


def update_score(ctx: ActionContext, status: ResourceStatus | None) -> None:
    from dualroot.drbd.state_policy import promotion_score

    score = promotion_score(status) if status is not None else None
    if score is None:
        ctx.scores.clear()
    else:
        ctx.scores.set(score)


def _conf_must_exist(ctx: ActionContext, drbd: DrbdResource) -> None:
    if ctx.runner.read_text(drbd.conf) is None:
        raise OcfError(OcfExit.ERR_INSTALLED, f"parameter drbdconf: {drbd.conf} does not exist on this node")


# --- actions ----------------------------------------------------------------------------------------
def start(ctx: ActionContext) -> OcfExit:
    check_clone_meta(ctx)
    drbd = resource_for(ctx)
    _conf_must_exist(ctx, drbd)
    drbd.forget_minors()  # a start asks drbdadm afresh, whatever a monitor remembered
    proc = drbd.proc()
    if proc is None:
        drbd.load_module()
        proc = drbd.proc()
        if proc is None:
            raise OcfError(OcfExit.ERR_INSTALLED, "the drbd module is loaded but /proc/drbd does not exist")
    if dual_primary_requested(ctx):
        check_dual_primary_config(ctx, drbd, proc.generation)
    status = drbd.status(proc)
    if status is None:
        result = drbd.change("up")
        if not result.ok:
            raise OcfError(OcfExit.ERR_GENERIC, f"drbdadm up {drbd.name} failed: {result.first_error_line()}")
        status = drbd.status()
        if status is None:
            raise OcfError(OcfExit.ERR_GENERIC, f"DRBD resource {drbd.name} is not up after drbdadm up")
    elif status.primary:
        ctx.log.warning(f"start found {drbd.name} already Primary; leaving it so")
    status = _wait_for_peer(ctx, drbd, status)
    update_score(ctx, status)
    return OcfExit.SUCCESS


def _wait_for_peer(ctx: ActionContext, drbd: DrbdResource, status: ResourceStatus) -> ResourceStatus:
    runner = ctx.runner
    deadline = runner.monotonic() + ctx.params.integer("connect_wait")
    current: ResourceStatus | None = status
    while current is not None and not all(p.connected and p.disks_known for p in current.peers):
        if runner.monotonic() >= deadline or runner.remaining() < RESERVE_S + POLL_S:
            break
        runner.sleep(POLL_S)
        current = drbd.status()
    if current is None:
        raise OcfError(OcfExit.ERR_GENERIC, f"DRBD resource {drbd.name} went down during start")
    return current


def _retry(ctx: ActionContext, drbd: DrbdResource, verb: str,
           done: Callable[[ResourceStatus | None], bool]) -> ResourceStatus | None:
    """Run `drbdadm <verb>` until `done(status)` or the budget ends; raise with drbdadm's last words."""
    runner = ctx.runner
    last = ""
    while True:
        result = drbd.change(verb)
        status = drbd.status()
        if done(status):
            return status
        last = result.first_error_line() if not result.ok else f"state is still {_describe(status)}"
        if runner.remaining() < RESERVE_S + 1.0:
            raise OcfError(OcfExit.ERR_GENERIC, f"drbdadm {verb} {drbd.name} did not succeed in time: {last}")
        ctx.log.info(f"drbdadm {verb} {drbd.name} not done yet ({last}); retrying")
        runner.sleep(1.0)


def _describe(status: ResourceStatus | None) -> str:
    if status is None:
        return "down"
    return f"{status.role.value}/{status.worst_disk.value}"


def stop(ctx: ActionContext) -> OcfExit:
    from dualroot.drbd.control import ResourceNotDefined

    drbd = resource_for(ctx)
    drbd.forget_minors()
    try:
        status = drbd.status()
    except ResourceNotDefined:
        status = None  # nothing of this name can be running
    if status is not None:
        if status.primary:
            _retry(ctx, drbd, "secondary", lambda s: s is None or not s.primary)
        _retry(ctx, drbd, "down", lambda s: s is None)
    drbd.forget_minors()
    ctx.scores.clear()
    return OcfExit.SUCCESS


def promote(ctx: ActionContext) -> OcfExit:
    check_clone_meta(ctx)
    drbd = resource_for(ctx)
    proc = drbd.proc()
    status = drbd.status(proc)
    if status is None or proc is None:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot promote DRBD resource {drbd.name}: it is not running")
    if status.primary:
        return OcfExit.SUCCESS
    if dual_primary_requested(ctx):
        check_dual_primary_config(ctx, drbd, proc.generation)
    if not status.all_up_to_date:
        update_score(ctx, status)
        raise OcfError(OcfExit.ERR_GENERIC,
                       f"refusing to promote DRBD resource {drbd.name}: its local disk is "
                       f"{status.worst_disk.value}, not UpToDate (no access to UpToDate data)")
    result = drbd.change("primary")
    status = drbd.status()
    if status is None or not status.primary:
        raise OcfError(OcfExit.ERR_GENERIC,
                       f"drbdadm primary {drbd.name} failed: {result.first_error_line()}")
    update_score(ctx, status)
    return OcfExit.SUCCESS


def demote(ctx: ActionContext) -> OcfExit:
    drbd = resource_for(ctx)
    status = drbd.status()
    if status is None:
        raise OcfError(OcfExit.ERR_GENERIC, f"cannot demote DRBD resource {drbd.name}: it is not running")
    if status.primary:
        status = _retry(ctx, drbd, "secondary", lambda s: s is not None and not s.primary)
    update_score(ctx, status)
    return OcfExit.SUCCESS


def monitor(ctx: ActionContext) -> OcfExit | Outcome:
    from dualroot.drbd.control import ResourceNotDefined

    drbd = resource_for(ctx)
    proc = drbd.proc()
    if ctx.is_probe and (proc is None or proc.nothing_up):
        # The usual probe (no DRBD resource up on this node) needs no answer from `drbdadm sh-minor`,
        # which parses the whole configuration: nothing is running, whether r0 is defined here or not.
        return OcfExit.NOT_RUNNING
    try:
        status = drbd.status(proc)
    except ResourceNotDefined:
        if ctx.is_probe:
            return OcfExit.NOT_RUNNING  # a probe may run on any node, configured for DRBD or not
        raise
    if status is None:
        # A probe that finds nothing leaves the score alone (ocf:linbit:drbd does the same).
        return OcfExit.NOT_RUNNING
    from dualroot.drbd.state_policy import monitor_outcome  # only a monitor that found it running

    update_score(ctx, status)
    return monitor_outcome(status, dual_primary_requested(ctx))


def notify(ctx: ActionContext) -> OcfExit:
    info = ctx.env.notify
    if info is None or info.type != "post":
        return OcfExit.SUCCESS
    drbd = resource_for(ctx)
    status = drbd.status()
    if status is None:
        return OcfExit.SUCCESS
    peer_started = any(n != ctx.env.node_name for n in info.nodes("start"))
    if (info.operation == "start" and peer_started and ctx.params.flag("adjust_on_notify")
            and not all(p.connected for p in status.peers)):
        result = drbd.change("adjust")
        if not result.ok:
            ctx.log.warning(f"drbdadm adjust {drbd.name} failed: {result.first_error_line()}")
        status = drbd.status()
    update_score(ctx, status)
    return OcfExit.SUCCESS


def validate_all(ctx: ActionContext) -> OcfExit:
    """Level 0: parameters and clone meta attributes (done by then). Level 10+: this node's DRBD."""
    check_clone_meta(ctx)
    if ctx.env.check_level >= 10:
        drbd = resource_for(ctx)
        _conf_must_exist(ctx, drbd)
        proc = drbd.proc()
        generation = proc.generation if proc is not None else "8.4"
        cfg = drbd.config()
        if dual_primary_requested(ctx):
            from dualroot.drbd.config import dual_primary_problem

            problem = dual_primary_problem(cfg, generation)
            if problem:
                raise OcfError(OcfExit.ERR_CONFIGURED, problem)
    return OcfExit.SUCCESS


def reload_agent(ctx: ActionContext) -> OcfExit:
    # connect_wait and adjust_on_notify are read when an action runs: nothing to apply now.
    check_clone_meta(ctx)
    return OcfExit.SUCCESS


AGENT = Agent(METADATA, {
    "start": start, "stop": stop, "promote": promote, "demote": demote, "monitor": monitor,
    "notify": notify, "validate-all": validate_all, "reload-agent": reload_agent,
})


def main() -> NoReturn:
    exit_process(run_agent(AGENT))
