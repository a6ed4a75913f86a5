"""Comparing two CIBs' configurations as XML, ignoring ids, order and the spellings tools differ in.

pcs, crmsh and dualroot write the same configuration with different ids (op ids), element order
(pcs sorts operations and meta attributes) and explicit defaults (pcs writes rsc-role="Started",
crmsh keeps comments). This reduces a <configuration> to a canonical string in which only meaning is left.
"""

from __future__ import annotations

from lxml import etree

# attribute defaults Pacemaker applies when they are absent: spelling them out changes nothing
_DEFAULTS = {
    "rsc_order": {"kind": "Mandatory", "first-action": "start", "then-action": "start"},
    "rsc_colocation": {"rsc-role": "Started", "with-rsc-role": "Started"},
    "op": {"interval": "0s"},
}
_ROLE_ALIASES = {"Master": "Promoted", "Slave": "Unpromoted"}
_ID_REFERENCE_TAGS = ("primitive", "clone", "rsc_location", "rsc_order", "rsc_colocation")


def _canonical(element: etree._Element) -> str:
    attrs = dict(element.attrib)
    # keep ids that name resources (constraints refer to them); drop all other ids
    if element.tag not in _ID_REFERENCE_TAGS[:2]:
        attrs.pop("id", None)
    for name, default in _DEFAULTS.get(str(element.tag), {}).items():
        attrs.setdefault(name, default)
    for name in ("role", "rsc-role", "with-rsc-role"):
        if name in attrs:
            attrs[name] = _ROLE_ALIASES.get(attrs[name], attrs[name])
    if element.tag == "op" and attrs.get("interval") in ("0", "0s", "0ms"):
        attrs["interval"] = "0s"
    children = sorted(_canonical(child) for child in element if isinstance(child.tag, str))
    head = " ".join(f'{k}="{v}"' for k, v in sorted(attrs.items()))
    return f"<{element.tag} {head}>" + "".join(children) + f"</{element.tag}>"


def canonical_configuration(cib: etree._Element) -> str:
    configuration = cib.find("configuration")
    assert configuration is not None, "not a CIB"
    return _canonical(configuration)


def first_difference(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return (
                f"...{a[max(0, index - 150) : index + 150]}\n   vs\n...{b[max(0, index - 150) : index + 150]}"
            )
    return f"lengths {len(a)} vs {len(b)}"
