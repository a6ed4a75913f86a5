"""Checks of a CIB holding the stack: Pacemaker's RelaxNG schema, crm_verify, and crm_simulate scenarios.

The scenarios are the promises of the stack (issue 6, section 2), simulated by Pacemaker's own
scheduler on a copy of the CIB (no cluster, no agents run):
  start     every node promotes DRBD (where there is DRBD) and mounts;
  node-loss one node fails: it is fenced, the others keep Promoted and mounted, nothing of theirs
            restarts;
  monitor   the bottom resource's monitor fails on one node: only that node's stack and mount
            recover, the others are untouched.
crm_simulate runs no agents, so nothing sets DRBD promotion scores: they are injected with
crm_attribute on the simulated CIB, as the drbd agent would set them (HOST-TOOLS 2).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dualroot import paths
from dualroot.cib import cib_xml
from dualroot.command import CommandResult, run_host
from dualroot.errors import DualrootError

# (argv, env) -> result: the local tools, with CIB_file in env where a tool needs it.
LocalRunner = Callable[[Sequence[str], dict[str, str] | None], CommandResult]

PROMOTION_SCORE = "10000"  # what an UpToDate drbd instance reports (drbd agents: 10000 for UpToDate)


def local_runner(argv: Sequence[str], env: dict[str, str] | None = None) -> CommandResult:
    return run_host(argv, env=env, timeout=60.0)


@dataclass(frozen=True)
class StackIds:
    """Where the stack sits in a CIB: found by agent type, so any CIB (rendered or live) can be checked."""

    drbd: str | None  # primitive id of the promotable drbd resource, None on shared storage
    drbd_clone: str | None
    drbd_monitor_ms: int | None  # interval of its Promoted monitor
    stack: str
    stack_monitor_ms: int
    fs: str
    web: str | None


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    expected: str
    seen: str
    ok: bool


@dataclass(frozen=True)
class CheckReport:
    schema: str  # the RelaxNG file used
    schema_errors: tuple[str, ...]
    verify_rc: int
    verify_output: str
    scenarios: tuple[ScenarioResult, ...]

    @property
    def ok(self) -> bool:
        return not self.schema_errors and self.verify_rc == 0 and all(s.ok for s in self.scenarios)


# --- schema -----------------------------------------------------------------------------------------


def validate_schema(
    cib: etree._Element, schema_dir: Path = Path(paths.PACEMAKER_SCHEMA_DIR)
) -> tuple[str, list[str]]:
    """Validate against the RelaxNG the CIB names in validate-with; returns (schema file, errors)."""
    name = cib.get("validate-with") or cib_xml.CIB_SCHEMA
    if not re.fullmatch(r"pacemaker-[0-9.]+|pacemaker-next", name):
        return name, [f"validate-with={name!r} is not a Pacemaker schema"]
    rng_path = schema_dir / f"{name}.rng"
    if not rng_path.exists():
        raise DualrootError(f"{rng_path} is missing", "install pacemaker-schemas (Debian: pacemaker-common)")
    relaxng = etree.RelaxNG(etree.parse(str(rng_path)))
    if relaxng.validate(cib):
        return str(rng_path), []
    return str(rng_path), [f"line {e.line}: {e.message}" for e in relaxng.error_log]


# --- finding the stack in a CIB ---------------------------------------------------------------------


def interval_ms(text: str) -> int:
    """Pacemaker's interval spec (as the plan writes it: 29s, 500ms, 1min, 2h, or bare seconds) in ms."""
    match = re.fullmatch(r"\s*([0-9]+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*", text)
    if not match:
        raise DualrootError(f"interval {text!r} is not understood", "write intervals like 29s")
    unit = {"ms": 1, "msec": 1, "s": 1000, "sec": 1000, "m": 60000, "min": 60000, "h": 3600000, "hr": 3600000}
    return int(match.group(1)) * unit[match.group(2) or "s"]


