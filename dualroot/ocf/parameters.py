"""Parameter checks from the meta-data declaration: presence, type, choices, syntax, bounds.

`validate_parameters` is what every action (and validate-all at level 0) runs first; it returns typed
values or raises OcfError(ERR_CONFIGURED, "<one sentence naming the parameter>"): a parameter that is
wrong here is wrong on every node (OCF 1.1: "not configured").
"""

from __future__ import annotations

from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import ContentType
from dualroot.ocf.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from dualroot.ocf.metadata import AgentMetadata, Parameter

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")
_SHOWN_VALUE_MAX = 40

Value = str | int | bool


def _shown(value: str) -> str:
    """A value quoted for a one-line reason: control characters escaped, long values cut."""
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE_MAX else text[: _SHOWN_VALUE_MAX - 4] + "...'"


def parse_boolean(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


class ParameterValues(Record):
    """Typed parameter values (defaults applied); `given` lists the ones set in the environment."""

    values: Mapping[str, Value]
    given: frozenset[str]

    def text(self, name: str) -> str:
        value = self.values[name]
        if not isinstance(value, str):
            raise TypeError(f"parameter {name} is not a string")
        return value

    def integer(self, name: str) -> int:
        value = self.values[name]
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"parameter {name} is not an integer")
        return value

    def flag(self, name: str) -> bool:
        value = self.values[name]
        if not isinstance(value, bool):
            raise TypeError(f"parameter {name} is not a boolean")
        return value

    def has(self, name: str) -> bool:
        return name in self.values


def _convert(p: Parameter, raw: str) -> Value:
    def bad(why: str) -> OcfError:
        return OcfError(OcfExit.ERR_CONFIGURED, f"parameter {p.name} {why}, got {_shown(raw)}")

    if p.content is ContentType.BOOLEAN:
        flag = parse_boolean(raw)
        if flag is None:
            raise bad("must be a boolean (true or false)")
        return flag
    if p.content is ContentType.INTEGER:
        digits = raw.strip()
        if not digits.lstrip("+-").isdigit() or len(digits) - len(digits.lstrip("+-")) > 1 \
                or not digits.lstrip("+-").isascii():
            raise bad("must be an integer")
        number = int(digits)
        if p.minimum is not None and number < p.minimum:
            raise bad(f"must be at least {p.minimum}")
        if p.maximum is not None and number > p.maximum:
            raise bad(f"must be at most {p.maximum}")
        return number
    if p.choices and raw not in p.choices:
        raise bad("must be one of " + ", ".join(p.choices))
    syntax = "must consist of " + p.pattern_hint if p.pattern_hint else "has an invalid syntax"
    # A value that starts with "-" would read as an option to the command it is passed to.
    if p.allowed_chars and (not raw.startswith(p.prefix) or not set(raw) <= set(p.allowed_chars)
                            or raw.startswith("-")):
        raise bad(syntax)
    if p.pattern is not None:
        import re  # only agents with regular-expression parameters pay for it

        if not re.fullmatch(p.pattern, raw):
            raise bad(syntax)
    return raw


def validate_parameters(md: AgentMetadata, params: Mapping[str, str]) -> ParameterValues:
    """Check `params` (OCF_RESKEY_* without the prefix) against the declaration; typed values out."""
    values: dict[str, Value] = {}
    given: set[str] = set()
    for p in md.parameters:
        raw = params.get(p.name)
        if raw is None or raw == "":
            if p.required:
                raise OcfError(OcfExit.ERR_CONFIGURED,
                               f"parameter {p.name} is required ({p.shortdesc.rstrip('.')}) but is not set")
            if p.default is None:
                continue
            values[p.name] = _convert(p, p.default)
            continue
        values[p.name] = _convert(p, raw)
        given.add(p.name)
    return ParameterValues(values=values, given=frozenset(given))
