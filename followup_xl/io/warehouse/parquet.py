"""Records as typed Arrow tables and hive-partitioned Parquet folders (export, the master cache).

Columns come from ``schema`` (whatever the sheets define, in their order), typed by
column kind — dates as dates, times as times, counts as integers — followed by
``unreadable`` (field → the raw text the reader could not read, as in ``Record.bad``)
and the provenance columns. A partition is a folder ``office=…/year=…`` holding one
``part-0.parquet``; it is replaced only when its bytes change, so re-exporting the
same master touches nothing and a new week rewrites only the partitions it changed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ... import schema
from ...models import Record
from ...schema import ColType
from ..atomic import atomic_output

UNREADABLE = "unreadable"
PROVENANCE = ("source_file", "source_sheet", "source_row")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # what Spark and DuckDB read as NULL
PART_FILE = "part-0.parquet"

_ARROW = {
    ColType.DATE: pa.date32(),
    ColType.TIME: pa.time32("s"),
    ColType.INT: pa.int64(),
    ColType.SATISFACTION: pa.int64(),
    ColType.BOOL: pa.bool_(),
}


def arrow_schema(sheet: schema.SheetDef) -> pa.Schema:
    """The typed columns of one sheet, then unreadable text and provenance."""
    fields = [pa.field(c.key, _ARROW.get(c.type, pa.string())) for c in sheet.columns]
    fields.append(pa.field(UNREADABLE, pa.map_(pa.string(), pa.string())))
    fields += [
        pa.field("source_file", pa.string()),
        pa.field("source_sheet", pa.string()),
        pa.field("source_row", pa.int64()),
    ]
    return pa.schema(fields)


_BATCH = 65_536  # records turned into Arrow at a time: the Python lists of one batch, not all


def records_table(
    sheet: schema.SheetDef,
    records: Iterable[Record],
    transform: Callable[[str, list], list] | None = None,
) -> pa.Table:
    """Records → a typed table; ``transform(key, values)`` may rewrite a column (masking): each
    field's column, each unreadable text (as a column of one) and the source file and sheet
    names. It gets the column's values, None included, and gives back as many."""
    keys = sheet.keys
    target = arrow_schema(sheet)
    fields = itemgetter(*keys) if len(keys) > 1 else (lambda d: (d[keys[0]],))

    def unreadable(bad: dict) -> list | None:
        if not bad:
            return None
        if transform:
            return sorted((k, transform(k, [v])[0]) for k, v in bad.items())
        return sorted(bad.items())

    records = records if isinstance(records, list) else list(records)
    batches = []
    for at in range(0, len(records), _BATCH):
        dicts = [rec.__dict__ for rec in records[at : at + _BATCH]]
        cols: list = list(zip(*map(fields, dicts)))  # one pass over the records, then columns
        if transform:
            cols = [transform(k, list(col)) for k, col in zip(keys, cols)]
        srcs = [d["src"] for d in dicts]
        files = [s.file if s else None for s in srcs]
        sheets = [s.sheet if s else None for s in srcs]
        if transform:  # a file or sheet name may hold a phone too (张伟_13800001111.xlsx)
            files = transform("source_file", files)
            sheets = transform("source_sheet", sheets)
        arrays = [
            *cols,
            [unreadable(d["bad"]) if d["bad"] else None for d in dicts],
            files,
            sheets,
            [s.row if s else None for s in srcs],
        ]
        batches.append(
            pa.RecordBatch.from_arrays(
                [pa.array(a, type=f.type) for a, f in zip(arrays, target)], schema=target
            )
        )
    if not batches:
        return target.empty_table()
    # batches of a multiple of 1024 rows (the Parquet writer's own batch): same bytes as one
    return pa.Table.from_batches(batches, schema=target)


def parquet_bytes(table: pa.Table) -> bytes:
    """One Parquet file in memory: same table, same bytes (no timestamps are written)."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def replace_if_changed(target: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless ``target`` already holds exactly these bytes."""
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
    return True


def partition_dir(
    root: Path, table_name: str, office: str, part: tuple[str, object] | None
) -> Path:
    if part is None:  # a table without a date (staff): one file per office
        return root / table_name / f"office={office}"
    name, value = part
    text = (
        NULL_PARTITION
        if value is None
        else (value.isoformat() if isinstance(value, dt.date) else str(value))
    )
    return root / table_name / f"office={office}" / f"{name}={text}"


def write_partitions(
    root: Path,
    table_name: str,
    office: str,
    # (name, value) → part, or None → one unpartitioned table; a part may be a function that
    # makes it, called when it is written (one part's table held at a time)
    parts: Mapping[Any, pa.Table | Callable[[], pa.Table]],
    keep_others: bool = False,
) -> dict[str, int]:
    """Write each partition of one office whose bytes differ; drop the office's partitions not
    written this time (unless ``keep_others``: obligation snapshots of other days stay)."""
    counts = {"written": 0, "unchanged": 0, "removed": 0}
    wanted = set()
    for part in sorted(parts, key=lambda p: (p is None or p[1] is None, str(p))):
        folder = partition_dir(root, table_name, office, part)
        wanted.add(folder.name)
        table = parts[part]
        data = parquet_bytes(table if isinstance(table, pa.Table) else table())
        del table
        pa.default_memory_pool().release_unused()  # the table's memory back to the system now
        changed = replace_if_changed(folder / PART_FILE, data)
        counts["written" if changed else "unchanged"] += 1
    office_dir = root / table_name / f"office={office}"
    if not keep_others and office_dir.is_dir():
        for old in office_dir.iterdir():
            if old.is_dir() and old.name not in wanted and "=" in old.name:
                shutil.rmtree(old)
                counts["removed"] += 1
    return counts


def partition_by(table: pa.Table, values: list, name: str) -> dict[tuple[str, object], pa.Table]:
    """Split ``table`` by ``values`` (one per row), keeping row order within each part."""
    groups: dict[object, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(v, []).append(i)
    return {(name, v): table.take(pa.array(idx, type=pa.int64())) for v, idx in groups.items()}


PARTITION_TYPES = {"office": pa.string(), "year": pa.int64(), "as_of": pa.date32()}


def read_dataset(root: str | os.PathLike, table_name: str) -> pa.Table:
    """A whole exported table with its partition columns (office, year/as_of), for tests and tools."""
    import pyarrow.dataset as ds

    folder = Path(root) / table_name
    depth = {"staff": 1, "offices": 1}.get(table_name, 2)
    names = ["office"] + (
        [] if depth == 1 else ["as_of" if table_name == "obligations" else "year"]
    )
    part = ds.HivePartitioning(
        pa.schema([(n, PARTITION_TYPES[n]) for n in names]), null_fallback=NULL_PARTITION
    )
    return ds.dataset(os.fspath(folder), format="parquet", partitioning=part).to_table()
