"""Agent meta-data declared once as typed records, rendered as OCF 1.1 XML.

The same declaration drives `validate-all`'s type checks (dualroot.ocf.parameters) and the man page
(dualroot.ocf.manpage).

Why the DOCTYPE: `ocf-tester` pipes meta-data to `xmllint --valid` against resource-agents'
ra-api-1.dtd, which fails documents with no DOCTYPE ("no DTD found") and knows none of OCF 1.1's
additions. An internal subset that re-declares the new attributes (the first declaration of an
attribute wins in XML) makes the same document valid both against that DTD and against the OCF 1.1
RelaxNG. Element-level additions cannot be fixed that way (`content` is EMPTY in the DTD and an
element cannot be declared twice), so agents declare no `select`/`<option>` and no `<deprecated>`:
allowed values are named in the description and enforced by validate-all (`Parameter.choices`).
"""

from __future__ import annotations

from dualroot.ocf.named_values import NamedStr
from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

OCF_VERSION = "1.1"

DOCTYPE = (
    '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd" [\n'
    "  <!ATTLIST action name CDATA #REQUIRED>\n"
    "  <!ATTLIST parameter reloadable CDATA #IMPLIED>\n"
    "  <!ATTLIST parameter unique-group CDATA #IMPLIED>\n"
    "]>"
)


class ContentType(NamedStr):
    STRING: ClassVar[ContentType]
    INTEGER: ClassVar[ContentType]
    BOOLEAN: ClassVar[ContentType]


ContentType.define(STRING="string", INTEGER="integer", BOOLEAN="boolean")


class Role(NamedStr):
    PROMOTED: ClassVar[Role]
    UNPROMOTED: ClassVar[Role]


Role.define(PROMOTED="Promoted", UNPROMOTED="Unpromoted")


class Parameter(Record):
    """One agent parameter (`OCF_RESKEY_<name>`).

    `choices`: the only allowed values (named in the rendered longdesc, enforced by validate-all).
    `pattern`/`pattern_hint`: a regular expression the value must match in full, and how to say it
    in words ("letters, digits, '_', '-' and '.'"); keeps values that would be unsafe as arguments out.
    `allowed_chars`/`prefix` (with `pattern_hint`): the same for the common case "only these
    characters, starting with this", checked without `re` (cheaper for an agent's every action);
    such a value may not start with "-" (it would read as an option).
    `minimum`/`maximum`: bounds for integers.
    """

    name: str
    shortdesc: str
    longdesc: str
    content: ContentType = ContentType.STRING
    default: str | None = None
    required: bool = False
    unique_group: str | None = None
    reloadable: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    minimum: int | None = None
    maximum: int | None = None
    allowed_chars: str = ""
    prefix: str = ""

    def full_longdesc(self) -> str:
        """The longdesc plus the constraints the schema cannot express."""
        text = self.longdesc.strip()
        if self.choices:
            text += " Allowed values: " + ", ".join(self.choices) + "."
        if self.minimum is not None or self.maximum is not None:
            low = str(self.minimum) if self.minimum is not None else ""
            high = str(self.maximum) if self.maximum is not None else ""
            text += f" Range: {low}..{high}."
        return text


class Action(Record):
    """One advertised action; `timeout`, `interval` and `start_delay` in seconds."""

    name: str
    timeout: int
    interval: int | None = None
    depth: int | None = None
    role: Role | None = None
    start_delay: int | None = None


class Example(Record):
    """A configuration example for the man page: a title, the pcs command and the crmsh text."""

    title: str
    pcs: str
    crmsh: str


class AgentMetadata(Record):
    """The whole declaration of one agent (`ocf:<provider>:<name>`)."""

    name: str
    version: str
    shortdesc: str
    longdesc: str
    parameters: tuple[Parameter, ...]
    actions: tuple[Action, ...]
    provider: str = "dualroot"
    examples: tuple[Example, ...] = ()
    see_also: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        return None

    @property
    def action_names(self) -> tuple[str, ...]:
        seen: list[str] = []
        for action in self.actions:
            if action.name not in seen:
                seen.append(action.name)
        return tuple(seen)


def _seconds(value: int) -> str:
    return f"{value}s"


def render_metadata(md: AgentMetadata) -> str:
    """The OCF 1.1 meta-data document (XML declaration, DOCTYPE, escaped content)."""
    import xml.etree.ElementTree as ET  # only the meta-data action pays for the import

    root = ET.Element("resource-agent", {"name": md.name, "version": md.version})
    ET.SubElement(root, "version").text = OCF_VERSION
    ET.SubElement(root, "longdesc", {"lang": "en"}).text = md.longdesc.strip()
    ET.SubElement(root, "shortdesc", {"lang": "en"}).text = md.shortdesc.strip()
    parameters = ET.SubElement(root, "parameters")
    for p in md.parameters:
        attrs = {"name": p.name, "required": "1" if p.required else "0"}
        if p.unique_group:
            attrs["unique-group"] = p.unique_group
        attrs["reloadable"] = "1" if p.reloadable else "0"
        element = ET.SubElement(parameters, "parameter", attrs)
        ET.SubElement(element, "longdesc", {"lang": "en"}).text = p.full_longdesc()
        ET.SubElement(element, "shortdesc", {"lang": "en"}).text = p.shortdesc.strip()
        content = {"type": p.content.value}
        if p.default is not None:
            content["default"] = p.default
        ET.SubElement(element, "content", content)
    actions = ET.SubElement(root, "actions")
    for a in md.actions:
        attrs = {"name": a.name, "timeout": _seconds(a.timeout)}
        if a.interval is not None:
            attrs["interval"] = _seconds(a.interval)
        if a.start_delay is not None:
            attrs["start-delay"] = _seconds(a.start_delay)
        if a.depth is not None:
            attrs["depth"] = str(a.depth)
        if a.role is not None:
            attrs["role"] = a.role.value
        ET.SubElement(actions, "action", attrs)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0"?>\n{DOCTYPE}\n{body}\n'


def render_usage(md: AgentMetadata, program: str) -> str:
    """The one-line usage text (`usage` action and a missing action)."""
    return f"usage: {program} {{{'|'.join(md.action_names)}}}\n"
