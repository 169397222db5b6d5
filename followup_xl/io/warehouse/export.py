"""`export`: a master's records and obligations as Parquet, one dataset per table.

Layout (hive-style, readable by DuckDB, Spark, pandas, Polars…)::

    DIR/customers/office=<name>/year=<建档年份>/part-0.parquet
    DIR/calls/office=<name>/year=<回访年份>/part-0.parquet
    DIR/events/office=<name>/year=<事项年份>/part-0.parquet
    DIR/staff/office=<name>/part-0.parquet                                    (no date: one part)
    DIR/obligations/office=<name>/as_of=<YYYY-MM-DD>/part-0.parquet          (one snapshot per day)
    DIR/offices/office=<name>/part-0.parquet                                  (policy targets, source)

Rows with no date go to the ``__HIVE_DEFAULT_PARTITION__`` folder (read as NULL).
Obligations depend on the day they are computed for, so each snapshot is its own
partition and earlier snapshots stay: `rollup --month M` needs the one as of M's
last day, which export writes by default for the month before ``--as-of``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa

from ... import schema
from ...errors import BadOption
from ...messages import Message, localize
from ...models import Book
from ...normalize import mask_phone
from ...obligations import Obligation
from ...privacy import _is_phone_key, mask_deep, mask_text, mask_texts
from ...schema import ColType
from ..gcpause import gc_paused
from .parquet import (
    PART_FILE,
    parquet_bytes,
    records_table,
    replace_if_changed,
    write_partitions,
)

YEAR_OF = {"customers": "created", "calls": "call_date", "events": "event_date"}
TABLES = ("customers", "calls", "events", "staff")

OBLIGATION_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("rule", pa.string()),
        ("due_date", pa.date32()),
        ("reason", pa.string()),  # in the language export was asked for (--lang)
        ("customer_name", pa.string()),
        ("owner", pa.string()),
        ("trigger_date", pa.date32()),
        ("source", pa.string()),
        ("event_id", pa.string()),
        ("call_types", pa.list_(pa.string())),
        ("hard", pa.bool_()),
        ("satisfied_on", pa.date32()),
        ("satisfied_by", pa.string()),
        ("typed_date", pa.date32()),
        ("flags", pa.list_(pa.string())),
        ("lapse_date", pa.date32()),
        ("escalate_on", pa.date32()),
    ]
)
OFFICE_SCHEMA = pa.schema(
    [
        ("master", pa.string()),
        ("master_sha256", pa.string()),
        ("exported_as_of", pa.date32()),
        ("complaint_coverage_pct", pa.float64()),
        ("repair_coverage_pct", pa.float64()),
        ("activity_coverage_pct", pa.float64()),
    ]
)
_BAD_OFFICE = re.compile(r"[\\/=:*?\"<>|\x00-\x1f]")


def check_office(name: str) -> str:
    """An office name becomes a folder name: refuse what a path cannot hold."""
    name = (name or "").strip()
    if not name or name.startswith(".") or _BAD_OFFICE.search(name):
        raise BadOption("export.bad_office_name", name=name)
    return name


def text_masker(sheet: schema.SheetDef, masked: TextMemo | None = None):
    """``transform`` for records_table, a column at a time: a phone column masked whole, a phone
    anywhere in any other text (names, notes, issues, signatures, unreadable text, file names)
    masked where it stands (by ``masked``, a ``text_memo()`` the export's tables share: a call's
    id is its obligations' source too). Dates, times, counts and yes/no hold no text: left as
    they are (a text there could not become an Arrow date either)."""
    phones = {c.key for c in sheet.columns if c.type is ColType.PHONE}
    typed = {c.key for c in sheet.columns if c.type in _NOT_TEXT}
    memo = masked or text_memo()

    def mask(key: str, values: list) -> list:
        if key in phones:
            return [mask_phone(v) if isinstance(v, str) else v for v in values]
        if key in typed:
            return values
        return memo.column(values)

    return mask


_NOT_TEXT = (ColType.DATE, ColType.TIME, ColType.INT, ColType.SATISFACTION, ColType.BOOL)
TEXT_COLUMNS = (
    "customer_id",
    "rule",
    "customer_name",
    "owner",
    "source",
    "event_id",
    "satisfied_by",
)
LIST_COLUMNS = ("call_types", "flags")


class TextMemo:
    """``privacy.mask_text`` remembering each text it looked at: the snapshots of one export share
    most of their names, ids and sources, and looking for a phone in a text is the slow part.
    Called with one value, or ``column(values)`` for a whole column: a column with no text that
    changes comes back as it was given (the usual case: no copy)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()  # looked at: nothing to mask
        self.changed: dict[str, str] = {}  # looked at: masked

    def __call__(self, v):
        if not isinstance(v, str):
            return v
        if v not in self.seen and v not in self.changed:
            self._look([v])
        return self.changed.get(v, v)

    def _look(self, texts: Iterable[str]) -> None:
        for text, masked in mask_texts(texts).items():
            if masked != text:
                self.changed[text] = masked
            else:
                self.seen.add(text)

    def column(self, values: list) -> list:
        try:
            distinct = set(values)
        except TypeError:  # a value that cannot be a key (a list): one at a time
            return [self(v) for v in values]
        new = distinct - self.seen
        new.difference_update(self.changed)
        if new:
            self._look(v for v in new if isinstance(v, str))
        if distinct.isdisjoint(self.changed):
            return values
        get = self.changed.get
        return [get(v, v) for v in values]  # what is not a text (None, a number) stays as it is


def text_memo() -> TextMemo:
    return TextMemo()


_PLAIN_PARAMS = (int, float, dt.date, dt.time, type(None))  # bool is an int: nothing to mask


def reason_words(lang: str, mask: Callable[[Any], Any] | None = None) -> Callable[[Message], str]:
    """A reason put into words in ``lang`` (its parameters masked first with ``mask``, as
    ``privacy.mask_deep`` masks a Message), each distinct reason once: the routine's reasons of a
    large office are a few thousand sentences said hundreds of thousands of times."""
    said: dict[tuple, str] = {}

    def words(reason: Message) -> str:
        try:
            key = (reason.msg_id, *((k, type(v), v) for k, v in reason.params.items()))
            found = said.get(key)
        except TypeError:  # a parameter that cannot be a key (a list): said every time
            key, found = None, None
        if found is None:
            if mask is not None:
                reason = Message(
                    reason.msg_id,
                    {
                        k: v
                        if isinstance(v, _PLAIN_PARAMS)
                        else mask(v)
                        if isinstance(v, str) and not _is_phone_key(k)
                        else mask_deep({k: v})[k]
                        for k, v in reason.params.items()
                    },
                )
            found = localize(reason, lang)
            if key is not None:
                said[key] = found
        return found

    return words


_OBLIGATION_FIELDS = tuple(f.name for f in OBLIGATION_SCHEMA if f.name != "reason")
_BATCH = 65_536  # obligations turned into Arrow at a time: the Python lists stay small


def obligations_table(
    obligations: list[Obligation],
    lang: str = "zh",
    mask: Callable[[Any], Any] | None = None,
    words: Callable[[Message], str] | None = None,
) -> pa.Table:
    """One snapshot's obligations, each reason put into words in ``lang`` (by ``words``, a
    ``reason_words`` the snapshots share). With ``mask`` (``text_memo()``), the columns are what
    ``privacy.mask_deep(obligations)`` would give: every text and the reason's parameters masked,
    taken column by column instead of copying every obligation. Built a batch at a time (the
    Python lists of one batch, never of the whole snapshot) and written as one table."""
    words = words or reason_words(lang, mask)
    column = getattr(mask, "column", None) or (
        (lambda values: [mask(v) for v in values]) if mask is not None else None
    )
    fields = attrgetter(*_OBLIGATION_FIELDS, "reason")
    said: dict[int, str] = {}  # a reason object (shared by many obligations) → its words
    listed: dict[tuple, list] = {}  # a tuple of call types or flags → as a (masked) list
    batches = []
    for at in range(0, len(obligations), _BATCH):
        cols = dict(
            zip((*_OBLIGATION_FIELDS, "reason"), zip(*map(fields, obligations[at : at + _BATCH])))
        )
        # the obligations are alive all along: a reason object's id is not reused meanwhile
        reasons = cols["reason"]
        new = {id(r): r for r in reasons if id(r) not in said}
        said.update((key, words(reason)) for key, reason in new.items())
        cols["reason"] = list(map(said.__getitem__, map(id, reasons)))
        if column is not None:
            for name in TEXT_COLUMNS:
                cols[name] = column(list(cols[name]))
        for name in LIST_COLUMNS:
            col = cols[name]
            try:
                for value in set(col).difference(listed):
                    listed[value] = [mask(x) for x in value] if mask is not None else list(value)
                cols[name] = list(map(listed.__getitem__, col))
            except TypeError:  # not a tuple of texts: one at a time
                cols[name] = [[mask(x) for x in v] if mask else list(v) for v in col]
        batches.append(pa.RecordBatch.from_pydict(cols, schema=OBLIGATION_SCHEMA))
    # batches of a multiple of 1024 rows (the Parquet writer's own batch): same bytes as one
    return pa.Table.from_batches(batches, schema=OBLIGATION_SCHEMA)


def _sort_key(rec):
    """Stable order whatever order the master lists them in: date, id, then where they came from."""
    d = rec.__dict__
    s = d["src"]
    date_key = next((d[k] for k in ("call_date", "event_date", "created") if k in d), None)
    first_id = next(
        (d[k] for k in ("record_id", "event_id", "customer_id", "name") if k in d), None
    )
    return (
        date_key is None,
        date_key or dt.date.min,
        first_id or "",
        (s.file, s.sheet, s.row or 0) if s else ("", "", 0),
    )


def export_book(
    book: Book,
    root: Path,
    office: str,
    snapshots: Iterable[tuple[dt.date, list[Obligation]]],
    with_phones: bool,
    office_row: dict,
    lang: str = "zh",
) -> dict:
    """Write one office's tables under ``root``; returns per-table partition counts.

    Each snapshot as it comes (``snapshots`` may compute each day when asked), written before
    the next is asked for, then the record tables, each year's part made when it is written: one
    day's obligations and one table are held at a time beside the book, never all of them."""
    with gc_paused():  # millions of short-lived lists and tuples, no cycles: not rescanned
        return _export_book(book, root, office, snapshots, with_phones, office_row, lang)


def _export_book(
    book: Book,
    root: Path,
    office: str,
    snapshots: Iterable[tuple[dt.date, list[Obligation]]],
    with_phones: bool,
    office_row: dict,
    lang: str,
) -> dict:
    out: dict[str, dict] = {}
    mask = None if with_phones else text_memo()
    # the snapshots first: a day's obligations are the largest thing held beside the records, and
    # what the record tables leave behind (memory the allocator keeps) is reused, not added to
    words = reason_words(lang, mask)
    counts = {"written": 0, "unchanged": 0, "removed": 0}
    rows, days = 0, []
    for day, obls in snapshots:
        table = obligations_table(obls, lang, mask, words)
        del obls
        rows += table.num_rows
        days.append(day)
        done = write_partitions(
            root, "obligations", office, {("as_of", day): table}, keep_others=True
        )
        del table
        counts = {k: counts[k] + done[k] for k in counts}
    for key in TABLES:
        sheet = schema.BY_KEY[key]
        records = sorted(book.records(key), key=_sort_key)
        transform = None if mask is None else text_masker(sheet, mask)
        date_key = YEAR_OF.get(key)
        groups: dict = {}
        for rec in records:  # each year's records in the order sorted: one part at a time
            when = rec.__dict__[date_key] if date_key else None
            part = ("year", when.year if when else None) if date_key else None
            groups.setdefault(part, []).append(rec)
        parts = {
            part: partial(records_table, sheet, recs, transform) for part, recs in groups.items()
        }
        out[key] = {"rows": len(records), **write_partitions(root, key, office, parts)}
        del groups, parts
    out["obligations"] = {  # listed after the record tables, as before
        "rows": rows,
        "snapshots": sorted(d.isoformat() for d in days),
        **counts,
    }
    if not with_phones:
        office_row = {**office_row, "master": mask_text(office_row["master"])}
    data = parquet_bytes(pa.Table.from_pylist([office_row], schema=OFFICE_SCHEMA))
    out["offices"] = {
        "rows": 1,
        "written": int(replace_if_changed(root / "offices" / f"office={office}" / PART_FILE, data)),
    }
    return out
