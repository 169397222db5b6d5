"""A month of a generated office, driven through the CLI as a manager would.

staff books in a folder → validate each → merge → due → Sunday schedule →
Monday summary → month report → scores → handover → split → merge back, checking
each step's invariants and that the final master holds every call that went in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from followup_xl.demo import office as example_office
from followup_xl.io.read.workbook import read_book

AS_OF = "2026-11-22"


def matches(found: str, planted: str) -> bool:
    """V1 matches V1 and V1a, not V10."""
    rest = found[len(planted) :]
    return found.startswith(planted) and not (rest and rest[0].isdigit())


def call_key(c) -> tuple:
    return (c.customer_id, c.call_date, c.call_time, c.method, c.call_type, c.caller, c.content)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    office = example_office.generate(seed=7, customers_per_owner=25)
    books = root / "books"
    paths = example_office.write_office(office, str(books))
    hashes = {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}
    return root, office, paths, hashes


def test_whole_month(cli, pipeline):
    root, office, paths, hashes = pipeline
    planted_by_owner: dict[str, set[str]] = {}
    for p in office.planted:
        planted_by_owner.setdefault(p["owner"], set()).add(p["code"])

    # 1. validate each staff book: planted mistakes found, exit 1 where errors exist
    for path in paths:
        owner = Path(path).name.split("_")[0]
        out = cli.json("validate", path, "--as-of", AS_OF, ok=(0, 1))[1]
        codes = {f["code"] for f in out["findings"]}
        expected = planted_by_owner.get(owner, set()) - {
            "V3"
        }  # phone clashes across books show on merge
        for code in expected:
            assert any(matches(c, code) for c in codes), (owner, code, codes)

    # 2. merge the folder
    master = root / "master.xlsx"
    merged = cli.json("merge", root / "books", "-o", master, "--as-of", AS_OF, ok=(0,))[1]
    every_call = {call_key(c) for b in office.books.values() for c in b.calls}
    book = read_book(master)
    assert {call_key(c) for c in book.calls} == every_call
    assert merged["calls"] == len(book.calls)
    assert any(c["kind"] for c in merged["conflicts"])  # the planted id clash / phone clash

    # 3. due list
    due = cli.json("due", master, "--as-of", AS_OF, ok=(0,))[1]
    void = {c.customer_id for c in book.customers if c.is_void}
    assert due["items"] and not any(i["customer_id"] in void for i in due["items"])
    for item in due["items"]:
        d = dt.date.fromisoformat(item["due_date"])
        lapsed = item["lapse_date"] and dt.date.fromisoformat(item["lapse_date"]) < dt.date(
            2026, 11, 22
        )
        assert item["status"] == (
            "missed"
            if lapsed
            else "overdue"
            if d < dt.date(2026, 11, 22)
            else "due"
            if d == dt.date(2026, 11, 22)
            else "upcoming"
        )

    # 4. Sunday schedule for the coming week: every obligation due by week end exactly once
    sched = cli.json("schedule", master, "--week-of", "2026-11-23", "--as-of", AS_OF, ok=(0,))[1]
    week_end = dt.date.fromisoformat(sched["week_end"])
    to_plan = sorted(
        (i["customer_id"], i["rule"], i["due_date"])
        for i in due["items"]
        if i["customer_id"]
        and dt.date.fromisoformat(i["due_date"]) <= week_end
        and i["status"] != "missed"
    )  # missed items are never planned
    got = sorted(
        (i["customer_id"], i["rule"], i["due_date"])
        for i in sched["items"] + sched["unscheduled"] + sched["duties"] + sched["sms"]
        if i["customer_id"]
    )  # calls, what did not fit, the 待办 reports and letters, the SMS list: nothing lost
    assert got == to_plan

    # 5. Monday summary of the week before
    weekly = cli.json("weekly", master, "--week-of", AS_OF, ok=(0,))[1]
    start, end = (
        dt.date.fromisoformat(weekly["week_start"]),
        dt.date.fromisoformat(weekly["week_end"]),
    )
    calls_in_week = sum(1 for c in book.calls if c.call_date and start <= c.call_date <= end)
    assert sum(o["calls"] for o in weekly["by_owner"]) == calls_in_week

    # 6. month report and scores
    report = cli.json("report", master, "--month", "2026-10", ok=(0,))[1]
    assert 0 <= report["successful"] <= report["done"] <= report["planned"]
    cli.json("scores", master, "--year", "2026", ok=(0,))

    # 7. handover: 杨磊 leaves
    new_master = root / "master_after.xlsx"
    leaver = ("--from", "杨磊", "--to", "张伟", "--to", "王芳")
    cli.json("handover", master, *leaver, "-o", new_master, ok=(0,))
    after = read_book(new_master)
    assert {call_key(c) for c in after.calls} == every_call
    assert not any(c.owner == "杨磊" for c in after.customers)
    assert len(after.customers) == len(book.customers)

    # 8. split back into per-person books, and merge those again: same master content
    split_dir = root / "split"
    cli("split", new_master, "-o", split_dir, ok=(0,))
    again = root / "master_again.xlsx"
    cli.json("merge", split_dir, "-o", again, ok=(0,))
    back = read_book(again)
    assert {call_key(c) for c in back.calls} == every_call
    assert {c.customer_id for c in back.customers} == {c.customer_id for c in after.customers}

    # inputs untouched throughout
    for p, h in hashes.items():
        assert hashlib.sha256(Path(p).read_bytes()).hexdigest() == h
