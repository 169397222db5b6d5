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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from ... import schema
from ...errors import BadOption
from ...messages import Message, localize
from ...models import Book
from ...normalize import mask_phone
from ...obligations import Obligation
from ...privacy import _is_phone_key, mask_deep, mask_text
from ...schema import ColType
from .parquet import (
    PART_FILE,
    parquet_bytes,
    partition_by,
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


def text_masker(sheet: schema.SheetDef, masked: Callable[[Any], Any] | None = None):
    """``transform`` for records_table: a phone column masked whole, a phone anywhere in any other
    text (names, notes, issues, signatures, unreadable text, file names) masked where it stands
    (by ``masked``, a ``text_memo()`` the export's tables share: a call's id is its obligations'
    source too)."""
    phones = {c.key for c in sheet.columns if c.type is ColType.PHONE}
    text = masked or mask_text

    def mask(key: str, v):
        if not isinstance(v, str):
            return v
        return mask_phone(v) if key in phones else text(v)

    return mask


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


def text_memo() -> Callable[[Any], Any]:
    """``privacy.mask_text`` remembering each text it masked: the snapshots of one export share
    most of their names, ids and sources, and looking for a phone in a text is the slow part."""
    memo: dict[str, str] = {}

    def mask(v):
        if not isinstance(v, str):
            return v
        found = memo.get(v)
        if found is None:
            found = memo[v] = mask_text(v)
        return found

    return mask


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


def obligations_table(
    obligations: list[Obligation],
    lang: str = "zh",
    mask: Callable[[Any], Any] | None = None,
    words: Callable[[Message], str] | None = None,
) -> pa.Table:
    """One snapshot's obligations, each reason put into words in ``lang`` (by ``words``, a
    ``reason_words`` the snapshots share). With ``mask`` (``text_memo()``), the columns are what
    ``privacy.mask_deep(obligations)`` would give: every text and the reason's parameters masked,
    taken column by column instead of copying every obligation."""
    words = words or reason_words(lang, mask)
    named = [f.name for f in OBLIGATION_SCHEMA if f.name != "reason"]
    cols = {name: [getattr(o, name) for o in obligations] for name in named}
    cols["reason"] = [words(o.reason) for o in obligations]
    if mask is None:
        for name in LIST_COLUMNS:
            cols[name] = [list(v) for v in cols[name]]
    else:
        for name in TEXT_COLUMNS:
            cols[name] = [mask(v) for v in cols[name]]
        for name in LIST_COLUMNS:
            cols[name] = [[mask(x) for x in v] for v in cols[name]]
    return pa.Table.from_pydict(cols, schema=OBLIGATION_SCHEMA)


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
    snapshots: dict[dt.date, list[Obligation]],
    with_phones: bool,
    office_row: dict,
    lang: str = "zh",
) -> dict:
    """Write one office's tables under ``root``; returns per-table partition counts."""
    out: dict[str, dict] = {}
    mask = None if with_phones else text_memo()
    for key in TABLES:
        sheet = schema.BY_KEY[key]
        records = sorted(book.records(key), key=_sort_key)
        table = records_table(sheet, records, None if mask is None else text_masker(sheet, mask))
        date_key = YEAR_OF.get(key)
        years = [
            getattr(r, date_key).year if date_key and getattr(r, date_key) else None
            for r in records
        ]
        parts = (
            (partition_by(table, years, "year") if date_key else {None: table}) if records else {}
        )
        out[key] = {"rows": table.num_rows, **write_partitions(root, key, office, parts)}
    words = reason_words(lang, mask)
    snap_parts = {
        ("as_of", day): obligations_table(obls, lang, mask, words)
        for day, obls in snapshots.items()
    }
    out["obligations"] = {
        "rows": sum(t.num_rows for t in snap_parts.values()),
        "snapshots": sorted(d.isoformat() for d in snapshots),
        **write_partitions(root, "obligations", office, snap_parts, keep_others=True),
    }
    if not with_phones:
        office_row = {**office_row, "master": mask_text(office_row["master"])}
    data = parquet_bytes(pa.Table.from_pylist([office_row], schema=OFFICE_SCHEMA))
    out["offices"] = {
        "rows": 1,
        "written": int(replace_if_changed(root / "offices" / f"office={office}" / PART_FILE, data)),
    }
    return out
