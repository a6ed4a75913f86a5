"""Applying the stack to a running cluster: build on a copy of the live CIB, diff, push one patch.

Every command goes through a `Runner` ((argv, stdin) -> CommandResult), so the same code works on this
node (dualroot.command.host_runner) or inside a lab guest (Lab.runner(node)); only argv is used, no
files on the remote side. The steps:
  1. `cibadmin --query`                          the live CIB
  2. merge (pure, lxml)                          the stack put into a copy, by id
  3. `crm_verify --xml-text`                     the new configuration must be valid before it is pushed
  4. `crm_diff --no-version`                     the patch from live to new (exit 0: nothing to do)
  5. `cibadmin --patch --xml-text`               one atomic change
  6. `cibadmin --query` + `crm_diff` again       proof that the cluster now holds what was rendered
When the patch changes the agent of a resource the cluster has run (switching `agents`, stock <->
dualroot), every resource is stopped first (`stop-all-resources`, then `crm_resource --wait`), the
patch swaps them and the property is deleted again: swapped live, the old clone vanished from under
a mounted volume and the new one took over an id mid-transition, which in the lab ended with a node
fenced.
Idempotent: dualroot's objects have fixed ids, so a second apply finds no difference and pushes nothing.
The status section is left out of the diff: it is the cluster's, not the configuration's.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from dualroot import paths
from dualroot.cib import cib_xml
from dualroot.cib.config import Agents, ClusterConfig, Web
from dualroot.cib.model import plan_stack
from dualroot.command import CommandResult, Runner
from dualroot.errors import DualrootError

STOP_ALL = "stop-all-resources"
STOP_WAIT_S = 300  # crm_resource --wait for the whole stack to stop (a TCG lab needs a minute or two)


@dataclass(frozen=True)
class ApplyResult:
    changed: bool  # the live CIB differed from the rendered stack
    pushed: bool  # the patch was pushed (False when nothing changed, or on a dry run)
    diff: str  # crm_diff's patch XML; "" when nothing changed
    summary: tuple[str, ...]  # one line per change, e.g. "create clone o2cb-clone"
    swapped: tuple[str, ...] = ()  # resources whose agent changes and that the cluster has run


# Ids that earlier versions of dualroot rendered and no plan uses any more, so that an apply after an
# upgrade leaves none of them behind: the cluster stack was once ordered after DRBD's promotion and
# colocated with it (see model.plan_stack for why it no longer is).
FORMER_IDS = frozenset({"o_drbd_o2cb", "c_o2cb_drbd"})


def retired_ids(cfg: ClusterConfig) -> set[str]:
    """Ids dualroot would own under the other agent set or with/without the web tier, and those of
    earlier versions: an apply removes them, so switching `agents` (stock <-> dualroot) or upgrading
    leaves no stale object behind."""
    variants = [
        dataclasses.replace(cfg, agents=agents, web=web)
        for agents in Agents
        for web in (None, cfg.web or Web())
    ]
    current = set(plan_stack(cfg).ids)
    return ({rsc_id for variant in variants for rsc_id in plan_stack(variant).ids} | FORMER_IDS) - current


def _without_status(cib: etree._Element) -> etree._Element:
    trimmed = copy.deepcopy(cib)
    for status in trimmed.findall(cib_xml.TAG_STATUS):
        trimmed.remove(status)
    return trimmed


def _text(cib: etree._Element) -> str:
    return etree.tostring(cib, encoding="unicode")


def _call(run: Runner, argv: list[str]) -> CommandResult:
    return run(argv, None)


def query_cib(run: Runner) -> etree._Element:
    """The live CIB (configuration only), through `run`."""
    return _without_status(_query_with_status(run))


def _query_with_status(run: Runner) -> etree._Element:
    result = _call(run, [paths.CIBADMIN, "--query"]).check()
    return cib_xml.parse_xml(result.stdout, "cibadmin --query output")


def _agent(primitive: etree._Element) -> tuple[str | None, ...]:
    return primitive.get("class"), primitive.get("provider"), primitive.get("type")


def swapped_resources(live: etree._Element, new: etree._Element) -> tuple[str, ...]:
    """Primitives of `live` that `new` drops or runs with another agent, and that the cluster has run
    (the status section holds their history): these must be stopped before the swap."""
    path = f"{cib_xml.TAG_CONFIGURATION}/{cib_xml.TAG_RESOURCES}//{cib_xml.TAG_PRIMITIVE}"
    wanted = {p.get("id"): _agent(p) for p in new.iterfind(path)}
    changing = {p.get("id", "") for p in live.iterfind(path)
                if p.get("id") not in wanted or wanted[p.get("id")] != _agent(p)}
    ran = {r.get("id", "").split(":")[0] for r in live.iterfind(
        f"{cib_xml.TAG_STATUS}/node_state/lrm/lrm_resources/lrm_resource")}
    return tuple(sorted(changing & ran))


def _stop_all_set(cib: etree._Element) -> bool:
    path = f"{cib_xml.TAG_CONFIGURATION}/{cib_xml.TAG_CRM_CONFIG}/{cib_xml.TAG_CLUSTER_PROPERTY_SET}/" \
           f"{cib_xml.TAG_NVPAIR}[@name='{STOP_ALL}']"
    return any(n.get("value", "").lower() in ("true", "yes", "on", "1") for n in cib.iterfind(path))


def _stop_all(run: Runner) -> None:
    """Stop every resource and wait until the cluster has done so."""
    _call(run, [paths.CRM_ATTRIBUTE, "--type", "crm_config", "--name", STOP_ALL, "--update", "true"]).check()
    waited = _call(run, [paths.CRM_RESOURCE, "--wait", "--timeout", f"{STOP_WAIT_S}s"])
    if waited.rc != 0:
        raise DualrootError(
            f"the resources did not stop within {STOP_WAIT_S} s (crm_resource --wait exit code {waited.rc});"
            f" {STOP_ALL} is still true and nothing else was changed",
            "see crm_mon for what is stuck; once stopped, apply again (it unsets stop-all-resources)",
        )


def diff_cib(run: Runner, original: etree._Element, new: etree._Element) -> str:
    """crm_diff's patch from `original` to `new`; "" when they hold the same configuration."""
    result = _call(
        run,
        [paths.CRM_DIFF, "--no-version", "--original-string", _text(original), "--new-string", _text(new)],
    )
    if result.rc == 0:
        return ""
    if result.rc == 1 and result.stdout.strip():  # crm_diff: exit 1 = the inputs differ
        return result.stdout
    result.check()
    raise DualrootError(f"crm_diff failed with exit code {result.rc}", "run crm_diff by hand to see why")


