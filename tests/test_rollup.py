"""`rollup`: three generated offices exported to Parquet; DuckDB's figures equal `report --json` for each."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from office_master import write_master

from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.filekind import read_kind
from followup_xl.io.warehouse.rollup import sql_text
from followup_xl.report import avg, pct

AS_OF = dt.date(2026, 11, 22)
MONTHS = ("2026-08", "2026-09", "2026-10")
OFFICES = {
    "深圳分公司": (11, None),
    "广州分公司": (22, ["周四", "吴五"]),  # 深圳: the example staff, planted mistakes
    "杭州分公司": (33, ["郑六", "冯七", "陈八", "褚九"]),
}
HEADLINE = (
    "planned",
    "done",
    "done_pct",
    "successful",
    "successful_pct",
    "calls",
    "successful_calls",
    "satisfaction_avg",
    "overdue_at_month_end",
    "coverage",
)


def _cli(*args) -> dict:
    r = CliRunner().invoke(main, [*map(str, args), "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """Three offices of different sizes and seeds, each merged into its master and exported."""
    root = tmp_path_factory.mktemp("region")
    masters = {}
    for name, (seed, owners) in OFFICES.items():
        office = example_office.generate(
            seed=seed, customers_per_owner=25, owners=owners, plant_mistakes=owners is None
        )
        example_office.write_office(office, str(root / name))
        masters[name] = write_master(root / name, root / f"{name}_总表.xlsx")
        months = [a for m in MONTHS for a in ("--month", m)]
        _cli(
            "export",
            masters[name],
            "-o",
            root / "parquet",
            "--office",
            name,
            "--as-of",
            AS_OF,
            *months,
        )
    return root / "parquet", masters


@pytest.mark.parametrize("month", MONTHS)
def test_rollup_equals_report_for_each_office(region, month):
    folder, masters = region
    rolled = _cli("rollup", folder, "--month", month)
    assert [o["office"] for o in sorted(rolled["offices"], key=lambda o: o["office"])] == sorted(
        OFFICES
    )
    for o in rolled["offices"]:
        report = _cli("report", masters[o["office"]], "--month", month)
        assert {k: o[k] for k in HEADLINE} == {k: report[k] for k in HEADLINE}, o["office"]
        assert report["planned"] > 0 and report["calls"] > 0


def test_ranking_and_workbook(region, tmp_path):
    folder, _ = region
    out = tmp_path / "区域汇总.xlsx"
    r = _cli("rollup", folder, "--month", "2026-10", "-o", out)
    ranked = sorted(r["offices"], key=lambda o: o["rank"])
    keys = [
        (-(o["successful_pct"] or -1), -(o["done_pct"] or -1), -(o["satisfaction_avg"] or -1))
        for o in ranked
    ]
    assert keys == sorted(keys)
    assert read_kind(out) == "rollup"
    ws = openpyxl.load_workbook(out)["区域汇总"]
    assert len(ws._charts) == 1  # type: ignore[attr-defined]
    rows = {
        ws.cell(r_, 2).value: r_
        for r_ in range(1, ws.max_row + 1)
        if ws.cell(r_, 2).value in OFFICES
    }
    for o in r["offices"]:
        row = rows[o["office"]]
        assert ws.cell(row, 1).value == o["rank"] and ws.cell(row, 3).value == o["planned"]
        assert ws.cell(row, 5).value == pytest.approx(
            o["done_pct"] / 100
        )  # a real % cell, not text


@pytest.mark.libreoffice
def test_rollup_workbook_renders_in_libreoffice(region, tmp_path):
    folder, _ = region
    out = tmp_path / "区域汇总.xlsx"
    _cli("rollup", folder, "--month", "2026-10", "-o", out)
    flat = "".join(lo.pdf_text(out, tmp_path / "pdf").split())
    for text in (
        "区域回访月度对比2026-10",
        "深圳分公司",
        "广州分公司",
        "杭州分公司",
        "各单位实施率/成功率",
    ):
        assert text in flat, text


def test_month_without_a_snapshot_is_refused_with_the_fix(region):
    folder, _ = region
    r = CliRunner().invoke(main, ["rollup", str(folder), "--month", "2026-06"])
    assert r.exit_code == 3 and "--month 2026-06" in r.output and "Traceback" not in r.output


def test_folder_without_export_is_unreadable(tmp_path):
    r = CliRunner().invoke(main, ["rollup", str(tmp_path), "--month", "2026-10"])
    assert r.exit_code == 2 and "export" in r.output


_DUCK = duckdb.connect()


def _sql_round(n: int, d: int, m: int, div: int) -> float | None:
    """The half-to-even expression rollup_month.sql uses, run by DuckDB on one ratio."""
    text = sql_text("rollup_month")
    assert (
        "CAST(floor(CAST(1000 * done AS DOUBLE) / nullif(planned, 0)) AS BIGINT) AS done_q" in text
    )
    q = f"CAST(floor(CAST({m} * n AS DOUBLE) / nullif(d, 0)) AS BIGINT)"
    expr = (
        f"CASE WHEN d = 0 THEN NULL ELSE ({q} + CASE WHEN 2 * ({m} * n - {q} * d) > d "
        f"OR (2 * ({m} * n - {q} * d) = d AND {q} % 2 = 1) THEN 1 ELSE 0 END) / {div}.0 END"
    )
    return _DUCK.execute(
        f"SELECT {expr} FROM (SELECT {n}::BIGINT AS n, {d}::BIGINT AS d)"
    ).fetchone()[0]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000))
def test_sql_rounding_is_reports_rounding(a, b):
    a = min(a, b)
    assert _sql_round(a, b, 1000, 10) == pct(a, b)  # percentages: 1000·a/b tenths of a per cent
    if b:
        xs = [1 + (i * 7 + a) % 5 for i in range(b % 60 + 1)]
        assert _sql_round(sum(xs), len(xs), 100, 100) == avg(xs)  # averages: hundredths


def test_ties_round_half_to_even_on_the_exact_ratio():
    assert pct(1, 16) == 6.2 and pct(3, 16) == 18.8 and pct(1, 2000) == 0.0 and pct(3, 2000) == 0.2
    assert avg([1, 2, 2, 2, 2, 2, 2, 2]) == 1.88 and avg([1, 1, 1, 2, 2, 2, 2, 2]) == 1.62


def test_spark_master_needs_the_spark_engine(region):
    folder, _ = region
    args = ["rollup", str(folder), "--month", "2026-10", "--spark-master", "spark://h:7077"]
    r = CliRunner().invoke(main, [*args, "--lang", "en"])
    assert r.exit_code == 3 and "--engine spark" in r.output


def test_a_column_no_file_has_is_read_as_null(region, tmp_path):
    """An export from before a column existed: the views cast it to NULL instead of failing."""
    import shutil

    import pyarrow.parquet as pq

    folder, _ = region
    copy = tmp_path / "older"
    shutil.copytree(folder, copy)
    for f in (copy / "calls").rglob("*.parquet"):
        pq.write_table(pq.read_table(f).drop_columns(["unreadable"]), f)
    old = {o["office"]: o for o in _cli("rollup", copy, "--month", "2026-10")["offices"]}
    now = {o["office"]: o for o in _cli("rollup", folder, "--month", "2026-10")["offices"]}
    assert old.keys() == now.keys()
    for (
        name,
        o,
    ) in now.items():  # an unreadable result no longer stops a call counting as successful
        assert old[name]["calls"] == o["calls"]
        assert old[name]["successful_calls"] >= o["successful_calls"]


def test_offices_a_batch_at_a_time_rank_as_one_region(region):
    """DuckDB runs rollup_month.sql over a batch of offices at a time (its memory bounded by the
    batch): one office per batch gives the rows, the ranks and the order of one pass over all."""
    from followup_xl.io.warehouse.rollup import batches, duckdb_rows, month_scan
    from followup_xl.report import month_bounds

    folder, _ = region
    start, end = month_bounds("2026-10")
    scan = month_scan(folder, start, end)
    assert batches(scan, 1) == [[o] for o in sorted(OFFICES)]
    assert batches(scan) == [sorted(OFFICES)]
    one_by_one = duckdb_rows(scan, start, end, batch_bytes=1)
    assert one_by_one == duckdb_rows(scan, start, end)
    assert [r["rank"] for r in one_by_one] == sorted(r["rank"] for r in one_by_one)


def test_an_unknown_engine_is_refused(region):
    from followup_xl import api
    from followup_xl.errors import BadOption

    with pytest.raises(BadOption) as e:
        api.rollup(str(region[0]), month="2026-10", engine="polars")
    assert "polars" in e.value.message("en")


def test_an_office_without_calls_that_year_counts_none(region, tmp_path):
    """A batch whose offices have no calls file for the month's year reads as no calls."""
    import shutil

    from followup_xl.io.warehouse.rollup import duckdb_rows, month_scan
    from followup_xl.report import month_bounds

    folder, _ = region
    copy = tmp_path / "区域"
    shutil.copytree(folder, copy)
    quiet = sorted(OFFICES)[0]
    shutil.rmtree(copy / "calls" / f"office={quiet}" / "year=2026")
    start, end = month_bounds("2026-10")
    rows = {r["office"]: r for r in duckdb_rows(month_scan(copy, start, end), start, end, 1)}
    whole = {r["office"]: r for r in duckdb_rows(month_scan(folder, start, end), start, end, 1)}
    assert rows[quiet]["calls"] == 0 and rows[quiet]["planned"] == whole[quiet]["planned"]
    others = [o for o in OFFICES if o != quiet]
    assert all(rows[o]["calls"] == whole[o]["calls"] for o in others)
