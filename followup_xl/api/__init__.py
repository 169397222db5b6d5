"""The Python API: ``Office`` and the functions behind every CLI command.

``Office.open(master)`` reads a master (or a staff book) once; its methods compute each report
from that read. The functions take paths — inputs first, then the output — and every other
argument by keyword (``as_of`` too, ``lang`` last); those on one book open an ``Office`` and
make the one call. Results (followup_xl/results.py) carry dates as dates and messages in both
languages; ``rows(lang)`` and ``to_pandas(lang)`` give them as a table. The CLI parses options,
prints, and alone makes JSON of them (cli/jsonout.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import lazy
from ..errors import FollowupError
from ..results import (
    DueItem,
    DueList,
    Export,
    Handover,
    ImportResult,
    MergeResult,
    MonthlyReport,
    RegionMonth,
    Schedule,
    Split,
    SplitBook,
    ValidationReport,
    ValidationRun,
    Verification,
    WeeklySummary,
    YearlyScores,
)
from .office import Office
from .office import load as load

if TYPE_CHECKING:
    from .checking import validate as validate
    from .checking import verify as verify
    from .doctoring import doctor as doctor
    from .exporting import rollup as rollup
    from .handing import handover as handover
    from .merging import merge as merge
    from .starting import init_manager as init_manager
    from .starting import init_workbook as init_workbook

# Functions whose module is imported on first use: `followup-xl validate` need not load the
# merge, the hand-over or the template writer (XlsxWriter) to start.
__getattr__ = lazy.names(
    __name__,
    {
        "validate": ".checking",
        "verify": ".checking",
        "doctor": ".doctoring",
        "rollup": ".exporting",
        "handover": ".handing",
        "merge": ".merging",
        "init_manager": ".starting",
        "init_workbook": ".starting",
    },
)


__all__ = [
    "DueItem",
    "DueList",
    "Export",
    "FollowupError",
    "Handover",
    "ImportResult",
    "MergeResult",
    "MonthlyReport",
    "Office",
    "RegionMonth",
    "Schedule",
    "Split",
    "SplitBook",
    "ValidationReport",
    "ValidationRun",
    "Verification",
    "WeeklySummary",
    "YearlyScores",
    "doctor",
    "due",
    "export",
    "handover",
    "import_tracker",
    "init_manager",
    "init_workbook",
    "merge",
    "report",
    "rollup",
    "schedule",
    "scores",
    "split",
    "validate",
    "verify",
    "weekly",
]


def due(
    path: str,
    out: str | None = None,
    *,
    as_of: dt.date | None = None,
    owner: str | None = None,
    policy_path: str | None = None,
    mask_phones: bool = False,
    lang: str = "zh",
) -> DueList:
    """``Office.due`` on the book at ``path``."""
    office = Office.open(path, policy_path=policy_path)
    return office.due(out, as_of=as_of, owner=owner, mask_phones=mask_phones, lang=lang)


def schedule(
    path: str,
    out: str | None = None,
    *,
    week_of: dt.date | None = None,
    as_of: dt.date | None = None,
    owner: str | None = None,
    policy_path: str | None = None,
    mask_phones: bool = False,
    lang: str = "zh",
) -> Schedule:
    """``Office.schedule`` on the book at ``path``."""
    return Office.open(path, policy_path=policy_path).schedule(
        out, week_of=week_of, as_of=as_of, owner=owner, mask_phones=mask_phones, lang=lang
    )


def weekly(
    path: str,
    out: str | None = None,
    *,
    week_of: dt.date | None = None,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    lang: str = "zh",
) -> WeeklySummary:
    """``Office.weekly`` on the book at ``path``."""
    office = Office.open(path, policy_path=policy_path)
    return office.weekly(out, week_of=week_of, as_of=as_of, lang=lang)


def report(
    path: str,
    out: str | None = None,
    *,
    month: str,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    mask_phones: bool = False,
    lang: str = "zh",
) -> MonthlyReport:
    """``Office.report`` on the book at ``path`` (a bad ``month`` is refused before it is read)."""
    from ..report import month_bounds

    month_bounds(month)
    return Office.open(path, policy_path=policy_path).report(
        out, month=month, as_of=as_of, mask_phones=mask_phones, lang=lang
    )


def scores(
    path: str,
    out: str | None = None,
    *,
    year: int,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    lang: str = "zh",
) -> YearlyScores:
    """``Office.scores`` on the book at ``path``."""
    office = Office.open(path, policy_path=policy_path)
    return office.scores(out, year=year, as_of=as_of, lang=lang)


def split(
    master: str,
    out_dir: str,
    *,
    owner: str | None = None,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    staff_variant: bool = False,
    password: str | None = None,
    protect: bool = False,
    macro: bool = False,
    overwrite: bool = True,
    lang: str = "zh",
) -> Split:
    """``Office.split`` on the master at ``master`` (an empty password refused before it is read)."""
    from .splitting import check_password

    check_password(password)
    return Office._open(master, policy_path, "master").split(
        out_dir,
        owner=owner,
        as_of=as_of,
        staff_variant=staff_variant,
        password=password,
        protect=protect,
        macro=macro,
        overwrite=overwrite,
        lang=lang,
    )


def export(
    masters: Sequence[str],
    out_dir: str,
    *,
    office: str | None = None,
    as_of: dt.date | None = None,
    months: Sequence[str] = (),
    with_phones: bool = False,
    policy_path: str | None = None,
    lang: str = "zh",
) -> Export:
    """Masters → Parquet under ``out_dir`` (io/warehouse/export.py): customers, calls, events,
    staff and the obligations as of ``as_of`` and as of the last day of the month before it (and
    of each of ``months``, for `rollup`). Phones are masked unless ``with_phones``; the
    obligations' reasons are in ``lang``. Every master is read before anything is written."""
    from pathlib import Path

    from ..errors import BadOption
    from .exporting import export_offices, export_plan

    if office is not None and len(masters) > 1:
        raise BadOption("export.office_needs_one_master")
    names = [office if office is not None else Path(p).stem for p in masters]
    plan = export_plan(
        out_dir, names, as_of=as_of, months=months, with_phones=with_phones, lang=lang
    )
    offices = [Office.open(p, policy_path=policy_path) for p in masters]
    return export_offices(plan, offices, keep=False)  # opened for this export: nothing kept


def import_tracker(
    inputs: list[str],
    out: str,
    *,
    owner: str | None = None,
    map_path: str | None = None,
    area_code: str | None = None,
    as_calls: bool = False,
    preview: bool = False,
    into: str | None = None,
    as_of: dt.date | None = None,
    lang: str = "zh",
) -> ImportResult:
    """An office's existing tracker (hand-made layouts included) as a staff workbook at ``out``:
    what was mapped, assumed and skipped (results.ImportResult). ``preview``: write only the
    preview workbook at ``out`` (and its mapping file beside it), import nothing. ``into``: a
    master; the imported book is merged into it (``out`` is then the new master), matched by id
    and phone, its edits held for approval by the master's own rules (``result.merge``).
    ``as_of``: the day a date typed without its year is read against (default: today)."""
    from ..io.read.tracker import import_tracker as _import

    result = _import(
        inputs,
        out,
        owner=owner,
        map_path=map_path,
        lang=lang,
        area_code=area_code,
        as_calls=as_calls,
        preview=preview,
        into=into,
        as_of=as_of,
    )
    if into and not preview:  # the imported books into the master, as any books are merged
        from .merging import merge

        result.merge = merge([into, *result.into_books], out, lang=lang, masters=[into])
    return result
