"""A master of the example office for hand-over and split tests: the real merge of its staff books."""

from __future__ import annotations

from pathlib import Path

from followup_xl import api
from followup_xl.models import Book


def combined(office) -> Book:
    """Every record of the example office in one Book (a master's content, without a file)."""
    books = list(office.books.values())
    return Book(
        path="master.xlsx",
        customers=[c for b in books for c in b.customers],
        calls=[k for b in books for k in b.calls],
        events=[e for b in books for e in b.events],
        staff=list(books[0].staff),
        rules=list(books[0].rules),
    )


def write_master(office_dir: Path, path: Path) -> Path:
    result = api.merge([str(office_dir)], str(path))
    assert result.written, result
    return path
