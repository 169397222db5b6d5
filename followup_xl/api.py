"""The Python API behind every CLI command: call these from your own code.

Each function takes paths or plain data and returns an object (followup_xl/results.py,
or the core's own): dates as dates, messages in both languages. The CLI parses options,
prints, and alone makes JSON of them (cli/jsonout.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from .dating import date_book
from .errors import (
    BadHandoverPlan,
    BadOption,
    NoInputs,
    NotOurMaster,
    OutputExists,
    OutputRefused,
    UnknownOwner,
)
from .io.read.workbook import read_book
from .io.write.template import template_name, write_staff_workbook
from .messages import Pair, both, localize, render
from .messages import text as message
from .results import (
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
    Text,
    ValidationReport,
    Verification,
    WeeklySummary,
    YearlyScores,
    origin_text,
    texts,
)
from .settings import policy_for_book


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
    from .split import file_name

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
    from .io.write.manager import SETTINGS, manager_name, write_manager_workbook

    path = os.path.join(folder, manager_name(lang))
    if os.path.exists(path) and not force:
        raise OutputExists("output.workbook_exists", path=path)
    if master:  # 人员, and every 负责人/回访人 the records name (a new office's 人员 may be empty)
        from .staffing import people_named

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
    from .io.filekind import refuse_output
    from .io.master.cache import cached_read
    from .settings import policy_for_book as _policy

    refuse_output(path, wants)
    book = cached_read(path)  # a master's parsed records come from its Parquet cache when valid
    return book, _policy(book, policy_path)


def unread_history(path: str, book) -> list[Pair]:
    """The warning for a file whose 历史档案 was not followed (not a stamped master), if any."""
    from .io.master.history import not_followed

    if book.archives:  # its archive files were read with it: nothing to open again
        return []
    said = not_followed(path, book.ignored_sheets)
    return [Pair(*said)] if said else []


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
    from .io.write.due import write_due
    from .policy import compute_obligations
    from .privacy import mask_deep

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
            reason=Pair(o.reason, o.reason_en or o.reason),
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

    from .filenames import safe_stem
    from .io.atomic import check_output
    from .io.write.split import write_split_book
    from .lineage import base_rows
    from .policy import compute_obligations
    from .privacy import hides_class_a, mask_deep, staff_view
    from .split import UNASSIGNED, file_names, open_by_owner, owner_of_customers, split_book

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
    notes: list[Text] = [
        Pair(*both("split.renamed_book", who=who, name=name, other=other))
        for who, name, other in renamed
        if who in parts
    ]
    clashed = {who for who, _name, _other in renamed}
    notes += [  # a name a file cannot carry as it is: the name chosen is said
        Pair(*both("split.safe_name", who=who, name=names[who]))
        for who in parts
        if who not in clashed and safe_stem(who) != who
    ]
    return Split(master, as_of, out_dir, written, notes)


class _SplitStamps:
    """Signs each split book's stamp — owner and the master's generation, with the key of the
    master's folder (made there now if it has none) — and remembers in that folder what was sent,
    so the next merge knows an older book handed in later (lineage.held_stale)."""

    def __init__(self, master: str, as_of) -> None:
        from .io.filekind import read_stamp
        from .io.master.officekey import ensure_key, master_folder
        from .lineage import verify as verify_stamp

        self.folder = master_folder(master)
        self.key = ensure_key(self.folder)
        self.day = as_of.isoformat()
        of_master = verify_stamp(read_stamp(master), self.key)
        is_master = of_master is not None and of_master.kind == "master"
        self.generation = of_master.generation if of_master and is_master else 0
        self.ident = of_master.ident if of_master and is_master else ""
        self.sent: list[str] = []

    def __call__(self, who: str, rows) -> str:
        from .lineage import Stamp, sheet_digest, sign

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
        from .io.master.officekey import record_splits

        if self.generation and self.sent:
            record_splits(self.folder, self.sent, self.generation)


def handover(
    master: str,
    leaver: str,
    receivers: list[str],
    out: str,
    *,
    plan_only: bool = False,
    plan_path: str | None = None,
    by: str | None = None,
    as_of=None,
    lang: str = "zh",
    policy_path: str | None = None,
) -> Handover:
    """离职交接 (B2): the leaver's customers to the receivers, fairly, with their history.

    ``plan_only`` writes the plan workbook to ``out`` and changes nothing;
    ``plan_path`` applies a plan the manager edited. Otherwise ``out`` is the new
    master (only owners changed, leaver marked 离职, 交接记录 appended) and the
    交接单 with the SMS notices is written beside it.
    """
    import datetime as _dt
    from collections import Counter
    from dataclasses import replace

    from . import handover as ho
    from . import schema
    from .io.write.handover import (
        ID_COL,
        RECEIVER_COL,
        read_log,
        read_plan,
        write_master_with_log,
        write_plan,
        write_record,
    )
    from .policy import compute_obligations

    book, policy = load(master, policy_path, wants="master")
    day = as_of or _dt.date.today()
    by = (by or "").strip() or ho.manager_of(book)
    if not by:  # never the computer's login name (root, Administrator)
        raise BadOption("handover.by_missing", path=master)
    ho.check_template(policy.sms_template)
    open_items = Counter(
        o.customer_id for o in compute_obligations(book, policy, day).open() if o.customer_id
    )
    leaver = leaver.strip()
    if plan_path:
        edited, sheet = read_plan(plan_path)
        if edited.leaver != leaver:
            raise BadHandoverPlan(
                "handover.plan_for_other", plan_leaver=edited.leaver, leaver=leaver, path=plan_path
            )
        plan = ho.make_plan(
            book, leaver, receivers or edited.receivers, as_of or edited.date or day, by, open_items
        )
        edited.receivers = plan.receivers
        ho.check_plan(
            book, edited, where=plan_path, sheet=sheet, receiver_col=RECEIVER_COL, id_col=ID_COL
        )
        proposed = {m.customer_id: m for m in plan.moves}
        plan.moves = [replace(proposed[m.customer_id], receiver=m.receiver) for m in edited.moves]
    else:
        plan = ho.make_plan(book, leaver, receivers, day, by, open_items)
    result = Handover(
        master=master,
        leaver=plan.leaver,
        receivers=plan.receivers,
        date=plan.date,
        by=plan.by,
        moved=len(plan.moves),
        summary=plan.summary(),
        warnings=texts(plan.warnings),
    )
    if plan_only:
        write_plan(
            out,
            plan,
            {c.customer_id: c.phone for c in book.customers},
            lang,
            inputs=[master],
            master=master,
        )
        result.plan = out
        return result
    new = ho.apply_plan(book, plan)
    notices = ho.sms_notices(book, plan, policy)
    log = read_log(master) + ho.log_rows(plan)
    record = os.path.splitext(out)[0] + (render("handover.record_file", lang))
    info = book.sheet_info("customers")
    book_lang = (
        "en" if info and info.name == schema.CUSTOMERS.en else "zh"
    )  # the master keeps its language
    write_master_with_log(
        out, new, master, log, book_lang, inputs=[master] + ([plan_path] if plan_path else [])
    )
    write_record(record, plan, notices, lang, inputs=[master, out])
    sms = sum(n["channel"] == "sms" for n in notices)
    calls = sum(n["channel"] == "call" for n in notices)
    result.output, result.record, result.sms, result.calls = out, record, sms, calls
    result.phone_missing = len(notices) - sms - calls
    return result


def merge(
    inputs: list[str],
    out: str,
    strict: bool = False,
    lang: str = "zh",
    as_of=None,
    row_limit: int | None = None,
    on_progress=None,
    archive_over: int | None = None,
    masters: Sequence[str] = (),
) -> MergeResult:
    """Merge staff books (files or folders) into one master at ``out``.

    Returns what `followup-xl merge` prints; ``exit_code`` says 0 (all merged),
    1 (master written, some inputs failed — or nothing written with ``strict``),
    2 (nothing could be read). ``on_progress(kind, n)`` is told of files read and rows merged.
    Past ``archive_over`` calls, closed years are kept beside the master (io/history.py).
    A master this tool wrote is recognised by its marker; ``masters`` names older ones
    (written before the marker) that are to be trusted all the same.
    """
    from .io.gcpause import gc_paused

    with gc_paused():
        return _merge(
            list(inputs) + [m for m in masters if m not in inputs],
            out,
            strict,
            lang,
            row_limit,
            on_progress,
            archive_over,
            as_of,
            list(masters),
        )


def _merge(
    inputs, out, strict, lang, row_limit, on_progress, archive_over, as_of=None, masters=()
) -> MergeResult:
    import datetime as _dt

    from . import fingerprint, schema
    from .io.atomic import check_output
    from .io.master import book as masterbook
    from .io.master.changelog import read_change_sheets
    from .io.master.history import ARCHIVE_OVER
    from .io.master.lineage import read_master_lineage, write_lineage_sheets
    from .io.master.write import EXCEL_ROW_LIMIT, write_master
    from .io.read.batch import discover, labels, read_input
    from .io.write.handover import read_log, write_log_sheet
    from .io.xlsx import cut_cells, take_cuts
    from .merge import merge_books
    from .normalize import parser_for
    from .staffing import fill_staff

    items = discover(inputs)
    if not items:
        raise NoInputs("merge.no_inputs")
    check_output(out, [i.path for i in items])
    named = {os.path.realpath(m) for m in masters}
    for item in items:
        if item.status == "pending":
            item.master = os.path.realpath(item.path) in named  # or named and stamped: read_input
            read_input(item, lang)
        if on_progress:
            on_progress("file", 1)
    labels(items)
    good = [i for i in items if i.status == "merged"]
    day = as_of or _dt.date.today()
    base = [i for i in good if i.master]
    log, decisions, handovers, tampered = [], [], [], []
    known_codes: dict = {}  # 校验码 of last week's rows as checked: not computed again when written
    known_digests: list = []  # and the digests of its closed years, when its cache had them
    before = read_master_lineage(base[0].path) if base else None
    for i in base:
        got_log, got_pending = read_change_sheets(i.path)
        log += [entry for entry in got_log if entry not in log]
        decisions += [d for d in got_pending if d not in decisions]
        handovers += [row for row in read_log(i.path) if row not in handovers]
        if i.book is not None:  # every merged input has its book
            tampered += fingerprint.check(i.book, os.path.basename(i.path))[0]
            known_codes.update(fingerprint.known_codes(i.book))
            known_digests += masterbook.known_digests(i.book)
    policy = policy_for_book(base[0].book) if base else None
    lineage = _books_lineage(items, base, out, before, lang)
    good = [i for i in items if i.status == "merged"]
    failed = [i for i in items if i.status == "error"]
    # 本地区号: the master's, else the book's own 规则 (the reader could not know it)
    for i in good:
        if i.book is not None and not i.master:
            _local_phones(i.book, policy.local_area_code if policy else _own_area(i.book))

    def parse(key, field, value):
        return parser_for(schema.BY_KEY[key].column(field))(value)

    result = merge_books(
        [(i.label, i.book) for i in good if i.book is not None],
        {i.label for i in base},
        as_of=day,
        lock_days=policy.lock_days if policy else 30,
        decisions=[(ch, ok) for _d, ch, ok in decisions],
        history=[ch for _d, ch in log],
        parse=parse,
        lineage={i.label: i.lineage.lineage for i in good if i.lineage is not None},
        latest_base=lineage.latest,
    )
    for i in good:
        added = result.added.get(i.label, {})
        i.counts.update({f"new_{k}": v for k, v in added.items()})
    lineage.warnings += [  # found while merging: each book's base is read when its turn comes
        message("lineage.base_edited", file=i.label)
        for i in good
        if i.lineage is not None and i.lineage.base_broken
    ]
    new_staff = fill_staff(
        result.book, render("staff.to_fill_header", lang), render("staff.to_fill_value", lang)
    )
    warnings: list[Text | str] = [*texts(result.notes), *lineage.warnings]
    if new_staff:
        sheet = Pair(schema.STAFF.zh, schema.STAFF.en)
        warnings.append(
            message("merge.staff_added", n=len(new_staff), names=new_staff, sheet=sheet)
        )
    warnings += [i.reason for i in good if i.reason]
    payload = MergeResult(
        master=out,
        inputs=[i.to_dict(lang) for i in items],
        customers=len(result.book.customers),
        calls=len(result.book.calls),
        events=len(result.book.events),
        duplicates_dropped=result.duplicates_dropped,
        conflicts=result.conflicts,
        changes=result.changes,
        pending=len(result.pending),
        tampered=tampered,
        warnings=warnings,
        base=lineage.base,
        expected_base=lineage.expected_base,
        books=lineage.books,
        staff_added=new_staff,
    )
    if not good:
        payload.exit_code = 2
        return payload
    if failed and strict:
        payload.exit_code = 1
        return payload
    since = {ch.key(): d for d, ch, _ok in decisions}
    pending = [(since.get(ch.key(), day), ch) for ch in result.pending]
    changes = (log + [(day, ch) for ch in result.changes], pending)
    rows = [
        {**i.to_dict(lang), **{k: v for k, v in i.counts.items() if k.startswith("new_")}}
        for i in items
    ]
    stamp, key, lineage_rows, generation = _new_generation(
        out, base, items, before, day, lang, set(lineage.books["replayed"])
    )
    deleted_rows = (before.deleted if before else []) + _deleted_rows(result.deleted, day, lang)

    def extra_sheets(wb, fmts):
        write_lineage_sheets(wb, fmts, lineage_rows, deleted_rows, lang)
        if handovers:
            write_log_sheet(wb, fmts, handovers, lang)

    with cut_cells() as cut:  # a text longer than an Excel cell (from a CSV…): said, never silent
        write_master(
            out,
            result.book,
            [c.row(lang) for c in result.conflicts],
            rows,
            lang,
            row_limit or EXCEL_ROW_LIMIT,
            protect_inputs=[i.path for i in items],
            on_sheet=(lambda name, n: on_progress("rows", n)) if on_progress else None,
            archive_over=ARCHIVE_OVER if archive_over is None else archive_over,
            changes=changes,
            known_codes=known_codes,
            known_digests=known_digests,
            extra_sheets=extra_sheets,
            stamp=stamp,
            key=key,
        )
    payload.warnings += [Pair(*both("output.cell_cut", **c)) for c in take_cuts(cut)]
    payload.written = True
    payload.generation = generation
    payload.exit_code = 1 if failed else 0
    return payload


@dataclass
class _Lineage:
    """What the merge found out about where its books came from (for warnings and --json)."""

    warnings: list = field(default_factory=list)
    base: dict | None = None
    expected_base: dict | None = None
    books: dict = field(
        default_factory=lambda: {"stale": [], "replayed": [], "unstamped": [], "forged": []}
    )
    latest: dict = field(default_factory=dict)  # owner → newest generation a book was sent from


def _books_lineage(items, base, out, before, lang) -> _Lineage:
    """Each staff book's owner and base (verified stamps only), replays left out, and the
    sentences the manager must read: unstamped, forged, stale books and a forgotten master."""
    from .io.master.lineage import book_lineage
    from .io.master.officekey import key_for, load_key, master_folder, read_splits
    from .io.package import Package

    found = _Lineage()
    master = base[0] if base else None
    key = key_for(master.path) if master else load_key(master_folder(out))
    registered: set[str] = set()
    if master is not None and master.book is not None:
        registered = {(s.name or "").strip() for s in master.book.staff if s.name}
        if not registered:
            registered = {(c.owner or "").strip() for c in master.book.customers if c.owner}
        st = master.stamp
        found.base = {
            "path": master.path,
            "generation": st.generation if st else None,
            "id": st.ident if st else None,
            "date": st.day if st else None,
        }
    seen_sha: dict[str, str] = {}
    claimed = None
    stamped: list = []
    for i in items:
        if i.status != "merged" or i.master or i.book is None:
            continue
        earlier = before.merged.get(i.sha256) if before and i.sha256 else None
        twin = seen_sha.get(i.sha256) if i.sha256 else None
        if earlier or twin:
            i.status = "ignored"
            i.reason = (
                message("lineage.replayed", generation=earlier[0], day=earlier[1])
                if earlier
                else message("lineage.same_file_twice", other=twin)
            )
            found.books["replayed"].append(i.path)
            continue
        if i.sha256:
            seen_sha[i.sha256] = i.label
        with Package(i.path) as package:
            got = book_lineage(i.path, package, key, registered, i.book, i.claims_master)
        i.lineage = got
        lin = got.lineage
        if lin.forged:
            found.books["forged"].append(i.path)
            found.warnings.append(message("lineage.forged", file=i.label))
        if got.claimed is not None and got.claimed.kind == "staff":
            claimed = claimed or got.claimed
        if lin.stamp is None and master is not None:
            found.books["unstamped"].append(i.path)
            found.warnings.append(message("lineage.unstamped", file=i.label))
        if lin.stamp is not None:
            stamped.append(i)
        if lin.stamp is not None and master is None:
            claimed = claimed or lin.stamp
        if got.owner_clash:
            found.warnings.append(
                message("lineage.owner_clash", file=i.label, names=list(got.owner_clash))
            )
    # the newest book sent to each person: what 版本记录 says was merged, what split remembers
    # sending (the manager's folder), and the newest book of theirs in this very merge
    latest = dict(before.latest_base) if before else {}
    if master is not None:
        for who, generation in read_splits(master_folder(master.path)).items():
            latest[who] = max(latest.get(who, 0), generation)
    for i in stamped:
        lin = i.lineage.lineage
        latest[lin.owner] = max(latest.get(lin.owner, 0), lin.stamp.generation)
    found.latest = latest
    for i in stamped if master is not None else ():
        lin = i.lineage.lineage
        if lin.stamp.generation < latest.get(lin.owner, 0):
            found.books["stale"].append(i.path)
            found.warnings.append(
                message(
                    "lineage.stale_book",
                    file=i.label,
                    generation=lin.stamp.generation,
                    latest=latest[lin.owner],
                )
            )
    if master is None and claimed is not None:
        found.expected_base = {"generation": claimed.generation, "id": claimed.ident}
        found.warnings.append(
            message("lineage.forgotten_master", generation=claimed.generation, id=claimed.ident)
        )
    return found


def _new_generation(out, base, items, before, day, lang, replayed: set):
    """The new master's stamp (generation = the base's + 1), the key to sign it with and its 版本记录 rows: the
    base's, then this generation's master row and one row per book merged or handed in again."""
    from .io.master.lineage import lineage_row, next_generation

    master = base[0] if base else None
    stamp, key, rows, info = next_generation(
        out,
        master.path if master else None,
        master.stamp if master else None,
        day,
        lang,
        list(before.rows) if before else [],
    )
    for i in items:
        again = i.path in replayed
        if i.master or (i.status != "merged" and not again) or i.book is None:
            continue
        lin = i.lineage.lineage if i.lineage is not None else None
        st = lin.stamp if lin is not None else None
        state = "valid" if st else ("invalid" if lin is not None and lin.forged else "none")
        rows.append(
            lineage_row(
                info["generation"],
                day,
                "replayed" if again else "book",
                i.label,
                i.sha256,
                lin.owner if lin is not None else "",
                st.generation if st else None,
                state,
                st.ident if st else "",
                lang,
            )
        )
    return stamp, key, rows, info


def _deleted_rows(deleted, day, lang) -> list[list]:
    from .io.master.changelog import KINDS
    from .io.master.lineage import row_text

    return [
        [
            day,
            KINDS[ch.kind][lang == "en"],
            ch.id,
            ch.who,
            localize(ch.source, lang),
            row_text(rec, lang),
        ]
        for ch, rec in deleted
    ]


def _own_area(book) -> str:
    """A staff book's own 本地区号 (its 规则 sheet), '' when it has none or its 规则 is in error."""
    from .errors import BadPolicy

    try:
        return policy_for_book(book).local_area_code
    except BadPolicy:  # the book's 规则 mistakes are validate's to say, not merge's
        return ""


