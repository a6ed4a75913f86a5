"""ocf:dualroot:drbd's monitor codes and promotion scores for DRBD states made on purpose, on real DRBD.

The live resource r0 carries the cluster's OCFS2 and must stay healthy, so the states are made on a
second, test-only resource `rstate` (minor 7, a 24 MiB loop device on each node, port 7799 on the
replication link) that Pacemaker does not manage; the installed agent is run by hand against it, as
Pacemaker would run it, with a bench-only instance name for its scores. Fencing is off on rstate (no
handler, no `fencing` option), which is what lets the last step make a real split-brain.

States, in order: Secondary on both (connected, UpToDate); Primary; the peer disconnected; Outdated;
Inconsistent during a resync (the resync rate is held at 1 MiB/s to leave time to look); StandAlone
after a split-brain (both Primary while disconnected, both written, then reconnected).
"""

from __future__ import annotations

import pytest

from dualroot.lab.control import Lab

pytestmark = pytest.mark.lab

AGENT = "/usr/lib/ocf/resource.d/dualroot/drbd"
RES = "rstate"
INSTANCE = "rstate-test"  # the promotion score lands in master-rstate-test, never in r0's
DEVICE = "/dev/drbd7"
LOOP = "/dev/loop7"
IMAGE = "/var/tmp/dualroot-rstate.img"
RES_FILE = f"/etc/drbd.d/{RES}.res"
RES_TEXT = f"""# test-only resource of tests/lab/test_drbd_states.py; removed by the test
resource {RES} {{
    net {{ protocol C; }}
    disk {{ c-plan-ahead 0; resync-rate 1M; }}
    on node1 {{ device {DEVICE}; disk {LOOP}; address 192.168.101.1:7799; meta-disk internal; }}
    on node2 {{ device {DEVICE}; disk {LOOP}; address 192.168.101.2:7799; meta-disk internal; }}
}}
"""
SCORE_BEST = 10000
SCORE_PEER_UNKNOWN = 1000
NODES = ("node1", "node2")


