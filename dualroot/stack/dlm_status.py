"""dlm_controld's state from `dlm_tool status -v` (key=value lines) and `dlm_tool ls` (lockspace blocks)."""

from __future__ import annotations

from dualroot.ocf.record import Record

# `dlm_tool status -v` prints, besides the summary lines, the daemon's own key=value state dump:
# one line of global state (quorate=, stateful_merge_wait=, fence_pid=, ...) and, per node, a
# "node N ..." summary followed by its member=/need_fencing=/... line. Only the key=value parts
# are read: they are the daemon's machine interface, the summaries are for people.
# String methods, not `re`: this parser runs on every monitor of ocf:dualroot:o2cb, and importing
# `re` (with the `enum` it pulls in) cost more than the rest of the monitor (bench/bench_ocfs2_agent.py).
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")


def _pairs(line: str) -> dict[str, str]:
    """The `key=value` pairs of a line, as the pattern `([a-z_]+)=(\\S*)` finds them: per
    whitespace-separated word, the first run of a-z/_ directly before an "=" is the key and the
    rest of the word the value; a later pair with the same key wins."""
    pairs = {}
    for word in line.split():
        equals = word.find("=")
        while equals >= 0:
            start = equals
            while start > 0 and word[start - 1] in _KEY_CHARS:
                start -= 1
            if start < equals:
                pairs[word[start:equals]] = word[equals + 1:]
                break
            equals = word.find("=", equals + 1)  # "=" with no key before it: try the next one
    return pairs


def _digits_after(line: str, prefix: str) -> tuple[str, str] | None:
    """The decimal digits right after `prefix` at the start of `line`, and the text after them."""
    if not line.startswith(prefix):
        return None
    rest = line[len(prefix):]
    end = 0
    while end < len(rest) and rest[end].isdecimal():
        end += 1
    return (rest[:end], rest[end:]) if end else None


def _node_header(line: str) -> int | None:
    """N of a "node N ..." or "nodeid N" line (a node's summary; its key=value line follows)."""
    for prefix in ("node ", "nodeid "):
        found = _digits_after(line, prefix)
        if found is not None and (found[1] == "" or found[1].startswith(" ")):
            return int(found[0])
    return None


def _cluster_line(line: str) -> tuple[int, bool] | None:
    """Our node id and quorum from "cluster nodeid N quorate Q ..." (the summary's first line)."""
    nodeid = _digits_after(line, "cluster nodeid ")
    quorate = _digits_after(nodeid[1], " quorate ") if nodeid is not None else None
    if nodeid is None or quorate is None:
        return None
    return int(nodeid[0]), quorate[0] == "1"


def _our_nodeid_line(line: str) -> int | None:
    """N of "our_nodeid N" alone on a line: dlm-controld 4.2.0 (Debian 12) starts `status -v` so."""
    found = _digits_after(line, "our_nodeid ")
    return int(found[0]) if found is not None and found[1] == "" else None


class DlmNode(Record):
    nodeid: int
    member: bool
    need_fencing: bool
    fence_pid: int
    fence_busy: bool = False  # dlm_controld runs, waits on or delays its fence helper for this node


class DlmDaemonStatus(Record):
    our_nodeid: int | None
    quorate: bool
    stateful_merge_wait: bool
    fence_pid: int
    nodes: tuple[DlmNode, ...] = ()

    @property
    def nodes_waiting_for_fencing(self) -> tuple[int, ...]:
        return tuple(n.nodeid for n in self.nodes if n.need_fencing)

    @property
    def fencing_under_way(self) -> bool:
        """dlm_controld itself is fencing: its helper runs (globally or for a waiting node), or it waits
        on the helper's result. dlm_stonith only asks Pacemaker's history and kicks a fence when none is
        recorded, so Pacemaker shows nothing pending while it runs."""
        return self.fence_pid != 0 or any(n.fence_busy for n in self.nodes if n.need_fencing)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# A node's keys in `dlm_tool status -v` that say dlm_controld is at work on its fencing: the helper
