"""Drill reports side by side (stock agents against dualroot's): the ratios issue 7 sets targets for.

Pure: takes the report.json documents of each side, returns rows. Each side may bring several runs of
a scenario: a row compares the medians and keeps every run's value, since under TCG runs of one drill
differ widely (the replication cut's winner wrote again after 13.1 to 21.0 s).
bench/bench_failover.py prints and saves the rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# (scenario name prefix, metric, target ratio dualroot/stock or None for "shown, no target")
METRICS: tuple[tuple[str, str, float | None], ...] = (
    ("node_kill", "survivor_first_write", 0.7),       # kill to the survivor's first write
    ("partition", "survivor_first_write", None),
    ("replication_cut", "survivor_first_write", None),  # the winner's stall (114 s stock, RECIPE 12)
    ("replication_cut", "fence_peer_seconds", None),  # the handler's run, I/O frozen meanwhile
    # the loser's fence: until then a frozen node holds its DLM locks, and the survivor writes on only
    # as long as it needs none of them (stock: 104.9 and 123.2 s; the survivor's writes resumed after
    # 6.9 s in one of those runs and 134.1 s in the other)
    ("replication_cut", "fencing", None),
    ("dlm_kill", "survivor_first_write", None),
    ("node_kill", "return_seconds", None),
    ("node_kill", "fence_peer_seconds", None),
    ("rejoin_after_writes", "resync_kib", None),
    ("rejoin_after_writes", "resync_seconds", None),
    ("cold_start", "return_seconds", 0.7),            # cold start to both mounted
)


@dataclass(frozen=True)
class ComparisonRow:
    scenario: str
    metric: str
    stock: float | None          # the median of stock_runs
    dualroot: float | None       # the median of dualroot_runs
    target: float | None
    stock_runs: tuple[float, ...] = ()
    dualroot_runs: tuple[float, ...] = ()

    @property
    def ratio(self) -> float | None:
        if self.stock is None or self.dualroot is None or self.stock == 0:
            return None
        return round(self.dualroot / self.stock, 3)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target

    def to_json(self) -> dict[str, object]:
        return {"scenario": self.scenario, "metric": self.metric, "stock": self.stock,
                "dualroot": self.dualroot, "ratio": self.ratio, "target": self.target,
                "met": self.met, "stock_runs": list(self.stock_runs),
                "dualroot_runs": list(self.dualroot_runs)}


def metric_value(scenario: Mapping[str, object], metric: str) -> float | None:
    if metric in ("survivor_first_write", "fencing"):
        after = scenario.get("seconds_after_fault")
        value = after.get(metric) if isinstance(after, dict) else None
    else:
        value = scenario.get(metric)
    return float(value) if isinstance(value, int | float) else None


def compare_reports(stock: Mapping[str, object], dualroot: Mapping[str, object]) -> list[ComparisonRow]:
    """Rows for every scenario both reports ran (matched by name, e.g. node_kill:node2)."""
    return compare_runs([stock], [dualroot])


def compare_runs(stock: Sequence[Mapping[str, object]],
                 dualroot: Sequence[Mapping[str, object]]) -> list[ComparisonRow]:
    """Rows for every scenario both sides ran, each value the median of that side's runs of it."""
    def by_name(docs: Sequence[Mapping[str, object]]) -> dict[str, list[Mapping[str, object]]]:
        found: dict[str, list[Mapping[str, object]]] = {}
        for doc in docs:
            scenarios = doc.get("scenarios")
            for s in scenarios if isinstance(scenarios, list) else []:
                if isinstance(s, dict):
                    found.setdefault(str(s["name"]), []).append(s)
        return found

    def values(runs: list[Mapping[str, object]], metric: str) -> tuple[float, ...]:
        return tuple(v for v in (metric_value(run, metric) for run in runs) if v is not None)

    def median(runs: tuple[float, ...]) -> float | None:
        return round(statistics.median(runs), 3) if runs else None

    ours, theirs = by_name(dualroot), by_name(stock)
    rows = []
    for name in [n for n in theirs if n in ours]:
        for prefix, metric, target in METRICS:
            if name.split(":")[0] == prefix:
                stock_runs, dualroot_runs = values(theirs[name], metric), values(ours[name], metric)
                rows.append(ComparisonRow(name, metric, median(stock_runs), median(dualroot_runs), target,
                                          stock_runs, dualroot_runs))
    return rows


@dataclass(frozen=True)
class FailoverLimit:
    """The floor under any Pacemaker stack's failover after a node dies, as issue 7 names it: corosync's
    token timeout and consensus (only then does the membership drop the node; until it does, Pacemaker's
    fencer completes no fence, since it confirms one through corosync's closed process group, which
    delivers nothing while a member is missing) plus the fence itself (`fence_s`: the fence agent's run
    in the guest and the device's answer)."""

    token_ms: int
    consensus_ms: int
    fence_s: float

    @property
    def seconds(self) -> float:
        return round((self.token_ms + self.consensus_ms) / 1000 + self.fence_s, 3)

    def to_json(self) -> dict[str, object]:
        return {"token_ms": self.token_ms, "consensus_ms": self.consensus_ms, "fence_s": self.fence_s,
                "seconds": self.seconds}


@dataclass(frozen=True)
class LimitRow:
    """A node kill's kill-to-first-write medians held against the limit."""

    scenario: str
    limit: float
    stock: float | None
    dualroot: float | None

    @staticmethod
    def _over(value: float | None, limit: float) -> float | None:
        return None if value is None or limit <= 0 else round(value / limit, 2)

    @property
    def stock_over_limit(self) -> float | None:
        return self._over(self.stock, self.limit)

    @property
    def dualroot_over_limit(self) -> float | None:
        return self._over(self.dualroot, self.limit)

    def to_json(self) -> dict[str, object]:
        return {"scenario": self.scenario, "limit": self.limit, "stock": self.stock,
                "dualroot": self.dualroot, "stock_over_limit": self.stock_over_limit,
                "dualroot_over_limit": self.dualroot_over_limit}


def limit_rows(rows: Sequence[ComparisonRow], limit: FailoverLimit) -> list[LimitRow]:
    """The node kills' kill-to-first-write rows against the limit (the other scenarios have no such
    floor: a replication cut keeps the membership, a cold start fences nobody)."""
    return [LimitRow(r.scenario, limit.seconds, r.stock, r.dualroot) for r in rows
            if r.scenario.split(":")[0] == "node_kill" and r.metric == "survivor_first_write"]


def render_limit(rows: Sequence[LimitRow], limit: FailoverLimit) -> str:
    lines = [f"limit: token {limit.token_ms} ms + consensus {limit.consensus_ms} ms"
             f" + fence {limit.fence_s:g} s = {limit.seconds:g} s"]
    lines += [f"  {r.scenario}: stock {_cell(r.stock)} s = {_cell(r.stock_over_limit)}x the limit, "
              f"dualroot {_cell(r.dualroot)} s = {_cell(r.dualroot_over_limit)}x" for r in rows]
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_comparison(rows: list[ComparisonRow]) -> str:
    header = ("scenario", "metric", "stock", "dualroot", "ratio", "target", "met", "runs")
    cells = [header]
    for r in rows:
        cells.append((r.scenario, r.metric, _cell(r.stock), _cell(r.dualroot),
                      "-" if r.ratio is None else f"{r.ratio:.2f}",
                      "-" if r.target is None else f"<= {r.target:g}",
                      {None: "-", True: "yes", False: "NO"}[r.met],
                      f"{len(r.stock_runs)}/{len(r.dualroot_runs)}"))
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)