def _monitor_ms(primitive: etree._Element, role: str | None = None) -> int:
    for op in primitive.iterfind(f"{cib_xml.TAG_OPERATIONS}/{cib_xml.TAG_OP}"):
        if op.get("name") != "monitor":
            continue
        if role is None or op.get("role") in (role, {"Promoted": "Master"}.get(role)):
            return interval_ms(op.get("interval", "0"))
    raise DualrootError(
        f"resource {primitive.get('id')} has no recurring monitor" + (f" for role {role}" if role else ""),
        "give it an op monitor with an interval",
    )


def find_stack(cib: etree._Element) -> StackIds:
    """The stack's resources in any CIB, recognised by their agents (dualroot's or the stock ones)."""
    found: dict[str, tuple[etree._Element, etree._Element]] = {}
    for clone in cib.iterfind(f"{cib_xml.TAG_CONFIGURATION}/{cib_xml.TAG_RESOURCES}/{cib_xml.TAG_CLONE}"):
        primitive = clone.find(cib_xml.TAG_PRIMITIVE)
        if primitive is None:
            continue
        kind = {"drbd": "drbd", "o2cb": "stack", "controld": "stack", "ocfs2": "fs", "Filesystem": "fs"}.get(
            primitive.get("type", ""), "web" if primitive.get("class") == "systemd" else ""
        )
        if kind:
            found.setdefault(kind, (clone, primitive))
    for kind in ("stack", "fs"):
        if kind not in found:
            raise DualrootError(
                f"the CIB has no cloned {'cluster stack' if kind == 'stack' else 'OCFS2 mount'}",
                "render the stack with dualroot cib render, or give the CIB that holds it",
            )
    drbd = found.get("drbd")
    web = found.get("web")
    return StackIds(
        drbd=drbd[1].get("id") if drbd else None,
        drbd_clone=drbd[0].get("id") if drbd else None,
        drbd_monitor_ms=_monitor_ms(drbd[1], "Promoted") if drbd else None,
        stack=str(found["stack"][1].get("id")),
        stack_monitor_ms=_monitor_ms(found["stack"][1]),
        fs=str(found["fs"][1].get("id")),
        web=web[1].get("id") if web else None,
    )


# --- crm_simulate -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    """What one crm_simulate run planned (`actions`) and the state it ends in (`roles`)."""

    fenced: tuple[str, ...]
    actions: tuple[tuple[str, str, str], ...]  # (action, resource instance, node)
    roles: dict[tuple[str, str], str]  # (primitive id, node) -> Started/Promoted/Unpromoted

    def actions_on(self, node: str, ignore: Sequence[str] = ()) -> list[str]:
        return [
            f"{action} {rsc}"
            for action, rsc, where in self.actions
            if where == node and rsc.split(":")[0] not in ignore
        ]


def parse_simulation(xml_text: str) -> Simulation:
    """Parse `crm_simulate --output-as=xml`: the action summary and the revised cluster status."""
    root = cib_xml.parse_xml(xml_text, "crm_simulate output")
    fenced = tuple(
        a.get("node", "") for a in root.iterfind("actions/node_action") if "Fence" in a.get("task", "")
    )
    actions = []
    for a in root.iterfind("actions/rsc_action"):
        # start/stop/recover name `node`; restart names `source`; a move names `source` and `dest`.
        for where in dict.fromkeys(a.get(attr) for attr in ("node", "source", "dest")):
            if where:
                actions.append((a.get("action", ""), a.get("resource", ""), where))
    roles: dict[tuple[str, str], str] = {}
    for resource in root.iterfind("revised_cluster_status/resources//resource"):
        for node in resource.iterfind("node"):
            roles[(resource.get("id", ""), node.get("name", ""))] = resource.get("role", "")
    return Simulation(fenced=fenced, actions=tuple(actions), roles=roles)


