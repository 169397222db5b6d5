"""Validation speed: `python -m benchmarks.bench_validate [CUSTOMERS CALLS]` (default 5000 50000).

Times, in one run and one process: reading the workbook (python-calamine + our
normalisation), running every check, and — as the baseline — pydantic's
TypeAdapter validating the same call rows as plain dicts (what a first version
built on pydantic validation would pay just for types).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from pydantic import TypeAdapter

from followup_xl.checks import run_checks
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Call
from followup_xl.settings import policy_for_book

from .large_office import owner_book


def main(argv: list[str]) -> None:
    customers, calls = ([int(a) for a in argv[:2]] + [5000, 50000])[:2] if argv else (5000, 50000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.xlsx"
        write_staff_workbook(path, book=owner_book(0, customers, calls, random.Random(1)))
        best: dict[str, float] = {}
        for _ in range(3):
            t0 = time.perf_counter()
            book = read_book(path)
            t1 = time.perf_counter()
            report = run_checks(book, policy_for_book(book), dt.date(2026, 11, 22))
            t2 = time.perf_counter()
            rows = [c.model_dump(exclude={"src", "bad", "extra"}) for c in book.calls]
            t3 = time.perf_counter()
            TypeAdapter(list[Call]).validate_python(rows)
            t4 = time.perf_counter()
            for k, v in (
                ("read", t1 - t0),
                ("checks", t2 - t1),
                ("total", t2 - t0),
                ("pydantic", t4 - t3),
            ):
                best[k] = min(best.get(k, 1e9), v)
        print(
            f"book: {len(book.customers)} customers, {len(book.calls)} calls; findings {len(report.findings)}"
        )
        print(f"read    {best['read']:.2f} s")
        print(f"checks  {best['checks']:.2f} s")
        print(f"total   {best['total']:.2f} s   (goal < 2 s)")
        print(
            f"baseline: pydantic TypeAdapter over the same {len(rows)} call rows {best['pydantic']:.2f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
