"""The stack plan as crmsh configuration text (`crm configure load update FILE`).

Same objects and ids as the XML form. crmsh commits a configuration only when crm_verify accepts it,
so the whole stack goes in one load (fencing and resources together), not one command at a time.
"""

from __future__ import annotations

from dualroot.cib.config import ClusterConfig
from dualroot.cib.model import Colocation, Constraint, Location, Op, Order, Primitive, StackPlan

# crmsh's spelling of scores
_SCORES = {"INFINITY": "inf:", "-INFINITY": "-inf:"}


def _ops(ops: tuple[Op, ...]) -> list[str]:
    lines = []
    for op in ops:
        words = ["op", op.name, f"interval={op.interval}"]
        if op.timeout:
            words.append(f"timeout={op.timeout}")
        if op.role:
            words.append(f"role={op.role.value}")
        if op.depth:
            words.append(f"OCF_CHECK_LEVEL={op.depth}")
        lines.append(" ".join(words))
    return lines


def _primitive(primitive: Primitive) -> str:
    head = f"primitive {primitive.id} {primitive.agent}"
    parts = [head]
    if primitive.params:
        parts.append("params " + " ".join(f"{name}={value}" for name, value in primitive.params))
    parts += _ops(primitive.ops)
    return " \\\n    ".join(parts)


def _constraint(constraint: Constraint) -> str:
    if isinstance(constraint, Location):
        return f"location {constraint.id} {constraint.rsc} {_SCORES[constraint.score]} {constraint.node}"
    if isinstance(constraint, Order):
        return (
            f"order {constraint.id} Mandatory: {constraint.first}:{constraint.first_action} "
            f"{constraint.then}:{constraint.then_action}"
        )
    if isinstance(constraint, Colocation):
        with_rsc = constraint.with_rsc + (f":{constraint.with_role.value}" if constraint.with_role else "")
        return f"colocation {constraint.id} {_SCORES[constraint.score]} {constraint.rsc} {with_rsc}"
    raise TypeError(constraint)


def render_crmsh(cfg: ClusterConfig, plan: StackPlan) -> str:
    lines = [
        f"# dualroot stack for cluster {cfg.name} ({cfg.agents.value} agents), crmsh syntax.",
        # crmsh keeps comments as XML comments, which may not contain a double hyphen: no option names here.
        "# rendered by dualroot cib render (format crmsh); apply with: crm configure load update FILE",
        "property " + " ".join(f"{name}={value}" for name, value in plan.properties),
    ]
    lines += [_primitive(device) for device in plan.stonith]
    for clone in plan.clones:
        lines.append(_primitive(clone.primitive))
        lines.append(
            f"clone {clone.id} {clone.primitive.id} \\\n    meta "
            + " ".join(f"{name}={value}" for name, value in clone.meta)
        )
    lines += [_constraint(constraint) for constraint in plan.constraints]
    return "\n".join(lines) + "\n"
