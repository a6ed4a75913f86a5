"""A small element tree over pyexpat, for agent code that reads Pacemaker's XML (cibadmin, stonith_admin).

Why not xml.etree.ElementTree: importing it loads `re`, `enum`, `copy`, `weakref` and `contextlib`,
three quarters of the fence-peer handler's start-up, and the handler runs while DRBD holds every
write of the cluster's file system (bench/bench_drbd_agent.py measures imports). pyexpat is the C
parser ElementTree itself sits on; this module keeps only what the agents use: parse, attribute
lookup, iteration by tag, child paths of plain tag names, and serialising a small element with its
attribute values escaped.
"""

from __future__ import annotations

import pyexpat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import overload
else:
    def overload(function):  # `typing` costs more than this module: its overloads are for mypy alone
        return function

# What an attribute value must not contain raw (the same replacements ElementTree makes).
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
            ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#09;"))


class XmlError(ValueError):
    """The text is not well-formed XML."""


class Element:
    __slots__ = ("tag", "attrib", "children")

    def __init__(self, tag: str, attrib: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrib = dict(attrib or {})
        self.children: list[Element] = []

    @overload
    def get(self, key: str) -> str | None: ...

    @overload
    def get(self, key: str, default: str) -> str: ...  # noqa: F811 - an overload (see the import)

    def get(self, key: str, default: str | None = None) -> str | None:  # noqa: F811 - the overloads above
        return self.attrib.get(key, default)

    def add(self, tag: str, attrib: dict[str, str] | None = None) -> Element:
        """A new child element, appended."""
        child = Element(tag, attrib)
        self.children.append(child)
        return child

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """This element and all below it, in document order, optionally only those named `tag`."""
        stack = [self]
        while stack:
            element = stack.pop()
            if tag is None or element.tag == tag:
                yield element
            stack.extend(reversed(element.children))

    def iterfind(self, path: str) -> Iterator[Element]:
        """The elements reached by a path of child tag names ("status/node_state")."""
        level = [self]
        for step in path.split("/"):
            level = [child for element in level for child in element.children if child.tag == step]
        yield from level

    def find(self, path: str) -> Element | None:
        return next(self.iterfind(path), None)


def parse(text: str) -> Element:
    """The document's root element; XmlError if the text is not well-formed."""
    root = Element("")
    stack = [root]

    def start(tag: str, attrib: dict[str, str]) -> None:
        element = Element(tag, attrib)
        stack[-1].children.append(element)
        stack.append(element)

    def end(_tag: str) -> None:
        stack.pop()

    parser = pyexpat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(text, True)
    except pyexpat.ExpatError as exc:
        raise XmlError(str(exc)) from None
    if len(root.children) != 1:
        raise XmlError("no root element")
    return root.children[0]


def _escape(value: str) -> str:
    for raw, escaped in _ESCAPES:
        value = value.replace(raw, escaped)
    return value


def tostring(element: Element) -> str:
    """The element as XML text (no declaration); attribute values escaped, text content not kept."""
    attributes = "".join(f' {name}="{_escape(value)}"' for name, value in element.attrib.items())
    if not element.children:
        return f"<{element.tag}{attributes}/>"
    inner = "".join(tostring(child) for child in element.children)
    return f"<{element.tag}{attributes}>{inner}</{element.tag}>"
