"""OCF 1.1 exit codes (resource-agent-api 1.1, "Return codes"), including the degraded 190/191."""

from __future__ import annotations

from dualroot.ocf.named_values import NamedInt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar


class OcfExit(NamedInt):
    """What an agent action returns to Pacemaker. Names follow the OCF 1.1 spec. An int with a name,
    used like an IntEnum: `OcfExit.NOT_RUNNING`, `OcfExit(7) is OcfExit.NOT_RUNNING`, `.name`."""

    SUCCESS: ClassVar[OcfExit]
    ERR_GENERIC: ClassVar[OcfExit]
    ERR_ARGS: ClassVar[OcfExit]  # the configuration is not valid on this node
    ERR_UNIMPLEMENTED: ClassVar[OcfExit]
    ERR_PERM: ClassVar[OcfExit]
    ERR_INSTALLED: ClassVar[OcfExit]
    ERR_CONFIGURED: ClassVar[OcfExit]  # the parameters are inherently invalid (banned everywhere)
    NOT_RUNNING: ClassVar[OcfExit]
    RUNNING_PROMOTED: ClassVar[OcfExit]
    FAILED_PROMOTED: ClassVar[OcfExit]
    DEGRADED: ClassVar[OcfExit]  # running, but not at full service (e.g. replication lost)
    DEGRADED_PROMOTED: ClassVar[OcfExit]  # promoted, but not at full service


OcfExit.define(SUCCESS=0, ERR_GENERIC=1, ERR_ARGS=2, ERR_UNIMPLEMENTED=3, ERR_PERM=4, ERR_INSTALLED=5,
               ERR_CONFIGURED=6, NOT_RUNNING=7, RUNNING_PROMOTED=8, FAILED_PROMOTED=9, DEGRADED=190,
               DEGRADED_PROMOTED=191)
