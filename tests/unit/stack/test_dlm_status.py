"""`dlm_tool status -v` and `dlm_tool ls` parsing (formats of dlm 4.2's libdlmcontrol and dlm_tool)."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dualroot.stack import dlm_status
from dualroot.stack.dlm_status import parse_ls, parse_status

pytestmark = pytest.mark.unit

STATUS_HEALTHY = "".join(
    [
        'cluster nodeid 1 quorate 1 ring seq 12 12\n',
        'daemon now 1834 fence_pid 0 \n',
        '    member_count=2 joined_count=2 remove_count=0 daemon_ringid=12 '
        'cluster_ringid=12 quorate=1 fence_pid=0 fence_in_progress_unknown=0 '
        'zombie_count=0 monotime=1834 stateful_merge_wait=0 \n',
        'node 1 M add 20 rem 0 fail 0 fence 0 at 0 0\n',
        '    member=1 killed=0 left_reason=none need_fencing=0 delay_fencing=0 '
        'fence_pid=0 fence_pid_wait=0 fence_result_wait=0 fence_actor_last=0 '
        'fence_actor_done=0 add_time=20 rem_time=0 fail_walltime=0 fail_monotime=0 '
        'fence_walltime=0 fence_monotime=0 \n',
        'node 2 M add 22 rem 0 fail 0 fence 0 at 0 0\n',
        '    member=1 killed=0 left_reason=none need_fencing=0 delay_fencing=0 '
        'fence_pid=0 fence_pid_wait=0 fence_result_wait=0 fence_actor_last=0 '
        'fence_actor_done=0 add_time=22 rem_time=0 fail_walltime=0 fail_monotime=0 '
        'fence_walltime=0 fence_monotime=0 \n',
    ]
)

STATUS_FENCING = "".join(
    [
        'cluster nodeid 1 quorate 1 ring seq 16 16\n',
        'daemon now 2210 fence_pid 4711 fence 2 nodedown pid 4711 actor 1 fail 2200 '
        'fence 0 now 2210\n',
        '    member_count=1 joined_count=0 remove_count=1 daemon_ringid=16 '
        'cluster_ringid=16 quorate=1 fence_pid=4711 fence_in_progress_unknown=0 '
        'zombie_count=0 monotime=2210 stateful_merge_wait=0 \n',
        'node 1 M add 20 rem 0 fail 0 fence 0 at 0 0\n',
        '    member=1 killed=0 left_reason=none need_fencing=0 delay_fencing=0 '
        'fence_pid=0 \n',
        'node 2 X add 22 rem 2200 fail 2200 fence 0 at 0 0\n',
        '    member=0 killed=0 left_reason=NODEDOWN need_fencing=1 delay_fencing=0 '
        'fence_pid=4711 \n',
    ]
)

STATUS_MERGE = STATUS_HEALTHY.replace("stateful_merge_wait=0", "stateful_merge_wait=1").replace(
    "quorate=1 fence_pid", "quorate=0 fence_pid"
)


def test_fencing_under_way() -> None:
    assert parse_status(STATUS_FENCING).fencing_under_way  # the helper runs for the waiting node 2
    assert not parse_status(STATUS_HEALTHY).fencing_under_way
    waiting_idle = STATUS_FENCING.replace("fence_pid=4711", "fence_pid=0")
    assert not parse_status(waiting_idle).fencing_under_way
    waits_result = waiting_idle.replace("need_fencing=1 delay_fencing=0 fence_pid=0",
                                        "need_fencing=1 delay_fencing=0 fence_pid=0 fence_result_wait=1")
    assert parse_status(waits_result).fencing_under_way


def test_healthy_status() -> None:
    status = parse_status(STATUS_HEALTHY)
    assert status.our_nodeid == 1 and status.quorate
    assert not status.stateful_merge_wait
    assert [n.nodeid for n in status.nodes] == [1, 2]
    assert status.nodes_waiting_for_fencing == ()


def test_node_waiting_for_fencing() -> None:
    status = parse_status(STATUS_FENCING)
    assert status.fence_pid == 4711
    assert status.nodes_waiting_for_fencing == (2,)
    assert not status.nodes[1].member


def test_stateful_merge_and_quorum_from_the_key_value_line() -> None:
    status = parse_status(STATUS_MERGE)
    assert status.stateful_merge_wait and not status.quorate


@pytest.mark.parametrize("text", ["", "dlm_controld is not running\n", "garbage"])
def test_not_status_output(text: str) -> None:
    with pytest.raises(ValueError):
        parse_status(text)


LS = "".join(
    [
        'dlm lockspaces\n',
        'name          6A1B2C3D4E5F4A1B8C9D0E1F2A3B4C5D\n',
        'id            0x1d5e8a2c\n',
        'flags         0x00000000 \n',
        'change        member 2 joined 1 remove 0 failed 0 seq 1,1\n',
        'members       1 2 \n',
        '\n',
        'name          clvmd\n',
        'id            0x4104eefa\n',
        'flags         0x00000004 kern_stop\n',
        'change        member 2 joined 1 remove 0 failed 0 seq 3,3\n',
        'members       1 2 \n',
        'new change    member 1 joined 0 remove 1 failed 1 seq 4,4\n',
        'new status    wait fencing\n',
        'new members   1 \n',
    ]
)


def test_ls_blocks() -> None:
    spaces = parse_ls(LS)
    assert [s.name for s in spaces] == ["6A1B2C3D4E5F4A1B8C9D0E1F2A3B4C5D", "clvmd"]
    first, second = spaces
    assert first.global_id == 0x1D5E8A2C and first.members == (1, 2) and first.flags == ()
    assert not first.waits_for_fencing
    assert dict(first.change)["member"] == "2"
    assert second.flags == ("kern_stop",) and second.waits_for_fencing
    assert second.waiting_for == "fencing"


def test_ls_waiting_for_messages_is_not_fencing() -> None:
    text = LS.replace("new status    wait fencing", "new status    wait messages 1")
    second = parse_ls(text)[1]
    assert second.waiting_for == "messages 1" and not second.waits_for_fencing


def test_ls_empty() -> None:
    assert parse_ls("") == [] and parse_ls("dlm lockspaces\n") == []


def verbose(global_pairs: dict[str, str], nodes: dict[int, dict[str, str]], our: int = 1) -> str:
    """`dlm_tool status -v` as dlm 4.2 prints it on Debian 12 (captured in the lab, 2026-11-25)."""
    lines = [f"our_nodeid {our}", *[f"    {k}={v}" for k, v in global_pairs.items()], "    "]
    for nodeid, pairs in nodes.items():
        lines += [f"nodeid {nodeid}", *[f"    {k}={v}" for k, v in pairs.items()], "    "]
    return "\n".join(lines) + "\n"


LAB_GLOBAL = {"member_count": "1", "joined_count": "1", "remove_count": "0", "daemon_ringid": "9",
              "cluster_ringid": "9", "quorate": "1", "fence_pid": "0", "fence_in_progress_unknown": "0",
              "zombie_count": "0", "monotime": "268", "stateful_merge_wait": "0"}
LAB_NODE = {"member": "1", "killed": "0", "left_reason": "unknown", "need_fencing": "0", "delay_fencing": "0",
            "fence_pid": "0", "fence_pid_wait": "0", "fence_result_wait": "0", "fence_actor_last": "0",
            "fence_actor_done": "0", "add_time": "206", "rem_time": "0", "fail_walltime": "0",
            "fail_monotime": "0", "fence_walltime": "0", "fence_monotime": "0"}


def test_dlm_4_2_verbose_format_from_the_lab() -> None:
    status = parse_status(verbose(LAB_GLOBAL, {1: LAB_NODE}))
    assert status.our_nodeid == 1 and status.quorate and not status.stateful_merge_wait
    assert [n.nodeid for n in status.nodes] == [1] and status.nodes[0].member
    assert status.fence_pid == 0  # the global fence_pid, not a node's


def test_dlm_4_2_verbose_format_fencing_and_merge() -> None:
    text = verbose({**LAB_GLOBAL, "stateful_merge_wait": "1", "fence_pid": "77"},
                   {1: LAB_NODE, 2: {**LAB_NODE, "member": "0", "need_fencing": "1", "fence_pid": "77"}})
    status = parse_status(text)
    assert status.stateful_merge_wait and status.fence_pid == 77
    assert status.nodes_waiting_for_fencing == (2,)


def test_status_verbose_as_dlm_controld_4_2_0_prints_it_in_the_lab():
    """Captured from a lab node (Debian 12, dlm-controld 4.2.0): one key=value per line, and the
    node id on an `our_nodeid N` line of its own. The parser once missed both, so the o2cb agent's
    start never saw the daemon ready."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "dlm_tool_status_v_4.2.0_lab.txt").read_text()
    status = parse_status(text)
    assert status.our_nodeid == 1
    assert status.quorate is True
    assert status.stateful_merge_wait is False
    assert [(n.nodeid, n.member, n.need_fencing) for n in status.nodes] == [(1, True, False)]