def monitor(lab: Lab, node: str) -> tuple[int, str]:
    """The agent's monitor as Pacemaker runs it for a dual-primary clone: (exit code, exit reason)."""
    result = lab.run(node, [
        "env", "OCF_ROOT=/usr/lib/ocf", f"OCF_RESKEY_drbd_resource={RES}",
        f"OCF_RESOURCE_INSTANCE={INSTANCE}",
        "OCF_RESKEY_CRM_meta_interval=10000", "OCF_RESKEY_CRM_meta_timeout=20000",
        "OCF_RESKEY_crm_feature_set=3.16.1", "OCF_RESKEY_CRM_meta_promoted_max=2",
        "OCF_RESKEY_CRM_meta_promoted_node_max=1", "OCF_RESKEY_CRM_meta_clone_max=2",
        "OCF_RESKEY_CRM_meta_clone_node_max=1", "OCF_RESKEY_CRM_meta_notify=true",
        f"OCF_RESKEY_CRM_meta_on_node={node}", AGENT, "monitor"], timeout=60)
    reasons = [line.split(":", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("ocf-exit-reason:")]
    return result.rc, " ".join(reasons)


def score(lab: Lab, node: str) -> int | None:
    """The promotion score the agent left on `node`, None when there is none."""
    result = lab.run(node, ["crm_attribute", f"--promotion={INSTANCE}", "-l", "reboot", "-G", "-q"],
                     timeout=30)
    text = result.stdout.strip()
    return int(text) if result.ok and text.lstrip("-").isdigit() else None


def cstate(lab: Lab, node: str) -> str:
    """`drbdadm cstate`/`dstate`/`role` in one line, for failure messages and waits."""
    out = lab.script(node, f"drbdadm cstate {RES}; drbdadm dstate {RES}; drbdadm role {RES}", timeout=30)
    return " ".join(out.stdout.split())


def adm(lab: Lab, node: str, *args: str) -> None:
    lab.run(node, ["drbdadm", *args], timeout=60).check()


def wait_state(lab: Lab, node: str, words: tuple[str, ...], timeout: float = 120.0) -> str:
    seen = ""

    def reached() -> bool:
        nonlocal seen
        seen = cstate(lab, node)
        return all(word in seen for word in words)

    try:
        lab.wait_for(f"{RES} on {node}: {' '.join(words)}", reached, timeout, interval=1.0)
    except Exception as exc:  # the state it was left in is what a reader needs
        raise AssertionError(f"{node}: waited for {words}, last state {seen!r}") from exc
    return seen


def check(lab: Lab, node: str, rc: int, best: int | None, reason: str | None = None) -> None:
    got_rc, got_reason = monitor(lab, node)
    state = cstate(lab, node)
    assert got_rc == rc, f"{node} in {state}: monitor {got_rc} ({got_reason!r}), expected {rc}"
    if reason is not None:
        assert reason in got_reason, f"{node} in {state}: reason {got_reason!r} lacks {reason!r}"
    got_score = score(lab, node)
    assert got_score == best, f"{node} in {state}: score {got_score}, expected {best}"


@pytest.fixture
def rstate(lab: Lab):
    for node in NODES:
        lab.script(node, f"""set -e
modprobe loop
rm -f {IMAGE}; truncate -s 24M {IMAGE}
losetup -d {LOOP} 2>/dev/null || true
losetup {LOOP} {IMAGE}
cat > {RES_FILE} <<'EOF'
{RES_TEXT}EOF
drbdadm create-md --force {RES} </dev/null
drbdadm up {RES}
""", timeout=120).check()
    try:
        wait_state(lab, "node1", ("Connected",))
        adm(lab, "node1", "--", "--clear-bitmap", "new-current-uuid", RES)
        for node in NODES:
            wait_state(lab, node, ("Connected", "UpToDate/UpToDate"))
        yield lab
    finally:
        for node in NODES:
            lab.script(node, f"""drbdadm secondary {RES} 2>/dev/null; drbdadm down {RES}
rm -f {RES_FILE}; losetup -d {LOOP}; rm -f {IMAGE}
crm_attribute --promotion={INSTANCE} -l reboot -D >/dev/null 2>&1
true""", timeout=120)


def test_monitor_and_scores_follow_real_drbd_states(rstate: Lab) -> None:
    lab = rstate
    # Secondary on both, connected, UpToDate: Unpromoted, the best score on both.
    for node in NODES:
        check(lab, node, 0, SCORE_BEST)

    # Primary: Promoted, best score.
    adm(lab, "node1", "primary", RES)
    check(lab, "node1", 8, SCORE_BEST)

    # The peer disconnects: node1 is Primary with the link down and the peer not known to be Outdated,
    # which in dual-primary is a possible split-brain (191, with a reason). node2 gave up the connection
    # itself (StandAlone: 190) and, UpToDate with its peer unknown, keeps only the lower score.
    adm(lab, "node2", "disconnect", RES)
    wait_state(lab, "node1", ("WFConnection",))
    check(lab, "node1", 191, SCORE_BEST, "replication link")
    check(lab, "node2", 190, SCORE_PEER_UNKNOWN, "StandAlone")

    # Outdated: never promotable, so the score is removed.
    adm(lab, "node2", "outdate", RES)
    wait_state(lab, "node2", ("Outdated",))
    check(lab, "node2", 190, None)

    # Back together, then a full resync forced onto node2: Inconsistent while it runs, no score.
    adm(lab, "node2", "connect", RES)
    for node in NODES:
        wait_state(lab, node, ("Connected", "UpToDate/UpToDate"))
    adm(lab, "node2", "invalidate", RES)
    wait_state(lab, "node2", ("SyncTarget", "Inconsistent"), timeout=60)
    check(lab, "node2", 0, None)
    check(lab, "node1", 8, SCORE_BEST)
    for node in NODES:  # 24 MiB at 1 MiB/s
        wait_state(lab, node, ("Connected", "UpToDate/UpToDate"), timeout=180)
    check(lab, "node2", 0, SCORE_BEST)

    # A split-brain with fencing off: both Primary while apart, both write, then reconnect. DRBD
    # refuses the connection (after-sb-*: disconnect by default) and stays StandAlone: the agent reports
    # it as degraded with a reason, and discards nothing.
    for node in ("node2", "node1"):
        adm(lab, node, "disconnect", RES)
    adm(lab, "node2", "primary", RES)
    for node in NODES:
        lab.run(node, ["dd", "if=/dev/urandom", f"of={DEVICE}", "bs=4k", "count=16", "oflag=direct"],
                timeout=60).check()
    adm(lab, "node2", "secondary", RES)
    for node in NODES:
        adm(lab, node, "connect", RES)
    for node in NODES:
        wait_state(lab, node, ("StandAlone",), timeout=60)
    split = lab.run("node1", ["dmesg"], timeout=30).stdout + lab.run("node2", ["dmesg"], timeout=30).stdout
    assert "Split-Brain detected" in split, "DRBD did not log the split-brain it was given"
    check(lab, "node1", 191, SCORE_BEST, "StandAlone")  # a working Primary keeps its score
    check(lab, "node2", 190, SCORE_PEER_UNKNOWN, "StandAlone")
