"""dualroot-fence-peer: DRBD's fence-peer and unfence handler for Pacemaker (8.4 and 9).

DRBD runs it with I/O frozen (`fencing resource-and-stonith`) when a Primary loses its peer, and again
when a resync has finished (8.4: after-resync-target; 9: unfence-peer). Which of the two it is: the
first argument ("fence"/"unfence") or the program name (`*unfence*`) if given, else the state: a
connected peer means the resync is over (unfence), a lost one means fence.

fence:
1. The local disk must be UpToDate (else exit 1: I/O stays frozen; this node is not the good copy).
2. One deterministic winner, so the two Primaries of a replication-only cut never fence each other:
   the node whose Pacemaker name sorts first acts at once; the other waits up to LOSER_DELAY_S for the
   winner's constraint or for the peer to leave the membership (a crashed winner), then acts. The
   constraint is created with `cibadmin --create`, which fails if it exists: the CIB itself settles a
   race, and a node that finds the peer's constraint has lost (exit 1, I/O stays frozen until it is
   fenced; in dual-primary it leaves corosync too, so the winner need not wait out the token). In a
   replication-only cut (corosync still reaches the peer, which the CIB shows Promoted) the loser
   does not wait for the constraint: it leaves at once, since the winner is alive and acts, and
   Pacemaker fences a node that leaves corosync uncleanly in any case.
3. The constraint `drbd-fence-by-handler-<res>-<clone>` keeps every node but this one from being
   promoted until the peer has resynced (built as XML, placed through cibadmin).
4. Single-primary (promoted-max 1): the Secondary peer cannot write, the constraint is enough: exit 4.
   Dual-primary with the peer online and surely not Promoted (the CIB's status section: its last action
   on the clone left it Unpromoted), e.g. this node was promoted while the peer still boots: the same,
   exit 4 (fencing a healthy booting node would help nobody).
   Dual-primary with the peer Promoted (or unknown, or gone): the peer may be writing and, with I/O
   frozen and DLM locks held, cannot demote or unmount (the lab's 114 s stall, RECIPE.md 12). It is
   fenced through Pacemaker's fencer at once (`stonith_admin --reboot`, with a tolerance so that a
   fence Pacemaker already did counts), and exit 7 ("peer was stonithed") is returned only after
   stonith_admin confirmed it; else exit 1. The tie-break winner starts the fence together with the
   constraint (the loser's delay covers the race); a winner by default, after its wait, one after
   the other. While corosync still reaches the peer (a replication-only cut), the winner places the
   constraint, waits up to LEAVE_WAIT_S for the loser to leave corosync, then fences; the wait ends
   early when corosync's link to the peer drops (a dead peer DRBD noticed first never leaves).
unfence: once every local disk is UpToDate, delete this resource's handler constraints; exit 0.

Every wait is bounded (HANDLER_BUDGET_S overall); state comes from /proc/drbd (8.4: no netlink call
from inside a DRBD callback) or `drbdsetup status --json` (9); configuration, membership and roles all
from one `cibadmin --query` (XML). DRBD suspends I/O while the handler runs, so it runs as few commands
as it can and imports little (pyexpat through ocf.light_xml, not ElementTree): no crm_mon (3-4 s per
call under the lab's load, and it reads the same CIB) and no crm_node when this host's name is one of
the CIB's nodes.
"""

from __future__ import annotations

import posix
import sys

from dualroot import paths
from dualroot.drbd.status import ResourceStatus, parse_proc_drbd, parse_status_json, resource_from_proc
from dualroot.ocf import light_xml
from dualroot.ocf.environment import process_environ
from dualroot.ocf.errors import OcfError
from dualroot.ocf.log import AgentLog
from dualroot.ocf.named_values import NamedInt
from dualroot.ocf.record import Record
from dualroot.ocf.runner import SubprocessRunner

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import ClassVar

    from dualroot.ocf.light_xml import Element
    from dualroot.ocf.runner import CommandResult, Runner

