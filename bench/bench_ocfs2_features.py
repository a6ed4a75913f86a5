#!/usr/bin/env python3
"""What OCFS2's feature level costs small files: the lab's volume made with each level in turn.

`dualroot cib render --format mkfs` makes the volume with --fs-feature-level=default, which leaves out
metaecc (a CRC32 and an ECC code over every metadata block written) and user and group quotas, both in
max-features. This bench remakes the lab's volume with each level in turn (the clone of the mount
stopped, mkfs.ocfs2 on node1 as rendered, the clone started again), alternating the levels --runs
times, and each time creates COUNT small files on node1 (write+sync) and reads them back cold. The
volume is made again at the lab config's own level at the end, whatever happens.

DESTRUCTIVE for the lab: every mkfs erases the shared volume (the lab's own, nothing else).

    python3 bench/bench_ocfs2_features.py [--files 10000] [--runs 2] [--json PATH]

Needs the lab up and healthy (`dualroot lab up`). Not a test: nothing here asserts on time.
"""

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_small_files import (  # noqa: E402
    OCFS2_ROOT,
    check_mounts,
    install_guest_script,
    progress_clock,
    run_guest,
)
from dualroot import paths  # noqa: E402
from dualroot.cib.config import FeatureLevel, lab_config  # noqa: E402
from dualroot.cib.model import FS_ID, clone_id  # noqa: E402
from dualroot.cib.ocfs2_mkfs import mkfs_argv  # noqa: E402

NODE = "node1"
LEVELS = (FeatureLevel.MAX_FEATURES, FeatureLevel.DEFAULT)
STACK_WAIT_S = 300


def remake(lab, level: FeatureLevel) -> str:
    """Stop the mount everywhere, make the volume at `level`, start the mount; the features it got."""
    cfg = lab_config()
    clone = clone_id(FS_ID)
    lab.run(NODE, [paths.PCS, "resource", "disable", clone, f"--wait={STACK_WAIT_S}"],
            timeout=STACK_WAIT_S + 30).check()
    argv = mkfs_argv(replace(cfg, mount=replace(cfg.mount, feature_level=level)))
    # mkfs.ocfs2 asks before it overwrites an OCFS2 volume, even with -F: the answer comes on stdin.
    lab.run(NODE, [argv[0], "-q", "-F", *argv[1:]], input="y\n", timeout=300).check()
    lab.run(NODE, [paths.PCS, "resource", "enable", clone, f"--wait={STACK_WAIT_S}"],
            timeout=STACK_WAIT_S + 30).check()
    check_mounts(lab, lab.nodes, mounted=True)
    query = lab.run(NODE, [paths.TUNEFS_OCFS2, "-Q", "%H %O\n", cfg.mount.device], timeout=60).check()
    return query.stdout.strip()


def measure(lab, files: int, stamp: str) -> dict[str, float]:
    directory = f"{OCFS2_ROOT}/features-{stamp}"
    for node in lab.nodes:
        run_guest(lab, node, "drop-caches")
    seconds = {"write_sync": run_guest(lab, NODE, f"write {directory} {files} 4096")}
    run_guest(lab, NODE, "drop-caches")
    seconds["read_cold"] = run_guest(lab, NODE, f"read {directory} {files}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "ocfs2_features.json")
    args = parser.parse_args()

    from dualroot.lab.control import Lab

    lab = Lab()
    progress = progress_clock()
    install_guest_script(lab)
    runs: dict[str, list[dict[str, float]]] = {level.value: [] for level in LEVELS}
    features: dict[str, str] = {}
    try:
        for run in range(args.runs):
            for level in LEVELS:
                progress(f"run {run + 1}/{args.runs}: the volume made with --fs-feature-level={level.value}")
                features[level.value] = remake(lab, level)
                seconds = measure(lab, args.files, f"{int(time.time())}-{run}")
                runs[level.value].append(seconds)
                progress(f"{level.value:12} write+sync {seconds['write_sync']:8.3f} s   "
                         f"read cold {seconds['read_cold']:8.3f} s")
    finally:
        own = lab_config().mount.feature_level
        progress(f"making the volume again at the lab's own level ({own.value})")
        remake(lab, own)
    medians = {level: {case: round(statistics.median(r[case] for r in level_runs), 3)
                       for case in ("write_sync", "read_cold")}
               for level, level_runs in runs.items()}
    base, lean = medians[FeatureLevel.MAX_FEATURES.value], medians[FeatureLevel.DEFAULT.value]
    ratios = {case: round(lean[case] / base[case], 3) for case in base}
    for case, ratio in ratios.items():
        print(f"{case:12} max-features {base[case]:8.3f} s   default {lean[case]:8.3f} s   "
              f"default/max-features {ratio:.2f}x")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "what": "small files on the lab's OCFS2 volume made with each mkfs.ocfs2 feature level",
        "files": args.files, "size": 4096, "runs": args.runs, "node": NODE,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "features": features, "seconds": runs, "medians": medians, "default_over_max_features": ratios,
    }, indent=2) + "\n")
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
