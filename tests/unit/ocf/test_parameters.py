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


@pytest.mark.parametrize(
    ("params", "words"),
    [
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
    ],
)
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


def test_allowed_chars_and_prefix_without_re():
    from dualroot.ocf.metadata import AgentMetadata, Parameter

    md = AgentMetadata(
        "x",
        "1",
        "x",
        "x",
        parameters=(
            Parameter("path", "A path", "A path.", allowed_chars="abc/", prefix="/", pattern_hint="a path"),
            Parameter("word", "A word", "A word.", allowed_chars="abc-", pattern_hint="a, b, c and -"),
        ),
        actions=(),
    )
    assert validate_parameters(md, {"path": "/a/b", "word": "a-b"}).text("word") == "a-b"
    for params in ({"path": "a/b"}, {"path": "/a/d"}, {"word": "-ab"}, {"word": "a b"}):
        with pytest.raises(OcfError) as exc:
            validate_parameters(md, params)
        assert "must consist of" in exc.value.reason


@pytest.mark.parametrize(("value", "number"), [("1", 1), ("+1", 1), (" 7 ", 7), ("10", 10)])
def test_integers_accepted(value, number):
    assert validate_parameters(METADATA, {"name": "x", "count": value}).integer("count") == number


@pytest.mark.parametrize("value", ["", "+", "1.0", "--1", "+-1", "١", "0x1", "1e3"])
def test_integers_refused(value):
    params = {"name": "x", "count": value}
    if value == "":
        assert validate_parameters(METADATA, params).integer("count") == 3
        return
    with pytest.raises(OcfError):
        validate_parameters(METADATA, params)
