"""Schedule and weekly on a large master: `python3 benchmarks/bench_schedule.py [CUSTOMERS_PER_OWNER]`.

Builds the example office at the given size (default 600 per owner: 3,600
customers, ~30,000 calls), writes it as one master, then times the planner alone
(obligations given), the whole `schedule` (read, policy, plan, workbook) and
`weekly` (read, summary, policy at week end, workbook).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from followup_xl import api
from followup_xl.calendar import WorkCalendar
from followup_xl.demo import office as example_office
from followup_xl.io.master.writer import write_master
from followup_xl.models import Book
from followup_xl.policy import compute_obligations
from followup_xl.schedule import coming_week, plan_week
from followup_xl.settings import Policy


def main(per_owner: int = 600) -> None:
    office = example_office.generate(customers_per_owner=per_owner, plant_mistakes=False)
    books = list(office.books.values())
    master = Book(
        path="m",
        customers=[c for b in books for c in b.customers],
        calls=[k for b in books for k in b.calls],
        events=[e for b in books for e in b.events],
        staff=list(books[0].staff),
        rules=list(books[0].rules),
    )
    day = example_office.AS_OF
    policy, cal = Policy(), WorkCalendar()
    obls = compute_obligations(master, policy, day, cal).obligations
    customers = {c.customer_id or "": c for c in master.customers}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "master.xlsx"
        write_master(path, master)
        print(
            f"master: {len(master.customers)} customers, {len(master.calls)} calls, {len(obls)} obligations"
        )
        for label, fn in [
            (
                "plan_week only",
                lambda: plan_week(
                    obls, master.staff, customers, policy, cal, coming_week(day), day
                ),
            ),
            ("schedule -o", lambda: api.schedule(str(path), as_of=day, out=f"{tmp}/plan.xlsx")),
            ("weekly -o", lambda: api.weekly(str(path), as_of=day, out=f"{tmp}/weekly.xlsx")),
        ]:
            t = time.perf_counter()
            fn()
            print(f"{label:16s} {time.perf_counter() - t:6.2f} s")
        t = time.perf_counter()
        api.load(str(path))
        print(f"{'(read alone)':16s} {time.perf_counter() - t:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
