"""Dates staff typed that a count or a plan cannot take as they stand, said out loud.

A date typed without a year (``11月23日``, ``11/23``) is read in the year that makes it the most
recent such day not after the as-of date, and flagged; a date that cannot be read at all (or a
call with no date) is left out of what is counted, and every output says so, naming the cell.
Nothing here is dropped silently: ``date_book`` returns what it read and what it left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field

from .messages import Message, message
from .models import Book, Record
from .schema import ColType

# 11月26日, 11-26, 11/26 and 11.26 (as offices write it; a cell typed so in Excel stays text)
_YEARLESS = re.compile(r"^\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*[日号]?\s*$")


def yearless(raw: object) -> tuple[int, int] | None:
    """(month, day) of a date typed without a year, else None."""
    if not isinstance(raw, str):
        return None
    m = _YEARLESS.match(unicodedata.normalize("NFKC", raw))
    return (int(m[1]), int(m[2])) if m else None


def latest_year(month: int, day: int, as_of: dt.date) -> dt.date | None:
    """The most recent ``month``/``day`` not after ``as_of`` (29 February: the last leap year's);
    None when no year has such a day (13月5日, 2月30日)."""
    for year in range(as_of.year, as_of.year - 8, -1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if d <= as_of:
            return d
    return None


@dataclass(frozen=True)
class Place:
    """A cell as a manager finds it: file, sheet, cell (or row), the record's id, the text typed."""

    file: str
    sheet: str
    cell: str | None
    record_id: str | None
    raw: str

    @property
    def where(self) -> str:
        return f"{os.path.basename(self.file)} {self.sheet} {self.cell or ''}".rstrip()


@dataclass(frozen=True)
class ReadInYear(Place):
    """A date typed without a year, and the day it was read as."""

    date: dt.date = dt.date.min


@dataclass
class Dating:
    """What ``date_book`` did: the yearless dates it read, the calls it could not count."""

    read: list[ReadInYear] = field(default_factory=list)
    excluded: list[Place] = field(default_factory=list)

    def warnings(self) -> list[Message]:
        out = []
        if self.read:
            cells = [f"{p.where} “{p.raw}”→{p.date.isoformat()}" for p in self.read]
            out.append(message("dating.read_in_year", n=len(self.read), cells=cells))
        if self.excluded:
            out.append(self.excluded_note())
        return out

    def excluded_note(self) -> Message:
        cells = [f"{p.where} “{p.raw}”" if p.raw else p.where for p in self.excluded]
        return message("dating.excluded", n=len(self.excluded), cells=cells)


_DATE_KEYS: dict[str, tuple[str, ...]] = {}


def _date_keys(record: Record) -> tuple[str, ...]:
    sheet = record.SHEET
    keys = _DATE_KEYS.get(sheet.key)
    if keys is None:
        keys = tuple(c.key for c in sheet.columns if c.type is ColType.DATE)
        _DATE_KEYS[sheet.key] = keys
    return keys


def _place(book: Book, record: Record, key: str, raw: str) -> Place:
    src = record.src
    return Place(
        file=src.file if src else book.path,
        sheet=src.sheet if src else record.SHEET.title(),
        cell=book.cell_of(record, key) or (f"{src.row}" if src and src.row else None),
        record_id=getattr(record, "record_id", None) or getattr(record, "customer_id", None),
        raw=raw,
    )


def date_book(book: Book, as_of: dt.date) -> Dating:
    """Read the book's yearless dates in their latest year not after ``as_of`` (in place: the
    record's value is set, its typed text stays in ``bad``), and list the calls left undated."""
    found = Dating()
    for sheet in ("customers", "calls", "events"):
        for record in book.records(sheet):
            if not record.bad:
                continue
            for key in _date_keys(record):
                raw = record.bad.get(key)
                md = yearless(raw) if getattr(record, key) is None else None
                day = latest_year(*md, as_of) if md else None
                if day is not None:
                    record.__dict__[key] = day  # the typed text stays in ``bad``
                    at = _place(book, record, key, str(raw))
                    found.read.append(ReadInYear(**dataclasses.asdict(at), date=day))
    for call in book.calls:
        if call.call_date is None:
            raw = call.bad.get("call_date")
            found.excluded.append(_place(book, call, "call_date", "" if raw is None else str(raw)))
    return found
