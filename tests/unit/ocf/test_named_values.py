"""NamedInt/NamedStr: canonical members, names, values, errors like Enum's."""

import pytest

from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.metadata import ContentType, Role

pytestmark = pytest.mark.unit


def test_exit_codes_are_canonical_ints_with_names():
    assert OcfExit(7) is OcfExit.NOT_RUNNING and OcfExit(OcfExit.SUCCESS) is OcfExit.SUCCESS
    assert OcfExit.DEGRADED == 190 and OcfExit.DEGRADED_PROMOTED.name == "DEGRADED_PROMOTED"
    assert str(OcfExit.ERR_ARGS) == "2" and repr(OcfExit.ERR_ARGS) == "<OcfExit.ERR_ARGS: 2>"
    assert [int(c) for c in OcfExit.members()] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191]
    with pytest.raises(ValueError):
        OcfExit(42)


def test_named_strings():
    assert ContentType("integer") is ContentType.INTEGER and ContentType.INTEGER.value == "integer"
    assert Role.PROMOTED.name == "PROMOTED" and f"{Role.UNPROMOTED}" == "Unpromoted"
    with pytest.raises(ValueError):
        Role("Master")
