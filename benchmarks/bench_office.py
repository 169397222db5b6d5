"""The master read once: `python3 benchmarks/bench_office.py [CUSTOMERS_PER_OWNER]`.

Builds the example office at the given size (default 600 per owner: 3,600 customers, ~52,000
calls), merges it into a master, then times due, schedule, weekly, report and scores as five
function calls (each reads the master) against ``Office.open`` once and the five methods.
"""

from __future__ import annotations

import sys
import tempfile
import time

from followup_xl import Office, api
from followup_xl.demo import office as example_office

CALLS: list[tuple[str, dict]] = [
    ("due", {}),
    ("schedule", {}),
    ("weekly", {}),
    ("report", {"month": "2026-10"}),
    ("scores", {"year": 2026}),
]


def main(per_owner: int = 600) -> None:
    day = example_office.AS_OF
    with tempfile.TemporaryDirectory() as tmp:
        office = example_office.generate(customers_per_owner=per_owner, plant_mistakes=False)
        example_office.write_office(office, f"{tmp}/books")
        path = f"{tmp}/总表.xlsx"
        merged = api.merge([f"{tmp}/books"], path)
        print(f"master: {merged.customers} customers, {merged.calls} calls")
        api.due(path, as_of=day)  # imports done; the Parquet cache written when it is large enough
        for rnd in range(2):
            t = time.perf_counter()
            for name, kw in CALLS:
                getattr(api, name)(path, as_of=day, **kw)
            functions = time.perf_counter() - t
            t = time.perf_counter()
            opened = Office.open(path)
            read = time.perf_counter() - t
            for name, kw in CALLS:
                getattr(opened, name)(as_of=day, **kw)
            total = time.perf_counter() - t
            print(
                f"round {rnd}: five functions {functions:.2f} s; "
                f"Office.open {read:.2f} s, with the five calls {total:.2f} s"
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
