"""`dualroot lab status`: the nodes, the accelerator and the cluster, as a short text for people."""

from __future__ import annotations

from dualroot.lab.control import Lab
from dualroot.lab.fence_service import qemu_pid
from dualroot.lab.health import cluster_health


def cluster_status(lab: Lab, state: object) -> str:
    accel = getattr(state, "accel", "") or "-"
    reason = getattr(state, "accel_reason", "")
    lines = [f"lab: {lab.layout.home}  accelerator: {accel}" + (f" ({reason})" if reason else ""),
             f"image: {getattr(state, 'image', '') or '-'}  agents: {getattr(state, 'agents', '') or '-'}"]
    health = cluster_health(lab)
    lines.append(f"{'node':6} {'qemu pid':>8}  {'ssh':3}  {'drbd':45}  ocfs2")
    for node in health.nodes:
        pid = qemu_pid(lab.layout, node.name)
        d = node.drbd
        drbd = f"{d.connection} {d.role}/{d.peer_role} {d.disk}/{d.peer_disk}" if d else "-"
        lines.append(f"{node.name:6} {pid or '-':>8}  {'yes' if node.ssh else 'no':3}  {drbd:45}  "
                     f"{'mounted' if node.mounted else '-'}")
    if health.crm:
        crm = health.crm
        lines.append(f"pacemaker: DC {crm.dc or '-'}; online: {' '.join(sorted(crm.online)) or '-'}; "
                     f"offline: {' '.join(sorted(crm.offline)) or '-'}")
        for res in crm.instances:
            lines.append(f"  {res.resource_id:14} {res.agent:28} {res.role:10} {res.node or '-'}"
                         + ("  FAILED" if res.failed else ""))
    lines.append("healthy: yes" if health.healthy else "healthy: no (" + "; ".join(health.problems) + ")")
    return "\n".join(lines)
