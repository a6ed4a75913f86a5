"""drbdadm dump-xml parsing and the dual-primary configuration checks."""

import pytest

from dualroot.drbd.config import dual_primary_problem, parse_dump_xml
from dualroot.ocf.errors import OcfError
from tests.unit.drbd import fixtures as fx

pytestmark = pytest.mark.unit

# Printed by `/usr/lib/drbd/drbdadm-84 -c /tmp/drbdtest/drbd.conf dump-xml r0` on this host (one resource:
# no <config>/<common> wrapper).
REAL_SINGLE = """<resource name="r0" conf-file-line="/tmp/drbdtest/drbd.conf:3">
    <host name="vm">
        <volume vnr="0">
            <device minor="0">/dev/drbd0</device>
            <disk>/dev/vdb</disk>
            <meta-disk>internal</meta-disk>
        </volume>
        <address family="ipv4" port="7789">192.168.101.1</address>
    </host>
    <section name="net">
        <option name="allow-two-primaries" value="yes"/>
        <option name="after-sb-0pri" value="discard-zero-changes"/>
    </section>
    <section name="disk">
        <option name="fencing" value="resource-and-stonith"/>
    </section>
    <section name="handlers">
        <option name="fence-peer" value="/usr/lib/dualroot/dualroot-fence-peer"/>
        <option name="after-resync-target" value="/usr/lib/dualroot/dualroot-fence-peer"/>
    </section>
</resource>
"""


def test_real_single_resource_dump():
    cfg = parse_dump_xml(REAL_SINGLE, "r0")
    assert cfg.hosts == ("vm",) and cfg.minors == {"vm": (0,)}
    assert cfg.option("net", "allow-two-primaries") == "yes"
    assert dual_primary_problem(cfg, "8.4") is None
    assert parse_dump_xml(REAL_SINGLE, "r1") is None


def test_common_options_are_merged_and_resource_wins():
    cfg = parse_dump_xml(
        fx.dump_xml(
            common_net=(("protocol", "A"), ("allow-two-primaries", "yes")), net_options=(("protocol", "C"),)
        ),
        "r0",
    )
    assert cfg.option("net", "protocol") == "C" and cfg.option("net", "allow-two-primaries") == "yes"


@pytest.mark.parametrize(
    ("kwargs", "generation", "words"),
    [
        ({"net_options": ()}, "8.4", "lacks 'allow-two-primaries yes'"),
        ({"net_options": (("allow-two-primaries", "no"),)}, "8.4", "allow-two-primaries"),
        ({"net_options": (("allow-two-primaries", "yes"), ("protocol", "B"))}, "8.4", "uses protocol B"),
        ({"disk_options": ()}, "8.4", "'fencing dont-care'"),
        ({"disk_options": (("fencing", "resource-only"),)}, "8.4", "'fencing resource-only'"),
        ({"handlers": (("after-resync-target", "/x"),)}, "8.4", "no fence-peer handler"),
        ({"handlers": (("fence-peer", "/x"),)}, "8.4", "no after-resync-target handler"),
        ({"handlers": (("fence-peer", "/x"), ("after-resync-target", "/x"))}, "9", "no unfence-peer handler"),
    ],
)
def test_dual_primary_problems(kwargs, generation, words):
    problem = dual_primary_problem(parse_dump_xml(fx.dump_xml(**kwargs), "r0"), generation)
    assert problem is not None and words in problem and "r0" in problem


def test_drbd9_fencing_in_net_section():
    cfg = parse_dump_xml(
        fx.dump_xml(
            net_options=(("allow-two-primaries", "yes"), ("fencing", "resource-and-stonith")),
            disk_options=(),
            handlers=(("fence-peer", "/x"), ("unfence-peer", "/x")),
        ),
        "r0",
    )
    assert dual_primary_problem(cfg, "9") is None


def test_invalid_xml():
    with pytest.raises(OcfError):
        parse_dump_xml("<config", "r0")
