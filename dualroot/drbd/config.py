"""The DRBD configuration as `drbdadm dump-xml` prints it, and the checks dual-primary needs.

Dual-primary under a cluster filesystem is only safe with protocol C, allow-two-primaries,
`fencing resource-and-stonith` and fence-peer/unfence handlers (LINBIT/drbd#62; pain point 11 in
the project's anchors): without them a replication cut lets both sides write.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.record import Record


class ResourceConfig(Record):
    """One resource's effective options (its own sections over `common`), hosts and minors."""

    name: str
    options: dict[str, dict[str, str]]  # section -> option -> value
    hosts: tuple[str, ...]
    minors: dict[str, tuple[int, ...]]  # host -> minors

    def option(self, section: str, name: str) -> str | None:
        return self.options.get(section, {}).get(name)


def parse_dump_xml(text: str, name: str) -> ResourceConfig | None:
    """The resource `name` from `drbdadm dump-xml` output, with common options merged in."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise OcfError(OcfExit.ERR_GENERIC, f"drbdadm dump-xml printed no valid XML ({exc})") from exc

    def sections(element: ET.Element | None) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        if element is None:
            return found
        for section in element.findall("section"):
            options = found.setdefault(section.get("name", ""), {})
            for option in section.findall("option"):
                options[option.get("name", "")] = option.get("value", "")
        return found

    resources = [root] if root.tag == "resource" else root.findall("resource")
    for resource in resources:
        if resource.get("name") != name:
            continue
        merged = sections(root.find("common"))
        for section, options in sections(resource).items():
            merged.setdefault(section, {}).update(options)
        hosts: list[str] = []
        minors: dict[str, tuple[int, ...]] = {}
        for host in resource.findall("host"):
            host_name = host.get("name", "")
            hosts.append(host_name)
            minors[host_name] = tuple(int(d.get("minor", "-1")) for d in host.findall("volume/device"))
        return ResourceConfig(name=name, options=merged, hosts=tuple(hosts), minors=minors)
    return None


def dual_primary_problem(cfg: ResourceConfig, generation: str) -> str | None:
    """The first setting dual-primary needs that `cfg` lacks, as one sentence; None when all are there."""
    res = cfg.name
    if (cfg.option("net", "allow-two-primaries") or "no") not in ("yes", "true", "on"):
        return (f"DRBD resource {res} lacks 'allow-two-primaries yes' in its net section, which "
                f"promoted-max=2 needs")
    protocol = cfg.option("net", "protocol") or "C"  # C is DRBD's default in 8.4 and 9
    if protocol.upper() != "C":
        return f"DRBD resource {res} uses protocol {protocol}; dual-primary needs protocol C"
    # 8.4 keeps fencing in the disk section, DRBD 9 in net.
    fencing = cfg.option("disk", "fencing") or cfg.option("net", "fencing") or "dont-care"
    if fencing != "resource-and-stonith":
        section = "disk" if generation == "8.4" else "net"
        return (f"DRBD resource {res} has 'fencing {fencing}'; dual-primary needs "
                f"'fencing resource-and-stonith' ({section} section)")
    if not cfg.option("handlers", "fence-peer"):
        return f"DRBD resource {res} has no fence-peer handler, which 'fencing resource-and-stonith' needs"
    # 8.4 has no unfence-peer event: the handler is run as after-resync-target there.
    unfence = "after-resync-target" if generation == "8.4" else "unfence-peer"
    if not cfg.option("handlers", unfence):
        return (f"DRBD resource {res} has no {unfence} handler to lift the fence-peer constraint "
                f"after a resync")
    return None
