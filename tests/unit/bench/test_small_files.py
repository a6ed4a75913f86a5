"""The small-files benchmark: the guest workload run for real here, and the ratio arithmetic."""

import json
import subprocess
import sys

import pytest

from tests.unit.bench import loading

pytestmark = pytest.mark.unit

GUEST = loading.BENCH / "small_files_guest.py"


def load_bench():
    return loading.load_bench("bench_small_files")


def guest(*args):
    done = subprocess.run([sys.executable, str(GUEST), *args], capture_output=True, text=True,
                          timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


def test_guest_workload_writes_stats_and_reads_every_file(tmp_path):
    root = tmp_path / "web"
    rc, out, _ = guest("write", str(root), "1500", "4096")
    assert rc == 0 and json.loads(out)["files"] == 1500
    files = sorted(root.rglob("*.html"))
    assert len(files) == 1500 and {f.stat().st_size for f in files} == {4096}
    assert sorted(p.name for p in root.iterdir()) == ["d000", "d001"]
    for op in ("stat", "read"):
        rc, out, _ = guest(op, str(root), "1500")
        result = json.loads(out)
        assert rc == 0 and result["op"] == op and result["seconds"] >= 0


def test_guest_workload_fails_on_a_missing_file(tmp_path):
    rc, _, err = guest("read", str(tmp_path), "1")
    assert rc != 0 and "FileNotFoundError" in err


def test_guest_usage():
    rc, _, err = guest("explode")
    assert rc == 2 and "small_files_guest.py write DIR COUNT SIZE" in err


def test_ratios_and_targets():
    bench = load_bench()
    ocfs2 = {"write_sync": 6.0, "stat_cold": 10.0, "stat_warm": 1.5, "read_cold": 3.0, "read_warm": 1.0,
             "web_first_read_other_node": 4.0, "web_second_read_other_node": 1.2,
             "web_cold_reread_other_node": 5.0}
    ext4 = {"write_sync": 2.0, "stat_cold": 1.0, "stat_warm": 1.0, "read_cold": 2.0, "read_warm": 1.0}
    rows = {r["case"]: r for r in bench.ratio_rows(ocfs2, ext4)}
    assert rows["write_sync"]["ratio"] == 3.0 and rows["write_sync"]["met"] is True
    assert rows["stat_cold"]["ratio"] == 10.0 and rows["stat_cold"]["met"] is None
    assert rows["read_cold"]["ratio"] == 1.5 and rows["read_cold"]["met"] is True
    assert rows["web_first_read_other_node"]["ratio"] == 2.0
    assert rows["web_first_read_other_node"]["met"] is False       # held against ext4's cold read
    assert rows["web_second_read_other_node"]["ratio"] == 1.2    # against ext4's warm read
    assert rows["web_cold_reread_other_node"]["ratio"] == 2.5    # against ext4's cold read
    table = bench.render(list(rows.values()))
    assert "MISSED" in table.splitlines()[-1]


def test_missing_side_gives_no_ratio():
    rows = load_bench().ratio_rows({"write_sync": 1.0}, {})
    assert rows[0]["ratio"] is None and rows[0]["met"] is None


def test_medians():
    assert load_bench().medians([{"a": 1.0}, {"a": 3.0}, {"a": 2.0, "b": 5.0}]) == {"a": 2.0, "b": 5.0}


def test_every_cold_step_follows_a_cache_drop():
    bench = load_bench()
    steps = list(bench.STEPS + bench.WEB_STEPS)
    for i, (name, node, _args) in enumerate(steps):
        if "cold" in name or name.startswith("web_first_read"):
            assert steps[i - 1][0] == "-" and steps[i - 1][2] == "drop-caches" and steps[i - 1][1] == node


MOUNTED_LINE = "/dev/drbd0 /srv/ocfs2 ocfs2 rw,noatime 0 0\n"


class FloorLab:
    """A recorded lab for the floor pass: the mount ban on node2, the steps, the ban cleared."""

    nodes = ("node1", "node2")

    def __init__(self, fail_step: str = "", stuck: bool = False) -> None:
        self.node2_mounted = True
        self.fail_step = fail_step
        self.stuck = stuck
        self.calls: list[tuple[str, str]] = []

    def is_running(self, node):
        return True

    def run(self, node, argv, timeout=60.0, input=None):
        from dualroot import paths
        from dualroot.command import CommandResult

        rc, out = 0, ""
        if argv[0] == paths.GUEST_CRM_RESOURCE and argv[1] in ("--ban", "--clear"):
            self.calls.append((node, argv[1]))
            if not self.stuck:
                self.node2_mounted = argv[1] == "--clear"
        elif argv == ["cat", "/proc/drbd", "/proc/mounts"]:  # the lab's own health reading
            out = MOUNTED_LINE if node == "node1" or self.node2_mounted else ""
        elif argv[0] == paths.GUEST_PYTHON:
            op = argv[2]
            self.calls.append((node, op))
            if op == self.fail_step:
                rc = 1
            out = json.dumps({"op": op, "seconds": 2.0})
        return CommandResult(tuple(argv), rc, out, "", 0.1, where=node)


def test_floor_runs_node1_steps_with_node2_unmounted_then_mounts_it_again():
    bench = load_bench()
    lab = FloorLab()
    seen = []
    original = lab.run

    def watching(node, argv, timeout=60.0, input=None):
        if argv[0].endswith("python3") and argv[2] in ("write", "read", "stat"):
            seen.append(lab.node2_mounted)  # every timed step runs with node2's mount stopped
        return original(node, argv, timeout, input)

    lab.run = watching
    results = bench.floor_run(lab, 10, 4096, "t", lambda text: None)
    assert set(results) == {"write_sync", "stat_cold", "stat_warm", "read_cold", "read_warm"}
    assert seen and not any(seen)
    assert lab.calls[0] == ("node1", "--ban") and lab.calls[-1] == ("node1", "--clear")
    assert lab.node2_mounted


def test_floor_puts_the_mount_back_when_a_step_fails():
    from dualroot.errors import DualrootError

    lab = FloorLab(fail_step="read")
    with pytest.raises(DualrootError):
        load_bench().floor_run(lab, 10, 4096, "t", lambda text: None)
    assert lab.calls[-1] == ("node1", "--clear") and lab.node2_mounted


def test_a_mount_that_does_not_stop_is_an_error_not_a_floor():
    from dualroot.errors import DualrootError

    lab = FloorLab(stuck=True)
    with pytest.raises(DualrootError, match="did not stop"):
        load_bench().floor_run(lab, 10, 4096, "t", lambda text: None)
    assert ("node1", "write") not in lab.calls
    assert lab.calls[-1] == ("node1", "--clear")  # the ban is lifted even so


def test_guest_counts_each_interfaces_packets_during_the_step(tmp_path):
    rc, out, _ = guest("stat", str(tmp_path), "0")
    packets = json.loads(out)["packets"]
    assert rc == 0 and "lo" not in packets
    assert all(isinstance(n, int) and n >= 0 for n in packets.values())


def test_cluster_link_packets_per_file_are_the_median_of_the_runs():
    bench = load_bench()
    runs = {"write_sync": [40, 60, 9000], "web_first_read_other_node": [44000]}
    per_file = bench.packets_per_file(runs, 2000)
    assert per_file == {"write_sync": 0.03, "web_first_read_other_node": 22.0}


def test_a_run_keeps_the_cluster_link_packets_of_the_ocfs2_steps_only():
    from dualroot.command import CommandResult

    lab = FloorLab()
    plain = lab.run

    def counting(node, argv, timeout=60.0, input=None):
        result = plain(node, argv, timeout, input)
        if argv[0].endswith("python3"):
            line = json.dumps({"op": argv[2], "seconds": 2.0, "packets": {"eth0": 9, "eth1": 40}})
            return CommandResult(result.argv, 0, line, "", 0.1, where=node)
        return result

    lab.run = counting
    packets, shown = {}, []
    ocfs2, ext4 = load_bench().one_run(lab, 10, 4096, "t", shown.append, packets=packets)
    assert set(ocfs2) == set(ext4) | {"web_first_read_other_node", "web_second_read_other_node",
                                      "web_cold_reread_other_node"}
    assert packets == {name: [40] for name in ocfs2}  # eth1, the cluster link; ext4's steps not kept
    with_packets = [line for line in shown if "packets" in line]
    assert with_packets == [line for line in shown if line.startswith("ocfs2")]
