#!/usr/bin/env python3
"""Where OCFS2's cold metadata time goes: the DLM's cached lock resources (toss_secs), in the lab.

After `drop_caches` OCFS2 releases its cluster locks, and the kernel DLM keeps each unused lock
resource on a "toss" list for toss_secs (/sys/kernel/config/dlm/cluster/toss_secs, default 10 s).
While it is there, locking it again is local. Once it is freed, the lock needs a directory lookup
and mastering again, and half the directory lives on the other node. This bench stats COUNT files
on node1 with cold caches in three ways:
- toss_secs at its default, the stat `--wait` seconds after the drop (the resources are gone);
- toss_secs LONG on both nodes, the same wait (the resources are still cached);
- the default, the stat at once after the drop (still cached: the 10 s have not passed).
The ratios against the first say what a longer toss_secs saves. The original toss_secs is put back
on both nodes whatever happens.

    python3 bench/bench_dlm_toss.py [--files 2000] [--wait 30] [--long 600] [--json PATH]

Needs the lab up and healthy (`dualroot lab up`). Not a test: nothing here asserts on time.
"""

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_small_files import OCFS2_ROOT, install_guest_script, progress_clock, run_guest  # noqa: E402
from dualroot import paths  # noqa: E402

NODE = "node1"


def set_toss(lab, value: int) -> None:
    for node in lab.nodes:
        lab.script(node, f"echo {int(value)} > {paths.DLM_TOSS_SECS}\n", timeout=30.0).check()


def cold_stat(lab, directory: str, files: int, wait: float) -> float:
    run_guest(lab, NODE, "drop-caches")
    time.sleep(wait)
    return run_guest(lab, NODE, f"stat {directory} {files}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds between drop and stat")
    parser.add_argument("--long", type=int, default=600, help="the longer toss_secs tried")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "dlm_toss.json")
    args = parser.parse_args()

    from dualroot.lab.control import Lab

    lab = Lab()
    progress = progress_clock()
    install_guest_script(lab)
    default = int(lab.run(NODE, [paths.GUEST_CAT, paths.DLM_TOSS_SECS], timeout=30.0).check().stdout.strip())
    directory = f"{OCFS2_ROOT}/toss-{int(time.time())}"
    results: dict[str, float] = {}
    try:
        progress(f"writing {args.files} files on {NODE} (toss_secs {default} on both nodes)")
        results["write_sync"] = run_guest(lab, NODE, f"write {directory} {args.files} 4096")
        results["stat_default_after_wait"] = cold_stat(lab, directory, args.files, args.wait)
        progress(f"toss_secs {default}, stat {args.wait:.0f} s after the drop: "
                 f"{results['stat_default_after_wait']:.3f} s")
        set_toss(lab, args.long)
        run_guest(lab, NODE, f"stat {directory} {args.files}")  # lock them again, untimed
        results["stat_long_after_wait"] = cold_stat(lab, directory, args.files, args.wait)
        progress(f"toss_secs {args.long}, stat {args.wait:.0f} s after the drop: "
                 f"{results['stat_long_after_wait']:.3f} s")
        set_toss(lab, default)
        results["stat_default_at_once"] = cold_stat(lab, directory, args.files, 0.0)
        progress(f"toss_secs {default}, stat at once after the drop: {results['stat_default_at_once']:.3f} s")
    finally:
        set_toss(lab, default)
        lab.run(NODE, [paths.GUEST_RM, "-rf", directory], timeout=1800.0)
    base = results["stat_default_after_wait"]
    report = {
        "what": "cold stat of small OCFS2 files on a lab node against the DLM's toss_secs",
        "files": args.files, "wait_s": args.wait, "toss_secs_default": default, "toss_secs_long": args.long,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": results,
        "ms_per_file": {k: round(v * 1000 / args.files, 2) for k, v in results.items() if k != "write_sync"},
        "speedup_long_toss": round(base / results["stat_long_after_wait"], 2),
        "speedup_at_once": round(base / results["stat_default_at_once"], 2),
    }
    print(f"cold stat, {args.files} files: toss_secs {default} after {args.wait:.0f} s {base:.2f} s; "
          f"toss_secs {args.long} {results['stat_long_after_wait']:.2f} s "
          f"({report['speedup_long_toss']}x faster); at once {results['stat_default_at_once']:.2f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