# (dlm_stonith) runs, its exit or result is awaited, or fencing is deliberately delayed.
_FENCE_BUSY_KEYS = ("fence_pid", "fence_pid_wait", "fence_result_wait", "delay_fencing")


def parse_status(text: str) -> DlmDaemonStatus:
    """Parse `dlm_tool status -v`; raises ValueError when the output has neither form."""
    our_nodeid: int | None = None
    quorate_summary: bool | None = None
    global_state: dict[str, str] = {}
    node_states: dict[int, dict[str, str]] = {}
    current: int | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if (cluster := _cluster_line(line)) is not None:
            our_nodeid, quorate_summary = cluster
            continue
        if (nodeid := _our_nodeid_line(line)) is not None:
            our_nodeid = nodeid
            continue
        if (nodeid := _node_header(line)) is not None:
            current = nodeid
            node_states.setdefault(current, {})
            continue
        pairs = _pairs(line)
        if not pairs:
            continue
        # The dump holds one key=value per line (4.2.0) or several on one line: global state comes
        # first, then each node's after its "nodeid N" / "node N ..." header.
        if "stateful_merge_wait" in pairs or "member_count" in pairs:
            current = None
        if current is None:
            if "our_nodeid" in pairs:
                our_nodeid = _int(pairs.pop("our_nodeid"))
            global_state.update(pairs)
        else:
            node_states[current].update(pairs)
    if our_nodeid is None and not global_state:
        raise ValueError("not the output of `dlm_tool status -v`")
    quorate = _int(global_state.get("quorate")) == 1 if "quorate" in global_state else bool(quorate_summary)
    nodes = tuple(
        DlmNode(
            nodeid=nodeid,
            member=_int(state.get("member"), 1) == 1,
            need_fencing=_int(state.get("need_fencing")) == 1,
            fence_pid=_int(state.get("fence_pid")),
            fence_busy=any(_int(state.get(key)) != 0 for key in _FENCE_BUSY_KEYS),
        )
        for nodeid, state in sorted(node_states.items())
    )
    return DlmDaemonStatus(
        our_nodeid=our_nodeid,
        quorate=quorate,
        stateful_merge_wait=_int(global_state.get("stateful_merge_wait")) == 1,
        fence_pid=_int(global_state.get("fence_pid")),
        nodes=nodes,
    )


class Lockspace(Record):
    """One block of `dlm_tool ls`."""

    name: str
    global_id: int = 0
    flags: tuple[str, ...] = ()
    members: tuple[int, ...] = ()
    waiting_for: str | None = None  # e.g. "fencing", "messages", from the `new status` line
    change: tuple[tuple[str, str], ...] = ()  # the `change` line's key/value pairs

    @property
    def waits_for_fencing(self) -> bool:
        return self.waiting_for is not None and self.waiting_for.startswith("fencing")


def parse_ls(text: str) -> list[Lockspace]:
    """Parse `dlm_tool ls`: blocks of 14-column `key value` lines, each starting at `name`."""
    spaces: list[Lockspace] = []
    block: dict[str, str] = {}

    def flush() -> None:
        if "name" not in block:
            return
        flag_words = block.get("flags", "").split()
        members = tuple(int(m) for m in block.get("members", "").split() if m.isdigit())
        status = block.get("new status", "")
        waiting = status[len("wait ") :].strip() if status.startswith("wait") else None
        spaces.append(
            Lockspace(
                name=block["name"],
                global_id=_int_hex(block.get("id", "0")),
                flags=tuple(flag_words[1:]),
                members=members,
                waiting_for=waiting or None,
                change=tuple(_change_pairs(block.get("change", ""))),
            )
        )

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line == "dlm lockspaces":
            continue
        key, value = line[:14].strip(), line[14:].strip()
        if key == "name":
            flush()
            block = {}
        block[key] = value
    flush()
    return spaces


def _int_hex(value: str) -> int:
    try:
        return int(value, 0)
    except ValueError:
        return 0


def _change_pairs(text: str) -> list[tuple[str, str]]:
    words = text.split()
    return list(zip(words[::2], words[1::2]))
