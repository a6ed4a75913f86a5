"""A read-only view of the environment Pacemaker gives an OCF agent (OCF 1.1 and CRM_meta_*).

Nothing is read at import time: the dispatcher builds one `OcfEnvironment` from the process environment
(`process_environ()`; tests build it from a plain dict), so every value an action uses is visible in
one place.

Records here and in the rest of the framework are `dualroot.ocf.record.Record`s, not dataclasses or
NamedTuples: `dataclasses` imports `inspect`, NamedTuple `typing`, and an agent pays for its imports on
every monitor (bench/bench_drbd_agent.py). Annotations are postponed for the same reason.
"""

from __future__ import annotations

import sys

from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

RESKEY = "OCF_RESKEY_"
META = "OCF_RESKEY_CRM_meta_"

# The notify variables' kinds. Pacemaker exports the promoted/unpromoted names and, for old agents, the
# master/slave ones (lib/pengine/pe_notif.c); the new name wins, the old one is the fallback.
NOTIFY_KINDS = ("active", "inactive", "start", "stop", "promote", "demote", "promoted", "unpromoted",
                "available", "all")
_OLD_NOTIFY_NAMES = {"promoted": "master", "unpromoted": "slave"}

# Meta attributes renamed in Pacemaker 2.0: read the new name, then the old one.
_OLD_META_NAMES = {"promoted_max": "master_max", "promoted_node_max": "master_node_max"}


def process_environ() -> dict[str, str]:
    """This process's environment as text, without importing `os` (the agents never load it: it was a
    fifth of a monitor's imports, bench/bench_drbd_agent.py).

    When `os` is loaded (tests, the CLI) its environ is the truth, for it may have been changed since the
    process started; otherwise nothing could have changed it and posix.environ (bytes) is decoded as
    `os` does it.
    """
    loaded = sys.modules.get("os")
    if loaded is not None:
        return dict(loaded.environ)
    import posix

    return {key.decode("utf-8", "surrogateescape"): value.decode("utf-8", "surrogateescape")
            for key, value in posix.environ.items()}


class NotifyInfo(Record):
    """The notification an agent receives: pre/post, which operation, and who takes part.

    `unames[kind]` and `resources[kind]` are tuples for each kind in NOTIFY_KINDS.
    """

    type: str  # "pre" or "post"
    operation: str  # "start", "stop", "promote" or "demote"
    unames: Mapping[str, tuple[str, ...]] = {}  # noqa: RUF012 - read-only
    resources: Mapping[str, tuple[str, ...]] = {}  # noqa: RUF012 - read-only

    def nodes(self, kind: str) -> tuple[str, ...]:
        """The node names for `kind` ("start", "promoted", ...), empty when Pacemaker gave none."""
        return self.unames.get(kind, ())


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split() if v)


def _int_or_none(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


class OcfEnvironment(Record):
    """Everything an action may read from its environment.

    - `params`: the agent's parameters (`OCF_RESKEY_<name>`, without CRM_meta_* and crm_feature_set);
    - `meta`: `OCF_RESKEY_CRM_meta_<name>` keyed by `<name>` (Pacemaker writes dashes as underscores);
    - `raw`: the whole environment, for the few framework hooks (logging, DUALROOT_TOOL_ROOT).
    """

    action: str
    params: Mapping[str, str]
    meta: Mapping[str, str]
    resource_instance: str
    resource_type: str
    check_level: int
    feature_set: str
    raw: Mapping[str, str]

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], action: str) -> OcfEnvironment:
        params: dict[str, str] = {}
        meta: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith(META):
                meta[key[len(META):]] = value
            elif key.startswith(RESKEY) and key != RESKEY + "crm_feature_set":
                params[key[len(RESKEY):]] = value
        level = _int_or_none(environ.get("OCF_CHECK_LEVEL"))
        if level is None:
            level = _int_or_none(meta.get("OCF_CHECK_LEVEL"))
        return cls(
            action=action,
            params=params,
            meta=meta,
            resource_instance=environ.get("OCF_RESOURCE_INSTANCE", ""),
            resource_type=environ.get("OCF_RESOURCE_TYPE", ""),
            check_level=level or 0,
            feature_set=environ.get(RESKEY + "crm_feature_set", ""),
            raw=dict(environ),
        )

    # --- the operation ------------------------------------------------------------------------------
    @property
    def interval_ms(self) -> int:
        return _int_or_none(self.meta.get("interval")) or 0

    @property
    def timeout_s(self) -> float | None:
        """The operation's timeout in seconds (CRM_meta_timeout is in ms), None when not given."""
        ms = _int_or_none(self.meta.get("timeout"))
        return ms / 1000.0 if ms and ms > 0 else None

    @property
    def is_probe(self) -> bool:
        """A probe is a monitor with interval 0 (Pacemaker Explained, "probes")."""
        return self.action == "monitor" and self.interval_ms == 0

    @property
    def node_name(self) -> str:
        """This node's name as Pacemaker knows it (empty when not run by Pacemaker)."""
        return self.meta.get("on_node", "")

    # --- clone and promotable settings ---------------------------------------------------------------
    def meta_int(self, name: str) -> int | None:
        """An integer meta attribute, trying the pre-2.0 name as a fallback; None when absent or bad."""
        value = self.meta.get(name)
        if value is None and name in _OLD_META_NAMES:
            value = self.meta.get(_OLD_META_NAMES[name])
        return _int_or_none(value)

    def meta_text(self, name: str) -> str | None:
        value = self.meta.get(name)
        if value is None and name in _OLD_META_NAMES:
            value = self.meta.get(_OLD_META_NAMES[name])
        return value

    @property
    def clone_max(self) -> int | None:
        return self.meta_int("clone_max")

    @property
    def clone_node_max(self) -> int | None:
        return self.meta_int("clone_node_max")

    @property
    def promoted_max(self) -> int | None:
        return self.meta_int("promoted_max")

    @property
    def promoted_node_max(self) -> int | None:
        return self.meta_int("promoted_node_max")

    @property
    def is_clone(self) -> bool:
        return self.clone_max is not None

    @property
    def notify_enabled(self) -> bool:
        return self.meta.get("notify", "").lower() in ("true", "1", "yes", "on")

    # --- notifications -------------------------------------------------------------------------------
    @property
    def notify(self) -> NotifyInfo | None:
        """The notification being delivered, or None outside a notify action."""
        ntype = self.meta.get("notify_type")
        operation = self.meta.get("notify_operation")
        if not ntype or not operation:
            return None
        unames: dict[str, tuple[str, ...]] = {}
        resources: dict[str, tuple[str, ...]] = {}
        for kind in NOTIFY_KINDS:
            old = _OLD_NOTIFY_NAMES.get(kind)
            for suffix, target in (("uname", unames), ("resource", resources)):
                value = self.meta.get(f"notify_{kind}_{suffix}")
                if value is None and old is not None:
                    value = self.meta.get(f"notify_{old}_{suffix}")
                target[kind] = _split(value or "")
        return NotifyInfo(type=ntype, operation=operation, unames=unames, resources=resources)