HANDLER_BUDGET_S = 90.0  # the whole handler (LINBIT's crm-fence-peer uses --timeout 90 as well)
# How long the tie-break loser leaves the winner to act. The winner places its constraint and starts
# the fence together (one round trip less with I/O frozen), so the loser must never give up while a
# live winner could still be on its way: both handlers start within the same DRBD ping window (a
# few seconds apart at worst), and 10 s leaves a wide margin. A crashed winner costs nothing extra:
# the loser acts as soon as the winner has left the membership.
LOSER_DELAY_S = 10.0
POLL_S = 0.25
# In a replication-only cut corosync still reaches the loser, and the loser leaves corosync as soon as
# its own handler runs (FencePeer._lost): then the winner's fence is confirmed at once, not after the
# token timeout and consensus (6.6 s). So when the loser's corosync link is up, the winner places its
# constraint first and fences once the loser has left, or after this long. The loser's handler runs
# only once its own DRBD has noticed the cut, which need not be when the winner's did (each side
# pings on its own: up to ping-int + ping-timeout, 4 s as rendered), and then starts Python and reads
# the CIB on a loaded node. In the lab (1 vCPU under TCG) the loser left 0.5 to 5.6 s after the
# constraint was in place, and once (in CI) not within 6 s. Fencing too early costs the token and
# consensus (6.6 s); waiting longer costs only when the loser never leaves (its DRBD or handler stuck
# while corosync runs), and then 2 s more than the 6 s used before. A dead or cut-off peer has no
# corosync link by the time DRBD calls the handler, and is fenced at once, together with the constraint.
LEAVE_WAIT_S = 8.0
FENCE_TOLERANCE = "30s"  # a successful fence of the peer this recent counts (Pacemaker may have done it)
CONSTRAINT_PREFIX = "drbd-fence-by-handler-"
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")


class HandlerExit(NamedInt):
    """DRBD's fence-peer handler exit codes (drbd.conf(5), "fence-peer"). ERROR: with
    resource-and-stonith, I/O stays frozen."""

    OK: ClassVar[HandlerExit]
    ERROR: ClassVar[HandlerExit]
    PEER_INCONSISTENT: ClassVar[HandlerExit]
    PEER_OUTDATED: ClassVar[HandlerExit]
    PEER_UNREACHABLE: ClassVar[HandlerExit]
    PEER_REFUSED: ClassVar[HandlerExit]
    PEER_STONITHED: ClassVar[HandlerExit]


HandlerExit.define(OK=0, ERROR=1, PEER_INCONSISTENT=3, PEER_OUTDATED=4, PEER_UNREACHABLE=5, PEER_REFUSED=6,
                   PEER_STONITHED=7)


class HandlerError(Exception):
    """A reason the handler cannot go on; main() logs it and returns ERROR."""


class NodeState(Record):
    """A node as the CIB's status section shows it."""

    online: bool  # in the membership with its controller joined
    nodeid: str  # the node_state's id: the corosync node id
    unpromoted: bool  # surely not Promoted: its last action on the DRBD clone left it Unpromoted/stopped
    promoted: bool  # surely Promoted: its last action promoted it and every result since says Promoted


class CibFacts(Record):
    """What the handler needs from the CIB for one DRBD resource."""

    clone_id: str
    promoted_max: int
    node_names: tuple[str, ...]
    role_name: str  # "Promoted", or "Master" for CIB schemas before pacemaker-3.7
    fence_constraint_allows: str | None  # the node the existing handler constraint allows, if any
    nodes: dict[str, NodeState]  # by node name, from the status section (empty without one)


def _flag(value: str | None) -> bool:
    # "true"/"online" (Pacemaker 2.1.5) or the time it was set (2.1.7 and later) mean set
    return (value or "").strip().lower() not in ("", "false", "0", "offline", "no")