def _local_phones(book, area: str) -> None:
    """7-8 digit phones of the 本地区号 area, read once the policy is known (normalize.py)."""
    from .normalize import localise_phones

    if area:
        localise_phones([*book.customers, *book.staff], area)


def verify(path: str, lang: str = "zh") -> Verification:
    """Rows of a master whose content no longer matches the 校验码 it was written with and, when
    its stamp verifies, every other difference from what it was written with (mastercheck.py)."""
    from . import fingerprint, mastercheck
    from .io.filekind import describe, read_kind
    from .io.master.book import attach_history
    from .io.master.lineage import read_master_check
    from .io.package import Package
    from .io.read.workbook import read_book

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
        raise NotOurMaster(
            "verify.not_our_master", kind=Pair(describe(kind), describe(kind, "en")), path=path
        )
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
    from .checks import run_checks
    from .io.filekind import refuse_output

    refuse_output(path)
    from .io.master.book import read_master

    # a master's findings name the cells of the master (and of its archive files) themselves
    book = read_master(path, provenance=False)
    policy = policy_for_book(book, policy_path)
    _local_phones(book, policy.local_area_code)
    report = run_checks(book, policy, as_of, file=path)
    # a master's finding also names the staff book row it came from, so it can be forwarded
    report.origins = book.origins
    if annotate_to:
        from .io.formats import sniff
        from .io.write.annotate import annotate, notes

        fmt = sniff(path)
        if fmt != "xlsx":  # openpyxl writes only .xlsx: the copy is one, and the answer says so
            root, ext = os.path.splitext(annotate_to)
            annotate_to = annotate_to if ext.lower() == ".xlsx" else root + ".xlsx"
            report.annotate_notes.append(
                Pair(
                    *both(
                        "annotate.values_only_copy",
                        ending=os.path.splitext(path)[1] or fmt,
                        annotate_to=annotate_to,
                    )
                )
            )
        origin = {key: origin_text(s, lang) for key, s in book.origins.items()}
        own = [f for f in report.findings if f.file == path]  # not the archive files' findings
        info = annotate(path, annotate_to, own, lang, sources=origin or None)
        report.annotated = annotate_to
        report.annotate_notes += texts(zip(notes(info, "zh"), notes(info, "en"), strict=True))
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

    from .calendar import WorkCalendar
    from .io.write.schedule import write_schedule
    from .policy import compute_obligations
    from .schedule import coming_week, plan_week

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
    warnings: list[Pair] = list(
        dict.fromkeys(
            dating.warnings() + result.warnings + cal.warnings + unread_history(path, book)
        )
    )
    if mask_phones:  # phones, and phones quoted in reasons, names and notes
        from .privacy import mask_deep

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

    from .calendar import WorkCalendar
    from .io.write.weekly import write_weekly
    from .weekly import last_complete_week, summarise_week

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

    from .io.write.report import write_report
    from .privacy import mask_deep, mask_value
    from .report import month_bounds, monthly_report

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
    from .io.write.scores import write_scores
    from .scores import yearly_scores

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
    """Masters → Parquet under ``out_dir`` (io/parquet_export.py): customers, calls, events, staff and the
    obligations as of ``as_of`` and as of the last day of the month before it (and of each of ``months``,
    for `rollup`). Phones are masked unless ``with_phones``."""
    import datetime as _dt
    from pathlib import Path

    from .calendar import WorkCalendar
    from .io.read.batch import sha256
    from .io.warehouse.export import check_office, export_book
    from .policy import compute_obligations
    from .privacy import find_phones, mask_deep, mask_text
    from .report import month_bounds, shift_month

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
    from .io.warehouse.rollup import month_rows
    from .privacy import mask_deep
    from .report import month_bounds

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
        from .io.write.rollup import write_rollup

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
    from .io.read.tracker import import_tracker as _import

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
