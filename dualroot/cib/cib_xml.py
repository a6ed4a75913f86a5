"""The stack plan as CIB XML (lxml): tag constants, deterministic ids, and merging into a live CIB.

`render_cib(plan)` gives a whole CIB document (what `cibadmin --empty` gives, plus the stack);
`merge_plan(cib, plan, retire=...)` puts the stack into a copy of any CIB (the live one for `apply`),
replacing dualroot's own objects by id, setting its cluster options by name, removing objects it
created under another config (`retire`), and leaving everything else alone: node attributes, other
resources, and the constraints DRBD's fence-peer handler places while a peer is fenced.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

from dualroot.cib.model import Clone, Colocation, Constraint, Location, Op, Order, Primitive, StackPlan
from dualroot.errors import DualrootError

# --- tags and fixed ids -----------------------------------------------------------------------------
TAG_CIB = "cib"
TAG_CONFIGURATION = "configuration"
TAG_CRM_CONFIG = "crm_config"
TAG_CLUSTER_PROPERTY_SET = "cluster_property_set"
TAG_NODES = "nodes"
TAG_NODE = "node"
TAG_RESOURCES = "resources"
TAG_CONSTRAINTS = "constraints"
TAG_STATUS = "status"
TAG_PRIMITIVE = "primitive"
TAG_CLONE = "clone"
TAG_INSTANCE_ATTRIBUTES = "instance_attributes"
TAG_META_ATTRIBUTES = "meta_attributes"
TAG_NVPAIR = "nvpair"
TAG_OPERATIONS = "operations"
TAG_OP = "op"
TAG_RSC_LOCATION = "rsc_location"
TAG_RSC_ORDER = "rsc_order"
TAG_RSC_COLOCATION = "rsc_colocation"

# The cluster option set every tool uses for cluster-wide options (pcs, crmsh, Pacemaker itself).
BOOTSTRAP_SET_ID = "cib-bootstrap-options"
# Pacemaker 2.1's newest stable schema: promotable clones and the Promoted/Unpromoted role names.
CIB_SCHEMA = "pacemaker-3.9"
CRM_FEATURE_SET = "3.16.1"


def nvpair_id(parent_id: str, name: str) -> str:
    return f"{parent_id}-{name}"


def op_id(rsc_id: str, op: Op) -> str:
    # pcs's scheme: unique per (name, interval), which is also Pacemaker's key for an operation.
    return f"{rsc_id}-{op.name}-interval-{op.interval}"


# --- building ---------------------------------------------------------------------------------------


def empty_cib() -> etree._Element:
    """The skeleton `cibadmin --empty` prints, built here so rendering needs no Pacemaker installed."""
    cib = etree.Element(
        TAG_CIB,
        {
            "crm_feature_set": CRM_FEATURE_SET,
            "validate-with": CIB_SCHEMA,
            "epoch": "1",
            "num_updates": "0",
            "admin_epoch": "0",
        },
    )
    configuration = etree.SubElement(cib, TAG_CONFIGURATION)
    for tag in (TAG_CRM_CONFIG, TAG_NODES, TAG_RESOURCES, TAG_CONSTRAINTS):
        etree.SubElement(configuration, tag)
    etree.SubElement(cib, TAG_STATUS)
    return cib


def _nvset(parent: etree._Element, tag: str, set_id: str, pairs: Iterable[tuple[str, str]]) -> None:
    pairs = list(pairs)
    if not pairs:
        return
    nvset = etree.SubElement(parent, tag, {"id": set_id})
    for name, value in pairs:
        etree.SubElement(nvset, TAG_NVPAIR, {"id": nvpair_id(set_id, name), "name": name, "value": value})


def primitive_element(primitive: Primitive) -> etree._Element:
    attrs = {"id": primitive.id, "class": primitive.standard}
    if primitive.provider:
        attrs["provider"] = primitive.provider
    attrs["type"] = primitive.type
    element = etree.Element(TAG_PRIMITIVE, attrs)
    _nvset(element, TAG_INSTANCE_ATTRIBUTES, f"{primitive.id}-instance_attributes", primitive.params)
    if primitive.ops:
        operations = etree.SubElement(element, TAG_OPERATIONS)
        for op in primitive.ops:
            op_attrs = {"id": op_id(primitive.id, op), "name": op.name, "interval": op.interval}
            if op.timeout:
                op_attrs["timeout"] = op.timeout
            if op.role:
                op_attrs["role"] = op.role.value
            op_element = etree.SubElement(operations, TAG_OP, op_attrs)
            if op.depth:
                _nvset(
                    op_element,
                    TAG_INSTANCE_ATTRIBUTES,
                    f"{op_attrs['id']}-instance_attributes",
                    [("OCF_CHECK_LEVEL", str(op.depth))],
                )
    return element


def clone_element(clone: Clone) -> etree._Element:
    element = etree.Element(TAG_CLONE, {"id": clone.id})
    element.append(primitive_element(clone.primitive))
    _nvset(element, TAG_META_ATTRIBUTES, f"{clone.id}-meta_attributes", clone.meta)
    return element


def constraint_element(constraint: Constraint) -> etree._Element:
    if isinstance(constraint, Location):
        return etree.Element(
            TAG_RSC_LOCATION,
            {"id": constraint.id, "rsc": constraint.rsc, "node": constraint.node, "score": constraint.score},
        )
    if isinstance(constraint, Order):
        return etree.Element(
            TAG_RSC_ORDER,
            {
                "id": constraint.id,
                "first": constraint.first,
                "first-action": constraint.first_action,
                "then": constraint.then,
                "then-action": constraint.then_action,
                "kind": "Mandatory",
            },
        )
    if isinstance(constraint, Colocation):
        attrs = {"id": constraint.id, "rsc": constraint.rsc, "with-rsc": constraint.with_rsc}
        if constraint.with_role:
            attrs["with-rsc-role"] = constraint.with_role.value
        attrs["score"] = constraint.score
        return etree.Element(TAG_RSC_COLOCATION, attrs)
    raise TypeError(constraint)


def plan_elements(plan: StackPlan) -> tuple[list[etree._Element], list[etree._Element]]:
    """(resources, constraints) elements of the plan, in creation order."""
    resources = [primitive_element(p) for p in plan.stonith] + [clone_element(c) for c in plan.clones]
    constraints = [constraint_element(c) for c in plan.constraints]
    return resources, constraints


# --- merging into a CIB -----------------------------------------------------------------------------


def _section(cib: etree._Element, tag: str) -> etree._Element:
    configuration = cib.find(TAG_CONFIGURATION)
    if cib.tag != TAG_CIB or configuration is None:
        raise DualrootError("the CIB has no <configuration> section", "give a whole CIB (cibadmin --query)")
    section = configuration.find(tag)
    if section is None:
        section = etree.SubElement(configuration, tag)
    return section


def _set_property(crm_config: etree._Element, name: str, value: str) -> None:
    """Set a cluster option by name: reuse the nvpair wherever it is (keeping its id) or add it."""
    for nvpair in crm_config.iterfind(f"{TAG_CLUSTER_PROPERTY_SET}/{TAG_NVPAIR}"):
        if nvpair.get("name") == name:
            nvpair.set("value", value)
            return
    bootstrap = crm_config.find(f"{TAG_CLUSTER_PROPERTY_SET}[@id='{BOOTSTRAP_SET_ID}']")
    if bootstrap is None:
        bootstrap = etree.Element(TAG_CLUSTER_PROPERTY_SET, {"id": BOOTSTRAP_SET_ID})
        crm_config.insert(0, bootstrap)
    etree.SubElement(
        bootstrap, TAG_NVPAIR, {"id": nvpair_id(BOOTSTRAP_SET_ID, name), "name": name, "value": value}
    )


def _put(section: etree._Element, element: etree._Element) -> None:
    """Replace the same-id element of `section` in place (the CIB keeps its order), or append."""
    for old in section.iterfind(f"*[@id='{element.get('id')}']"):
        section.replace(old, element)
        return
    section.append(element)


def merge_cib(cib: etree._Element, desired: etree._Element, retire: Iterable[str] = ()) -> etree._Element:
    """A copy of `cib` with the stack of the `desired` CIB (as render_cib gives it) in it: its cluster
    options set by name, its top-level resources and constraints put in by id; objects with ids in
    `retire` and not desired are removed. Neither input is changed."""
    result = copy.deepcopy(cib)
    crm_config = _section(result, TAG_CRM_CONFIG)
    options = f"{TAG_CONFIGURATION}/{TAG_CRM_CONFIG}/{TAG_CLUSTER_PROPERTY_SET}/{TAG_NVPAIR}"
    for nvpair in desired.iterfind(options):
        _set_property(crm_config, nvpair.get("name", ""), nvpair.get("value", ""))
    keep: set[str] = set()
    for tag in (TAG_RESOURCES, TAG_CONSTRAINTS):
        wanted = [copy.deepcopy(e) for e in desired.iterfind(f"{TAG_CONFIGURATION}/{tag}/*")]
        keep.update(e.get("id", "") for e in wanted)
        section = _section(result, tag)
        for element in wanted:
            _put(section, element)
    for tag in (TAG_RESOURCES, TAG_CONSTRAINTS):
        section = _section(result, tag)
        for old in list(section):
            if old.get("id", "") in set(retire) - keep:
                section.remove(old)
    _check_unique_ids(result)
    return result


def merge_plan(cib: etree._Element, plan: StackPlan, retire: Iterable[str] = ()) -> etree._Element:
    """merge_cib with the stack of `plan`."""
    return merge_cib(cib, render_cib(plan), retire)


def _check_unique_ids(cib: etree._Element) -> None:
    seen: set[str] = set()
    configuration = cib.find(TAG_CONFIGURATION)
    assert configuration is not None
    for element in configuration.iter():
        element_id = element.get("id")
        if element_id is None:
            continue
        if element_id in seen and element.tag != TAG_NODE:
            raise DualrootError(
                f"id {element_id!r} would be used twice in the CIB",
                "rename or delete the object that has it (crm configure delete, pcs resource delete)",
            )
        seen.add(element_id)


def configuration_only(cib: etree._Element) -> etree._Element:
    """A copy without nodes and status, for crm_verify to judge the configuration itself: with nodes
    but no status (or a cluster without quorum right now) it reports unclean nodes and exits 78,
    which says nothing about the configuration being pushed."""
    copy_ = copy.deepcopy(cib)
    for path in (f"{TAG_CONFIGURATION}/{TAG_NODES}", TAG_STATUS):
        for section in copy_.findall(path):
            for child in list(section):
                section.remove(child)
    return copy_


def render_cib(plan: StackPlan) -> etree._Element:
    """A whole CIB document holding the stack (no nodes: Pacemaker adds them as they join)."""
    cib = empty_cib()
    crm_config = _section(cib, TAG_CRM_CONFIG)
    for name, value in plan.properties:
        _set_property(crm_config, name, value)
    resources, constraints = plan_elements(plan)
    _section(cib, TAG_RESOURCES).extend(resources)
    _section(cib, TAG_CONSTRAINTS).extend(constraints)
    _check_unique_ids(cib)
    return cib


def to_text(cib: etree._Element) -> str:
    return etree.tostring(cib, pretty_print=True, encoding="unicode")


def parse_xml(text: str, source: str = "CIB") -> etree._Element:
    """Parse XML from a Pacemaker tool or a file (no entities, no network); a failure is one line."""
    try:
        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
        return etree.fromstring(text.encode(), parser)
    except etree.XMLSyntaxError as exc:
        raise DualrootError(f"{source} is not XML: {exc}", "give the XML as the tool printed it") from None