def _call_id(op: Element) -> int:
    value = op.get("call-id", "")
    return int(value) if value.lstrip("-").isdigit() else -1


def _settled_history(node_state: Element, primitive_id: str) -> tuple[list[Element], Element] | None:
    """The node's completed operations on the DRBD primitive and the last non-recurring one, or None
    when there is no such history or an operation is pending or could not be executed."""
    ops = [op for resource in node_state.iterfind("lrm/lrm_resources/lrm_resource")
           if resource.get("id") == primitive_id or resource.get("id", "").startswith(primitive_id + ":")
           for op in resource.iterfind("lrm_rsc_op")]
    last = [op for op in ops if op.get("id", "").endswith("_last_0")]
    if len(last) != 1 or any(op.get("op-status") != "0" for op in ops):
        return None
    return ops, last[0]


def _surely_unpromoted(node_state: Element, primitive_id: str) -> bool:
    """True only when the node's operation history on the DRBD primitive leaves no doubt that it is not
    Promoted: the last completed action was start, demote or stop (or a probe found it Unpromoted or
    stopped), and no result since says Promoted. Anything else (no history, a pending or failed
    operation, a promote) counts as possibly Promoted, which makes the handler fence."""
    history = _settled_history(node_state, primitive_id)
    if history is None:
        return False
    ops, last = history
    operation, rc = last.get("operation"), last.get("rc-code")
    settled = (operation in ("start", "demote", "stop") and rc == "0") or (
        operation == "monitor" and rc in ("0", "7"))
    newest = _call_id(last)
    promoted_since = any(op.get("rc-code") in ("8", "9", "191") and _call_id(op) >= newest for op in ops)
    return settled and not promoted_since


def _surely_promoted(node_state: Element, primitive_id: str) -> bool:
    """The mirror of `_surely_unpromoted`: the last completed action was a promote (or a probe found
    it Promoted), and every result since is a monitor that says Promoted (8, or 191: Promoted but
    degraded, as a monitor reports it during a cut). Anything else counts as not surely Promoted."""
    history = _settled_history(node_state, primitive_id)
    if history is None:
        return False
    ops, last = history
    operation, rc = last.get("operation"), last.get("rc-code")
    if not ((operation == "promote" and rc == "0") or (operation == "monitor" and rc in ("8", "191"))):
        return False
    newest = _call_id(last)
    return all(op.get("operation") == "monitor" and op.get("rc-code") in ("8", "191")
               for op in ops if op is not last and _call_id(op) >= newest)


def node_states(root: Element, primitive_id: str) -> dict[str, NodeState]:
    states = {}
    for node_state in root.iterfind("status/node_state"):
        online = _flag(node_state.get("in_ccm")) and _flag(node_state.get("crmd")) \
            and node_state.get("join") == "member"
        states[node_state.get("uname", "")] = NodeState(
            online=online, nodeid=node_state.get("id", ""),
            unpromoted=_surely_unpromoted(node_state, primitive_id),
            promoted=_surely_promoted(node_state, primitive_id))
    return states


def knet_link_connected(stats: str) -> bool:
    """Whether `corosync-cmapctl -m stats stats.knet.nodeN.` shows a connected link to node N
    (`stats.knet.node2.link0.connected (u8) = 1`)."""
    for line in stats.splitlines():
        key, _, value = line.partition(" = ")
        if key.split(" ", 1)[0].endswith(".connected") and value.strip() == "1":
            return True
    return False


def _schema_at_least(validate_with: str, major: int, minor: int) -> bool:
    try:
        parts = validate_with.split("-", 1)[1].split(".")
        return (int(parts[0]), int(parts[1])) >= (major, minor)
    except (IndexError, ValueError):
        return True  # "pacemaker-next" or unknown: assume new


def constraint_id(resource: str, clone_id: str) -> str:
    return f"{CONSTRAINT_PREFIX}{resource}-{clone_id}"


