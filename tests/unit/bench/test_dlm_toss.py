"""The toss_secs benchmark against a recorded lab: what it sets, and that it always puts the original
toss_secs back, also when a measurement fails halfway."""

import json
import sys

import pytest

from dualroot.command import CommandResult
from dualroot.errors import DualrootError
from tests.unit.bench import loading

pytestmark = pytest.mark.unit



def load_bench():
    return loading.load_bench("bench_dlm_toss")


class RecordedLab:
    nodes = ("node1", "node2")

    def __init__(self, fail_on: str = "") -> None:
        self.toss = {"node1": 10, "node2": 10}
        self.fail_on = fail_on
        self.stats = 0

    def put(self, node, local, remote):
        pass

    def script(self, node, text, timeout=60.0):
        self.toss[node] = int(text.split()[1])  # "echo N > .../toss_secs"
        return CommandResult(("bash", "-s"), 0, "", "", 0.1, where=node)

    def run(self, node, argv, timeout=60.0, input=None):
        out = ""
        if argv[-1].endswith("toss_secs"):
            out = f"{self.toss[node]}\n"
        elif "stat" in argv:
            self.stats += 1
            if self.fail_on == "stat" and self.toss["node1"] != 10:
                return CommandResult(tuple(argv), 1, "", "I/O error", 0.1, where=node)
            out = json.dumps({"op": "stat", "seconds": 8.0 if self.toss["node1"] == 600 else 25.0})
        elif "write" in argv or "drop-caches" in argv:
            out = json.dumps({"op": argv[2], "seconds": 1.0})
        return CommandResult(tuple(argv), 0, out, "", 0.1, where=node)


def run_main(monkeypatch, tmp_path, lab):
    bench = load_bench()
    monkeypatch.setattr("dualroot.lab.control.Lab", lambda: lab)
    monkeypatch.setattr(bench.time, "sleep", lambda s: None)
    monkeypatch.setattr(sys, "argv", ["bench_dlm_toss.py", "--json", str(tmp_path / "toss.json")])
    return bench.main()


def test_the_long_toss_is_set_on_both_nodes_then_the_default_put_back(monkeypatch, tmp_path):
    lab = RecordedLab()
    assert run_main(monkeypatch, tmp_path, lab) == 0
    report = json.loads((tmp_path / "toss.json").read_text())
    assert report["toss_secs_default"] == 10 and report["seconds"]["stat_long_after_wait"] == 8.0
    assert report["speedup_long_toss"] == round(25.0 / 8.0, 2)
    assert lab.toss == {"node1": 10, "node2": 10}


def test_a_failed_measurement_still_puts_the_default_back(monkeypatch, tmp_path):
    lab = RecordedLab(fail_on="stat")
    with pytest.raises(DualrootError):
        run_main(monkeypatch, tmp_path, lab)
    assert lab.stats >= 1 and lab.toss == {"node1": 10, "node2": 10}
