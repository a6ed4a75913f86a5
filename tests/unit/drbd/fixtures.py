"""DRBD status texts for the parsers and the agent's tests.

/proc/drbd (8.4): the header and status lines follow the in-tree 8.4.11 module of Debian 12's kernel
6.1 as the lab printed them (shared/lab/RECIPE.md sections 4, 5, 15: `version: 8.4.11
(api:1/proto:86-101)`, ` 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----`) and the
format of drbd_proc.c (the second header line is the build tag, "srcversion:" for in-tree builds;
StandAlone prints a blank protocol letter; "cs:Unconfigured" for an unconfigured minor; resync
progress lines are indented with a tab). The states other than the recipe's were not captured on a
node here (no VM access for this work); they are written from that format and marked so.

DRBD 9 JSON: the documented `drbdsetup status --json` form (drbd-utils), field names as printed.
"""

HEADER_84 = "version: 8.4.11 (api:1/proto:86-101)\nsrcversion: 4B3E2E2CD48CAE5280A8E1A \n"
STATS = "    ns:0 nr:0 dw:0 dr:2120 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n"

# Seen in the lab (RECIPE.md 5, 15): both Primary, connected.
PROC_PRIMARY_PRIMARY = (
    HEADER_84 + " 0: cs:Connected ro:Primary/Primary ds:UpToDate/UpToDate C r-----\n" + STATS
)
# Seen in the lab (RECIPE.md 4): after create-md/up, before the initial sync was skipped.
PROC_SECONDARY_INCONSISTENT = (
    HEADER_84 + " 0: cs:Connected ro:Secondary/Secondary ds:Inconsistent/Inconsistent C r-----\n" + STATS
)
# Seen in the lab (RECIPE.md 4): after new-current-uuid --clear-bitmap.
PROC_SECONDARY_SECONDARY = (
    HEADER_84 + " 0: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----\n" + STATS
)
# Written from the format: this node Secondary, the peer Primary.
PROC_SECONDARY_PEER_PRIMARY = (
    HEADER_84 + " 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n" + STATS
)
# Written from the format: the peer is gone (WFConnection), its disk unknown; I/O suspended while the
# fence-peer handler runs (RECIPE.md 8: "susp( 0 -> 1 )").
PROC_PRIMARY_PEER_LOST_SUSPENDED = (
    HEADER_84 + " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C s-----\n" + STATS
)
# Written from the format: the handler returned 7, DRBD marked the peer Outdated (RECIPE.md 8:
# "pdsk( DUnknown -> Outdated ) / susp( 1 -> 0 )").
PROC_PRIMARY_PEER_OUTDATED = (
    HEADER_84 + " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/Outdated C r-----\n" + STATS
)
PROC_PRIMARY_PEER_LOST = (
    HEADER_84 + " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n" + STATS
)
# Written from the format: a split-brain was detected and the connection given up (blank protocol).
PROC_STANDALONE_PRIMARY = (
    HEADER_84 + " 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n" + STATS
)
PROC_STANDALONE_SECONDARY = (
    HEADER_84 + " 0: cs:StandAlone ro:Secondary/Unknown ds:UpToDate/DUnknown   r-----\n" + STATS
)
# Written from the format: resync after a rejoin (RECIPE.md 13: "Resync done").
PROC_SYNC_TARGET = (
    HEADER_84 + " 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n"
    "    ns:0 nr:104448 dw:104448 dr:0 al:8 bm:0 lo:0 pe:2 ua:0 ap:0 ep:1 wo:f oos:419840\n"
    "\t[==>.................] sync'ed: 20.0% (419840/524236)K\n"
    "\tfinish: 0:00:47 speed: 8,872 (8,872) want: 10,240 K/sec\n"
)
PROC_OUTDATED = HEADER_84 + " 0: cs:WFConnection ro:Secondary/Unknown ds:Outdated/DUnknown C r-----\n" + STATS
PROC_CONSISTENT = (
    HEADER_84 + " 0: cs:WFConnection ro:Secondary/Unknown ds:Consistent/DUnknown C r-----\n" + STATS
)
PROC_DISKLESS_PRIMARY = (
    HEADER_84 + " 0: cs:Connected ro:Primary/Primary ds:Diskless/UpToDate C r-----\n" + STATS
)
# The module is loaded and minor 0 exists, but the resource is down (`drbdadm down`).
PROC_UNCONFIGURED = HEADER_84 + " 0: cs:Unconfigured\n"
# The module is loaded and no minor exists at all.
PROC_NO_MINORS = HEADER_84
# Two volumes (minors 0 and 1), the second still syncing.
PROC_TWO_VOLUMES = (
    HEADER_84
    + " 0: cs:Connected ro:Secondary/Secondary ds:UpToDate/UpToDate C r-----\n"
    + STATS
    + " 1: cs:SyncSource ro:Secondary/Secondary ds:UpToDate/Inconsistent C r-----\n"
    + STATS
    + "\t[=====>..............] sync'ed: 30.1% (358000/512000)K\n"
)

