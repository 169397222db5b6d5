"""`rollup`: run the package's SQL (data/sql/) over the Parquet that `export` wrote, with
DuckDB (embedded: nothing to install or start) or Spark (`spark.py`, for a cluster).

The SQL files are plain SQL both engines accept, over three tables (calls, obligations,
offices); this module says what those tables hold and which files make them.

The folder is read literally: its files are listed here, partition by partition
(``office=…/year=…``, ``office=…/as_of=…``, ``office=…``), and each path is handed to the
engine with its glob characters escaped, so a region folder named ``[x]`` or ``g*`` reads
its own offices and no other folder's. Every file's footer is read first (its schema, not its
rows): a file that is not Parquet, or not the table its folder says, is an error naming it
(exit 2); a folder that is not a partition `export` could have written (an office name export
refuses, ``office==1+2``, ``year=abc``) is skipped with a warning naming it. Only the
partitions the month needs are read (calls of its year, the snapshot of its last day).

DuckDB streams: the tables are views over ``read_parquet`` (only the columns the SQL uses,
row groups outside the month skipped by their statistics), joined to the listing for each
file's office and partition value, so no table is copied into memory; aggregates are per
office. Its ``memory_limit`` is set from the machine and a private ``temp_directory`` lets
a join larger than that spill to disk instead of failing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
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


def check_file(table: str, part: Part) -> set[str]:
    """The columns of one file, from its footer; an error naming it when it is not Parquet or not
    a table export writes."""
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(part.path).names)
        if not {"customer_id", "master"} & names:
            raise ValueError("not a table written by export")
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise UnreadableParquet(
            "rollup.file_unreadable",
            table=table,
            error_type=type(exc).__name__,
            exc=exc,
            path=part.path,
        ) from exc
    return names


@dataclass
class Scan:
    """What a month's roll-up reads: per table, its files and the columns found in any of them."""

    root: Path
    parts: dict[str, list[Part]]
    columns: dict[str, set[str]]
    warnings: list[Message]


def month_scan(root: str | os.PathLike, start: dt.date, end: dt.date) -> Scan:
    """The partitions ``rollup_month.sql`` needs for the month (calls of its year, the snapshot
    of its last day, every office's targets), each file's footer checked."""
    folder = Path(os.path.abspath(root))
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
    needed = {
        "calls": [p for p in listing.parts["calls"] if p.value == start.year],
        "obligations": [p for p in listing.parts["obligations"] if p.value == end],
        "offices": listing.parts["offices"],
    }
    columns = {
        table: set().union(*(check_file(table, p) for p in parts))
        for table, parts in needed.items()
    }
    return Scan(folder, needed, columns, listing.warnings)


def glob_escaped(path: str) -> str:
    """A path DuckDB's file globbing reads literally: ``*``, ``?`` and ``[`` as one-character
    classes (``[*]``, ``[?]``, ``[[]``)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_map(t):
        return f"MAP({_duck_type(t.key_type)}, {_duck_type(t.item_type)})"
    if pa.types.is_list(t):
        return f"{_duck_type(t.value_type)}[]"
    return {
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.int64(): "BIGINT",
        pa.float64(): "DOUBLE",
        pa.bool_(): "BOOLEAN",
        pa.time32("s"): "TIME",
    }[t]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_view(con, table: str, parts: list[Part], present: set[str]) -> None:
    """View ``table``: its files read where they lie (``read_parquet``, glob characters escaped),
    each column cast to the table's type (null where no file has it), with office (and year/as_of)
    taken from the listing by file name, never parsed from a path or spliced into SQL."""
    from .parquet import PARTITION_TYPES

    key = PARTITION[table]
    listing = pa.table(
        {
            "filename": [p.path for p in parts],
            "office": [p.office for p in parts],
            **({key: pa.array([p.value for p in parts], PARTITION_TYPES[key])} if key else {}),
        }
    )
    con.register(f"_files_{table}", listing)  # replaces the previous batch's
    present = present if parts else set()
    cols = ", ".join(
        f"CAST({'f.' + f.name if f.name in present else 'NULL'} AS {_duck_type(f.type)}) AS {f.name}"
        for f in _table_schema(table)
    )
    files = ", ".join(_literal(glob_escaped(p.path)) for p in parts)
    source = (  # no file (no office of the batch has calls that year): no rows, the same columns
        f"read_parquet([{files}], filename = true, union_by_name = true)"
        if parts
        else "(SELECT CAST(NULL AS VARCHAR) AS filename WHERE false)"
    )
    con.execute(
        f"CREATE OR REPLACE VIEW {table} AS SELECT {cols}, l.office{', l.' + key if key else ''} "
        f"FROM {source} f JOIN _files_{table} l ON l.filename = f.filename"
    )


def memory_limit() -> int | None:
    """Half the machine's memory in bytes (DuckDB spills past it), or None where it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, ValueError, OSError):
        return None


@dataclass
class MonthRows:
    rows: list[dict]
    warnings: list[Message]


BATCH_BYTES = 32 * 2**20  # Parquet (compressed) per DuckDB pass: ~6x that in memory, measured


def batches(scan: Scan, limit: int = BATCH_BYTES) -> list[list[str]]:
    """The offices in groups whose files add up to at most ``limit`` bytes (an office larger than
    that is a group of its own): each group is one pass of rollup_month.sql."""
    size: dict[str, int] = {}
    for parts in scan.parts.values():
        for p in parts:
            size[p.office] = size.get(p.office, 0) + os.stat(p.path).st_size
    out: list[list[str]] = [[]]
    total = 0
    for office in sorted(size):
        if out[-1] and total + size[office] > limit:
            out.append([])
            total = 0
        out[-1].append(office)
        total += size[office]
    return out


def duckdb_rows(
    scan: Scan, start: dt.date, end: dt.date, batch_bytes: int = BATCH_BYTES
) -> list[dict]:
    """rollup_month.sql run by DuckDB over the scan's files, streamed, a batch of offices at a time;
    rollup_rank.sql over all their rows."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="followup-xl-rollup-")
    con = duckdb.connect(":memory:")
    try:
        limit = memory_limit()
        if limit:
            con.execute(f"SET memory_limit = '{limit // 2**20}MB'")
        con.execute(f"SET temp_directory = {_literal(spill)}")
        con.execute("SET preserve_insertion_order = false")
        pieces = []
        for group in batches(scan, batch_bytes):
            chosen = set(group)
            for table, parts in scan.parts.items():
                mine = [p for p in parts if p.office in chosen]
                duckdb_view(con, table, mine, scan.columns[table])
            month = con.sql(
                sql_text("rollup_month"), params={"month_start": start, "month_end": end}
            )
            pieces.append(month.to_arrow_table())
        con.register("office_figures", pa.concat_tables(pieces))
        cur = con.execute(sql_text("rollup_rank"))
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    except duckdb.Error as exc:
        raise FollowupError(
            "rollup.parquet_unreadable",
            error_type=type(exc).__name__,
            exc=exc,
            path=os.fspath(scan.root),
        ) from exc
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def month_rows(root: str | os.PathLike, start: dt.date, end: dt.date) -> MonthRows:
    """rollup_month.sql and rollup_rank.sql for one month, by DuckDB: one dict per office (rank,
    counts, percentages), and the folders that were skipped (Spark: ``spark.month_rows``)."""
    scan = month_scan(root, start, end)
    return MonthRows(duckdb_rows(scan, start, end), scan.warnings)
