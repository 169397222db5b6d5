"""Policy engine speed: `python -m benchmarks.bench_policy [CUSTOMERS CALLS]` (default 5000 50000).

Times `compute_obligations` (every rule P1–P15 over every customer, satisfied and
open) in memory — no Excel reading — on the example office and on a generated
book of CUSTOMERS customers and CALLS calls with one event per ten customers.
The baseline in the same run is one pass of grouping the calls by customer and
sorting them (the least any per-customer engine must do).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import defaultdict

from followup_xl.demo import office as example_office
from followup_xl.models import Book, Event
from followup_xl.policy import compute_obligations
from followup_xl.settings import Policy

from .large_office import owner_book

EVENT_TYPES = ["投诉", "维修", "活动", "成交", "咨询", "工程", "提案", "出差拜访"]


def large_book(customers: int, calls: int) -> Book:
    rng = random.Random(5)
    book = owner_book(0, customers, calls, rng)
    for k in range(customers // 10):
        d = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(1000))
        book.events.append(
            Event.build(
                None,
                {},
                {},
                dict(
                    event_id=f"E{k:05d}",
                    customer_id=f"K00{rng.randrange(customers):04d}",
                    event_type=rng.choice(EVENT_TYPES),
                    event_date=d,
                    planned_end=d + dt.timedelta(days=60),
                    owner="员工00",
                ),
            )
        )
    return book


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str]) -> None:
    customers, calls = ([int(a) for a in argv[:2]] + [5000, 50000])[:2] if argv else (5000, 50000)
    office = example_office.generate()
    merged = Book(
        path="office",
        customers=[c for b in office.books.values() for c in b.customers],
        calls=[c for b in office.books.values() for c in b.calls],
        events=[e for b in office.books.values() for e in b.events],
        staff=next(iter(office.books.values())).staff,
    )
    as_of = example_office.AS_OF
    n = len(compute_obligations(merged, Policy(), as_of).obligations)
    print(
        f"example office ({len(merged.customers)} customers, {len(merged.calls)} calls, {len(merged.events)} events): "
        f"{timed(lambda: compute_obligations(merged, Policy(), as_of)):.3f} s, {n} obligations"
    )
    big = large_book(customers, calls)
    as_of = dt.date(2026, 11, 22)

    def group():
        by = defaultdict(list)
        for c in big.calls:
            by[c.customer_id].append(c)
        for lst in by.values():
            lst.sort(key=lambda c: (c.call_date, c.call_time or dt.time()))

    n = len(compute_obligations(big, Policy(), as_of).obligations)
    print(
        f"generated ({customers} customers, {calls} calls, {len(big.events)} events): "
        f"{timed(lambda: compute_obligations(big, Policy(), as_of)):.3f} s, {n} obligations; "
        f"baseline group+sort {timed(group):.3f} s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
