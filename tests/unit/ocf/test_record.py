"""Record: fields from annotations, defaults, immutability, equality, errors for wrong construction."""

from __future__ import annotations

import pytest

from dualroot.ocf.record import Record

pytestmark = pytest.mark.unit


class Point(Record):
    x: int
    y: int = 0
    label: str = ""


class Point3(Point):
    z: int = 5


def test_positional_keyword_and_defaults():
    assert Point(1) == Point(x=1, y=0, label="")
    assert Point(1, 2, "a").label == "a"
    assert Point3(1, z=7).z == 7 and Point3._fields == ("x", "y", "label", "z")


def test_immutable_hashable_and_repr():
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 3
    assert hash(p) == hash(Point(1, 2)) and p != Point(1, 3) and p != Point3(1, 2)
    assert repr(p) == "Point(x=1, y=2, label='')"
    assert p._replace(y=9) == Point(1, 9)


@pytest.mark.parametrize(
    ("args", "kwargs"), [((), {}), ((1, 2, "a", 4), {}), ((1,), {"x": 2}), ((1,), {"w": 1})]
)
def test_wrong_construction(args, kwargs):
    with pytest.raises(TypeError):
        Point(*args, **kwargs)


def test_agent_modules_import_no_heavy_stdlib():
    # Why Record exists: an agent's monitor must not pay for typing/dataclasses/subprocess/json.
    import subprocess
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[3])
    code = (
        "import sys; import dualroot.drbd.agent, dualroot.ocf.promotion, dualroot.drbd.state_policy; "
        "print(' '.join(m for m in ('typing', 'dataclasses', 'inspect', 'subprocess', 'json', 'xml.etree')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        ["/usr/bin/python3", "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": repo, "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == ""