def summarize_patch(diff: str) -> tuple[str, ...]:
    """One readable line per change of a crm_diff (format 2) patch."""
    if not diff:
        return ()
    root = cib_xml.parse_xml(diff, "crm_diff output")
    lines = []
    for change in root.iterfind("change"):
        operation = change.get("operation", "?")
        path = change.get("path", "")
        if operation == "create":
            for created in change:
                if isinstance(created.tag, str):
                    lines.append(f"create {created.tag} {created.get('id', '')} in {path}")
        elif operation == "modify":
            attrs = [
                f"{c.get('name')}={c.get('value', '')}"
                if c.get("operation") == "set"
                else f"unset {c.get('name')}"
                for c in change.iterfind("change-list/change-attr")
            ]
            lines.append(f"modify {path}: {', '.join(attrs)}")
        else:
            lines.append(f"{operation} {path}")
    return tuple(lines)


def apply_cib(
    run: Runner, desired: etree._Element, retire: Iterable[str] = (), dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Put the stack of the `desired` CIB (render_cib) into the live cluster reached through `run`."""
    live_with_status = _query_with_status(run)
    live = _without_status(live_with_status)
    new = cib_xml.merge_cib(live, desired, retire)
    diff = diff_cib(run, live, new)
    if not diff:
        return ApplyResult(changed=False, pushed=False, diff="", summary=())
    swapped = swapped_resources(live_with_status, new)
    summary = summarize_patch(diff)
    if swapped:
        summary = (f"stop every resource first ({STOP_ALL}): the agent of {', '.join(swapped)} changes",
                   *summary)
    verify = _call(run, [paths.CRM_VERIFY, "--xml-text", _text(cib_xml.configuration_only(new))])
    if verify.rc != 0:
        detail = (verify.stderr or verify.stdout).strip().splitlines()
        raise DualrootError(
            f"the merged configuration fails crm_verify: {detail[-1] if detail else verify.rc}",
            "nothing was pushed; run dualroot cib check on the config",
        )
    if dry_run:
        return ApplyResult(changed=True, pushed=False, diff=diff, summary=summary, swapped=swapped)
    stop_first = bool(swapped) and not _stop_all_set(live)  # an admin's own stop-all stays as it is
    if stop_first:
        if progress is not None:
            progress(f"stopping every resource before the agent of {', '.join(swapped)} changes "
                     f"(up to {STOP_WAIT_S} s)")
        _stop_all(run)
    _call(run, [paths.CIBADMIN, "--patch", "--xml-text", diff]).check()
    if stop_first:
        _call(run, [paths.CRM_ATTRIBUTE, "--type", "crm_config", "--name", STOP_ALL, "--delete"]).check()
    # Converged = what a second apply would find: nothing to change.
    again = query_cib(run)
    left = diff_cib(run, again, cib_xml.merge_cib(again, desired, retire))
    if left:
        raise DualrootError(
            "the cluster's configuration still differs from the rendered stack after the patch",
            f"someone changed it meanwhile? first difference: {summarize_patch(left)[:1]}",
        )
    return ApplyResult(changed=True, pushed=True, diff=diff, summary=summary, swapped=swapped)


def apply_config(run: Runner, cfg: ClusterConfig, dry_run: bool = False,
                 progress: Callable[[str], None] | None = None) -> ApplyResult:
    """Apply the stack of `cfg` (also removing what an earlier apply with another agent set made);
    `progress` hears of the one long step, the stop before an agent swap."""
    return apply_cib(run, cib_xml.render_cib(plan_stack(cfg)), retire=retired_ids(cfg), dry_run=dry_run,
                     progress=progress)