def parse_cib(text: str, resource: str) -> CibFacts:
    """Find the promotable clone that runs DRBD resource `resource`, its promoted-max and the nodes."""
    try:
        root = light_xml.parse(text)
    except light_xml.XmlError as exc:
        raise HandlerError(f"cibadmin printed no valid XML ({exc})") from exc
    for clone in root.iter():
        if clone.tag not in ("clone", "master"):
            continue
        for primitive in clone.iter("primitive"):
            if primitive.get("type") != "drbd":
                continue
            nvpairs = primitive.iterfind("instance_attributes/nvpair")
            values = {nv.get("name"): nv.get("value") for nv in nvpairs}
            if values.get("drbd_resource") != resource:
                continue
            metas = {nv.get("name"): nv.get("value") for nv in clone.iterfind("meta_attributes/nvpair")}
            raw = metas.get("promoted-max", metas.get("master-max", "1")) or "1"
            clone_id = clone.get("id", "")
            allows = None
            cid = constraint_id(resource, clone_id)
            for location in root.iter("rsc_location"):
                if location.get("id") == cid:
                    expression = location.find("rule/expression")
                    allows = expression.get("value") if expression is not None else None
            return CibFacts(
                clone_id=clone_id,
                promoted_max=int(raw) if raw.strip().isdigit() else 1,
                node_names=tuple(n.get("uname", "") for n in root.iterfind("configuration/nodes/node")),
                role_name="Promoted" if _schema_at_least(root.get("validate-with", ""), 3, 7) else "Master",
                fence_constraint_allows=allows,
                nodes=node_states(root, primitive.get("id", "")))
    raise HandlerError(f"no promotable clone of a drbd agent with drbd_resource={resource} in the CIB")


def fence_constraint_xml(resource: str, facts: CibFacts, keep_node: str) -> str:
    """The location constraint that bans the Promoted role everywhere but `keep_node`."""
    cid = constraint_id(resource, facts.clone_id)
    location = light_xml.Element("rsc_location", {"id": cid, "rsc": facts.clone_id})
    rule = location.add("rule", {"id": f"{cid}-rule", "role": facts.role_name, "score": "-INFINITY"})
    rule.add("expression",
             {"id": f"{cid}-expr", "attribute": "#uname", "operation": "ne", "value": keep_node})
    return light_xml.tostring(location)


