"""A master of the example office for hand-over and split tests.

Written through the merge once it exists (the real thing), else as one staff
book holding every record — the same sheets a master has, without provenance.
"""

from __future__ import annotations

from pathlib import Path

from followup_xl.io.template import write_staff_workbook
from followup_xl.models import Book


def combined(office) -> Book:
    books = list(office.books.values())
    return Book(path="master.xlsx", customers=[c for b in books for c in b.customers],
                calls=[k for b in books for k in b.calls], events=[e for b in books for e in b.events],
                staff=list(books[0].staff), rules=list(books[0].rules))


def write_master(office, office_dir: Path, path: Path) -> Path:
    write_staff_workbook(path, book=combined(office))
    return path
