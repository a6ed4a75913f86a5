"""The cluster options the DLM depends on, read from the CIB's crm_config XML (`cibadmin --query`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dualroot.ocf.record import Record

_TRUE = {"true", "on", "yes", "y", "1"}


class ClusterProperties(Record):
    fencing_enabled: bool
    no_quorum_policy: str

    def problems(self) -> list[str]:
        """Why the DLM is unsafe with these options (empty when fine).

        Without fencing a failed node's locks are never recovered and every OCFS2 volume stays
        frozen; with a no-quorum-policy other than freeze a partition stops its resources, which
        needs the DLM it has just lost (Pacemaker's controld gives the same advice).
        """
        found = []
        if not self.fencing_enabled:
            found.append("the cluster property stonith-enabled is false; the DLM needs fencing")
        if self.no_quorum_policy != "freeze":
            found.append(
                f"the cluster property no-quorum-policy is {self.no_quorum_policy!r}; "
                "the DLM needs 'freeze' (pcs property set no-quorum-policy=freeze)"
            )
        return found


def parse_crm_config(xml_text: str) -> ClusterProperties:
    """Read stonith-enabled (or its newer name fencing-enabled) and no-quorum-policy.

    Pacemaker's defaults apply when unset: fencing on, no-quorum-policy=stop.
    Raises ValueError on text that is not XML.
    """
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise ValueError(f"the CIB answer is not XML: {exc}") from exc
    values: dict[str, str] = {}
    # Only cluster_property_set blocks count; the last definition wins, as in crm_attribute.
    for prop_set in root.iter("cluster_property_set"):
        for nvpair in prop_set.iter("nvpair"):
            name, value = nvpair.get("name"), nvpair.get("value")
            if name and value is not None:
                values[name] = value
    fencing = values.get("fencing-enabled", values.get("stonith-enabled", "true"))
    return ClusterProperties(
        fencing_enabled=fencing.strip().lower() in _TRUE,
        no_quorum_policy=values.get("no-quorum-policy", "stop").strip(),
    )