class _Simulator:
    def __init__(self, run: LocalRunner, workdir: Path) -> None:
        self.run = run
        self.workdir = workdir

    def simulate(self, source: Path, args: Sequence[str], output: Path | None = None) -> Simulation:
        argv = [paths.CRM_SIMULATE, "-x", str(source), "-S", "--output-as=xml", *args]
        if output is not None:
            argv += ["-O", str(output)]
        result = self.run(argv, None).check()
        return parse_simulation(result.stdout)

    def set_promotion_score(self, cib_file: Path, primitive: str, node: str) -> None:
        # The attribute the drbd agents set with `crm_attribute --promotion` (master-<resource>).
        self.run(
            [
                paths.CRM_ATTRIBUTE,
                "-N",
                node,
                "-n",
                f"master-{primitive}",
                "-v",
                PROMOTION_SCORE,
                "-l",
                "reboot",
            ],
            {"CIB_file": str(cib_file)},
        ).check()


def _running_everywhere(sim: Simulation, ids: StackIds, nodes: Sequence[str]) -> list[str]:
    """What is not as it should be on `nodes`: drbd Promoted, the stack, mount and web Started."""
    missing = []
    for node in nodes:
        if ids.drbd and sim.roles.get((ids.drbd, node)) != "Promoted":
            missing.append(f"{ids.drbd} not Promoted on {node}")
        for rsc in (ids.stack, ids.fs, ids.web):
            if rsc and sim.roles.get((rsc, node)) != "Started":
                missing.append(f"{rsc} not Started on {node}")
    return missing


def run_scenarios(
    cib: etree._Element, nodes: Sequence[tuple[int, str]], run: LocalRunner, workdir: Path
) -> list[ScenarioResult]:
    """The three scenarios on a copy of `cib` (its status section is dropped: the run starts cold)."""
    ids = find_stack(cib)
    names = [name for _, name in nodes]
    if len(names) < 2:
        raise DualrootError("the scenarios need at least two nodes", "list two or more nodes in the config")
    base = etree.fromstring(etree.tostring(cib))
    nodes_section = base.find(f"{cib_xml.TAG_CONFIGURATION}/{cib_xml.TAG_NODES}")
    assert nodes_section is not None
    if not len(nodes_section):
        for nodeid, name in nodes:
            etree.SubElement(nodes_section, cib_xml.TAG_NODE, {"id": str(nodeid), "uname": name})
    status = base.find(cib_xml.TAG_STATUS)
    if status is not None:
        base.remove(status)
    etree.SubElement(base, cib_xml.TAG_STATUS)
    base_file, up_file, running_file = workdir / "base.xml", workdir / "up.xml", workdir / "running.xml"
    base_file.write_bytes(etree.tostring(base))
    sim = _Simulator(run, workdir)
    quorum = ["-q", "true"]  # corosync two_node keeps the survivor quorate; more nodes keep a majority
    results = []

    # 1. cold start: nodes come up, drbd instances start Unpromoted, the agents report UpToDate.
    online = [arg for name in names for arg in ("-u", name)]
    sim.simulate(base_file, online + quorum, up_file)
    if ids.drbd:
        for name in names:
            sim.set_promotion_score(up_file, ids.drbd, name)
    started = sim.simulate(up_file, quorum, running_file)
    missing = _running_everywhere(started, ids, names)
    what = "promote and mount" if ids.drbd else "mount"
    results.append(
        ScenarioResult(
            name="start",
            expected=f"all {len(names)} nodes {what}",
            seen="; ".join(missing) if missing else f"{what} on {', '.join(names)}",
            ok=not missing,
        )
    )

    # 2. the last node fails: it is fenced, the survivors keep everything and restart nothing.
    victim, survivors = names[-1], names[:-1]
    lost = sim.simulate(running_file, [*quorum, "-f", victim])
    stonith_ids = [p.get("id", "") for p in base.iterfind(".//primitive[@class='stonith']")]
    touched = [a for node in survivors for a in lost.actions_on(node, ignore=stonith_ids)]
    missing = _running_everywhere(lost, ids, survivors)
    problems = ([] if victim in lost.fenced else [f"{victim} not fenced"]) + missing + touched
    keep = "keeps" if len(survivors) == 1 else "keep"
    results.append(
        ScenarioResult(
            name=f"{victim} fails",
            expected=f"{victim} fenced; {', '.join(survivors)} {keep} all",
            seen="; ".join(problems) if problems else f"{victim} fenced; survivors untouched",
            ok=not problems,
        )
    )

    # 3. the bottom resource's monitor fails on the first node: only that node's stack recovers.
    target, others = names[0], names[1:]
    failing = ids.drbd or ids.stack
    interval = ids.drbd_monitor_ms if ids.drbd else ids.stack_monitor_ms
    failed = sim.simulate(running_file, [*quorum, "-i", f"{failing}_monitor_{interval}@{target}=7"])
    elsewhere = [a for node in others for a in failed.actions_on(node, ignore=stonith_ids)]
    on_target = failed.actions_on(target, ignore=stonith_ids)
    fs_recovered = any(a.split(" ")[1].split(":")[0] == ids.fs for a in on_target)
    missing = _running_everywhere(failed, ids, names)
    problems = elsewhere + missing + ([] if fs_recovered else [f"{ids.fs} not restarted on {target}"])
    results.append(
        ScenarioResult(
            name=f"{failing} monitor fails on {target}",
            expected=f"only {target}'s stack and mount restart",
            seen="; ".join(problems) if problems else f"{target}: {', '.join(sorted(set(on_target)))}",
            ok=not problems,
        )
    )
    return results


