"""`export`: masters → Parquet for a warehouse (io/warehouse/export.py), checked before any is read."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadOption, OutputRefused
from ..results import Export, RegionMonth

if TYPE_CHECKING:
    from .office import Office


@dataclass
class ExportPlan:
    """Where and what: the folder, each office's name, the days whose obligations are kept."""

    out_dir: str
    names: list[str]
    as_of: dt.date
    days: set[dt.date]
    with_phones: bool
    lang: str = "zh"  # the language of the obligations' reasons

    @property
    def root(self) -> Path:
        return Path(self.out_dir)


def export_plan(
    out_dir: str,
    names: Sequence[str],
    *,
    as_of: dt.date | None,
    months: Sequence[str],
    with_phones: bool,
    lang: str = "zh",
) -> ExportPlan:
    """Refuses a bad month, a file where the folder should be, or an office name that cannot
    travel (a phone in it) before anything is read."""
    from ..io.warehouse.export import check_office
    from ..privacy import find_phones, mask_text
    from ..report import month_bounds, shift_month

    as_of = as_of or dt.date.today()
    days = {as_of, month_bounds(shift_month(f"{as_of:%Y-%m}", -1))[1]}
    days |= {month_bounds(m)[1] for m in months}
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise OutputRefused("output.not_a_folder", path=out_dir)
    checked = [check_office(n) for n in names]
    for name in checked:  # a folder name travels with the data: it must not carry a phone either
        if not with_phones and find_phones(name):
            raise BadOption("export.office_has_phone", name=mask_text(name))
    return ExportPlan(out_dir, checked, as_of, days, with_phones, lang)


def export_offices(plan: ExportPlan, offices: Sequence[Office], *, keep: bool = True) -> Export:
    """Customers, calls, events, staff and the obligations as of each of ``plan.days``, one
    folder per office; phones masked unless ``plan.with_phones``.

    Each day's obligations are computed when its snapshot is written, one day after another.
    ``keep=False`` (offices opened for this export alone, as ``api.export`` opens them): a day's
    obligations are let go once written instead of kept on the Office for a later call, so one
    day is held at a time, not all of them beside the records."""
    from ..calendar import WorkCalendar
    from ..io.read.batch import sha256
    from ..io.warehouse.export import export_book
    from ..privacy import mask_deep

    plan.root.mkdir(parents=True, exist_ok=True)
    done = []
    for office, name in zip(offices, plan.names):
        policy = office.policy
        cal = WorkCalendar.from_policy(policy)
        warnings: list = []

        def snapshots(office=office, cal=cal, warnings=warnings):
            for day in sorted(plan.days):
                result = office._obligations(as_of=day, cal=cal, keep=keep)
                warnings += result.warnings
                yield result.as_of, result.obligations
                del result  # not held while the next day is computed

        row = {
            "master": os.path.basename(office.path),
            "master_sha256": sha256(office.path),
            "exported_as_of": plan.as_of,
            "complaint_coverage_pct": policy.complaint_coverage_pct,
            "repair_coverage_pct": policy.repair_coverage_pct,
            "activity_coverage_pct": policy.activity_coverage_pct,
        }
        tables = export_book(
            office.book, plan.root, name, snapshots(), plan.with_phones, row, plan.lang
        )
        done.append(
            {
                "office": name,
                "master": office.path,
                "tables": tables,
                # the calendar's, each once (a snapshot kept from an earlier call brings its own)
                "warnings": list(dict.fromkeys(warnings)),
            }
        )
    if not plan.with_phones:  # --json too: a master's or staff book's file name may hold a phone
        done = mask_deep(done)
    return Export(plan.out_dir, plan.as_of, not plan.with_phones, sorted(plan.days), done)


def rollup(
    folder: str,
    out: str | None = None,
    *,
    month: str,
    engine: str = "duckdb",
    spark_master: str | None = None,
    lang: str = "zh",
) -> RegionMonth:
    """The region's month (`rollup`): every exported office's headline, the same figures as `report`,
    computed by the package's SQL with DuckDB (streamed, on this machine) or, ``engine="spark"``,
    with Spark SQL (``local[*]``, or the cluster ``spark_master``); ranked; written with a chart
    when ``out``."""
    from ..io.warehouse import rollup as on_duckdb
    from ..privacy import mask_deep
    from ..report import month_bounds

    start, end = month_bounds(month)
    offices = []
    if engine not in ("duckdb", "spark"):
        raise BadOption("rollup.bad_engine", engine=engine)
    if engine == "spark":
        from ..io.warehouse import spark as on_spark

        found = on_spark.month_rows(folder, start, end, master=spark_master)
    else:
        found = on_duckdb.month_rows(folder, start, end)
    for row in found.rows:
        coverage = [
            {
                "rule": rule,
                "event_type": etype,
                "events": row[n],
                "followed_up": row[f"{n}_followed"],
                "target_pct": row[f"{k}_coverage_target_pct"],
                "actual_pct": row[f"{k}_coverage_actual_pct"],
                "met": row[f"{k}_coverage_met"],
            }
            for rule, etype, n, k in (
                ("P2", "投诉", "complaints", "complaint"),
                ("P3", "维修", "repairs", "repair"),
                ("P4", "活动", "activities", "activity"),
            )
        ]
        offices.append(
            {
                "rank": row["rank"],
                "office": row["office"],
                **{
                    k: row[k]
                    for k in (
                        "planned",
                        "done",
                        "done_pct",
                        "successful",
                        "successful_pct",
                        "calls",
                        "successful_calls",
                        "satisfaction_avg",
                        "overdue_at_month_end",
                    )
                },
                "coverage": coverage,
            }
        )
    # what leaves the region is masked like every other output (office names come from folders)
    region = mask_deep(
        RegionMonth(month, start, end, folder, offices, warnings=list(found.warnings))
    )
    if out:
        from ..io.write.rollup import write_rollup

        write_rollup(out, region, lang=lang)
        region.output = out
    return region
