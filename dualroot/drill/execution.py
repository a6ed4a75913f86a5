"""Running one scenario from a healthy cluster to a verdict, and a set of them into a report.

The order is the same for every scenario: wait for health, start a writer on every node, inject the
fault, wait (each wait named and bounded) for detection, fencing and the survivor's next write, undo the
fault, wait for health again, then stop the writers and check records, split-brain and fsck. Whatever
happens, the drill tries to leave the cluster healthy for the next one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from dualroot import paths
from dualroot.cib.config import Agents
from dualroot.drill.cluster_state import AGENTS, NodeView, StackAgents, health_problems
from dualroot.drill.gaps import first_write_after_outage
from dualroot.drill.monitor import Monitor, first_detection, probe
from dualroot.drill.post_checks import (
    FsckResult,
    HandlerRun,
    KernelLogMark,
    Resync,
    check_records,
    fence_peer_runs,
    fsck_offline,
    kernel_log,
    mark_kernel_log,
    new_kernel_lines,
    resync_from_kernel_logs,
    split_brain_lines,
    stack_of,
    wait_cluster_healthy,
)
from dualroot.drill.report import (
    FenceMark,
    ScenarioResult,
    Timings,
    Verdict,
    WriterTrace,
    write_report_json,
)
from dualroot.drill.scenario import Fault, FenceRecord, LabApi, Scenario
from dualroot.drill.timeline import render_timeline_png, timeline_file_name
from dualroot.drill.writers import WRITE_INTERVAL, Writer, start_writer
from dualroot.errors import DualrootError

FENCE_ACTIONS = frozenset({"reboot", "off"})
STILL_WAITING_EVERY = 15.0       # seconds between progress lines during a long wait
# Records each writer must have acknowledged before the fault: proof that writing works at all.
WARM_UP_RECORDS = 10


@dataclass(frozen=True)
class Bounds:
    """Upper bounds (seconds) of every wait. Generous: the lab runs under TCG, where a rejoin took
    99-139 s and the stock stack's replication cut left the winner stalled 114 s (RECIPE.md)."""

    healthy_before: float = 900.0
    writers_started: float = 120.0
    detection: float = 120.0
    fencing: float = 300.0
    survivor_resumes: float = 300.0
    healthy_after: float = 900.0
    unmounted_for_fsck: float = 300.0
    fsck: float = 600.0


@dataclass(frozen=True)
class DrillOptions:
    stack: Agents = Agents.DUALROOT
    bounds: Bounds = field(default_factory=Bounds)
    fsck: bool = True
    poll_interval: float = 1.0       # the monitor's probes of each node during the fault
    health_interval: float = 2.0     # probes while waiting for health (slower: TCG guests are slow)
    write_interval: float = WRITE_INTERVAL
    keep_writing: float = 5.0        # seconds the writers go on after the survivor resumed

    @property
    def agents(self) -> StackAgents:
        return AGENTS[self.stack]


Progress = Callable[[str, str, float], None]   # (scenario label, phase, seconds since it started)


def _quiet(label: str, phase: str, elapsed: float) -> None:
    del label, phase, elapsed


def successful_fence_after(events: Sequence[FenceRecord], after: float) -> FenceRecord | None:
    """The first fence that took a node down after `after` ("off"/"reboot" answered OK)."""
    for event in sorted(events, key=lambda e: e.time):
        if event.time >= after and event.action in FENCE_ACTIONS and event.answer.startswith("OK"):
            return event
    return None


def check_stack(views: dict[str, NodeView], stack: Agents) -> None:
    """Refuse to drill a cluster that runs the other stack's agents: the comparison would be false."""
    running = stack_of(views)
    agents = AGENTS[stack]
    for other in Agents:
        if other is not stack and AGENTS[other].drbd in running and agents.drbd not in running:
            raise DualrootError(
                f"the cluster runs {AGENTS[other].drbd}, not {agents.drbd} (--agents {stack.value})",
                f"pass --agents {other.value}, or deploy with `dualroot lab up --agents {stack.value}`")


def detect_stack(lab: LabApi) -> Agents:
    """The stack the cluster runs, from the agents of its DRBD resource."""
    running = stack_of({n: probe(lab, n) for n in lab.nodes})
    for stack in Agents:
        if AGENTS[stack].drbd in running:
            return stack
    raise DualrootError("no DRBD resource of a known stack runs on the lab",
                        "bring the lab up with `dualroot lab up`")


