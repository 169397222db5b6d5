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
import os
from collections.abc import Sequence

from ..errors import FollowupError, NotOurMaster, OutputExists
from ..io.read.workbook import read_book
from ..io.write.template import template_name, write_staff_workbook
from ..messages import message
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
    origin_text,
)
from ..settings import policy_for_book
from .handing import handover as handover
from .merging import _local_phones
from .merging import merge as merge
from .office import Office
from .office import load as load

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
) -> Export:
    """Masters → Parquet under ``out_dir`` (io/warehouse/export.py): customers, calls, events,
    staff and the obligations as of ``as_of`` and as of the last day of the month before it (and
    of each of ``months``, for `rollup`). Phones are masked unless ``with_phones``. Every master
    is read before anything is written."""
    from pathlib import Path

    from ..errors import BadOption
    from .exporting import export_offices, export_plan

    if office is not None and len(masters) > 1:
        raise BadOption("export.office_needs_one_master")
    names = [office if office is not None else Path(p).stem for p in masters]
    plan = export_plan(out_dir, names, as_of=as_of, months=months, with_phones=with_phones)
    return export_offices(plan, [Office.open(p, policy_path=policy_path) for p in masters])


def init_workbook(
    folder: str,
    *,
    owner: str | None = None,
    macro: bool = False,
    force: bool = False,
    lang: str = "zh",
) -> list[str]:
    """A blank staff workbook (and the .xlsm with the button when ``macro``), named after ``owner``.

    An existing file of that name may hold a person's work: it is refused unless ``force``.
    """
    from ..split import file_name

    def name(m):
        return (
            file_name(owner.strip(), lang, m)
            if owner and owner.strip()
            else template_name(lang, macro=m)
        )

    targets = [os.path.join(folder, name(False))] + (
        [os.path.join(folder, name(True))] if macro else []
    )
    for path in targets:
        if os.path.exists(path) and not force:
            raise OutputExists("output.workbook_exists", path=path)
    return [
        write_staff_workbook(path, lang, owner=owner, macro=path.endswith(".xlsm"))
        for path in targets
    ]


def init_manager(
    folder: str, *, master: str | None = None, force: bool = False, lang: str = "zh"
) -> list[str]:
    """The 回访管理台 workbook with its buttons, and the inbox and output folders it names.

    An existing 管理台 holds the manager's settings and run log: refused unless ``force``."""
    from ..io.write.manager import SETTINGS, manager_name, write_manager_workbook

    path = os.path.join(folder, manager_name(lang))
    if os.path.exists(path) and not force:
        raise OutputExists("output.workbook_exists", path=path)
    if master:  # 人员, and every 负责人/回访人 the records name (a new office's 人员 may be empty)
        from ..staffing import people_named

        book = read_book(master)
        staff = list(dict.fromkeys([s.name for s in book.staff if s.name] + people_named(book)))
    else:
        staff = []
    for s in SETTINGS:
        if s.key in ("inbox", "output"):
            os.makedirs(
                os.path.join(folder, s.default_en if lang == "en" else s.default_zh), exist_ok=True
            )
    return [write_manager_workbook(path, lang, staff=staff)]


def verify(path: str, *, lang: str = "zh") -> Verification:
    """Rows of a master whose content no longer matches the 校验码 it was written with and, when
    its stamp verifies, every other difference from what it was written with (mastercheck.py)."""
    from .. import fingerprint, mastercheck
    from ..io.filekind import named, read_kind
    from ..io.master.book import attach_history
    from ..io.master.lineage import read_master_check
    from ..io.package import Package
    from ..io.read.workbook import read_book

    # the archive files are read too (a missing or hostile one is a sentence); they carry no 校验码
    with Package(path) as package:
        book = read_book(path, None, True, False, package)
        own = {key: len(infos) for key, infos in book.sheets.items()}  # the master's own sheets
        origins = dict(book.origins)  # and its provenance cells
        attach_history(book, path, False, package)
    name = os.path.basename(path)
    found, checked = fingerprint.check(book, name)
    if not checked and read_kind(path) != "master":
        kind = read_kind(path)
        raise NotOurMaster("verify.not_our_master", kind=named(kind), path=path)
    expected, why = read_master_check(path)
    if expected is None:
        return Verification(path, checked, found, whole_master=False, warnings=[why])
    whole = mastercheck.compare(book, expected, own, origins, name)
    inserted = {(m.sheet, m.row) for m in whole if m.finding == "row_inserted"}
    found = [m for m in found if (m.sheet, m.row) not in inserted]  # said once: inserted
    return Verification(path, checked, found + whole, whole_master=True)


def validate(
    path: str,
    annotate_to: str | None = None,
    *,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    lang: str = "zh",
) -> ValidationReport:
    """Run every entry check (`followup-xl validate`); ``exit_code`` 1 when any error.

    A file check, not a report: it reads the cells themselves (a master's archive files too), so
    it takes a path rather than an ``Office``. ``annotate_to``: a copy with the findings marked."""
    from ..checks import run_checks
    from ..io.filekind import refuse_output

    refuse_output(path)
    from ..io.master.book import read_master

    # a master's findings name the cells of the master (and of its archive files) themselves
    book = read_master(path, provenance=False)
    policy = policy_for_book(book, policy_path)
    _local_phones(book, policy.local_area_code)
    report = run_checks(book, policy, as_of or dt.date.today(), file=path)
    # a master's finding also names the staff book row it came from, so it can be forwarded
    report.origins = book.origins
    if annotate_to:
        from ..io.formats import sniff
        from ..io.write.annotate import annotate, notes

        fmt = sniff(path)
        if fmt != "xlsx":  # openpyxl writes only .xlsx: the copy is one, and the answer says so
            root, ext = os.path.splitext(annotate_to)
            annotate_to = annotate_to if ext.lower() == ".xlsx" else root + ".xlsx"
            report.annotate_notes.append(
                message(
                    "annotate.values_only_copy",
                    ending=os.path.splitext(path)[1] or fmt,
                    annotate_to=annotate_to,
                )
            )
        origin = {key: origin_text(s, lang) for key, s in book.origins.items()}
        own = [f for f in report.findings if f.file == path]  # not the archive files' findings
        info = annotate(path, annotate_to, own, lang, sources=origin or None)
        report.annotated = annotate_to
        report.annotate_notes += notes(info)
    return report


def rollup(folder: str, out: str | None = None, *, month: str, lang: str = "zh") -> RegionMonth:
    """The region's month (`rollup`): every exported office's headline, the same figures as `report`,
    computed by the package's SQL with DuckDB; ranked; written with a chart when ``out``."""
    from ..io.warehouse.rollup import month_rows
    from ..privacy import mask_deep
    from ..report import month_bounds

    start, end = month_bounds(month)
    offices = []
    found = month_rows(folder, start, end)
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
    lang: str = "zh",
) -> ImportResult:
    """An office's existing tracker (hand-made layouts included) as a staff workbook at ``out``:
    what was mapped, assumed and skipped (results.ImportResult). ``preview``: write only the
    preview workbook at ``out`` (and its mapping file beside it), import nothing. ``into``: a
    master; the imported book is merged into it (``out`` is then the new master), matched by id
    and phone, its edits held for approval by the master's own rules (``result.merge``)."""
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
    )
    if into and not preview:  # the imported books into the master, as any books are merged
        result.merge = merge([into, *result.into_books], out, lang=lang, masters=[into])
    return result
