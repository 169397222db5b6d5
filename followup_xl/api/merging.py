"""`merge`: staff books onto last week's master, lineage weighed, the next generation written.

The thread: read every input once (``_read_inputs``; a master whole, io/master.read),
weigh where each staff book came from (``_books_lineage``), merge the books (core:
merge.merge_books), say what happened (``_payload``), write the next generation
(io/master.write) from what the merge made and what last week's master carries.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..errors import NoInputs
from ..messages import Label, Message, message, render
from ..results import MergeResult
from ..settings import policy_for_book


def merge(
    inputs: list[str],
    out: str,
    *,
    strict: bool = False,
    as_of=None,
    row_limit: int | None = None,
    on_progress=None,
    archive_over: int | None = None,
    masters: Sequence[str] = (),
    lang: str = "zh",
) -> MergeResult:
    """Merge staff books (files or folders) into one master at ``out``.

    Returns what `followup-xl merge` prints; ``exit_code`` says 0 (all merged),
    1 (master written, some inputs failed — or nothing written with ``strict``),
    2 (nothing could be read). ``on_progress(kind, n)`` is told of files read and rows merged.
    Past ``archive_over`` calls, closed years are kept beside the master (io/master/history.py).
    A master this tool wrote is recognised by its marker; ``masters`` names older ones
    (written before the marker) that are to be trusted all the same.
    """
    from ..io.gcpause import gc_paused

    with gc_paused():
        return _merge(
            list(inputs) + [m for m in masters if m not in inputs],
            out,
            _Run(strict, as_of or dt.date.today(), row_limit, on_progress, archive_over, lang),
            list(masters),
        )


@dataclass
class _Run:
    """How this merge was asked for (merge's keywords)."""

    strict: bool
    day: dt.date
    row_limit: int | None
    on_progress: Callable[[str, int], None] | None
    archive_over: int | None
    lang: str


def _merge(inputs: list[str], out: str, run: _Run, masters: list[str]) -> MergeResult:
    from ..io.master import combined
    from ..merge import merge_books
    from ..staffing import fill_staff

    items = _read_inputs(inputs, out, masters, run)
    good = [i for i in items if i.status == "merged"]
    base = [i for i in good if i.master]
    state = combined([i.state for i in base if i.state is not None])
    decisions = state.decisions() if state else []  # a 批准 answer neither 是 nor 否: exit 3
    tampered = _tampered(base)
    policy = policy_for_book(state.book) if state else None
    lineage = _books_lineage(items, state, out)
    good = [i for i in items if i.status == "merged"]  # less the books handed in again
    # 本地区号: the master's, else the book's own 规则 (the reader could not know it)
    for i in good:
        if i.book is not None and not i.master:
            _local_phones(i.book, policy.local_area_code if policy else _own_area(i.book))
    result = merge_books(
        [(i.label, i.book) for i in good if i.book is not None],
        {i.label for i in base},
        as_of=run.day,
        lock_days=policy.lock_days if policy else 30,
        decisions=[(ch, ok) for _d, ch, ok in decisions],
        history=[ch for _d, ch in (state.log if state else [])],
        parse=_parse,
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
        result.book,
        render("staff.to_fill_header", run.lang),
        render("staff.to_fill_value", run.lang),
    )
    payload = _payload(out, items, result, tampered, lineage, new_staff, run.lang)
    failed = any(i.status == "error" for i in items)
    if not good:
        payload.exit_code = 2
        return payload
    if failed and run.strict:
        payload.exit_code = 1
        return payload
    _write(out, items, result, state, decisions, set(lineage.books["replayed"]), run, payload)
    payload.exit_code = 1 if failed else 0
    return payload


def _read_inputs(inputs: list[str], out: str, masters: list[str], run: _Run) -> list:
    """Every input found, each read once (a master whole: io/master.read), labelled."""
    from ..io.atomic import check_output
    from ..io.read.batch import discover, labels, read_input

    items = discover(inputs)
    if not items:
        raise NoInputs("merge.no_inputs")
    check_output(out, [i.path for i in items])
    named = {os.path.realpath(m) for m in masters}
    for item in items:
        if item.status == "pending":
            item.master = os.path.realpath(item.path) in named  # or named and stamped: read_input
            read_input(item, run.lang)
        if run.on_progress:
            run.on_progress("file", 1)
    labels(items)
    return items


def _tampered(base: list) -> list:
    """Rows of the base masters whose 校验码 no longer matches their content (hand edits)."""
    from .. import fingerprint

    return [
        found
        for i in base
        if i.book is not None
        for found in fingerprint.check(i.book, os.path.basename(i.path))[0]
    ]


def _parse(key, field, value):
    from .. import schema
    from ..normalize import parser_for

    return parser_for(schema.BY_KEY[key].column(field))(value)


def _payload(out, items, result, tampered, lineage, new_staff, lang) -> MergeResult:
    """What `followup-xl merge` prints (the master not yet written)."""
    from .. import schema

    good = [i for i in items if i.status == "merged"]
    warnings: list[Message | str] = [*result.notes, *lineage.warnings]
    if new_staff:
        sheet = Label(schema.STAFF.zh, schema.STAFF.en)
        warnings.append(
            message("merge.staff_added", n=len(new_staff), names=new_staff, sheet=sheet)
        )
    warnings += [i.reason for i in good if i.reason]
    return MergeResult(
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


def _write(out, items, result, state, decisions, replayed: set, run: _Run, payload) -> None:
    """The next generation: what the merge made, after what last week's master carries."""
    from ..io.master import Layout, Outcome, write
    from ..io.master.history import ARCHIVE_OVER
    from ..io.master.writer import EXCEL_ROW_LIMIT
    from ..io.xlsx import cut_cells, take_cuts

    lang, day, progress = run.lang, run.day, run.on_progress
    since = {ch.key(): d for d, ch, _ok in decisions}
    outcome = Outcome(
        result.book,
        day,
        conflicts=[c.row(lang) for c in result.conflicts],
        sources=[
            {**i.to_dict(lang), **{k: v for k, v in i.counts.items() if k.startswith("new_")}}
            for i in items
        ],
        changes=[(day, ch) for ch in result.changes],
        pending=[(since.get(ch.key(), day), ch) for ch in result.pending],
        deleted=result.deleted,
        books=_entries(items, replayed),
    )
    layout = Layout(
        run.row_limit or EXCEL_ROW_LIMIT,
        ARCHIVE_OVER if run.archive_over is None else run.archive_over,
    )
    with cut_cells() as cut:  # a text longer than an Excel cell (from a CSV…): said, never silent
        payload.generation = write(
            out,
            outcome,
            state,
            lang=lang,
            inputs=[i.path for i in items],
            layout=layout,
            on_sheet=(lambda name, n: progress("rows", n)) if progress else None,
        )
    payload.warnings += [message("output.cell_cut", **c) for c in take_cuts(cut)]
    payload.written = True


@dataclass
class _Lineage:
    """What the merge found out about where its books came from (for warnings and --json)."""

    warnings: list = field(default_factory=list)
    base: dict | None = None
    expected_base: dict | None = None
    books: dict = field(
        default_factory=lambda: {
            "stale": [],
            "replayed": [],
            "unstamped": [],
            "forged": [],
            "unverifiable": [],
        }
    )
    latest: dict = field(default_factory=dict)  # owner → newest generation a book was sent from


def _books_lineage(items, state, out) -> _Lineage:
    """Each staff book's owner and base (verified stamps only), replays left out, and the
    sentences the manager must read: unstamped, forged, stale books and a forgotten master."""
    from ..io.master.lineage import book_lineage
    from ..io.master.officekey import key_for, load_key, master_folder, read_splits

    found = _Lineage()
    before = state.lineage if state else None
    key = key_for(state.path) if state else load_key(master_folder(out))
    registered: set[str] = set()
    if state is not None:
        registered = {(s.name or "").strip() for s in state.book.staff if s.name}
        if not registered:
            registered = {(c.owner or "").strip() for c in state.book.customers if c.owner}
        st = state.stamp
        found.base = {
            "path": state.path,
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
        got = book_lineage(i.path, i.signed, key, registered, i.book, i.claims_master)
        i.lineage = got
        lin = got.lineage
        if lin.forged:
            found.books["forged"].append(i.path)
            found.warnings.append(message("lineage.forged", file=i.label))
        elif lin.unverifiable:
            found.books["unverifiable"].append(i.path)
            found.warnings.append(message("lineage.unverifiable", file=i.label))
        if got.claimed is not None and got.claimed.kind == "staff":
            claimed = claimed or got.claimed
        if lin.stamp is None and state is not None:
            found.books["unstamped"].append(i.path)
            found.warnings.append(message("lineage.unstamped", file=i.label))
        if lin.stamp is not None:
            stamped.append(i)
        if lin.stamp is not None and state is None:
            claimed = claimed or lin.stamp
        if got.owner_clash:
            found.warnings.append(
                message("lineage.owner_clash", file=i.label, names=list(got.owner_clash))
            )
    # the newest book sent to each person: what 版本记录 says was merged, what split remembers
    # sending (the manager's folder), and the newest book of theirs in this very merge
    latest = dict(before.latest_base) if before else {}
    if state is not None:
        for who, generation in read_splits(master_folder(state.path)).items():
            latest[who] = max(latest.get(who, 0), generation)
    for i in stamped:
        lin = i.lineage.lineage
        latest[lin.owner] = max(latest.get(lin.owner, 0), lin.stamp.generation)
    found.latest = latest
    for i in stamped if state is not None else ():
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
    if state is None and claimed is not None:
        found.expected_base = {"generation": claimed.generation, "id": claimed.ident}
        found.warnings.append(
            message("lineage.forgotten_master", generation=claimed.generation, id=claimed.ident)
        )
    given = state.stamp if state is not None else None
    for i in stamped:
        st = i.lineage.lineage.stamp
        if given is None:
            break
        newer = st.generation > given.generation
        if newer or (st.generation == given.generation and st.ident != given.ident):
            # split from a master other than the one given: an older copy, or another branch
            if found.expected_base is None or st.generation > found.expected_base["generation"]:
                found.expected_base = {"generation": st.generation, "id": st.ident}
            found.warnings.append(
                message(
                    "lineage.not_the_books_master",
                    file=i.label,
                    generation=st.generation,
                    id=st.ident,
                    given_generation=given.generation,
                    given_id=given.ident,
                )
            )
    return found


def _entries(items, replayed: set) -> list:
    """The 版本记录 rows of this generation's books: one per book merged or handed in again."""
    from ..io.master.lineage import Entry

    out = []
    for i in items:
        again = i.path in replayed
        if i.master or (i.status != "merged" and not again) or i.book is None:
            continue
        lin = i.lineage.lineage if i.lineage is not None else None
        st = lin.stamp if lin is not None else None
        state = (
            "valid"
            if st
            else "invalid"
            if lin is not None and lin.forged
            else "unchecked"
            if lin is not None and lin.unverifiable
            else "none"
        )
        out.append(
            Entry(
                "replayed" if again else "book",
                i.label,
                i.sha256,
                lin.owner if lin is not None else "",
                st.generation if st else None,
                state,
                st.ident if st else "",
            )
        )
    return out


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
