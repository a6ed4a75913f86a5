"""DRBD state read from machine output: `/proc/drbd` (8.4) and `drbdsetup status --json` (9).

Both parsers are pure and return the same model, `ResourceStatus`, so the agent's decisions (scores,
monitor codes) do not depend on the DRBD generation. State names are DRBD's own (drbd_strings.c).
"""

from __future__ import annotations

from dualroot.ocf.named_values import NamedStr
from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar


class Role(NamedStr):
    PRIMARY: ClassVar[Role]
    SECONDARY: ClassVar[Role]
    UNKNOWN: ClassVar[Role]

    @classmethod
    def parse(cls, text: str) -> Role:
        return cls._members.get(text, cls.UNKNOWN)


Role.define(PRIMARY="Primary", SECONDARY="Secondary", UNKNOWN="Unknown")


class DiskState(NamedStr):
    DISKLESS: ClassVar[DiskState]
    ATTACHING: ClassVar[DiskState]
    DETACHING: ClassVar[DiskState]
    FAILED: ClassVar[DiskState]
    NEGOTIATING: ClassVar[DiskState]
    INCONSISTENT: ClassVar[DiskState]
    OUTDATED: ClassVar[DiskState]
    UNKNOWN: ClassVar[DiskState]
    CONSISTENT: ClassVar[DiskState]
    UP_TO_DATE: ClassVar[DiskState]

    @classmethod
    def parse(cls, text: str) -> DiskState:
        return cls._members.get(text, cls.UNKNOWN)


DiskState.define(DISKLESS="Diskless", ATTACHING="Attaching", DETACHING="Detaching", FAILED="Failed",
                 NEGOTIATING="Negotiating", INCONSISTENT="Inconsistent", OUTDATED="Outdated",
                 UNKNOWN="DUnknown", CONSISTENT="Consistent", UP_TO_DATE="UpToDate")


# Connection states (8.4 "cs:") in which the peers exchange data: the link is up.
LINK_UP_STATES = frozenset({
    "Connected", "StartingSyncS", "StartingSyncT", "WFBitMapS", "WFBitMapT", "WFSyncUUID", "SyncSource",
    "SyncTarget", "PausedSyncS", "PausedSyncT", "VerifyS", "VerifyT", "Ahead", "Behind",
})
STANDALONE = "StandAlone"


class PeerStatus(Record):
    """One peer as this node sees it. `connection` is "Connected" when the link is up (8.4 sync states
    included), else DRBD's state (StandAlone, WFConnection, Connecting, ...); `replication` is the
    finer state (8.4: the cs: value; 9: replication-state of each volume)."""

    name: str
    connection: str
    role: Role
    disks: tuple[DiskState, ...]
    replication: tuple[str, ...]

    @property
    def connected(self) -> bool:
        return self.connection == "Connected"

    @property
    def disks_known(self) -> bool:
        return bool(self.disks) and all(d is not DiskState.UNKNOWN for d in self.disks)


class ResourceStatus(Record):
    """A DRBD resource configured in the kernel: role, local disks per volume, peers, I/O suspension."""

    name: str
    generation: str  # "8.4" or "9"
    role: Role
    disks: tuple[DiskState, ...]
    peers: tuple[PeerStatus, ...]
    suspended: bool

    @property
    def primary(self) -> bool:
        return self.role is Role.PRIMARY

    @property
    def all_up_to_date(self) -> bool:
        return bool(self.disks) and all(d is DiskState.UP_TO_DATE for d in self.disks)

    @property
    def worst_disk(self) -> DiskState:
        """The local disk state that limits the resource: the first volume that is not UpToDate."""
        for disk in self.disks:
            if disk is not DiskState.UP_TO_DATE:
                return disk
        return DiskState.UP_TO_DATE

    @property
    def standalone(self) -> bool:
        return any(p.connection == STANDALONE for p in self.peers)


# --- DRBD 8.4: /proc/drbd ---------------------------------------------------------------------------
# Lines are split on white space, not matched with regular expressions: `re` would cost an agent
# more start-up time than the whole parse. The 8.4 status line (drbd_proc.c):
#   " 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----"
# with a blank protocol letter when no network config exists (StandAlone), and " 1: cs:Unconfigured".
PROTOCOLS = ("A", "B", "C")


class ProcMinor(Record):
    """One minor's line of /proc/drbd; `configured` is False for "cs:Unconfigured"."""

    minor: int
    cs: str
    role: Role
    peer_role: Role
    disk: DiskState
    peer_disk: DiskState
    protocol: str
    suspended: bool

    @property
    def configured(self) -> bool:
        return self.cs != "Unconfigured"


