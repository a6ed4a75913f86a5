"""Named constants declared like IntEnum/Enum members, without importing `enum` (agent start-up cost).

    class OcfExit(NamedInt):
        SUCCESS: ClassVar[OcfExit]
        ...
    OcfExit.define(SUCCESS=0, ...)

Members are canonical instances: `OcfExit(7) is OcfExit.NOT_RUNNING`; they are ints (or strs) with a
`.name` and a `.value`; an unknown value raises ValueError as an Enum does. `enum` costs an agent
~5 ms per monitor on the lab's hosts, more than its own code (bench/bench_drbd_agent.py).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, ClassVar, TypeVar

    IntT = TypeVar("IntT", bound="NamedInt")
    StrT = TypeVar("StrT", bound="NamedStr")


class NamedInt(int):
    __slots__ = ()
    _members: ClassVar[dict[int, Any]]
    _names: ClassVar[dict[int, str]]

    def __new__(cls: type[IntT], value: Any) -> IntT:
        try:
            return cls._members[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{value!r} is not a valid {cls.__name__}") from None

    @classmethod
    def define(cls, **members: int) -> None:
        cls._members, cls._names = {}, {}
        for name, number in members.items():
            member = int.__new__(cls, number)
            cls._members[number] = member
            cls._names[number] = name
            setattr(cls, name, member)

    @classmethod
    def members(cls: type[IntT]) -> Iterator[IntT]:
        return iter(cls._members.values())

    @property
    def name(self) -> str:
        return self._names[int(self)]

    @property
    def value(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self.name}: {int(self)}>"

    __str__ = int.__repr__


class NamedStr(str):
    __slots__ = ()
    _members: ClassVar[dict[str, Any]]
    _names: ClassVar[dict[str, str]]

    def __new__(cls: type[StrT], value: Any) -> StrT:
        try:
            return cls._members[str(value)]
        except KeyError:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}") from None

    @classmethod
    def define(cls, **members: str) -> None:
        cls._members, cls._names = {}, {}
        for name, text in members.items():
            member = str.__new__(cls, text)
            cls._members[text] = member
            cls._names[text] = name
            setattr(cls, name, member)

    @classmethod
    def members(cls: type[StrT]) -> Iterator[StrT]:
        return iter(cls._members.values())

    @property
    def name(self) -> str:
        return self._names[str(self)]

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}.{self.name}: {str.__repr__(self)}>"

    __str__ = str.__str__
