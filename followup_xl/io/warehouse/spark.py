"""`rollup --engine spark`: the same SQL file run by Spark SQL over the same Parquet files.

pyspark is the optional extra ``followup-xl[spark]``; it runs locally (``local[*]``) where Java 17
is installed, or on a cluster given ``--spark-master`` (``spark://host:7077``, ``yarn``…). The
files are the ones `rollup.month_scan` listed and checked, handed to Spark with their Hadoop glob
characters escaped; office and year/as_of come from the ``office=…/year=…`` folders with
the types given here (partition type inference off, so an office named ``2024`` stays text), and
an office whose name Spark decodes (``%41``) is given its own name back.

The SQL is the DuckDB text with its ``$name`` parameters written ``:name`` (Spark's named
parameter markers): both engines accept the rest as it is, so nothing translates it. Spark runs
rollup_month.sql over every office at once (it partitions and spills itself) and rollup_rank.sql
over its rows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from ...errors import FollowupError
from .rollup import PARTITION, TABLES, MonthRows, Scan, _table_schema, month_scan, sql_text

_HADOOP_GLOB = re.compile(r"([\\{}\[\]*?])")


def hadoop_escaped(path: str) -> str:
    """A path Hadoop's globbing reads literally (each of ``\\{}[]*?`` after a backslash)."""
    return _HADOOP_GLOB.sub(r"\\\1", path)


def spark_unescaped(name: str) -> str:
    """A partition folder's value as Spark reads it: each ``%XX`` decoded (export writes names as
    they are, so an office named ``a%41`` reaches Spark as ``aA``)."""
    return re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name)


def spark_sql(text: str) -> str:
    """DuckDB's ``$name`` parameters as Spark's ``:name``."""
    return re.sub(r"\$([a-z_]+)", r":\1", text)


def _spark_type(t: pa.DataType):
    from pyspark.sql import types as T

    if pa.types.is_map(t):
        return T.MapType(_spark_type(t.key_type), _spark_type(t.item_type))
    if pa.types.is_list(t):
        return T.ArrayType(_spark_type(t.value_type))
    simple = {
        pa.string(): T.StringType(),
        pa.date32(): T.DateType(),
        pa.int64(): T.LongType(),
        pa.float64(): T.DoubleType(),
        pa.bool_(): T.BooleanType(),
    }
    return simple.get(t)  # a time of day: not a column the SQL reads, left out


def spark_schema(table: str):
    """The table's columns as Spark types, then its partition columns (office, year/as_of)."""
    from pyspark.sql import types as T

    fields = [
        T.StructField(f.name, st)
        for f in _table_schema(table)
        if (st := _spark_type(f.type)) is not None
    ]
    fields.append(T.StructField("office", T.StringType()))
    key = PARTITION[table]
    if key:
        fields.append(T.StructField(key, T.LongType() if key == "year" else T.DateType()))
    return T.StructType(fields)


def _plain(v):
    """Spark's decimals (a ratio over 10.0) as the floats DuckDB gives."""
    return float(v) if isinstance(v, Decimal) else v


def session(master: str | None):
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise FollowupError("rollup.no_pyspark") from exc
    return (
        SparkSession.builder.master(master or "local[*]")
        .appName("followup-xl rollup")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def spark_rows(scan: Scan, start: dt.date, end: dt.date, *, master: str | None) -> list[dict]:
    """rollup_month.sql run by Spark SQL; rows as DuckDB's (same names, floats not decimals)."""
    spark = session(master)
    try:
        for table in TABLES:
            base = os.fspath(Path(scan.root) / table)
            files = [hadoop_escaped(p.path) for p in scan.parts[table]]
            frame = (
                spark.read.schema(spark_schema(table))
                .option("basePath", base)  # a plain path, not globbed
                .parquet(*files)
                if files
                else spark.createDataFrame([], spark_schema(table))  # no calls that year
            )
            frame.createOrReplaceTempView(table)
        month = spark.sql(
            spark_sql(sql_text("rollup_month")), args={"month_start": start, "month_end": end}
        )
        month.createOrReplaceTempView("office_figures")
        result = spark.sql(sql_text("rollup_rank"))
        named = {spark_unescaped(p.office): p.office for p in scan.parts["offices"]}
        rows = [{k: _plain(v) for k, v in row.asDict().items()} for row in result.collect()]
        for row in rows:  # the office's own name back
            row["office"] = named.get(row["office"], row["office"])
        return sorted(rows, key=lambda r: (r["rank"], r["office"]))
    except Exception as exc:  # Spark's own errors (Py4J, analysis) carry no common base
        if isinstance(exc, FollowupError):
            raise
        raise FollowupError(
            "rollup.spark_failed",
            error_type=type(exc).__name__,
            exc=str(exc).splitlines()[0] if str(exc) else "",
            path=os.fspath(scan.root),
        ) from exc


def month_rows(
    root: str | os.PathLike, start: dt.date, end: dt.date, *, master: str | None = None
) -> MonthRows:
    """`rollup.month_rows` run by Spark: the same files listed and checked, the same SQL."""
    scan = month_scan(root, start, end)
    return MonthRows(spark_rows(scan, start, end, master=master), scan.warnings)
