"""Hand-over and split on a large master: `python3 benchmarks/bench_handover_split.py [CUSTOMERS_PER_OWNER]`.

Builds the example office at the given size (default 600 per owner: 3,600
customers, ~30,000 calls), writes it as one master, then times the plan, the
hand-over and the split into per-person books.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from followup_xl import api, formulas, schema
from followup_xl.calendar import WorkCalendar
from followup_xl.demo import office as example_office
from followup_xl.io.master.writer import write_master
from followup_xl.models import Book
from followup_xl.policy import compute_obligations
from followup_xl.settings import policy_for_book


def _formula_texts(book: Book, policy) -> int:
    """Every formula the staff books of ``book`` hold, as text (their total length)."""
    n = 0
    for sheet, rows in ((schema.CUSTOMERS, book.customers), (schema.EVENTS, book.events)):
        for cells in formulas.computed_cells(sheet, "zh", policy, [{}] * len(rows)):
            n += sum(len(text) for text, _ in cells)
    return n


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
    policy = policy_for_book(master)
    cal = WorkCalendar.from_policy(policy)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "master.xlsx"
        write_master(path, master)
        print(
            f"master: {len(master.customers)} customers, {len(master.calls)} calls, {len(master.events)} triggers"
        )
        for label, fn in [
            (
                "plan-only",
                lambda: api.handover(
                    str(path),
                    f"{tmp}/plan.xlsx",
                    leaver="杨磊",
                    receivers=["张伟", "王芳"],
                    plan_only=True,
                    as_of=day,
                ),
            ),
            (
                "handover",
                lambda: api.handover(
                    str(path),
                    f"{tmp}/new.xlsx",
                    leaver="杨磊",
                    receivers=["张伟", "王芳"],
                    as_of=day,
                ),
            ),
            ("split", lambda: api.split(str(path), f"{tmp}/split", as_of=day)),
            (
                "split --password",
                lambda: api.split(str(path), f"{tmp}/split_pw", as_of=day, password="pw"),
            ),
            # every text of every record through the phone finder (privacy.staff_view): against "split"
            (
                "split --staff-variant",
                lambda: api.split(str(path), f"{tmp}/split_sv", as_of=day, staff_variant=True),
            ),
            (
                "due --mask-phones",
                lambda: api.due(str(path), as_of=day, out=f"{tmp}/due_m.xlsx", mask_phones=True),
            ),
            ("due", lambda: api.due(str(path), as_of=day, out=f"{tmp}/due.xlsx")),
            # what the staff books' formula columns add (followup_xl/formulas.py): the cached
            # values of every row and each row's formula text, against the policy run they use
            ("policy (baseline)", lambda: compute_obligations(master, policy, day)),
            ("formula values", lambda: formulas.cached(master, policy, cal, day, "zh")),
            ("formula texts", lambda: _formula_texts(master, policy)),
        ]:
            t = time.perf_counter()
            fn()
            print(f"{label:22s} {time.perf_counter() - t:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 600)
