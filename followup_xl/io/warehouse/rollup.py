"""`rollup`: run the package's SQL (data/sql/) with DuckDB over the Parquet that `export` wrote.

DuckDB is embedded: nothing to install or start. The SQL files are plain, portable SQL over
three tables (calls, obligations, offices); this module only says what those tables hold.

The folder is read literally: its files are listed here, partition by partition
(``office=…/year=…``, ``office=…/as_of=…``, ``office=…``), never handed to a glob, so
a region folder named ``[x]`` or ``g*`` reads its own offices and no other folder's.
Each file is read with pyarrow and cast to the table's columns, and DuckDB queries the
result: a file that is not Parquet, or not the table its folder says, is an error naming
it (exit 2); a folder that is not a partition `export` could have written (an office name
export refuses, ``office==1+2``, ``year=abc``) is skipped with a warning naming it. Only
the partitions the month needs are read (calls of its year, the snapshot of its last day).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pyarrow as pa

from ...errors import BadOption, FollowupError, UnreadableParquet
from ...messages import Message, message

TABLES = ("calls", "obligations", "offices")
PARTITION = {"calls": "year", "obligations": "as_of", "offices": None}


def sql_text(name: str) -> str:
    """A query shipped with the package (followup_xl/data/sql/<name>.sql)."""
    return (
        resources.files("followup_xl")
        .joinpath("data", "sql", f"{name}.sql")
        .read_text(encoding="utf-8")
    )


@dataclass
class Part:
    """One Parquet file of one table, with the partition values its folders name."""

    path: str
    office: str
    value: object = None  # year (int or None) or as_of (a date); None for offices


@dataclass
class Listing:
    parts: dict[str, list[Part]] = field(default_factory=dict)
    warnings: list[Message] = field(default_factory=list)


def _table_schema(table: str) -> pa.Schema:
    from ... import schema
    from .export import OBLIGATION_SCHEMA, OFFICE_SCHEMA
    from .parquet import arrow_schema

    if table == "calls":
        return arrow_schema(schema.BY_KEY["calls"])
    return OBLIGATION_SCHEMA if table == "obligations" else OFFICE_SCHEMA


def _office(folder: str) -> str | None:
    """The office a folder ``office=<name>`` names, when export could have written that name."""
    from .export import check_office

    key, sep, value = folder.partition("=")
    if key != "office" or not sep:
        return None
    try:
        return value if check_office(value) == value else None
    except FollowupError:
        return None


def _value(table: str, folder: str):
    """(ok, value) of a ``year=…``/``as_of=…`` folder of ``table``."""
    from .parquet import NULL_PARTITION

    key, sep, text = folder.partition("=")
    if key != PARTITION[table] or not sep:
        return False, None
    if text == NULL_PARTITION:
        return True, None
    try:
        return True, int(text) if key == "year" else dt.date.fromisoformat(text)
    except ValueError:
        return False, None


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(
                (e for e in it if not e.name.startswith((".", "_"))), key=lambda e: e.name
            )
    except OSError as exc:
        raise UnreadableParquet(
            "rollup.folder_unreadable", strerror=exc.strerror, path=os.fspath(folder)
        ) from exc


def _skip(out: Listing, path: str) -> None:
    out.warnings.append(message("rollup.skipped_folder", path=path))


def list_parts(root: Path) -> Listing:
    """Every Parquet file under ``root`` that export could have written, by table; the rest named."""
    out = Listing()
    for table in TABLES:
        out.parts[table] = parts = []
        folder = root / table
        if not folder.is_dir():
            continue
        for office_dir in _entries(folder):
            office = _office(office_dir.name) if office_dir.is_dir() else None
            if office is None:
                if office_dir.is_dir() or office_dir.name.endswith(".parquet"):
                    _skip(out, office_dir.path)
                continue
            if PARTITION[table] is None:
                files = [(e, None) for e in _entries(Path(office_dir.path))]
            else:
                files = []
                for sub in _entries(Path(office_dir.path)):
                    ok, value = _value(table, sub.name) if sub.is_dir() else (False, None)
                    if not ok:
                        if sub.is_dir() or sub.name.endswith(".parquet"):
                            _skip(out, sub.path)
                        continue
                    files += [(e, value) for e in _entries(Path(sub.path))]
            for entry, value in files:
                if entry.name.endswith(".parquet") and entry.is_file():
                    parts.append(Part(entry.path, office, value))
                elif entry.is_dir():
                    _skip(out, entry.path)
    return out


def read_file(table: str, part: Part) -> pa.Table:
    """One file as the table's columns (cast to their types; a column it lacks is null)."""
    import pyarrow.parquet as pq

    want = _table_schema(table)
    try:
        got = pq.ParquetFile(part.path).read()
        if not {"customer_id", "master"} & set(got.column_names):
            raise ValueError("not a table written by export")
        n = got.num_rows
        cols = [
            got.column(f.name).cast(f.type) if f.name in got.column_names else pa.nulls(n, f.type)
            for f in want
        ]
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise UnreadableParquet(
            "rollup.file_unreadable",
            table=table,
            error_type=type(exc).__name__,
            exc=exc,
            path=part.path,
        ) from exc
    return pa.Table.from_arrays(cols, schema=want)


