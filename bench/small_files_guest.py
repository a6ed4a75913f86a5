#!/usr/bin/python3
"""Small-file workload run inside a lab guest (standard library only; copied in by bench_small_files.py).

    small_files_guest.py write DIR COUNT SIZE   create COUNT files of SIZE bytes in DIR, then sync
    small_files_guest.py stat DIR COUNT         stat each file
    small_files_guest.py read DIR COUNT         read each file whole
    small_files_guest.py drop-caches            sync, then drop the page, dentry and inode caches

Each prints one JSON line: {"op": ..., "files": ..., "seconds": ..., "packets": {IFACE: N}}, where
"packets" counts the packets each network interface sent and received meanwhile (the cluster link's show
the DLM's lock traffic). Files are spread over
subdirectories of 1,000 (a web root's shape, and no single directory of 10,000 entries to skew it).
"""

import json
import os
import sys
import time

PER_DIR = 1000


def file_path(root: str, index: int) -> str:
    return os.path.join(root, f"d{index // PER_DIR:03d}", f"f{index:05d}.html")


def write(root: str, count: int, size: int) -> None:
    payload = (b"<p>dualroot small file</p>\n" * (size // 27 + 1))[:size]
    for d in range((count + PER_DIR - 1) // PER_DIR):
        os.makedirs(os.path.join(root, f"d{d:03d}"), exist_ok=True)
    for i in range(count):
        with open(file_path(root, i), "wb") as f:
            f.write(payload)
    os.sync()           # "write+sync": the data is on the (replicated) disk when the clock stops


def stat(root: str, count: int) -> None:
    for i in range(count):
        os.stat(file_path(root, i))


def read(root: str, count: int) -> None:
    for i in range(count):
        with open(file_path(root, i), "rb") as f:
            f.read()


def drop_caches() -> None:
    os.sync()
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3\n")


def packet_counts() -> dict[str, int]:
    """Packets sent plus received so far, per interface but the loopback (/sys/class/net)."""
    counts = {}
    for iface in sorted(os.listdir("/sys/class/net")):
        if iface == "lo":
            continue
        total = 0
        try:
            for kind in ("tx", "rx"):
                with open(f"/sys/class/net/{iface}/statistics/{kind}_packets") as f:
                    total += int(f.read())
        except (OSError, ValueError):
            continue
        counts[iface] = total
    return counts


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    op = argv[0]
    before = packet_counts()
    started = time.monotonic()
    files = 0
    if op == "write" and len(argv) == 4:
        files = int(argv[2])
        write(argv[1], files, int(argv[3]))
    elif op in ("stat", "read") and len(argv) == 3:
        files = int(argv[2])
        (stat if op == "stat" else read)(argv[1], files)
    elif op == "drop-caches" and len(argv) == 1:
        drop_caches()
    else:
        sys.stderr.write(__doc__)
        return 2
    seconds = round(time.monotonic() - started, 4)
    after = packet_counts()
    packets = {iface: after[iface] - before[iface] for iface in after if iface in before}
    print(json.dumps({"op": op, "files": files, "seconds": seconds, "packets": packets}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
