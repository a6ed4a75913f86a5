"""What a DRBD state means to Pacemaker: the promotion score and the monitor result.

Scores (higher is better; None removes the score, so the node is never promoted):
- UpToDate and every peer's disk known (connected), or already Primary on UpToDate data: SCORE_BEST;
- UpToDate with a peer whose disk is unknown (link down, StandAlone): SCORE_PEER_UNKNOWN;
- Consistent, Outdated, Inconsistent, Diskless, ...: None. A node must never be promoted without
  access to UpToDate data (quantum/esos#169: promoted while Inconsistent).

Monitor: Promoted 8, Unpromoted 0, degraded 191/190 with a reason for a split-brain (StandAlone, or
Primary in dual-primary with the link down and the peer's disk not known to be Outdated) or a
detached local disk. Data is never discarded here: resolving a split-brain is the admin's choice.
"""

from dualroot.drbd.status import DiskState, ResourceStatus
from dualroot.ocf.dispatcher import Outcome
from dualroot.ocf.exitcodes import OcfExit

SCORE_BEST = 10000
SCORE_PEER_UNKNOWN = 1000


def promotion_score(status: ResourceStatus) -> int | None:
    if not status.all_up_to_date:
        return None
    if status.primary:
        return SCORE_BEST  # stickiness: never make a working Primary look worse than a peer
    if status.peers and all(p.connected and p.disks_known for p in status.peers):
        return SCORE_BEST
    return SCORE_PEER_UNKNOWN


def degradation(status: ResourceStatus, dual_primary: bool) -> str | None:
    """Why the resource runs below full service, as one sentence; None when it does not."""
    res = status.name
    if status.standalone:
        return (f"DRBD resource {res} is StandAlone: it gave up its peer connection (split-brain or a "
                f"refused handshake); resolve it by hand, no data is discarded automatically")
    if status.primary and dual_primary:
        for peer in status.peers:
            if not peer.connected and not all(d is DiskState.OUTDATED for d in peer.disks):
                if status.suspended:
                    # `fencing resource-and-stonith` froze I/O when the link went: nobody writes
                    # until the fence-peer handler has fenced or outdated the peer. Saying
                    # "split-brain" here, as this agent once did, sent admins after the wrong problem.
                    return (f"DRBD resource {res} has its I/O frozen: the replication link to "
                            f"{peer.name} is down ({peer.connection}) and the fence-peer handler has not "
                            f"yet fenced or outdated that peer")
                return (f"DRBD resource {res} is Primary with the replication link to {peer.name} down "
                        f"({peer.connection}) and that peer not known to be Outdated: both sides may be "
                        f"writing (split-brain)")
    if any(d in (DiskState.DISKLESS, DiskState.FAILED, DiskState.DETACHING) for d in status.disks):
        return f"DRBD resource {res} has no local disk ({status.worst_disk.value}): it was detached"
    return None


def monitor_outcome(status: ResourceStatus, dual_primary: bool) -> Outcome:
    reason = degradation(status, dual_primary)
    if reason is not None:
        return Outcome(OcfExit.DEGRADED_PROMOTED if status.primary else OcfExit.DEGRADED, reason)
    return Outcome(OcfExit.RUNNING_PROMOTED if status.primary else OcfExit.SUCCESS)
