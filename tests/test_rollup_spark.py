"""`rollup --engine spark`: Spark SQL runs the same SQL file over the same Parquet and gives DuckDB's
rows, every column, on the three-office fixture of test_rollup.py (skipped only where Java is missing).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from test_rollup import MONTHS, OFFICES, region  # noqa: F401  (the module's fixture)

from followup_xl import api
from followup_xl.io.warehouse import spark as on_spark
from followup_xl.io.warehouse.rollup import month_rows
from followup_xl.io.warehouse.spark import hadoop_escaped, spark_sql
from followup_xl.report import month_bounds

pytest.importorskip("pyspark", reason="the test extra installs pyspark")
pytestmark = [
    pytest.mark.skipif(
        shutil.which("java") is None, reason="Spark needs Java 17 (.ci/run installs it)"
    ),
    pytest.mark.slow,  # a JVM and Spark jobs: minutes on two cores (make test runs it, CI too)
]


@pytest.mark.parametrize("month", MONTHS)
def test_spark_rows_equal_duckdb_rows(region, month):  # noqa: F811
    folder, _ = region
    start, end = month_bounds(month)
    duck = month_rows(folder, start, end).rows
    spark = on_spark.month_rows(folder, start, end).rows
    assert sorted(r["office"] for r in spark) == sorted(OFFICES)
    assert spark == duck  # every figure, rank and flag, in the same order
    assert all(r["planned"] > 0 and r["calls"] > 0 for r in spark)


def test_api_rollup_on_spark_is_the_same_region_month(region, tmp_path):  # noqa: F811
    folder, _ = region
    out = tmp_path / "区域汇总.xlsx"
    by_spark = api.rollup(str(folder), str(out), month="2026-10", engine="spark")
    on_duck = api.rollup(str(folder), month="2026-10")
    assert by_spark.offices == on_duck.offices and out.stat().st_size > 0


def test_a_folder_named_like_a_glob_is_read_literally_by_spark(region, tmp_path):  # noqa: F811
    folder, _ = region
    literal, sibling = tmp_path / "区域[x]{a,b}*", tmp_path / "区域xa"  # the glob would match
    shutil.copytree(folder, literal)
    shutil.copytree(folder, sibling)
    shutil.rmtree(sibling / "offices" / f"office={next(iter(OFFICES))}")
    start, end = month_bounds("2026-10")
    rows = on_spark.month_rows(literal, start, end).rows
    assert sorted(r["office"] for r in rows) == sorted(OFFICES)


def test_an_office_name_spark_would_decode_keeps_its_name(region, tmp_path):  # noqa: F811
    """Spark decodes %XX in partition folder names; export writes names as they are."""
    folder, _ = region
    copy = tmp_path / "区域"
    shutil.copytree(folder, copy)
    for table in copy.iterdir():
        old = table / f"office={next(iter(OFFICES))}"
        if old.is_dir():
            old.rename(table / "office=深圳%41")
    start, end = month_bounds("2026-10")
    spark = on_spark.month_rows(copy, start, end).rows
    assert "深圳%41" in {r["office"] for r in spark}
    assert spark == month_rows(copy, start, end).rows


def test_spark_text_is_the_duckdb_text_with_colon_parameters():
    text = spark_sql("WHERE as_of = $month_end AND d >= $month_start")
    assert text == "WHERE as_of = :month_end AND d >= :month_start"
    assert hadoop_escaped("/a/区域[x]{a,b}*?") == "/a/区域\\[x\\]\\{a,b\\}\\*\\?"
    assert dt.date(2026, 10, 31) == month_bounds("2026-10")[1]


def test_a_year_without_calls_reads_as_no_calls_on_both(region, tmp_path):  # noqa: F811
    folder, _ = region
    copy = tmp_path / "区域"
    shutil.copytree(folder, copy)
    for year in (copy / "calls").glob("office=*/year=2026"):
        shutil.rmtree(year)
    start, end = month_bounds("2026-10")
    spark = on_spark.month_rows(copy, start, end).rows
    assert spark == month_rows(copy, start, end).rows
    assert all(r["calls"] == 0 and r["planned"] > 0 for r in spark)
