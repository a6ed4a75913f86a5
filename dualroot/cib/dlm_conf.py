"""/etc/dlm/dlm.conf rendered from the cluster config: dlm_controld's fence agent.

Only for dualroot's agents on the pcmk stack (the classic o2cb stack has no dlm_controld, and a stock
stack keeps dlm_controld's own default). dlm_controld reads the file when it starts.
"""

from __future__ import annotations

from dualroot import paths
from dualroot.cib.config import Agents, ClusterConfig, Stack

# Seconds a fence may have completed before dlm_controld saw the node leave and still count; see
# dualroot.stack.dlm_fence for why this is safe. 5 s covers the fencer's whole-second clock and the
# moment the two daemons take to hear of the new membership; any boot and rejoin takes far longer.
FENCE_GRACE_S = 5


def wants_dlm_conf(cfg: ClusterConfig) -> bool:
    return cfg.agents is Agents.DUALROOT and cfg.stack is Stack.PCMK


def render_dlm_conf(cfg: ClusterConfig) -> str:
    return "\n".join([
        f"# dlm_controld for cluster {cfg.name}; rendered by `dualroot cib render --format dlm`",
        "# Fencing through Pacemaker, as dlm_stonith does, except that a fence Pacemaker completed up to",
        f"# {FENCE_GRACE_S} s before dlm_controld saw the node leave counts (see dualroot-dlm-fence): the",
        "# fence-peer handler's fence finishes as the membership re-forms, and otherwise the DLM asked for",
        "# a second reboot of a node already fenced, with every lock frozen meanwhile.",
        f"fence_all {paths.DUALROOT_DLM_FENCE} grace={FENCE_GRACE_S}",
    ]) + "\n"
