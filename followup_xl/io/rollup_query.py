"""`rollup`: run the package's SQL (data/sql/) with DuckDB over the Parquet that `export` wrote.

DuckDB is embedded: nothing to install or start. The SQL files are plain, portable SQL over
three tables (calls, obligations, offices); this module only names where those tables are.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from pathlib import Path

from ..errors import BadOption, FollowupError

TABLES = {  # table → (glob under DIR, hive partition types)
    "calls": ("calls/*/*/*.parquet", {"office": "VARCHAR", "year": "BIGINT"}),
    "obligations": ("obligations/*/*/*.parquet", {"office": "VARCHAR", "as_of": "DATE"}),
    "offices": ("offices/*/*.parquet", {"office": "VARCHAR"}),
}


def sql_text(name: str) -> str:
    """A query shipped with the package (followup_xl/data/sql/<name>.sql)."""
    return (
        resources.files("followup_xl")
        .joinpath("data", "sql", f"{name}.sql")
        .read_text(encoding="utf-8")
    )


def connect(root: str | os.PathLike):
    """An in-memory DuckDB with one view per exported table."""
    import duckdb

    root = Path(root)
    if not root.is_dir():
        raise FollowupError("rollup.no_export_folder", path=os.fspath(root))
    con = duckdb.connect(":memory:")
    for table, (pattern, types) in TABLES.items():
        if not any(root.glob(pattern)):
            raise FollowupError("rollup.no_table", table=table, path=os.fspath(root))
        hive = "{" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "}"
        glob = (root / pattern).as_posix().replace("'", "''")
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true, "
            f"hive_types = {hive}, union_by_name = true)"
        )
    return con


def month_rows(root: str | os.PathLike, start: dt.date, end: dt.date) -> list[dict]:
    """rollup_month.sql for one month: one dict per office (rank, counts, percentages)."""
    import duckdb

    con = connect(root)
    try:
        offices = [
            r[0]
            for r in con.execute("SELECT DISTINCT office FROM offices ORDER BY office").fetchall()
        ]
        have = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT office FROM obligations WHERE as_of = $d", {"d": end}
            ).fetchall()
        }
        missing = [o for o in offices if o not in have]
        if missing:
            raise BadOption("rollup.no_snapshot", missing=missing, end=end, path=os.fspath(root))
        cur = con.execute(sql_text("rollup_month"), {"month_start": start, "month_end": end})
        columns = [d[0] for d in cur.description]
        return [dict(zip(columns, row)) for row in cur.fetchall()]
    except duckdb.Error as exc:
        raise FollowupError(
            "rollup.parquet_unreadable",
            error_type=type(exc).__name__,
            exc=exc,
            path=os.fspath(root),
        ) from exc
    finally:
        con.close()