_PARTITION_SQL = {"year": "BIGINT", "as_of": "DATE"}


def load_table(con, table: str, parts: list[Part]) -> None:
    """DuckDB table ``table``: every file's rows plus office (and year/as_of) from its folders.

    The partition values go in as query parameters, never spliced into SQL or a path."""
    want = _table_schema(table)
    empty = pa.Table.from_arrays([pa.nulls(0, f.type) for f in want], schema=want)
    key = PARTITION[table]
    con.register("_piece", empty)
    partition = f", CAST(NULL AS {_PARTITION_SQL[key]}) AS {key}" if key else ""
    con.execute(
        f"CREATE TABLE {table} AS SELECT *, CAST(NULL AS VARCHAR) AS office{partition} "
        "FROM _piece LIMIT 0"
    )
    for part in parts:
        con.register("_piece", read_file(table, part))
        if key:
            con.execute(
                f"INSERT INTO {table} SELECT *, $office, $value FROM _piece",
                {"office": part.office, "value": part.value},
            )
        else:
            con.execute(
                f"INSERT INTO {table} SELECT *, $office FROM _piece", {"office": part.office}
            )
    con.unregister("_piece")


@dataclass
class MonthRows:
    rows: list[dict]
    warnings: list[Message]


def month_rows(root: str | os.PathLike, start: dt.date, end: dt.date) -> MonthRows:
    """rollup_month.sql for one month: one dict per office (rank, counts, percentages), and the
    folders that were skipped."""
    import duckdb

    folder = Path(root)
    if not folder.is_dir():
        raise FollowupError("rollup.no_export_folder", path=os.fspath(folder))
    listing = list_parts(folder)
    for table in TABLES:
        if not listing.parts[table]:
            raise FollowupError("rollup.no_table", table=table, path=os.fspath(folder))
    offices = sorted({p.office for p in listing.parts["offices"]})
    have = {p.office for p in listing.parts["obligations"] if p.value == end}
    missing = [o for o in offices if o not in have]
    if missing:
        raise BadOption("rollup.no_snapshot", missing=missing, end=end, path=os.fspath(folder))
    needed = {  # the partitions the SQL reads: calls of the month's year, the month-end snapshot
        "calls": [p for p in listing.parts["calls"] if p.value == start.year],
        "obligations": [p for p in listing.parts["obligations"] if p.value == end],
        "offices": listing.parts["offices"],
    }
    con = duckdb.connect(":memory:")
    try:
        for table, parts in needed.items():
            load_table(con, table, parts)
        cur = con.execute(sql_text("rollup_month"), {"month_start": start, "month_end": end})
        columns = [d[0] for d in cur.description]
        return MonthRows([dict(zip(columns, row)) for row in cur.fetchall()], listing.warnings)
    except duckdb.Error as exc:
        raise FollowupError(
            "rollup.parquet_unreadable",
            error_type=type(exc).__name__,
            exc=exc,
            path=os.fspath(folder),
        ) from exc
    finally:
        con.close()
