"""After a drill: are all acknowledged records present and intact, as every node reads them back?"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dualroot.drill.records import parse_record


@dataclass(frozen=True)
class FileCheck:
    """One writer's file as one node read it back."""

    writer: str
    reader: str
    intact: int                          # intact records of this writer in the file
    missing_acked: tuple[int, ...]       # acknowledged sequence numbers not found intact: lost
    corrupt_lines: int                   # bad lines before the last intact record: damage to kept data
    tail_garbage_lines: int              # bad lines after it: a write the crash cut, never acknowledged
    duplicates: int                      # sequence numbers found more than once (the writer never repeats)
    foreign: int                         # intact records of another writer (files must not mix)

    @property
    def clean(self) -> bool:
        return not (self.missing_acked or self.corrupt_lines or self.duplicates or self.foreign)


def check_file(content: bytes, writer: str, reader: str, acked: Iterable[int]) -> FileCheck:
    lines = content.decode("utf-8", errors="replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()                      # the newline that ends the last complete record
    seen: set[int] = set()
    duplicates = foreign = 0
    bad_positions: list[int] = []
    last_intact = -1
    for position, line in enumerate(lines):
        record = parse_record(line)
        if record is None:
            bad_positions.append(position)
            continue
        if record.node != writer:
            foreign += 1
            continue
        if record.seq in seen:
            duplicates += 1
        seen.add(record.seq)
        last_intact = position
    corrupt = sum(1 for p in bad_positions if p < last_intact)
    return FileCheck(
        writer=writer,
        reader=reader,
        intact=len(seen),
        missing_acked=tuple(sorted(set(acked) - seen)),
        corrupt_lines=corrupt,
        tail_garbage_lines=len(bad_positions) - corrupt,
        duplicates=duplicates,
        foreign=foreign,
    )


@dataclass(frozen=True)
class IntegrityResult:
    checks: tuple[FileCheck, ...]
    records_written: int                 # acknowledged records, all writers
    records_lost: int                    # acknowledged records missing or damaged on at least one reader
    views_agree: bool                    # every reader got the same bytes for each writer's file

    @property
    def clean(self) -> bool:
        return self.records_lost == 0 and all(c.clean for c in self.checks) and self.views_agree


def check_all(
    contents: Mapping[tuple[str, str], bytes], acked: Mapping[str, Iterable[int]]
) -> IntegrityResult:
    """`contents[(writer, reader)]` is writer's file as reader read it; `acked[writer]` its acks."""
    acked_sets = {writer: frozenset(seqs) for writer, seqs in acked.items()}
    checks = tuple(
        check_file(data, writer, reader, acked_sets.get(writer, frozenset()))
        for (writer, reader), data in sorted(contents.items())
    )
    lost = {(c.writer, seq) for c in checks for seq in c.missing_acked}
    # a writer whose file no reader could read at all has lost everything it acknowledged
    for writer, seqs in acked_sets.items():
        if not any(w == writer for w, _ in contents):
            lost.update((writer, seq) for seq in seqs)
    views: dict[str, set[bytes]] = {}
    for (writer, _reader), data in contents.items():
        views.setdefault(writer, set()).add(data)
    return IntegrityResult(
        checks=checks,
        records_written=sum(len(s) for s in acked_sets.values()),
        records_lost=len(lost),
        views_agree=all(len(v) == 1 for v in views.values()),
    )