class FencePeer:
    """The handler's logic; `run(event)` returns the exit code for DRBD."""

    def __init__(self, runner: Runner, log: AgentLog, environ: Mapping[str, str]) -> None:
        self.runner = runner
        self.log = log
        self.env = environ
        self.resource = environ.get("DRBD_RESOURCE", "")
        self.conf = environ.get("DRBD_CONF", "") or str(paths.DRBD_CONF)

    # --- facts ----------------------------------------------------------------------------------------
    def status(self) -> ResourceStatus | None:
        text = self.runner.read_text(str(paths.PROC_DRBD))
        if text is None:
            raise HandlerError("/proc/drbd does not exist: the drbd module is not loaded")
        proc = parse_proc_drbd(text)
        if proc.generation == "8.4":
            minors = tuple(int(m) for m in self.env.get("DRBD_MINOR", "").split() if m.isdigit())
            if not minors:
                result = self.runner.run([paths.DRBDADM, "-c", self.conf, "sh-minor", self.resource])
                minors = tuple(int(w) for w in result.stdout.split() if w.isdigit())
            return resource_from_proc(proc, self.resource, minors)
        result = self.runner.run([paths.DRBDSETUP, "status", self.resource, "--json"])
        return parse_status_json(result.stdout, self.resource) if result.ok else None

    def my_name(self, node_names: Sequence[str]) -> str:
        """This node's Pacemaker name: the host name when the CIB knows it (as it nearly always does),
        else crm_node's answer."""
        hostname = posix.uname().nodename
        if hostname in node_names:
            return hostname
        result = self.runner.run([paths.CRM_NODE, "-n"], timeout=10)
        name = result.stdout.strip()
        return name if result.ok and name else hostname

    def cib(self) -> CibFacts:
        result = self.runner.run([paths.CIBADMIN, "--query"], timeout=15)
        if not result.ok:
            raise HandlerError(f"cibadmin --query failed: {result.first_error_line()}")
        return parse_cib(result.stdout, self.resource)

    def peer_name(self, me: str, facts: CibFacts) -> str:
        node_id = self.env.get("DRBD_PEER_NODE_ID", "")  # DRBD 9
        if node_id and self.env.get(f"DRBD_NODE_ID_{node_id}"):
            return self.env[f"DRBD_NODE_ID_{node_id}"]
        for variable in ("DRBD_PEER", "DRBD_PEERS"):  # 8.4 drbdadm exports the peer's host name
            names = [n for n in self.env.get(variable, "").split() if n != me]
            if len(names) == 1:
                return names[0]
        others = [n for n in facts.node_names if n and n != me]
        if len(others) == 1:
            return others[0]
        nodes = ", ".join(facts.node_names)
        raise HandlerError(f"cannot tell which node is the peer (cluster nodes: {nodes})")

    # --- the two events ---------------------------------------------------------------------------------
    def run(self, event: str) -> HandlerExit:
        if not self.resource or not set(self.resource) <= NAME_CHARS:
            raise HandlerError(f"DRBD_RESOURCE {self.resource!r} is missing or not a plain resource name")
        status = self.status()
        if event == "auto":
            connected = status is not None and bool(status.peers) and all(
                p.connected and p.disks_known for p in status.peers)
            event = "unfence" if connected else "fence"
        self.log.info(f"{event} for DRBD resource {self.resource}")
        return self.unfence(status) if event == "unfence" else self.fence(status)

    def unfence(self, status: ResourceStatus | None) -> HandlerExit:
        if status is None or not status.all_up_to_date:
            self.log.info("local disk not UpToDate yet: the fence constraint stays")
            return HandlerExit.OK
        query = self.runner.run([paths.CIBADMIN, "--query", "--scope", "constraints"], timeout=15)
        if not query.ok:
            self.log.warning(f"could not read the constraints: {query.first_error_line()}")
            return HandlerExit.ERROR
        try:
            constraints = light_xml.parse(query.stdout)
        except light_xml.XmlError:
            self.log.warning("cibadmin printed no valid XML for the constraints")
            return HandlerExit.ERROR
        prefix = f"{CONSTRAINT_PREFIX}{self.resource}-"
        for location in constraints.iter("rsc_location"):
            cid = location.get("id", "")
            if not cid.startswith(prefix):
                continue
            xml = light_xml.tostring(light_xml.Element("rsc_location", {"id": cid}))
            result = self.runner.run([paths.CIBADMIN, "--delete", "--xml-text", xml], timeout=15)
            if not result.ok:
                self.log.warning(f"could not remove {cid}: {result.first_error_line()}")
                return HandlerExit.ERROR
            self.log.info(f"removed {cid}: every node may be promoted again")
        return HandlerExit.OK

    def fence(self, status: ResourceStatus | None) -> HandlerExit:
        if status is None or not status.all_up_to_date:
            disk = status.worst_disk.value if status is not None else "down"
            self.log.error(f"not fencing the peer: the local disk is {disk}, not UpToDate")
            return HandlerExit.ERROR
        facts = self.cib()
        me = self.my_name(facts.node_names)
        peer = self.peer_name(me, facts)
        if facts.fence_constraint_allows == peer:
            return self._lost(facts, peer, f"{peer} already placed its fence constraint")
        dual = facts.promoted_max >= 2
        state = facts.nodes.get(peer)
        waited = False
        if dual and me > peer and facts.fence_constraint_allows != me:
            # (_corosync_reaches also requires the peer online in the CIB)
            if state is not None and state.promoted and self._corosync_reaches(facts, peer):
                return self._lost(facts, peer, f"{peer} wins the tie-break: it is Promoted and corosync "
                                               "still reaches it (a replication-only cut)")
            outcome = self._wait_as_loser(facts, peer)
            if outcome is not None:
                return outcome
            waited = True
        # E.g. this node was promoted while the peer still boots: the peer cannot be writing, and the
        # constraint keeps it from being promoted until it has resynced. No fencing.
        spared = state is not None and state.online and state.unpromoted
        if dual and not spared and not waited:
            if self._corosync_reaches(facts, peer):
                self.log.info(f"corosync still reaches {peer}: it is fenced once it has left (at most "
                              f"{LEAVE_WAIT_S:.0f} s)")
                return self._constraint_then_fence(facts, me, peer)
            return self._constraint_and_fence(facts, me, peer)
        placed = self._place_constraint(facts, me, peer)
        if placed is not None:
            return placed
        if not dual:
            self.log.info(f"constraint placed; {peer} is Secondary and stays so: reporting it Outdated")
            return HandlerExit.PEER_OUTDATED
        if spared:
            self.log.info(f"constraint placed; {peer} is online and not Promoted: reporting it Outdated")
            return HandlerExit.PEER_OUTDATED
        return self._fence_outcome(peer, self._run_or_error(self._stonith_argv(peer)))

    def _wait_as_loser(self, facts: CibFacts, peer: str) -> HandlerExit | None:
        """The tie-break loser gives the winner LOSER_DELAY_S; None means: act now as the winner."""
        deadline = self.runner.monotonic() + LOSER_DELAY_S
        while self.runner.monotonic() < deadline:
            state = facts.nodes.get(peer)
            if state is not None and not state.online:
                self.log.info(f"{peer} left the cluster: fencing it in its place")
                return None
            facts = self.cib()
            if facts.fence_constraint_allows == peer:
                return self._lost(facts, peer, f"{peer} won the tie-break and placed its constraint")
            self.runner.sleep(POLL_S)
        self.log.warning(f"{peer} did not act within {LOSER_DELAY_S:.0f} s: acting as the winner")
        return None

    def _lost(self, facts: CibFacts, peer: str, why: str) -> HandlerExit:
        """This node lost (the peer's constraint stands, or the peer places it): I/O here stays frozen
        until this node is fenced. In dual-primary with the peer in the membership, the peer is fencing
        this node, and this node also leaves corosync at once (`corosync-cfgtool -H --force`). In a
        replication-only cut this runs before the winner's constraint exists, as soon as the
        tie-break, the CIB (the peer Promoted and online) and corosync (a live link to the peer) say
        the peer will act: in the lab the wait for the constraint cost the winner 1.8 to over 6 s with
        every write frozen.

        Why leave: the survivor's DLM, and the fencer's answer to its fence, travel by corosync, and a
        node that is reset is noticed only after the token timeout plus consensus (6.6 s with token
        3000). A node that shuts corosync down is gone from the membership at once. In the lab the
        winner's writes waited 6-8 s after the loser's reset for that (issue 4).

        Why it is safe: this node's I/O stays frozen (exit 1), and leaving does not count as fenced
        anywhere. Pacemaker sees a node that left without its own shutdown (unclean: it must be fenced)
        and the DLM sees a node down in its lockspaces (it waits for the fence). The survivor goes on
        only once this node has been fenced, as before, just without waiting for the token."""
        self.log.warning(f"{why}: this node lost, I/O stays frozen until it is fenced")
        state = facts.nodes.get(peer)
        if facts.promoted_max < 2 or state is None or not state.online:
            return HandlerExit.ERROR
        left = self._run_or_error([paths.COROSYNC_CFGTOOL, "-H", "--force"], timeout=15)
        if isinstance(left, OcfError) or not left.ok:
            why_not = left.reason if isinstance(left, OcfError) else left.first_error_line()
            # DRBD 8.4 may run this handler twice at once (seen in the lab): the second call then
            # finds corosync already leaving and fails, which is no reason for alarm
            self.log.warning(f"could not leave the cluster ({why_not}): unless corosync is leaving "
                             f"already, {peer} waits out the token instead")
        else:
            self.log.info(f"left the corosync membership so that {peer} need not wait out the token")
        return HandlerExit.ERROR

    def _corosync_reaches(self, facts: CibFacts, peer: str) -> bool:
        """Whether a corosync (knet) link to the peer is still up: a replication-only cut."""
        state = facts.nodes.get(peer)
        if state is None or not state.online or not state.nodeid.isdigit():
            return False
        return self._knet_link_up(state.nodeid)

    def _knet_link_up(self, nodeid: str) -> bool:
        stats = self._run_or_error([paths.COROSYNC_CMAPCTL, "-m", "stats", f"stats.knet.node{nodeid}."],
                                   timeout=5)
        return not isinstance(stats, OcfError) and stats.ok and knet_link_connected(stats.stdout)

    def _constraint_then_fence(self, facts: CibFacts, me: str, peer: str) -> HandlerExit:
        """A replication-only cut, as far as the handler can tell when it starts: the constraint, then
        up to LEAVE_WAIT_S for the loser to see it and leave corosync, then the fence (see LEAVE_WAIT_S).

        A peer that died (or whose cluster link failed as well) looks the same at first: DRBD may notice
        its loss 1-2 s before corosync's link does. Such a peer never leaves on its own, and waiting for
        the membership to drop it cost a node kill the whole token and consensus (the fence went out
        7.0 s after the handler started, in the lab). So the wait also ends, with the fence, as soon as
        corosync's link to the peer is down; the DLM counts a fence done this early through the grace
        of dualroot-dlm-fence."""
        placed = self._place_constraint(facts, me, peer)
        if placed is not None:
            return placed
        nodeid = facts.nodes[peer].nodeid
        deadline = self.runner.monotonic() + LEAVE_WAIT_S
        while not self._left_membership(nodeid):
            if not self._knet_link_up(nodeid):
                self.log.info(f"corosync lost its link to {peer} too (dead or cut off): fencing it now")
                break
            if self.runner.monotonic() >= deadline:
                self.log.warning(f"{peer} did not leave corosync within {LEAVE_WAIT_S:.0f} s: fencing it now")
                break
            self.runner.sleep(POLL_S)
        return self._fence_outcome(peer, self._run_or_error(self._stonith_argv(peer)))

    def _left_membership(self, nodeid: str) -> bool:
        """Whether corosync no longer counts node `nodeid` as joined (`runtime.members.N.status`). A
        failed query counts as left: it only makes the fence go out sooner."""
        result = self._run_or_error([paths.COROSYNC_CMAPCTL, "-g", f"runtime.members.{nodeid}.status"],
                                    timeout=5)
        if isinstance(result, OcfError) or not result.ok:
            return True
        return result.stdout.partition(" = ")[2].strip() != "joined"

    def _constraint_and_fence(self, facts: CibFacts, me: str, peer: str) -> HandlerExit:
        """The tie-break winner acts at once: the constraint and the fence go out together, since the
        writes of the whole cluster wait on this handler (the CIB write took 0.9 s in the lab). The
        loser leaves the winner LOSER_DELAY_S before it acts, so the create cannot lose a race to a
        live loser; should it fail all the same, the fence cannot be called back and I/O stays frozen."""
        created, fenced = self.runner.run_together([self._create_argv(facts, me), self._stonith_argv(peer)])
        placed = self._constraint_outcome(created, facts, me, peer)
        if placed is not None:
            self.log.error(f"the fence of {peer} went out with the constraint that failed: I/O stays frozen")
            return placed
        return self._fence_outcome(peer, fenced)

    def _place_constraint(self, facts: CibFacts, me: str, peer: str) -> HandlerExit | None:
        """Place this node's constraint on its own; None once it is in place, else the exit code."""
        return self._constraint_outcome(self.runner.run(self._create_argv(facts, me), timeout=15),
                                        facts, me, peer)

    def _create_argv(self, facts: CibFacts, me: str) -> list[str]:
        xml = fence_constraint_xml(self.resource, facts, me)
        return [paths.CIBADMIN, "--create", "--scope", "constraints", "--xml-text", xml]

    def _constraint_outcome(self, result: CommandResult | OcfError, facts: CibFacts, me: str, peer: str
                            ) -> HandlerExit | None:
        """None when this node's constraint is in place (placed now or before), else the exit code."""
        if not isinstance(result, OcfError) and result.ok:
            self.log.info(f"placed {constraint_id(self.resource, facts.clone_id)}: only {me} may be promoted")
            return None
        again = self.cib()  # "File exists": who holds it decides who won
        if again.fence_constraint_allows == me:
            return None
        if again.fence_constraint_allows == peer:
            return self._lost(again, peer, f"{peer} placed its fence constraint first")
        why = result.reason if isinstance(result, OcfError) else result.first_error_line()
        self.log.error(f"could not place the fence constraint: {why}")
        return HandlerExit.ERROR

    def _stonith_argv(self, peer: str) -> list[str]:
        # stonith_admin's own timeout ends before the handler's budget, so its answer is always read.
        timeout = max(5, int(self.runner.remaining()) - 5)
        return [paths.STONITH_ADMIN, "--reboot", peer, "--tolerance", FENCE_TOLERANCE,
                "--timeout", str(timeout)]

    def _run_or_error(self, argv: list[str], timeout: float | None = None) -> CommandResult | OcfError:
        try:
            return self.runner.run(argv, timeout=timeout)
        except OcfError as exc:
            return exc

    def _fence_outcome(self, peer: str, result: CommandResult | OcfError) -> HandlerExit:
        if isinstance(result, OcfError):
            self.log.error(f"fencing {peer} did not finish: {result.reason}; I/O stays frozen")
            return HandlerExit.ERROR
        if result.ok:
            self.log.info(f"{peer} was fenced (confirmed by the fencer)")
            return HandlerExit.PEER_STONITHED
        self.log.error(f"fencing {peer} failed: {result.first_error_line()}; I/O stays frozen")
        return HandlerExit.ERROR


def event_from_argv(argv: Sequence[str]) -> str:
    if len(argv) > 1 and argv[1] in ("fence", "unfence"):
        return argv[1]
    name = argv[0].rpartition("/")[2] if argv else ""
    return "unfence" if "unfence" in name else "auto"


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None,
         runner: Runner | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    environ = process_environ() if environ is None else environ
    facility = environ.get("HA_LOGFACILITY", "daemon")
    log = AgentLog(f"dualroot-fence-peer({environ.get('DRBD_RESOURCE', '?')})", facility=facility,
                   logfile=environ.get("HA_LOGFILE", ""))
    runner = runner or SubprocessRunner(timeout_s=HANDLER_BUDGET_S / 0.9, log=log,
                                        tool_root=environ.get("DUALROOT_TOOL_ROOT", ""))
    try:
        code = FencePeer(runner, log, environ).run(event_from_argv(argv))
    except (HandlerError, OcfError) as exc:
        log.error(str(exc.reason if isinstance(exc, OcfError) else exc))
        code = HandlerExit.ERROR
    except Exception as exc:  # noqa: BLE001 - DRBD must get an exit code, never a traceback
        log.error(f"internal error: {type(exc).__name__}: {exc}")
        code = HandlerExit.ERROR
    return int(code)
