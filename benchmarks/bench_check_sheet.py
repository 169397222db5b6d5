"""What the master's check sheet costs its writer: `python -m benchmarks.bench_check_sheet [PER_OWNER] [ROUNDS]`.

Builds the example office at the given size (default 565 per owner: ~54,000 rows, every record
with a staff-book source as after a merge), then writes the master ROUNDS times each way, in
turns, in this one process: with a stamp and key (the check sheet, mastercheck.py, and the
signed stamp) and without (no check sheet). Prints the CPU seconds of each and their ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from followup_xl.demo import office as example_office
from followup_xl.io.master.writer import write_master
from followup_xl.lineage import Stamp
from followup_xl.models import Book, Source


def main(per_owner: int = 565, rounds: int = 7) -> None:
    office = example_office.generate(customers_per_owner=per_owner, plant_mistakes=False)
    books = list(office.books.values())
    for b in books:
        for key, sheet in (
            ("customers", "客户名录簿"),
            ("calls", "回访记录表"),
            ("events", "回访事项"),
        ):
            for n, rec in enumerate(b.records(key), start=2):
                object.__setattr__(rec, "src", Source.fast(f"{b.path}_客户回访.xlsx", sheet, n))
    master = Book(
        path="m",
        customers=[c for b in books for c in b.customers],
        calls=[k for b in books for k in b.calls],
        events=[e for b in books for e in b.events],
        staff=list(books[0].staff),
        rules=list(books[0].rules),
    )
    rows = len(master.customers) + len(master.calls) + len(master.events)
    stamp = Stamp("master", 2, "abcdef12", "2026-12-06", previous="12345678")
    took: dict[str, list[float]] = {"check sheet": [], "none": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            for label, seal in (("check sheet", (stamp, b"k" * 32)), ("none", None)):
                t = time.process_time()
                write_master(Path(tmp) / f"{i}{label}.xlsx", master, seal=seal)
                took[label].append(time.process_time() - t)
    for v in took.values():
        v.sort()
    with_, without = took["check sheet"], took["none"]
    mid = rounds // 2
    print(f"write_master, {rows} rows, CPU seconds over {rounds} rounds")
    print(f"  with the check sheet: min {with_[0]:.2f} median {with_[mid]:.2f}")
    print(f"  without:              min {without[0]:.2f} median {without[mid]:.2f}")
    print(f"  ratio: min {with_[0] / without[0]:.3f} median {with_[mid] / without[mid]:.3f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
