"""OCF 1.1 exit codes (resource-agent-api 1.1, "Return codes"), including the degraded 190/191."""

from enum import IntEnum


class OcfExit(IntEnum):
    """What an agent action returns to Pacemaker. Names follow the OCF 1.1 spec."""

    SUCCESS = 0
    ERR_GENERIC = 1
    ERR_ARGS = 2  # the configuration is not valid on this node
    ERR_UNIMPLEMENTED = 3
    ERR_PERM = 4
    ERR_INSTALLED = 5
    ERR_CONFIGURED = 6  # the parameters are inherently invalid (Pacemaker bans the resource everywhere)
    NOT_RUNNING = 7
    RUNNING_PROMOTED = 8
    FAILED_PROMOTED = 9
    DEGRADED = 190  # running, but not at full service (e.g. replication lost)
    DEGRADED_PROMOTED = 191  # promoted, but not at full service
