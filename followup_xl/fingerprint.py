"""A short code per master record, so hand edits made after the master was written show.

The master writes ``code(record)`` in its 校验码 column; ``verify`` (and merge,
when given a master) recomputes it from the row as read and lists rows that no
longer match. CRC-32 of the row's text: cheap on 550,000 rows and enough to catch
an edit typed in Excel; it is an audit aid against mistakes and quiet rewrites,
not a signature (someone who computes CRC-32 by hand can forge it).
"""

from __future__ import annotations

import datetime as dt
import operator
import zlib
from dataclasses import dataclass

from .messages import message, render
from .models import Book, Record, column_letter, own_id

SHEETS = ("customers", "calls", "events")


def _text(v) -> str:
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v
    if t is float and v.is_integer():
        return str(int(v))
    if t is dt.datetime:
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if t is dt.time:
        return v.strftime("%H:%M:%S")
    return str(v)


_GETTERS: dict[str, operator.itemgetter] = {}
_DATE_TEXT: dict = {}  # dates and times repeat across rows: each one's text made once


def _shared_text(v) -> str:
    t = type(v)
    if t is dt.date or t is dt.time:  # (never equal to a number or to each other: one dict is safe)
        s = _DATE_TEXT.get(v)
        if s is None:
            s = _text(v)
            if len(_DATE_TEXT) < 100_000:
                _DATE_TEXT[v] = s
        return s
    return _text(v)


def _values(sheet) -> operator.itemgetter:
    got = _GETTERS.get(sheet.key)
    if got is None:
        got = _GETTERS[sheet.key] = operator.itemgetter(*sheet.keys)
    return got


def code(rec: Record) -> str:
    """Eight hex digits over the record's values (unreadable text as typed) and its extra columns."""
    d = rec.__dict__
    bad = d["bad"]
    if bad:
        parts = [
            _text(bad[k]) if d[k] is None and k in bad else _text(d[k]) for k in rec.SHEET.keys
        ]
    else:  # the usual row: text and blanks straight through (called for every row read and written)
        parts = [
            v if type(v) is str else "" if v is None else _shared_text(v)
            for v in _values(rec.SHEET)(d)
        ]
    extra = d["extra"]
    if extra:
        parts += [f"{k}={_text(v)}" for k, v in sorted(extra.items())]
    return f"{zlib.crc32(chr(31).join(parts).encode()):08x}"


# What a finding is → its sentence (row_edited here; the rest from mastercheck.compare).
FINDINGS = {
    "row_edited": "verify.row_edited",
    "code_blank": "verify.code_blank",
    "code_column_missing": "verify.code_column_missing",
    "row_deleted": "verify.row_deleted",
    "row_inserted": "verify.row_inserted",
    "provenance_edited": "verify.provenance_edited",
    "sheet_missing": "verify.sheet_missing",
    "table_row_added": "verify.table_row_added",
    "table_row_changed": "verify.table_row_changed",
    "table_row_removed": "verify.table_row_removed",
}


@dataclass
class Mismatch:
    """One thing in a master that differs from what it was written with. ``kind``: the sheet's key
    (customers, calls, events, staff, rules, holidays); ``finding``: what differs (row_edited: the
    row no longer matches its 校验码; the others come from the whole-master check, mastercheck.py);
    ``field``/``old``/``new``: a cell's column and its text then and now, where known."""

    file: str
    sheet: str
    row: int | None
    cell: str
    kind: str
    id: str
    finding: str = "row_edited"
    field: str = ""
    old: str = ""
    new: str = ""

    def message(self, lang: str = "zh") -> str:
        return render(
            FINDINGS[self.finding],
            lang,
            file=self.file,
            sheet=self.sheet,
            row=self.row,
            id=self.id or message("verify.no_id"),
            cell=self.cell,
            field=_field_label(self.kind, self.field, lang),
            old=self.old if self.old != "" else message("verify.blank"),
            new=self.new if self.new != "" else message("verify.blank"),
        )


def _field_label(kind: str, name: str, lang: str) -> str:
    """A column's header in ``lang`` (an office's own column: its header as typed)."""
    from .schema import BY_KEY, PROVENANCE

    for col in (*BY_KEY[kind].columns, *PROVENANCE) if kind in BY_KEY else PROVENANCE:
        if col.key == name:
            return col.header(lang)
    return name


def _stored_codes(book: Book, key: str):
    """(index into the book's records, SheetInfo, Excel row, stored code) of every row with a 校验码."""
    offset = 0
    for info in book.sheets.get(key, []):
        start = offset
        offset += info.rows_read
        for i, (row, stored) in enumerate(info.fingerprints):
            if stored not in ("", None):
                yield start + i, info, row, str(stored).strip().lower()


def outcome(book: Book) -> tuple[tuple[tuple[str, int], ...], int]:
    """((sheet key, record index) of each row whose content no longer matches its 校验码, rows
    compared): worked out once per book and kept on it (the master cache keeps it too)."""
    if book.code_check is None:
        bad: list[tuple[str, int]] = []
        checked = 0
        for key in SHEETS:
            records = book.records(key)
            for i, _info, _row, stored in _stored_codes(book, key):
                checked += 1
                if stored != code(records[i]):
                    bad.append((key, i))
        book.code_check = (tuple(bad), checked)
    return book.code_check


def check(book: Book, file: str) -> tuple[list[Mismatch], int]:
    """(rows whose content no longer matches their 校验码, rows checked). Rows without a code are skipped."""
    bad, checked = outcome(book)
    wanted = set(bad)
    out: list[Mismatch] = []
    for key in SHEETS:
        if not any(k == key for k, _i in wanted):
            continue
        records = book.records(key)
        for i, info, row, _stored in _stored_codes(book, key):
            if (key, i) in wanted:
                col = column_letter(info.columns["fingerprint"])
                out.append(
                    Mismatch(file, info.name, row, f"{col}{row}", key, own_id(records[i]) or "")
                )
    return out, checked


def known_codes(book: Book) -> dict[int, tuple[Record, str]]:
    """id(record) → (record, its code) for every row whose stored 校验码 matched its content.

    The master's writer looks a record up here before computing its code: a record carried
    over unchanged from last week's master keeps the code it was checked against (the record
    itself is kept in the entry, so the id cannot be reused while the table lives).
    """
    bad = set(outcome(book)[0])
    known: dict[int, tuple[Record, str]] = {}
    for key in SHEETS:
        records = book.records(key)
        for i, _info, _row, stored in _stored_codes(book, key):
            if (key, i) not in bad:
                rec = records[i]
                known[id(rec)] = (rec, stored)
    return known
