"""`merge`: staff books onto last week's master, lineage weighed, the next generation written."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import (
    NoInputs,
)
from ..messages import Label, Message, localize, message, render
from ..results import MergeResult
from ..settings import policy_for_book


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
    from ..io.gcpause import gc_paused

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

    from .. import fingerprint, schema
    from ..io.atomic import check_output
    from ..io.master import book as masterbook
    from ..io.master.changelog import read_change_sheets
    from ..io.master.history import ARCHIVE_OVER
    from ..io.master.lineage import read_master_lineage, write_lineage_sheets
    from ..io.master.write import EXCEL_ROW_LIMIT, write_master
    from ..io.read.batch import discover, labels, read_input
    from ..io.write.handover import read_log, write_log_sheet
    from ..io.xlsx import cut_cells, take_cuts
    from ..merge import merge_books
    from ..normalize import parser_for
    from ..staffing import fill_staff

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
    warnings: list[Message | str] = [*result.notes, *lineage.warnings]
    if new_staff:
        sheet = Label(schema.STAFF.zh, schema.STAFF.en)
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
    payload.warnings += [message("output.cell_cut", **c) for c in take_cuts(cut)]
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
    from ..io.master.lineage import book_lineage
    from ..io.master.officekey import key_for, load_key, master_folder, read_splits
    from ..io.package import Package

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
    from ..io.master.lineage import lineage_row, next_generation

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
    from ..io.master.changelog import KINDS
    from ..io.master.lineage import row_text

    return [
        [
            day,
            localize(KINDS[ch.kind], lang),
            ch.id,
            ch.who,
            localize(ch.source, lang),
            row_text(rec, lang),
        ]
        for ch, rec in deleted
    ]


def _own_area(book) -> str:
    """A staff book's own 本地区号 (its 规则 sheet), '' when it has none or its 规则 is in error."""
    from ..errors import BadPolicy

    try:
        return policy_for_book(book).local_area_code
    except BadPolicy:  # the book's 规则 mistakes are validate's to say, not merge's
        return ""


def _local_phones(book, area: str) -> None:
    """7-8 digit phones of the 本地区号 area, read once the policy is known (normalize.py)."""
    from ..normalize import localise_phones

    if area:
        localise_phones([*book.customers, *book.staff], area)
