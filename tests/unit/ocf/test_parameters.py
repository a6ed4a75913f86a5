"""validate_parameters: presence, types, bounds, choices and syntax, one sentence naming the parameter."""

import pytest

from dualroot.ocf.errors import OcfError
from dualroot.ocf.exitcodes import OcfExit
from dualroot.ocf.parameters import validate_parameters
from tests.unit.ocf.sample_agent import METADATA

pytestmark = pytest.mark.unit


def test_defaults_and_types():
    values = validate_parameters(METADATA, {"name": "x1"})
    assert values.text("name") == "x1"
    assert values.integer("count") == 3
    assert values.flag("fast") is False
    assert values.text("mode") == "a"
    assert values.given == frozenset({"name"})


def test_given_values_are_converted():
    values = validate_parameters(METADATA, {"name": "x", "count": " 7 ", "fast": "YES", "mode": "b"})
    assert (values.integer("count"), values.flag("fast"), values.text("mode")) == (7, True, "b")


def test_empty_optional_value_takes_the_default():
    assert validate_parameters(METADATA, {"name": "x", "count": ""}).integer("count") == 3


@pytest.mark.parametrize(("params", "words"), [
    ({}, "parameter name is required"),
    ({"name": ""}, "parameter name is required"),
    ({"name": "a;rm -rf /"}, "parameter name must consist of letters"),
    ({"name": "$(reboot)"}, "parameter name must consist of"),
    ({"name": "a\nb"}, "parameter name must consist of"),
    ({"name": "x", "count": "three"}, "parameter count must be an integer"),
    ({"name": "x", "count": "0"}, "parameter count must be at least 1"),
    ({"name": "x", "count": "11"}, "parameter count must be at most 10"),
    ({"name": "x", "fast": "maybe"}, "parameter fast must be a boolean"),
    ({"name": "x", "mode": "c"}, "parameter mode must be one of a, b"),
])
def test_bad_values_give_6_and_one_line(params, words):
    with pytest.raises(OcfError) as exc:
        validate_parameters(METADATA, params)
    assert exc.value.code is OcfExit.ERR_CONFIGURED
    assert words in exc.value.reason
    assert "\n" not in exc.value.reason


def test_long_values_are_cut_in_the_reason():
    with pytest.raises(OcfError) as exc:
        validate_parameters(METADATA, {"name": "x" * 200 + ";"})
    assert len(exc.value.reason) < 160
