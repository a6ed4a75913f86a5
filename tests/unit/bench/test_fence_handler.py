"""The fence-peer handler benchmark against a recorded lab: it times both handlers with the constraint
removed before every run, and always takes node2 out of standby again, also when the timing fails."""

import json
import sys
from pathlib import Path

import pytest

from dualroot import paths
from dualroot.cib.config import Agents
from dualroot.command import CommandResult
from tests.unit.bench import loading

pytestmark = pytest.mark.unit

PROC_DRBD_PEER_LOST = (
    "version: 8.4.11 (api:1/proto:86-101)\n"
    " 0: cs:WFConnection ro:Primary/Unknown ds:UpToDate/DUnknown C r-----\n"
)


CIB_LAB = (Path(__file__).parents[1] / "drbd" / "data" / "cib_lab_status.xml").read_text()


def load_bench():
    return loading.load_bench("bench_fence_handler")


class RecordedLab:
    nodes = ("node1", "node2")

    def __init__(self, timer_fails: bool = False) -> None:
        self.standby = False
        self.timer_fails = timer_fails
        self.timer_input: dict = {}
        self.deleted_constraint = False

    @staticmethod
    def wait_for(name, predicate, timeout, interval=1.0):
        assert predicate(), name
        return 0.0

    def script(self, node, text, timeout=60.0):
        return CommandResult(("bash", "-s"), 0, "", "", 0.1, where=node)

    def run(self, node, argv, timeout=60.0, input=None):
        argv = list(argv)
        out, rc = "", 0
        if argv[:1] == ["crm_attribute"]:
            self.standby = "--update" in argv
        elif argv == ["cat", "/proc/drbd"]:
            out = PROC_DRBD_PEER_LOST if self.standby else ""
        elif argv == [paths.CIBADMIN, "--query"]:
            out = CIB_LAB
        elif argv[:1] == ["sh"]:
            self.deleted_constraint = True
        elif argv[:1] == ["python3"]:
            self.timer_input = json.loads(input)
            if self.timer_fails:
                return CommandResult(tuple(argv), 1, "", "Traceback: boom", 0.1, where=node)
            samples = {"dualroot": [[300.0, 200.0]] * 3, "stock": [[2300.0, 900.0]] * 3}
            out = json.dumps({name: {"samples": samples, "codes": {"dualroot": [4], "stock": [4]},
                                     "expected": 4} for name in self.timer_input})
        return CommandResult(tuple(argv), rc, out, "", 0.1, where=node)


def run_main(monkeypatch, tmp_path, lab):
    bench = load_bench()
    healthy = []
    monkeypatch.setattr("dualroot.lab.control.Lab", lambda: lab)
    monkeypatch.setattr("dualroot.drill.execution.detect_stack", lambda lab: Agents.DUALROOT)
    monkeypatch.setattr("dualroot.lab.health.wait_healthy", lambda lab, timeout: healthy.append(lab.standby))
    monkeypatch.setattr(sys, "argv", ["bench_fence_handler.py", "--runs", "3",
                                      "--json", str(tmp_path / "handler.json")])
    return bench.main(), healthy


def test_both_handlers_timed_with_the_constraint_removed_before_each_run(monkeypatch, tmp_path):
    lab = RecordedLab()
    rc, healthy = run_main(monkeypatch, tmp_path, lab)
    assert rc == 0 and healthy == [False] and not lab.standby
    assert set(lab.timer_input) == {"fence-peer, constraint only", "floor: interpreter and imports",
                                    "floor: cibadmin --query", "floor: cibadmin --create"}
    ours, theirs, expected, before = lab.timer_input["fence-peer, constraint only"]
    assert ours[0] == ["/usr/lib/dualroot/dualroot-fence-peer", "fence"]
    assert theirs[0] == ["/usr/lib/drbd/crm-fence-peer.sh"] and ours[1] == theirs[1]
    assert expected == 4 and "cibadmin --delete" in before[2]
    cases = json.loads((tmp_path / "handler.json").read_text())["cases"]
    case = cases["fence-peer, constraint only"]
    assert case["dualroot_within_target"] and round(case["ratio_wall"], 3) == round(300 / 2300, 3)
    assert cases["floor, sum"]["dualroot_wall_ms"] == 3 * 300.0  # the three floor parts, not the handler


def test_the_floor_creates_the_handlers_own_constraint_after_the_same_delete(monkeypatch, tmp_path):
    lab = RecordedLab()
    run_main(monkeypatch, tmp_path, lab)
    ours, theirs, expected, before = lab.timer_input["floor: cibadmin --create"]
    assert ours == theirs and expected == 0
    assert ours[0][:4] == [paths.CIBADMIN, "--create", "--scope", "constraints"]
    assert 'id="drbd-fence-by-handler-r0-drbd_r0-clone"' in ours[0][5] and 'value="node1"' in ours[0][5]
    assert before == lab.timer_input["fence-peer, constraint only"][3]
    imports, bash, _, _ = lab.timer_input["floor: interpreter and imports"]
    assert imports[0][:2] == ["/usr/bin/python3", "-S"] and "import dualroot.drbd.fence_peer" in imports[0][3]
    assert bash[0] == ["/bin/bash", "-c", ":"]


def test_a_failed_timing_still_ends_the_standby(monkeypatch, tmp_path):
    lab = RecordedLab(timer_fails=True)
    with pytest.raises(RuntimeError, match="guest timer failed"):
        run_main(monkeypatch, tmp_path, lab)
    assert not lab.standby and lab.deleted_constraint
