"""The Python API behind every CLI command: call these from your own code.

Each function takes paths or plain data and returns an object (followup_xl/results.py,
or the core's own): dates as dates, messages in both languages. The CLI parses options,
prints, and alone makes JSON of them (cli/jsonout.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..dating import date_book
from ..errors import (
    BadOption,
    NotOurMaster,
    OutputExists,
    OutputRefused,
    UnknownOwner,
)
from ..io.read.workbook import read_book
from ..io.write.template import template_name, write_staff_workbook
from ..messages import Message, message
from ..results import (
    DueItem,
    DueList,
    Export,
    ImportResult,
    MonthlyReport,
    RegionMonth,
    Schedule,
    Split,
    SplitBook,
    ValidationReport,
    Verification,
    WeeklySummary,
    YearlyScores,
    origin_text,
)
from ..settings import policy_for_book
from .handing import handover as handover
from .merging import _local_phones
from .merging import merge as merge


def init_workbook(
    folder: str,
    lang: str = "zh",
    owner: str | None = None,
    macro: bool = False,
    force: bool = False,
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
    folder: str, lang: str = "zh", master: str | None = None, force: bool = False
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


def load(path: str, policy_path: str | None = None, wants: str = "book"):
    """A workbook or master and the policy in force for it (never one of our own reports)."""
    from ..io.filekind import refuse_output
    from ..io.master.cache import cached_read
    from ..settings import policy_for_book as _policy

    refuse_output(path, wants)
    book = cached_read(path)  # a master's parsed records come from its Parquet cache when valid
    return book, _policy(book, policy_path)


def unread_history(path: str, book) -> list[Message]:
    """The warning for a file whose 历史档案 was not followed (not a stamped master), if any."""
    from ..io.master.history import not_followed

    if book.archives:  # its archive files were read with it: nothing to open again
        return []
    said = not_followed(path, book.ignored_sheets)
    return [said] if said else []


def due(
    path: str,
    as_of,
    owner: str | None = None,
    out: str | None = None,
    lang: str = "zh",
    policy_path: str | None = None,
    mask_phones: bool = False,
) -> DueList:
    """Open obligations as of ``as_of``: escalations first, then overdue, due today, upcoming;
    last the missed ones (逾期未办: past their window, no longer on the call list)."""
    from ..io.write.due import write_due
    from ..policy import compute_obligations
    from ..privacy import mask_deep

    book, policy = load(path, policy_path)
    dating = date_book(book, as_of)
    result = compute_obligations(book, policy, as_of)
    phones = {c.customer_id: c.phone for c in book.customers}
    contacts = {c.customer_id: c.contact or c.name for c in book.customers}
    items = [
        DueItem(
            customer_id=o.customer_id,
            customer_name=o.customer_name,
            owner=o.owner,
            rule=o.rule,
            due_date=o.due_date,
            status=o.status(as_of),
            escalate=o.escalate(as_of),
            days_overdue=o.days_overdue(as_of),
            lapse_date=o.lapse_date,
            reason=o.reason,
            source=o.source,
            maybe_done_on=o.maybe_done_on,
            maybe_done_by=o.maybe_done_by,
            contact=contacts.get(o.customer_id),
            phone=phones.get(o.customer_id),
        )
        for o in result.open() + result.missed()
        if not owner or o.owner == owner
    ]
    items.sort(key=DueItem.sort_key)
    warnings = dating.warnings() + result.warnings + unread_history(path, book)
    if mask_phones:  # every text that leaves: reasons quote 客户反映问题, names may hold a phone
        items, warnings = mask_deep(items), mask_deep(warnings)
    found = DueList(as_of, items, warnings, excluded=dating.excluded)
    if out:
        write_due(out, found, lang, inputs=[path])
        found.output = out
    return found


def split(
    master: str,
    out_dir: str,
    owner: str | None = None,
    lang: str = "zh",
    as_of=None,
    policy_path: str | None = None,
    staff_variant: bool = False,
    password: str | None = None,
    protect: bool = False,
    macro: bool = False,
    overwrite: bool = True,
) -> Split:
    """The master as one staff workbook per person (B3), each with its open follow-ups.

    ``macro`` writes .xlsm books with the 校验 button; without ``overwrite`` books
    already in ``out_dir`` are refused (exit 3), never replaced silently.

    ``staff_variant``: books of people who are not managers get class-A customers'
    phones and contacts masked, when the policy says so (mask_class_a_for_staff).
    """
    import datetime as _dt

    from ..filenames import safe_stem
    from ..io.atomic import check_output
    from ..io.write.split import write_split_book
    from ..lineage import base_rows
    from ..policy import compute_obligations
    from ..privacy import hides_class_a, mask_deep, staff_view
    from ..split import UNASSIGNED, file_names, open_by_owner, owner_of_customers, split_book

    if password is not None and not password:
        raise BadOption("option.empty_password")
    book, policy = load(master, policy_path, wants="master")
    as_of = as_of or _dt.date.today()
    parts = split_book(book, lang)
    names, renamed = file_names(parts, lang, macro)  # over everyone, so --owner gets the same name
    if owner is not None:
        if owner.strip() not in parts:
            raise UnknownOwner("owner.no_customers", owner=owner, owners=parts)
        parts = {owner.strip(): parts[owner.strip()]}
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir, exist_ok=True)
    unassigned = UNASSIGNED[lang]
    items = open_by_owner(
        compute_obligations(book, policy, as_of).open(),
        owner_of_customers(book, unassigned),
        unassigned,
    )
    roles = {(s.name or "").strip(): s.role for s in book.staff}
    stamp_for = _SplitStamps(master, as_of)
    there = [names[who] for who in parts if os.path.exists(os.path.join(out_dir, names[who]))]
    if there and not overwrite:
        raise OutputExists("output.books_exist", names=there, path=out_dir)
    for who in parts:  # every book's name up front: none is refused after others are written
        check_output(os.path.join(out_dir, names[who]), [master])
    written = []
    for who, part in parts.items():
        masked = staff_variant and hides_class_a(policy, roles.get(who))
        path = os.path.join(out_dir, names[who])
        mine = items.get(who, [])
        sent = staff_view(part) if masked else part
        rows = base_rows(sent)
        write_split_book(
            path,
            sent,
            who,
            mask_deep(mine) if masked else mine,
            as_of,
            lang,
            protect=protect,
            password=password,
            macro=macro,
            inputs=[master],
            stamp=stamp_for(who, rows),
            base_rows=rows,
        )
        written.append(
            SplitBook(
                owner=who,
                path=path,
                customers=len(part.customers),
                calls=len(part.calls),
                events=len(part.events),
                open_items=len(items.get(who, [])),
                class_a_masked=masked,
                password=bool(password),
            )
        )
    stamp_for.remember()
    notes: list[Message] = [
        message("split.renamed_book", who=who, name=name, other=other)
        for who, name, other in renamed
        if who in parts
    ]
    clashed = {who for who, _name, _other in renamed}
    notes += [  # a name a file cannot carry as it is: the name chosen is said
        message("split.safe_name", who=who, name=names[who])
        for who in parts
        if who not in clashed and safe_stem(who) != who
    ]
    return Split(master, as_of, out_dir, written, notes)


class _SplitStamps:
    """Signs each split book's stamp — owner and the master's generation, with the key of the
    master's folder (made there now if it has none) — and remembers in that folder what was sent,
    so the next merge knows an older book handed in later (lineage.held_stale)."""

    def __init__(self, master: str, as_of) -> None:
        from ..io.filekind import read_stamp
        from ..io.master.officekey import ensure_key, master_folder
        from ..lineage import verify as verify_stamp

        self.folder = master_folder(master)
        self.key = ensure_key(self.folder)
        self.day = as_of.isoformat()
        of_master = verify_stamp(read_stamp(master), self.key)
        is_master = of_master is not None and of_master.kind == "master"
        self.generation = of_master.generation if of_master and is_master else 0
        self.ident = of_master.ident if of_master and is_master else ""
        self.sent: list[str] = []

    def __call__(self, who: str, rows) -> str:
        from ..lineage import Stamp, sheet_digest, sign

        self.sent.append(who)
        stamp = Stamp(
            "staff",
            generation=self.generation,
            ident=self.ident,
            day=self.day,
            owner=who,
            base_digest=sheet_digest(rows),
        )
        return sign(stamp, self.key)

    def remember(self) -> None:
        from ..io.master.officekey import record_splits

        if self.generation and self.sent:
            record_splits(self.folder, self.sent, self.generation)


def verify(path: str, lang: str = "zh") -> Verification:
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
    as_of,
    annotate_to: str | None = None,
    lang: str = "zh",
    policy_path: str | None = None,
) -> ValidationReport:
    """Run every entry check (`followup-xl validate`); ``exit_code`` 1 when any error."""
    from ..checks import run_checks
    from ..io.filekind import refuse_output

    refuse_output(path)
    from ..io.master.book import read_master

    # a master's findings name the cells of the master (and of its archive files) themselves
    book = read_master(path, provenance=False)
    policy = policy_for_book(book, policy_path)
    _local_phones(book, policy.local_area_code)
    report = run_checks(book, policy, as_of, file=path)
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


def schedule(
    path: str,
    week_of=None,
    as_of=None,
    out: str | None = None,
    owner: str | None = None,
    policy_path: str | None = None,
    mask_phones: bool = False,
    lang: str = "zh",
) -> Schedule:
    """The Sunday schedule for the week containing ``week_of`` (default: the week after ``as_of``)."""
    import datetime as _dt

    from ..calendar import WorkCalendar
    from ..io.write.schedule import write_schedule
    from ..policy import compute_obligations
    from ..schedule import coming_week, plan_week

    as_of = as_of or _dt.date.today()
    book, policy = load(path, policy_path)
    dating = date_book(book, as_of)
    cal = WorkCalendar.from_policy(policy)
    result = compute_obligations(book, policy, as_of, cal)
    plan = plan_week(
        result.obligations,
        book.staff,
        {c.customer_id: c for c in book.customers},
        policy,
        cal,
        week_of or coming_week(as_of, policy.week_start),
        as_of,
    )
    if owner:
        known = set(plan.owners) | {s.name for s in book.staff if s.name}
        if owner not in known:
            raise UnknownOwner("owner.unknown", owner=owner, path=path)
        plan = plan.only(owner)
    warnings: list[Message] = list(
        dict.fromkeys(
            dating.warnings() + result.warnings + cal.warnings + unread_history(path, book)
        )
    )
    if mask_phones:  # phones, and phones quoted in reasons, names and notes
        from ..privacy import mask_deep

        plan, warnings = mask_deep(plan), mask_deep(warnings)
    found = Schedule(plan, warnings, excluded=dating.excluded)
    if out:
        write_schedule(out, plan, mask_phones=mask_phones, inputs=[path], lang=lang)
        found.output = out
    return found


def weekly(
    path: str,
    week_of=None,
    out: str | None = None,
    policy_path: str | None = None,
    lang: str = "zh",
    as_of=None,
) -> WeeklySummary:
    """The Monday summary of the week containing ``week_of`` (default: the last week ended by ``as_of``)."""
    import datetime as _dt

    from ..calendar import WorkCalendar
    from ..io.write.weekly import write_weekly
    from ..weekly import last_complete_week, summarise_week

    book, policy = load(path, policy_path)
    as_of = as_of or _dt.date.today()
    dating = date_book(book, as_of)
    day = week_of or last_complete_week(as_of, policy.week_start)
    w = summarise_week(book, policy, WorkCalendar.from_policy(policy), day)
    w.notes, w.excluded = dating.warnings(), dating.excluded
    found = WeeklySummary(w)
    if out:
        write_weekly(out, w, inputs=[path], lang=lang)
        found.output = out
    return found


def report(
    path: str,
    month: str,
    out: str | None = None,
    policy_path: str | None = None,
    mask_phones: bool = False,
    lang: str = "zh",
    as_of=None,
) -> MonthlyReport:
    """The monthly report (M1) for ``month`` (YYYY-MM) of a master or a staff book; a date typed
    without a year is read in its latest year not after ``as_of`` (default: today)."""
    import datetime as _dt

    from ..io.write.report import write_report
    from ..privacy import mask_deep, mask_value
    from ..report import month_bounds, monthly_report

    month_bounds(month)
    book, policy = load(path, policy_path)
    dating = date_book(book, as_of or _dt.date.today())
    r = monthly_report(book, policy, month, mask=mask_value if mask_phones else None)
    r["warnings"] = dating.warnings() + r["warnings"]
    r["excluded"] = dating.excluded
    if mask_phones:  # issue texts, names, notes: every text of the report
        r = mask_deep(r)
    found = MonthlyReport(r)
    if out:
        write_report(out, r, inputs=[path], lang=lang, source=os.path.basename(path))
        found.output = out
    return found


def _today():
    import datetime as _dt

    return _dt.date.today()


def scores(
    path: str,
    year: int,
    out: str | None = None,
    policy_path: str | None = None,
    as_of=None,
    lang: str = "zh",
) -> YearlyScores:
    """Staff scores (M2) for ``year``, judged on the whole months up to ``as_of``."""
    from ..io.write.scores import write_scores
    from ..scores import yearly_scores

    book, policy = load(path, policy_path)
    dating = date_book(book, as_of or _today())  # a date without a year read, never dropped
    s = yearly_scores(book, policy, year, as_of=as_of)
    s["warnings"], s["excluded"] = dating.warnings(), dating.excluded
    found = YearlyScores(s)
    if out:
        write_scores(out, s, inputs=[path], lang=lang)
        found.output = out
    return found


def export(
    masters: list[str],
    out_dir: str,
    office: str | None = None,
    as_of=None,
    months: Sequence[str] = (),
    with_phones: bool = False,
    policy_path: str | None = None,
) -> Export:
    """Masters → Parquet under ``out_dir`` (io/warehouse/export.py): customers, calls, events, staff and the
    obligations as of ``as_of`` and as of the last day of the month before it (and of each of ``months``,
    for `rollup`). Phones are masked unless ``with_phones``."""
    import datetime as _dt
    from pathlib import Path

    from ..calendar import WorkCalendar
    from ..io.read.batch import sha256
    from ..io.warehouse.export import check_office, export_book
    from ..policy import compute_obligations
    from ..privacy import find_phones, mask_deep, mask_text
    from ..report import month_bounds, shift_month

    if office is not None and len(masters) > 1:
        raise BadOption("export.office_needs_one_master")
    as_of = as_of or _dt.date.today()
    days = {as_of, month_bounds(shift_month(f"{as_of:%Y-%m}", -1))[1]}
    days |= {month_bounds(m)[1] for m in months}
    root = Path(out_dir)
    if root.exists() and not root.is_dir():
        raise OutputRefused("output.not_a_folder", path=out_dir)
    names = [check_office(office if office is not None else Path(p).stem) for p in masters]
    for name in names:  # a folder name travels with the data: it must not carry a phone either
        if not with_phones and find_phones(name):
            raise BadOption("export.office_has_phone", name=mask_text(name))
    loaded = [
        load(p, policy_path) for p in masters
    ]  # every master readable before anything is written
    root.mkdir(parents=True, exist_ok=True)
    offices = []
    for path, name, (book, policy) in zip(masters, names, loaded):
        cal = WorkCalendar.from_policy(policy)
        snapshots = {d: compute_obligations(book, policy, d, cal).obligations for d in sorted(days)}
        row = {
            "master": os.path.basename(path),
            "master_sha256": sha256(path),
            "exported_as_of": as_of,
            "complaint_coverage_pct": policy.complaint_coverage_pct,
            "repair_coverage_pct": policy.repair_coverage_pct,
            "activity_coverage_pct": policy.activity_coverage_pct,
        }
        tables = export_book(book, root, name, snapshots, with_phones, row)
        offices.append(
            {"office": name, "master": path, "tables": tables, "warnings": list(cal.warnings)}
        )
    if not with_phones:  # --json too: a master's or staff book's file name may hold a phone
        offices = mask_deep(offices)
    return Export(out_dir, as_of, not with_phones, sorted(days), offices)


def rollup(folder: str, month: str, out: str | None = None, lang: str = "zh") -> RegionMonth:
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
    owner: str | None = None,
    map_path: str | None = None,
    lang: str = "zh",
    area_code: str | None = None,
    as_calls: bool = False,
    preview: bool = False,
    into: str | None = None,
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