class ProcDrbd(Record):
    version: tuple[int, int, int]
    minors: dict[int, ProcMinor]

    @property
    def generation(self) -> str:
        return "9" if self.version[0] >= 9 else "8.4"

    @property
    def nothing_up(self) -> bool:
        """True when this file alone shows that no DRBD resource is up: 8.4 lists every configured minor
        here; DRBD 9 lists none, so it can never tell."""
        return self.generation == "8.4" and not any(m.configured for m in self.minors.values())


def _version(text: str) -> tuple[int, int, int]:
    parts = []
    for part in text.split(".")[:3]:
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        parts.append(int(digits) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


def _pair(token: str, prefix: str) -> tuple[str, str]:
    left, _, right = token[len(prefix):].partition("/")
    return left, right


def parse_proc_drbd(text: str) -> ProcDrbd:
    """Parse /proc/drbd. DRBD 9 prints only the version lines there; its minors come from drbdsetup."""
    version = (0, 0, 0)
    minors: dict[int, ProcMinor] = {}
    for line in text.splitlines():
        tokens = line.split()
        if len(tokens) >= 2 and tokens[0] == "version:":
            version = _version(tokens[1])
            continue
        if len(tokens) < 2 or not tokens[0].endswith(":") or not tokens[0][:-1].isdigit() \
                or not tokens[1].startswith("cs:"):
            continue  # statistics, resync progress, srcversion/GIT-hash lines
        minor, cs = int(tokens[0][:-1]), tokens[1][3:]
        roles = disks = None
        protocol = flags = ""
        for token in tokens[2:]:
            if token.startswith("ro:"):
                roles = _pair(token, "ro:")
            elif token.startswith("ds:"):
                disks = _pair(token, "ds:")
            elif token in PROTOCOLS:
                protocol = token
            else:
                flags = token
        if roles is None or disks is None:
            minors[minor] = ProcMinor(minor, cs, Role.SECONDARY, Role.UNKNOWN, DiskState.DISKLESS,
                                      DiskState.UNKNOWN, "", False)
            continue
        minors[minor] = ProcMinor(
            minor=minor, cs=cs, role=Role.parse(roles[0]), peer_role=Role.parse(roles[1]),
            disk=DiskState.parse(disks[0]), peer_disk=DiskState.parse(disks[1]),
            protocol=protocol, suspended=flags.startswith("s"))
    return ProcDrbd(version, minors)


def resource_from_proc(proc: ProcDrbd, name: str, minors: tuple[int, ...], peer_name: str = "peer"
                       ) -> ResourceStatus | None:
    """The 8.4 resource made of `minors` (from `drbdadm sh-minor`); None when none is configured."""
    lines = [proc.minors[m] for m in minors if m in proc.minors and proc.minors[m].configured]
    if not lines:
        return None
    cs = lines[0].cs
    for line in lines:  # the least connected volume speaks for the connection
        if line.cs not in LINK_UP_STATES:
            cs = line.cs
            break
    peer = PeerStatus(
        name=peer_name, connection="Connected" if cs in LINK_UP_STATES else cs,
        role=lines[0].peer_role, disks=tuple(line.peer_disk for line in lines),
        replication=tuple(line.cs for line in lines))
    role = Role.PRIMARY if any(line.role is Role.PRIMARY for line in lines) else lines[0].role
    return ResourceStatus(name=name, generation="8.4", role=role, disks=tuple(line.disk for line in lines),
                          peers=(peer,), suspended=any(line.suspended for line in lines))


# --- DRBD 9: drbdsetup status --json ----------------------------------------------------------------
class StatusFormatError(ValueError):
    """drbdsetup printed something that is not its documented JSON status."""


def parse_status_json(text: str, name: str) -> ResourceStatus | None:
    """The resource `name` from `drbdsetup status <name> --json`; None when it is not configured."""
    import json  # DRBD 9 only: an 8.4 monitor does not pay for it

    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise StatusFormatError(f"drbdsetup status --json printed no JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise StatusFormatError("drbdsetup status --json did not print a list")
    for resource in data:
        if not isinstance(resource, dict) or resource.get("name") != name:
            continue
        disks = tuple(DiskState.parse(str(d.get("disk-state", ""))) for d in resource.get("devices", []))
        peers = []
        for conn in resource.get("connections", []):
            volumes = conn.get("peer_devices", [])
            peers.append(PeerStatus(
                name=str(conn.get("name", conn.get("peer-node-id", "?"))),
                connection=str(conn.get("connection-state", "Unknown")),
                role=Role.parse(str(conn.get("peer-role", "Unknown"))),
                disks=tuple(DiskState.parse(str(v.get("peer-disk-state", ""))) for v in volumes),
                replication=tuple(str(v.get("replication-state", "")) for v in volumes)))
        suspended = resource.get("suspended")
        return ResourceStatus(
            name=name, generation="9", role=Role.parse(str(resource.get("role", "Unknown"))), disks=disks,
            peers=tuple(peers), suspended=bool(suspended) if isinstance(suspended, bool) else False)
    return None
