"""The drill's record format, and the writer that appends records inside a guest.

This file is copied into the guests and run there with Debian's python3 (`python3 records.py PATH NODE
INTERVAL LIFETIME`), so it imports the standard library only and nothing from dualroot. The host uses the
same functions to verify what it reads back, so writer and checker cannot disagree on the format.

A record is one line: `R <seq> <node> <payload> <digest>\\n`, where the payload is derived from (node, seq)
alone (host-independent: any node can recompute it) and the digest is the sha256 of everything before it.
A torn or altered record fails the digest; a record from another writer fails the payload check.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass

RECORD_TAG = "R"
PAYLOAD_HEX_CHARS = 64
SEQ_WIDTH = 8


@dataclass(frozen=True)
class Record:
    seq: int
    node: str


def record_payload(seq: int, node: str) -> str:
    """The payload of record `seq` of `node`: a pure function of both, so the checker can recompute it."""
    return hashlib.sha256(f"dualroot-drill:{node}:{seq}".encode()).hexdigest()[:PAYLOAD_HEX_CHARS]


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def encode_record(seq: int, node: str) -> bytes:
    body = f"{RECORD_TAG} {seq:0{SEQ_WIDTH}d} {node} {record_payload(seq, node)}"
    return f"{body} {_digest(body)}\n".encode()


def parse_record(line: str) -> Record | None:
    """The record in one line (without its newline), or None when the line is torn, altered or foreign."""
    fields = line.split(" ")
    if len(fields) != 5 or fields[0] != RECORD_TAG or not fields[1].isdigit():
        return None
    body = " ".join(fields[:4])
    seq, node = int(fields[1]), fields[2]
    if fields[4] != _digest(body) or fields[3] != record_payload(seq, node):
        return None
    return Record(seq=seq, node=node)


# --- the guest side: append records, fsync each, acknowledge only after fsync returned ------------------

def _emit(line: str) -> None:
    # flush per line: the host stamps each line on arrival, so buffering would falsify the times.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def write_records(path: str, node: str, interval: float, lifetime: float) -> int:
    """Append records to `path` until `lifetime` seconds have passed (a bound, should nobody stop us).

    Prints `start <pid>`, then `ack <seq> <monotonic>` after each record's fsync returned, or
    `err <seq> <errno>` when the write or fsync failed (that record is then not acknowledged and the
    writer moves on to the next sequence number, so a sequence number is never written twice).
    """
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    _emit(f"start {os.getpid()}")
    deadline = time.monotonic() + lifetime
    seq = 1
    while time.monotonic() < deadline:
        try:
            os.write(fd, encode_record(seq, node))
            os.fsync(fd)
        except OSError as exc:
            _emit(f"err {seq} {exc.errno}")
        else:
            _emit(f"ack {seq} {time.monotonic():.6f}")
        seq += 1
        time.sleep(interval)
    os.close(fd)
    _emit("done")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        sys.stderr.write("usage: records.py PATH NODE INTERVAL LIFETIME\n")
        return 2
    path, node, interval, lifetime = argv[0], argv[1], float(argv[2]), float(argv[3])
    try:
        return write_records(path, node, interval, lifetime)
    except BrokenPipeError:
        # the host closed our ssh session: that is how an unreachable host stops us.
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