def test_ls_as_dlm_tool_4_2_0_prints_it_in_the_lab() -> None:
    """Captured on node1 with OCFS2 mounted through ocf:dualroot:ocfs2 (the volume's lockspace)."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "dlm_tool_ls_4.2.0_lab.txt").read_text()
    (space,) = parse_ls(text)
    assert space.name == "0984021CB7F2477A8E0217B2D42A78E8" and space.global_id == 0xA60E3712
    assert space.members == (1,) and space.flags == () and not space.waits_for_fencing


# The parser reads lines with string methods (no `re` on the monitor path); these properties pin it
# to the regular expressions it replaced, over inputs made of the characters that matter to them.
_LINE_CHARS = "abz_=AZ019٣ \t.-"


@given(st.text(alphabet=_LINE_CHARS, max_size=40))
@example("=_=")  # a word whose first "=" has no key before it (found by this test)
def test_key_value_pairs_as_the_pattern_finds_them(line: str) -> None:
    assert dlm_status._pairs(line) == dict(re.findall(r"([a-z_]+)=(\S*)", line))


@given(st.sampled_from(["node ", "nodeid ", "node", "nodeid", "noded "]),
       st.text(alphabet="019٣ x", max_size=8))
def test_node_headers_as_the_pattern_finds_them(prefix: str, rest: str) -> None:
    line = prefix + rest
    match = re.match(r"^node(?:id)? (\d+)(?: |$)", line)
    assert dlm_status._node_header(line) == (int(match.group(1)) if match else None)


@given(st.text(alphabet="019٣ x", max_size=6), st.sampled_from([" quorate ", " quorate", "quorate "]),
       st.text(alphabet="019٣ x", max_size=6))
def test_cluster_lines_as_the_pattern_finds_them(nodeid: str, middle: str, quorate: str) -> None:
    line = f"cluster nodeid {nodeid}{middle}{quorate}"
    match = re.match(r"^cluster nodeid (\d+) quorate (\d+)", line)
    expected = (int(match.group(1)), match.group(2) == "1") if match else None
    assert dlm_status._cluster_line(line) == expected


@given(st.text(alphabet="019٣ x", max_size=6))
def test_our_nodeid_lines_as_the_pattern_finds_them(rest: str) -> None:
    line = "our_nodeid " + rest
    match = re.match(r"^our_nodeid (\d+)$", line)
    assert dlm_status._our_nodeid_line(line) == (int(match.group(1)) if match else None)