HEADER_9 = (
    "version: 9.2.8 (api:2/proto:86-122)\nGIT-hash: 4a3be8ee3c3bde6d6c8d05b1b9b9d3dd2d3a7a4b build by x\n"
    "Transports (api:21): tcp (9.2.8)\n"
)


def status_json_9(
    role="Secondary",
    disk="UpToDate",
    connection="Connected",
    peer_role="Secondary",
    peer_disk="UpToDate",
    replication="Established",
    suspended=False,
    name="r0",
) -> str:
    """`drbdsetup status r0 --json` of DRBD 9 with one volume and one peer."""
    import json

    return json.dumps(
        [
            {
                "name": name,
                "node-id": 0,
                "role": role,
                "suspended": suspended,
                "write-ordering": "flush",
                "devices": [
                    {
                        "volume": 0,
                        "minor": 0,
                        "disk-state": disk,
                        "client": False,
                        "quorum": True,
                        "size": 524236,
                        "read": 2120,
                        "written": 0,
                        "al-writes": 0,
                        "bm-writes": 0,
                        "upper-pending": 0,
                        "lower-pending": 0,
                    }
                ],
                "connections": [
                    {
                        "peer-node-id": 1,
                        "name": "node2",
                        "connection-state": connection,
                        "congested": False,
                        "peer-role": peer_role,
                        "ap-in-flight": 0,
                        "rs-in-flight": 0,
                        "peer_devices": [
                            {
                                "volume": 0,
                                "replication-state": replication,
                                "peer-disk-state": peer_disk,
                                "peer-client": False,
                                "resync-suspended": "no",
                                "received": 0,
                                "sent": 0,
                                "out-of-sync": 0,
                                "pending": 0,
                                "unacked": 0,
                                "has-sync-details": False,
                                "has-online-verify-details": False,
                                "percent-in-sync": 100.0,
                            }
                        ],
                    }
                ],
            }
        ],
        indent=2,
    )


# `drbdadm-84 -c drbd.conf dump-xml` as drbd-utils 9.22 printed it on this host for the lab's r0 layout
# (the host name is this machine's, "vm"; the address 127.0.0.1 so that drbdadm's local-IP check passes).
def dump_xml(
    net_options=(("allow-two-primaries", "yes"),),
    disk_options=(("fencing", "resource-and-stonith"),),
    handlers=(
        ("fence-peer", "/usr/lib/dualroot/dualroot-fence-peer"),
        ("after-resync-target", "/usr/lib/dualroot/dualroot-fence-peer"),
    ),
    common_net=(("protocol", "C"),),
) -> str:
    def section(name, options, indent):
        if not options:
            return ""
        pad = " " * indent
        body = "".join(f'{pad}    <option name="{k}" value="{v}"/>\n' for k, v in options)
        return f'{pad}<section name="{name}">\n{body}{pad}</section>\n'

    return (
        '<config file="/etc/drbd.conf">\n'
        "    <common>\n" + section("net", common_net, 8) + "    </common>\n"
        '    <resource name="r0" conf-file-line="/etc/drbd.d/r0.res:1">\n'
        '        <host name="node1">\n'
        '            <volume vnr="0">\n'
        '                <device minor="0">/dev/drbd0</device>\n'
        "                <disk>/dev/vdb</disk>\n"
        "                <meta-disk>internal</meta-disk>\n"
        "            </volume>\n"
        '            <address family="ipv4" port="7789">192.168.101.1</address>\n'
        "        </host>\n"
        '        <host name="node2">\n'
        '            <volume vnr="0">\n'
        '                <device minor="0">/dev/drbd0</device>\n'
        "                <disk>/dev/vdb</disk>\n"
        "                <meta-disk>internal</meta-disk>\n"
        "            </volume>\n"
        '            <address family="ipv4" port="7789">192.168.101.2</address>\n'
        "        </host>\n"
        + section("net", net_options, 8)
        + section("disk", disk_options, 8)
        + section("handlers", handlers, 8)
        + "    </resource>\n</config>\n"
    )


CIB_CRM_CONFIG = (
    '<crm_config><cluster_property_set id="cib-bootstrap-options">'
    '<nvpair id="o1" name="stonith-enabled" value="{value}"/>'
    '<nvpair id="o2" name="no-quorum-policy" value="freeze"/>'
    "</cluster_property_set></crm_config>"
)