def cib_nodes(cib: etree._Element) -> list[tuple[int, str]]:
    """(id, name) of the CIB's nodes; a rendered CIB has none yet, so then the nodes its STONITH
    devices fence (pcmk_host_list), numbered from 1 as corosync would."""
    listed = cib.iterfind(f"{cib_xml.TAG_CONFIGURATION}/{cib_xml.TAG_NODES}/{cib_xml.TAG_NODE}")
    nodes = [(int(n.get("id", "")) if n.get("id", "").isdigit() else 0, n.get("uname", "")) for n in listed]
    if nodes:
        return [(nodeid or index + 1, name) for index, (nodeid, name) in enumerate(nodes)]
    fenced: list[str] = []
    host_lists = ".//primitive[@class='stonith']/instance_attributes/nvpair[@name='pcmk_host_list']"
    for nvpair in cib.iterfind(host_lists):
        fenced += [
            name for name in re.split(r"[\s,]+", nvpair.get("value", "")) if name and name not in fenced
        ]
    return [(index + 1, name) for index, name in enumerate(fenced)]


# --- everything -------------------------------------------------------------------------------------


def check_cib(
    cib: etree._Element,
    nodes: Sequence[tuple[int, str]] | None = None,
    run: LocalRunner = local_runner,
    workdir: Path | None = None,
) -> CheckReport:
    """RelaxNG, crm_verify and the scenarios. `nodes` ((id, name) pairs) are needed when the CIB has
    none (a rendered CIB); a live CIB brings its own."""
    schema, errors = validate_schema(cib)
    if nodes is None:
        nodes = cib_nodes(cib)
    with tempfile.TemporaryDirectory(prefix="dualroot-cib-check-") as tmp:
        work = workdir or Path(tmp)
        cib_file = work / "cib.xml"
        cib_file.write_bytes(etree.tostring(cib_xml.configuration_only(cib)))
        verify = run([paths.CRM_VERIFY, "-V", "--xml-file", str(cib_file)], None)
        scenarios = run_scenarios(cib, nodes, run, work) if not errors else []
    output = (verify.stdout + verify.stderr).strip()
    return CheckReport(
        schema=schema,
        schema_errors=tuple(errors),
        verify_rc=verify.rc,
        verify_output=output,
        scenarios=tuple(scenarios),
    )
