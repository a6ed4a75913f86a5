"""The feature-level benchmark against a recorded lab: each level is made by the rendered mkfs with the
mount stopped around it, the volume it reports is the one measured, and the lab's own level is made
again at the end, also when a measurement fails halfway."""

import json
import sys

import pytest

from dualroot import paths
from dualroot.command import CommandResult
from dualroot.errors import DualrootError
from tests.unit.bench import loading

pytestmark = pytest.mark.unit

FEATURES = {"max-features": "sparse inline-data metaecc xattr unwritten usrquota grpquota",
            "default": "sparse inline-data xattr unwritten"}


class RecordedLab:
    nodes = ("node1", "node2")

    def __init__(self, fail_reads: bool = False) -> None:
        self.level = "default"
        self.mounted = True
        self.fail_reads = fail_reads
        self.made: list[str] = []

    def is_running(self, node):
        return True

    def put(self, node, local, remote):
        pass

    def run(self, node, argv, timeout=60.0, input=None):
        out, rc = "", 0
        if argv[0] == paths.PCS:
            self.mounted = argv[2] == "enable"
        elif argv[0] == paths.MKFS_OCFS2:
            assert not self.mounted, "mkfs while the volume is mounted"
            assert argv[1:3] == ["-q", "-F"] and input == "y\n"
            self.level = next(a for a in argv if a.startswith("--fs-feature-level=")).split("=")[1]
            self.made.append(self.level)
        elif argv == ["cat", "/proc/drbd", "/proc/mounts"]:  # the lab's own health reading
            out = "/dev/drbd0 /srv/ocfs2 ocfs2 rw,noatime 0 0\n" if self.mounted else ""
        elif argv[0] == paths.TUNEFS_OCFS2:
            out = FEATURES[self.level] + "\n"
        elif "write" in argv:
            out = json.dumps({"op": "write", "seconds": 40.0 if self.level == "default" else 50.0})
        elif "read" in argv:
            if self.fail_reads:
                rc = 1
            out = json.dumps({"op": "read", "seconds": 10.0 if self.level == "default" else 12.5})
        elif "drop-caches" in argv:
            out = json.dumps({"op": "drop-caches", "seconds": 0.1})
        return CommandResult(tuple(argv), rc, out, "", 0.1, where=node)


def run_main(monkeypatch, tmp_path, lab):
    bench = loading.load_bench("bench_ocfs2_features")
    monkeypatch.setattr("dualroot.lab.control.Lab", lambda: lab)
    monkeypatch.setattr(sys, "argv", ["bench_ocfs2_features.py", "--runs", "2",
                                      "--json", str(tmp_path / "features.json")])
    return bench.main()


def test_levels_alternate_and_the_labs_own_level_is_made_last(monkeypatch, tmp_path):
    lab = RecordedLab()
    assert run_main(monkeypatch, tmp_path, lab) == 0
    assert lab.made == ["max-features", "default", "max-features", "default", "default"]
    assert lab.mounted
    report = json.loads((tmp_path / "features.json").read_text())
    assert report["features"] == FEATURES
    assert report["medians"]["max-features"] == {"write_sync": 50.0, "read_cold": 12.5}
    assert report["default_over_max_features"] == {"write_sync": 0.8, "read_cold": 0.8}


def test_a_failed_measurement_still_remakes_the_labs_volume(monkeypatch, tmp_path):
    lab = RecordedLab(fail_reads=True)
    with pytest.raises(DualrootError):
        run_main(monkeypatch, tmp_path, lab)
    assert lab.made == ["max-features", "default"] and lab.mounted