class ScenarioRun:
    """The state of one scenario run; `execute` returns its ScenarioResult."""

    def __init__(self, lab: LabApi, scenario: Scenario, options: DrillOptions,
                 progress: Progress = _quiet) -> None:
        self.lab = lab
        self.scenario = scenario
        self.options = options
        self._progress = progress
        self._clock0 = time.monotonic()
        self.started = time.time()
        self.writers: dict[str, Writer] = {}
        self.fault: Fault | None = None
        self.restored = False
        self.lost: str | None = None
        self.reasons: list[str] = []
        self.timings = Timings(started=self.started)
        self.kernel_marks: dict[str, KernelLogMark] = {}
        self.notes: list[str] = []
        self._last_still = time.monotonic()

    # --- helpers ------------------------------------------------------------------------------
    def phase(self, text: str) -> None:
        self._progress(self.scenario.label, text, time.monotonic() - self._clock0)

    def other(self, node: str) -> str:
        return next(n for n in self.lab.nodes if n != node)

    def still_waiting(self, problems: list[str]) -> None:
        """A progress line during a long wait, at most every STILL_WAITING_EVERY seconds."""
        now = time.monotonic()
        if now - self._last_still >= STILL_WAITING_EVERY:
            self._last_still = now
            self.phase(f"still waiting: {'; '.join(problems[:3])}")

    def wait_healthy(self, name: str, bound: float) -> dict[str, NodeView]:
        self._last_still = time.monotonic()
        return wait_cluster_healthy(self.lab, self.options.agents, name, bound,
                                    interval=self.options.health_interval, still=self.still_waiting)

    def _wait_healthy_after(self, name: str) -> None:
        self.wait_healthy(name, self.options.bounds.healthy_after)

    @property
    def run_dir(self) -> str:
        return f"{self.lab.storage.drill_dir}/{self.scenario.label.replace(':', '-')}-{int(self.started)}"

    # --- the run ------------------------------------------------------------------------------
    def execute(self) -> ScenarioResult:
        bounds = self.options.bounds
        try:
            self.phase("waiting for a healthy cluster")
            # the wrong stack would never look healthy: say so at once instead of after the bound
            check_stack({n: probe(self.lab, n) for n in self.lab.nodes}, self.options.stack)
            views = self.wait_healthy("a healthy cluster before the drill", bounds.healthy_before)
            self.kernel_marks = {n: mark_kernel_log(self.lab, n, v.boot_id) for n, v in views.items()}
            self.phase("starting writers")
            for node in self.lab.nodes:
                self.writers[node] = start_writer(self.lab, node, self.run_dir,
                                                  self.options.write_interval)
            self.lab.wait_for(f"every writer acknowledged {WARM_UP_RECORDS} records",
                              lambda: all(len(w.acks) >= WARM_UP_RECORDS for w in self.writers.values()),
                              bounds.writers_started, interval=0.5)
            with Monitor(self.lab, self.options.poll_interval) as monitor:
                self._fault_and_recovery(monitor)
        except DualrootError as exc:
            return self._abandon(exc)
        finally:
            for writer in self.writers.values():
                writer.stop(self.lab)
        return self._checks()

    def _fault_and_recovery(self, monitor: Monitor) -> None:
        bounds, scenario, lab = self.options.bounds, self.scenario, self.lab
        if scenario.whole_cluster:
            for writer in self.writers.values():
                writer.stop(lab)
        elif scenario.stops_target_writer_first:
            self.writers[scenario.target].stop(lab)
        self.phase(f"injecting fault: {scenario.summary}")
        self.fault = fault = scenario.inject(lab)
        self.timings = replace(self.timings, fault=fault.time)
        if scenario.whole_cluster:
            self._restore_and_wait(monitor)
            return

        self.phase("waiting for detection")
        lab.wait_for(f"a node notices the fault aimed at {fault.target}",
                     lambda: self._detected(monitor, fault.target) is not None,
                     bounds.detection, interval=0.5)
        resume_after = fault.time
        if scenario.expects_fencing:
            self.phase("waiting for fencing")
            lab.wait_for("a node fenced after the fault",
                         lambda: successful_fence_after(lab.fence_events(), fault.time) is not None,
                         bounds.fencing, interval=0.5)
            fence = successful_fence_after(lab.fence_events(), fault.time)
            assert fence is not None
            self.lost = fence.target
            self.timings = replace(self.timings, fencing=fence.time)
            resume_after = fence.time
        else:
            self.lost = fault.target
        survivor = self.other(self.lost)

        self.phase(f"waiting for {survivor} to write again")
        lab.wait_for(f"{survivor}'s writer acknowledges a record after the fault",
                     lambda: self.writers[survivor].acked_after(resume_after),
                     bounds.survivor_resumes, interval=0.5)
        # measured now: later stalls (bulk writes, the other node's rejoin) are not this outage
        self.timings = replace(self.timings, survivor_first_write=first_write_after_outage(
            self.writers[survivor].ack_times(), fault.time))
        note = scenario.while_degraded(lab, survivor)
        if note:
            self.notes.append(note)
        time.sleep(self.options.keep_writing)

        self._restore_and_wait(monitor)
        membership, replication = first_detection(monitor.views(survivor), self.lost, fault.time)
        self.timings = replace(
            self.timings,
            detection=self._detected(monitor, fault.target),
            detection_membership=membership, detection_replication=replication,
        )

    def _restore_and_wait(self, monitor: Monitor) -> None:
        assert self.fault is not None
        away = self.lost or "every node"
        self.phase(f"restoring {away}")
        recovery = time.time()
        self.scenario.restore(self.lab, self.lost or self.fault.target)
        self.restored = True
        self.timings = replace(self.timings, recovery_action=recovery)
        self.phase("waiting for the cluster to be healthy again")
        views = self._wait_healthy_streamed(
            monitor, f"{away} back: DRBD UpToDate and OCFS2 mounted on every node", recovery)
        self.timings = replace(self.timings, returned=max(v.time for v in views.values()))

    def _wait_healthy_streamed(self, monitor: Monitor, name: str, since: float) -> dict[str, NodeView]:
        """Wait for health as the monitor's streams show it (no extra ssh load on the nodes while they
        recover); only views newer than `since` count."""
        problems: list[str] = []
        self._last_still = time.monotonic()

        def healthy() -> bool:
            nonlocal problems
            latest = monitor.latest()
            fresh = {n: v for n, v in latest.items() if v.time > since}
            problems = health_problems(fresh, tuple(self.lab.nodes), self.options.agents, self.lab.storage)
            if problems:
                self.still_waiting(problems)
            return not problems

        try:
            self.lab.wait_for(name, healthy, self.options.bounds.healthy_after, interval=0.5)
        except DualrootError as exc:
            raise DualrootError(f"{exc.message}; still wrong: {'; '.join(problems)}", exc.hint) from None
        return monitor.latest()

    def _detected(self, monitor: Monitor, target: str) -> float | None:
        """Earliest time any other node saw the target go: membership, replication, or its mount gone."""
        assert self.fault is not None
        seen: list[float] = []
        fs_agent = self.options.agents.filesystem
        for node in self.lab.nodes:
            if node == target:
                continue
            views = monitor.views(node)
            seen.extend(t for t in first_detection(views, target, self.fault.time) if t is not None)
            for view in views:
                if (view.time > self.fault.time and view.pacemaker is not None
                        and target not in view.pacemaker.nodes_running(fs_agent)):
                    seen.append(view.time)
                    break
        return min(seen) if seen else None

    def _abandon(self, exc: DualrootError) -> ScenarioResult:
        """A bound ran out or a command failed: record why, and try to leave the cluster healthy."""
        self.reasons.append(str(exc))
        verdict = Verdict.FAIL if self.fault is not None else Verdict.ERROR
        if self.fault is not None and not self.restored:
            self.phase("restoring after a failed drill")
            try:
                self.scenario.restore(self.lab, self.lost or self.fault.target)
                self.wait_healthy("a healthy cluster after the failed drill",
                                  self.options.bounds.healthy_after)
            except DualrootError as again:
                self.reasons.append(f"the cluster was not healthy again: {again}")
        split = self._split_brain() if self.fault is not None else []
        if split:
            self.reasons.append(f"split-brain: {split[0]}")
        return self._result(verdict, records=None, split_brain=bool(split) if self.fault else None)

    def _checks(self) -> ScenarioResult:
        lab = self.lab
        self.phase("reading records back on every node")
        files = {node: w.path for node, w in self.writers.items()}
        acked = {node: [a.seq for a in w.acks] for node, w in self.writers.items()}
        integrity, failures = check_records(lab, files, acked, tuple(lab.nodes))
        self.reasons.extend(failures)
        if integrity.records_lost:
            self.reasons.append(f"{integrity.records_lost} acknowledged records lost or damaged")
        for check in integrity.checks:
            if check.corrupt_lines or check.duplicates or check.foreign:
                self.reasons.append(
                    f"{check.writer}'s file read on {check.reader}: {check.corrupt_lines} corrupt lines, "
                    f"{check.duplicates} duplicates, {check.foreign} foreign records")
        if not integrity.views_agree:
            self.reasons.append("the nodes read different contents for the same file")

        self.phase("looking for split-brain and resyncs in the kernel logs")
        logs = self._new_kernel_lines()
        split = self._split_brain(logs)
        if split:
            self.reasons.append(f"split-brain: {split[0]}")
        resync = resync_from_kernel_logs(logs)
        handler_runs = fence_peer_runs(logs)

        fsck = FsckResult(None, "skipped: --no-fsck")
        if self.options.fsck:
            self.phase("fsck.ocfs2 -fn with the filesystem unmounted")
            try:
                fsck = fsck_offline(
                    lab, self.other(self.lost or self.scenario.target), self.options.agents,
                    wait_unmounted=self.options.bounds.unmounted_for_fsck,
                    wait_healthy=self._wait_healthy_after,
                    fsck_timeout=self.options.bounds.fsck)
            except DualrootError as exc:
                fsck = FsckResult(None, f"not completed: {exc}")
                self.reasons.append(f"fsck: {exc}")
            if fsck.clean is False:
                self.reasons.append(fsck.note)
        if self.scenario.expects_fencing and self.timings.fencing is None:
            self.reasons.append("no fencing seen")
        try:
            self.scenario.cleanup(lab)
        except DualrootError as exc:
            self.notes.append(f"cleanup: {exc}")
        verdict = Verdict.FAIL if self.reasons else Verdict.PASS
        return self._result(verdict, records=integrity.records_lost, split_brain=bool(split),
                            fsck=fsck, written=integrity.records_written,
                            views_agree=integrity.views_agree, resync=resync, handler_runs=handler_runs)

    def _new_kernel_lines(self) -> dict[str, list[str]]:
        """Each reachable node's kernel log lines since the drill began (all of them after a reboot)."""
        found: dict[str, list[str]] = {}
        for node in self.lab.nodes:
            try:
                lines = kernel_log(self.lab, node)
                boot = self._boot_id(node)
            except DualrootError:
                continue
            found[node] = new_kernel_lines(lines, self.kernel_marks.get(node), boot)
        return found

    def _split_brain(self, logs: dict[str, list[str]] | None = None) -> list[str]:
        """DRBD's split-brain messages logged since the drill began, on every reachable node."""
        logs = self._new_kernel_lines() if logs is None else logs
        return [f"{node}: {line}" for node, lines in logs.items() for line in split_brain_lines(lines)]

    def _boot_id(self, node: str) -> str:
        result = self.lab.run(node, [paths.GUEST_CAT, paths.GUEST_BOOT_ID], timeout=30.0)
        return result.stdout.strip()

    def _result(self, verdict: Verdict, *, records: int | None, split_brain: bool | None = None,
                fsck: FsckResult | None = None, written: int | None = None,
                views_agree: bool | None = None, resync: Resync | None = None,
                handler_runs: tuple[HandlerRun, ...] = ()) -> ScenarioResult:
        fences: tuple[FenceMark, ...] = ()
        if self.fault is not None:
            try:
                fences = tuple(FenceMark(e.time, e.target, e.action, e.answer)
                               for e in self.lab.fence_events()
                               if e.time >= self.fault.time and e.action in FENCE_ACTIONS)
            except DualrootError:
                fences = ()
        writers = tuple(WriterTrace(node, tuple(w.ack_times()), len(w.errors))
                        for node, w in self.writers.items())
        return ScenarioResult(
            name=self.scenario.label,
            agents=self.options.stack.value,
            target=self.scenario.target,
            verdict=verdict,
            reasons=tuple(self.reasons),
            fault_description=self.fault.description if self.fault else "",
            lost_node=self.lost,
            survivor=self.other(self.lost) if self.lost else None,
            timings=replace(self.timings, finished=time.time()),
            records_written=written if written is not None else sum(len(w.ack_times) for w in writers),
            records_lost=records,
            split_brain=split_brain,
            fsck_clean=fsck.clean if fsck else None,
            fsck_note=fsck.note if fsck else "",
            views_agree=views_agree,
            writers=writers,
            fences=fences,
            notes=tuple(self.notes),
            resync_kib=resync.kib if resync else None,
            resync_seconds=resync.seconds if resync else None,
            fence_peer=tuple((r.node, r.seconds, r.exit_code) for r in handler_runs),
        )


def run_scenario(lab: LabApi, scenario: Scenario, options: DrillOptions,
                 progress: Progress = _quiet) -> ScenarioResult:
    return ScenarioRun(lab, scenario, options, progress).execute()


def run_drills(lab: LabApi, scenarios: Sequence[Scenario], options: DrillOptions,
               report_dir: Path | None = None, progress: Progress = _quiet) -> list[ScenarioResult]:
    """Run scenarios in order; with report_dir, write report.json and a timeline PNG per scenario
    (the JSON is rewritten after each scenario, so an interrupted run still leaves a report)."""
    results: list[ScenarioResult] = []
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
    for scenario in scenarios:
        result = run_scenario(lab, scenario, options, progress)
        results.append(result)
        if report_dir is not None:
            render_timeline_png(result, report_dir / timeline_file_name(result))
            write_report_json(results, report_dir / "report.json")
    return results
