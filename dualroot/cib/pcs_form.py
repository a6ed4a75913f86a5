"""The stack plan as pcs (0.11) commands, working on a CIB file with `pcs -f`.

The commands build the same objects as the XML form, with the same ids where pcs lets us choose them
(constraints); `--no-default-ops` keeps pcs from adding operations the plan does not have, so the
result is the plan and nothing else. Apply them with `pcs cluster cib FILE`, the commands, then
`pcs cluster cib-push FILE --config`.
"""

from __future__ import annotations

import shlex

from dualroot.cib.config import ClusterConfig
from dualroot.cib.model import Colocation, Constraint, Location, Op, Order, Primitive, StackPlan

PCS = "pcs"


def _op_words(ops: tuple[Op, ...]) -> list[str]:
    words: list[str] = []
    for op in ops:
        words += ["op", op.name, f"interval={op.interval}"]
        if op.timeout:
            words.append(f"timeout={op.timeout}")
        if op.role:
            words.append(f"role={op.role.value}")
        if op.depth:
            words.append(f"OCF_CHECK_LEVEL={op.depth}")
    return words


def _params(primitive: Primitive) -> list[str]:
    return [f"{name}={value}" for name, value in primitive.params]


def _constraint_argv(constraint: Constraint) -> list[str]:
    if isinstance(constraint, Location):
        # "--" ends options: a score of -INFINITY would read as one (pcs 0.11 deprecates the bare form).
        return [
            "constraint",
            "location",
            "add",
            constraint.id,
            constraint.rsc,
            constraint.node,
            "--",
            constraint.score,
        ]
    if isinstance(constraint, Order):
        return [
            "constraint", "order", constraint.first_action, constraint.first,
            "then", constraint.then_action, constraint.then, "kind=Mandatory", f"id={constraint.id}",
        ]  # fmt: skip
    if isinstance(constraint, Colocation):
        role = [constraint.with_role.value] if constraint.with_role else []
        return [
            "constraint", "colocation", "add", constraint.rsc, "with", *role, constraint.with_rsc,
            constraint.score, f"id={constraint.id}",
        ]  # fmt: skip
    raise TypeError(constraint)


def pcs_commands(plan: StackPlan, cib_file: str, force: bool = False) -> list[list[str]]:
    """argv lists for `pcs -f cib_file`. `force` lets pcs create resources whose agents are not
    installed where it runs (it reads their meta-data to check parameters)."""
    base = [PCS, "-f", cib_file]
    forced = ["--force"] if force else []
    commands = [base + ["property", "set"] + [f"{name}={value}" for name, value in plan.properties]]
    for device in plan.stonith:
        commands.append(
            base + ["stonith", "create", device.id, device.type, *_params(device), *_op_words(device.ops)]
            + ["--no-default-ops", *forced]
        )  # fmt: skip
    for clone in plan.clones:
        primitive = clone.primitive
        meta = [f"{name}={value}" for name, value in clone.meta if name != "promotable"]
        kind = ["promotable"] if clone.promotable else ["clone"]
        commands.append(
            base + ["resource", "create", primitive.id, primitive.agent, *_params(primitive)]
            + _op_words(primitive.ops) + kind + meta + ["--no-default-ops", *forced]
        )  # fmt: skip
    for constraint in plan.constraints:
        commands.append(base + _constraint_argv(constraint))
    return commands


def render_pcs(cfg: ClusterConfig, plan: StackPlan, cib_file: str = "dualroot-cib.xml") -> str:
    """The commands as a script an admin can read and paste."""
    lines = [
        f"# dualroot stack for cluster {cfg.name} ({cfg.agents.value} agents), as pcs commands.",
        "# rendered by `dualroot cib render --format pcs`; to apply on a running cluster:",
        f"#   pcs cluster cib {cib_file}   # then the commands below, then:",
        f"#   pcs cluster cib-push {cib_file} --config",
    ]
    lines += [shlex.join(argv) for argv in pcs_commands(plan, cib_file)]
    return "\n".join(lines) + "\n"
