"""Merging staff books into one master: identity, time, trust (REQUIREMENTS B1, B4).

Pure: takes Books already read, returns one Book plus what happened. Rules:

* A record is known by its id (客户编号, 记录编号, 事项编号); a row without one by
  its content. The same record arriving twice is kept once.
* The master (last week's, named by the manager) is the base. A staff book is the
  newer version of the records it may change, field by field, and every change is
  listed (``changes``). A book may change only what belongs to its owner (given by
  the caller: a verified stamp, else a registered file name — ``lineage``; callers
  without lineage: the split stamp, else the 负责人 most of its customers have):
  customers whose 负责人 in the master is that person, and their calls and
  triggers. Anything else that differs is a conflict for the manager, never applied.
* A book split sent carries the rows as sent (its base): a field equal to the base
  changes nothing; changed in the book only is applied; changed in both is held.
  A book older than the newest one sent to its person is held whole; a book split
  did not send may not revert a replaced value nor put a failing one over a good one.
* A call that was reviewed (审核人 filled) or is older than the lock period is not
  changed silently: the edit is held as pending until the manager approves it.
* A row missing from its owner's book stays in the master (retention, B4) and is
  proposed for deletion (held) — if the book was sent it (its base), else if the
  master has it from that book — so a stale book never "deletes" what a hand-over
  or reassignment gave its owner since. Approved, it leaves the master for good.
* A masked value (138****5678, from ``split --staff-variant``) never replaces a
  real one.
* Rules, staff and holidays come from the master. A staff book's 节假日, 规则 and 回访规则 rows
  that the master lacks or has otherwise are held in 待批准 (是 puts them in the master's
  sheet); a differing 人员 sheet is ignored with a note naming the book. Without a master
  (the first merge) the version most books agree on is taken.
* Without a master, two books with the same id and different details are a
  conflict: the owner's own book wins, else the most complete, else the first.
* Nothing is dropped for age: retention only ever keeps (B4).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import os
from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .messages import Label, Message, localize, message, render
from .models import MODEL_FOR, Book, Call, Customer, Record, customer_of, own_id

CALL_KEY = ("customer_id", "call_date", "call_time", "method", "call_type", "caller", "content")
EVENT_KEY = ("customer_id", "event_type", "event_date", "description")
KIND = {"customers": "customer", "calls": "call", "events": "event"}
SHEET_OF = {v: k for k, v in KIND.items()}
# a staff book's 节假日/规则 rows proposed to the master (held in 待批准): change kind → sheet key,
# the row's id column and the fields proposed
OFFICE_KIND = {"holiday": "holidays", "rule": "rules", "follow_up_rule": "follow_up_rules"}
OFFICE_FIELDS = {
    "holidays": ("date", ("kind", "note")),
    "rules": ("key", ("value",)),
    # a 回访规则 row by its 规则编号: every cell but the code (the first makes a new row)
    "follow_up_rules": (
        "code",
        (
            "name",
            "trigger",
            "trigger_value",
            "offset",
            "unit",
            "repeat_months",
            "window_workdays",
            "caller",
            "method",
            "target_pct",
            "hard",
            "call_types",
            "classes",
            "enabled",
            "note",
        ),
    ),
}

# the office's own sheets, as the notes about them name them
OFFICE_SHEETS = {
    "rules": message("merge.sheet_rules"),
    "staff": message("merge.sheet_staff"),
    "holidays": message("merge.sheet_holidays"),
    "follow_up_rules": message("merge.sheet_follow_up_rules"),
}
# a call or event id read twice with different contents: the conflict's message
DUPLICATE_ID = {"call_id": "merge.conflict_call_id", "event_id": "merge.conflict_event_id"}


@dataclass
class Conflict:
    kind: str  # customer_id | phone | call_id | event_id | not_owner
    customer_id: str
    sources: list[Message | str]  # merge.place: rendered in the reader's language
    kept: Message | str  # where the kept version is, or merge.kept_all
    why: Message  # rendered in the reader's language (the 冲突 sheet, merge --json)

    def row(self, lang: str) -> dict:
        """The conflict as the master's 冲突 sheet writes it, its texts in ``lang``."""
        return {
            "kind": self.kind,
            "customer_id": self.customer_id,
            "sources": [localize(s, lang) for s in self.sources],
            "kept": localize(self.kept, lang),
            "why": self.why.render(lang),
        }


@dataclass
class Change:
    """One field of one record changed (or proposed, or a row gone from its book)."""

    kind: str  # customer | call | event
    id: str
    field: str  # the column's Chinese header ("" for a whole row); shown with field_label
    old: Any
    new: Any
    source: Message | Label | str  # book › sheet › row (merge.place); text as read from a log
    who: str  # the book's owner
    status: str  # applied | pending | approved | refused | deleted | added
    reason: Message | str = ""  # why a change is held for the manager's yes (lineage.held_*)

    @property
    def is_deletion(self) -> bool:
        """A whole row gone from its owner's book (field ""): approving moves it to 已删除."""
        return self.field == "" and self.kind in SHEET_OF and self.status != "added"

    def key(self) -> tuple:
        return (self.kind, self.id, self.field, text(self.old), text(self.new))


@dataclass
class MergedBooks:
    """The books merged into one (``book``) and what happened on the way; the API makes the
    command's answer of it (results.MergeResult)."""

    book: Book
    conflicts: list[Conflict] = field(default_factory=list)
    duplicates_dropped: int = 0
    added: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # input label → rows new to the master
    changes: list[Change] = field(default_factory=list)  # this run's
    pending: list[Change] = field(default_factory=list)  # all edits waiting for approval
    notes: list[Message] = field(default_factory=list)  # one line each
    deleted: list[tuple[Change, Record]] = field(default_factory=list)  # approved deletions


def plain(v: Any) -> Any:
    """A value for JSON: dates as ISO text, everything else as is."""
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return v


def text(v: Any) -> str:
    """A value compared as the change log writes it (numbers from a sheet read back as floats)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (dt.datetime,)):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return str(v)


def place_key(record: Record) -> str:
    src = record.src
    return (
        f"{src.file} › {src.sheet} › 第{src.row}行"
        if src and src.row
        else (src.file if src else "")
    )


def place(record: Record) -> Message | str:
    """Where a record was read, as a conflict or the change log shows it: ``place_key`` in the
    reader's language (… › row N). ``place_key`` stays the key merge compares and sorts by."""
    src = record.src
    if src and src.row:
        return message("merge.place", file=src.file, sheet=src.sheet, row=src.row)
    return src.file if src else ""


def _content(record: Record, keys) -> tuple:
    return tuple(record.raw(k) for k in keys)


def _details(record: Record) -> tuple:
    return (
        *tuple(record.raw(k) for k in record.SHEET.keys),
        tuple(sorted((k, text(v)) for k, v in record.extra.items())),
    )


def book_owner(book: Book) -> str | None:
    """Whom a staff book belongs to, when split did not stamp it: the 负责人 most of its customers have
    (else its main caller). A tie is nobody: a book cannot claim a colleague by adding their rows."""
    owners = Counter(
        (customer.owner or "").strip()
        for customer in book.customers
        if customer.owner and customer.owner.strip()
    )
    if not owners:
        owners = Counter(
            (call.caller or "").strip()
            for call in book.calls
            if call.caller and call.caller.strip()
        )
    top = owners.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return None
    return top[0][0]


def customer_ident(customer: Customer) -> str:
    """A customer's identity in the master: the id, or the row when the id is missing."""
    return customer.customer_id or f"(无编号) {place_key(customer)}"


def ident(key: str, record: Record) -> tuple | str:
    rid = own_id(record)  # 客户编号, 回访记录编号 or 事项编号
    if key == "customers":
        return rid or f"(无编号) {place_key(record)}"  # as customer_ident
    if key == "calls":
        return ("id", rid) if rid else ("content", _content(record, CALL_KEY))
    return ("id", rid) if rid else ("content", _content(record, EVENT_KEY))


def label_id(key: str, record: Record) -> str:
    if key == "customers":
        return customer_of(record) or ""
    return (
        own_id(record)
        or f"{customer_of(record) or ''} {text(getattr(record, 'call_date' if key == 'calls' else 'event_date'))}".strip()
    )


def masks(old: Any, new: Any) -> bool:
    """``new`` is a masked rendering (138****5678, 王**, a note with a masked phone) standing in for ``old``."""
    return isinstance(new, str) and "**" in new and "**" not in text(old)


# --- the first merge: a union of books ------------------------------------------------------------


def _union(books: list[tuple[str, Book]], result: MergedBooks) -> dict[str, dict]:
    """Records of several books (masters, or the staff books of a first merge) by identity."""
    own_file: dict[str, str] = {}
    for label, book in books:
        owner = book_owner(book)
        if owner and owner not in own_file:
            own_file[owner] = label
    customers: dict[str, list[tuple[str, Customer]]] = {}  # by customer_ident()
    out: dict[str, dict] = {"customers": {}, "calls": {}, "events": {}}
    for label, book in books:
        added = result.added.setdefault(label, {"customers": 0, "calls": 0, "events": 0})
        for customer in book.customers:
            versions = customers.setdefault(customer_ident(customer), [])
            if any(_details(v) == _details(customer) for _l, v in versions):
                result.duplicates_dropped += 1
                continue
            versions.append((label, customer))
            added["customers"] += len(versions) == 1
        for key in ("calls", "events"):
            have_all = out[key]
            for rec in book.records(key):
                i = ident(key, rec)
                have = have_all.get(i)
                if have is None:
                    have_all[i] = rec
                    added[key] += 1
                elif i[0] == "id" and _details(have) != _details(rec):
                    kind = "call_id" if key == "calls" else "event_id"
                    result.conflicts.append(
                        Conflict(
                            kind,
                            customer_of(rec) or "",
                            [place(have), place(rec)],
                            place(have),
                            message(DUPLICATE_ID[kind], id=i[1]),
                        )
                    )
                else:
                    result.duplicates_dropped += 1
    for cid, versions in customers.items():
        kept = versions[0][1]
        if len(versions) > 1:
            kept, why = _choose(versions, own_file)
            result.conflicts.append(
                Conflict("customer_id", cid, [place(v) for _l, v in versions], place(kept), why)
            )
        out["customers"][cid] = kept
    return out


def _choose(
    versions: list[tuple[str, Customer]], own_file: dict[str, str]
) -> tuple[Customer, Message]:
    for label, customer in versions:
        if customer.owner and own_file.get(customer.owner.strip()) == label:
            return customer, message("merge.conflict_customer_owner", owner=customer.owner)

    def filled(customer: Customer) -> int:
        return sum(1 for v in _details(customer)[:-1] if v not in (None, ""))

    best = max(versions, key=lambda lv: (filled(lv[1]), lv[1].verified_on or dt.date.min))
    if filled(best[1]) > min(filled(v) for _l, v in versions):
        return best[1], message("merge.conflict_customer_fullest")
    return versions[0][1], message("merge.conflict_customer_first")


# --- the weekly merge: staff books onto the master -----------------------------------------------


@dataclass
class _Ctx:
    base: dict[str, dict]
    owner_of: dict[str, str]  # customer id → 负责人 in the master
    result: MergedBooks
    as_of: dt.date
    lock_days: int
    refused: set  # Change.key() refused earlier: not proposed again
    pending: dict  # Change.key() → Change waiting for approval
    superseded: set = field(
        default_factory=set
    )  # (kind, id, field, value) an approval replaced: a stale book
    new_versions: dict = field(default_factory=lambda: {"customers": {}, "calls": {}, "events": {}})
    applied: dict = field(
        default_factory=dict
    )  # (sheet key, ident) → label of the book that changed it
    with_master: bool = True
    # For _deleted, so each book looks at its own rows, not the whole master: per sheet key,
    # source file → idents whose record came from it, each ident's place in the master, and
    # the idents this merge gave a new record (their source may have changed since).
    by_file: dict = field(default_factory=dict)
    inputs: frozenset = frozenset()  # the staff books' labels in this merge
    position: dict = field(default_factory=dict)
    touched: dict = field(
        default_factory=lambda: {"customers": set(), "calls": set(), "events": set()}
    )
    lineage: dict = field(default_factory=dict)  # label → lineage.BookLineage
    latest_base: dict = field(
        default_factory=dict
    )  # owner → newest generation a book was sent from
    replaced: set = field(default_factory=set)  # (kind, id, field, value) 修改记录 shows replaced
    # (kind, id) the manager agreed to delete: never added again from a book that still has it
    gone: set = field(default_factory=set)
    changed_by: dict = field(default_factory=dict)  # (kind, id, field) → who last changed it

    _waiting: dict | None = None

    def pending_by_field(self) -> dict:
        """(kind, id, field) → the keys in ``pending`` for it, so a newer edit finds the one it replaces."""
        if self._waiting is None:
            self._waiting = {}
            for k in self.pending:
                self._waiting.setdefault(k[:3], []).append(k)
        return self._waiting

    def index_sources(self) -> None:
        for key, recs in self.base.items():
            files: dict[str, list] = {}
            for i, rec in recs.items():
                s = rec.__dict__["src"]
                if s is not None:
                    files.setdefault(s.file, []).append(i)
            self.by_file[key] = files

    def place(self, key: str) -> dict:
        """ident → its place in the master (made the first time a replaced row must be ordered)."""
        if key not in self.position:
            self.position[key] = {i: n for n, i in enumerate(self.base[key])}
        return self.position[key]


def _present_columns(book: Book, key: str) -> dict[str, set]:
    """sheet name → the fields (schema keys and extra headers) that sheet of the book has."""
    return {
        info.name: set(info.columns) | set(info.extra_columns) for info in book.sheets.get(key, [])
    }


def schema_keys(key: str) -> tuple[str, ...]:
    from . import schema

    return schema.BY_KEY[key].keys


def _field_header(key: str, name: str) -> str:
    from . import schema

    sheet = schema.BY_KEY[key]
    return sheet.column(name).zh if name in sheet.keys else name


@cache
def _headers(kind: str) -> dict[str, Label]:
    """A change kind's columns by their Chinese and by their English header → (zh, en)."""
    from . import schema

    key = SHEET_OF.get(kind) or OFFICE_KIND.get(kind)
    columns = schema.BY_KEY[key].columns if key else ()
    return {h: Label(c.zh, c.en) for c in columns for h in (c.en, c.zh)}


def field_label(kind: str, header: str) -> Label | str:
    """A change's field as the reader sees it. ``Change.field`` is the column's Chinese header,
    the key a 待批准 answer is matched by; a schema column shows its header in the reader's
    language, an office-added column its own name."""
    pair = _headers(kind).get(header)
    return pair if pair and pair.zh == header else header


def field_header(kind: str, label: str) -> str:
    """``Change.field`` back from a change log cell: an English header (an en master's
    修改记录/待批准) becomes the column's Chinese one; a Chinese or office header stays."""
    pair = _headers(kind).get(label)
    return pair.zh if pair else label


def _field_name(key: str, name: str) -> Label | str:
    """A field as a conflict names it: its column header in the reader's language."""
    from . import schema

    sheet = schema.BY_KEY[key]
    if name not in sheet.keys:
        return name
    column = sheet.column(name)
    return Label(column.zh, column.en)


def _diff(key: str, old: Record, new: Record, present: set | None) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for every field the book has and changed; masked values never count."""
    out = []
    for name in old.SHEET.keys:
        if present is not None and name not in present:
            continue
        a, b = old.raw(name), new.raw(name)
        if a != b and text(a) != text(b) and not masks(a, b):
            out.append((name, a, b))
    for h in dict.fromkeys([*old.extra, *new.extra]):
        if present is not None and h not in present:
            continue
        a, b = old.extra.get(h), new.extra.get(h)
        if text(a) != text(b) and not masks(a, b):
            out.append((h, a, b))
    return out


def _apply(old: Record, new: Record, fields: list[str]) -> Record:
    """``old`` with ``fields`` taken from ``new``; the row now comes from the book."""
    values = {k: getattr(old, k) for k in old.SHEET.keys}
    bad, extra = dict(old.bad), dict(old.extra)
    for name in fields:
        if name in values:
            values[name] = getattr(new, name)
            bad.pop(name, None)
            if name in new.bad:
                bad[name] = new.bad[name]
        elif name in new.extra and new.extra[name] not in (None, ""):
            extra[name] = new.extra[name]
        else:
            extra.pop(name, None)
    return type(old).build(new.src, bad, extra, values)


def _protected(key: str, rec: Record, ctx: _Ctx) -> bool:
    if key != "calls" or not isinstance(rec, Call):  # only calls are locked
        return False
    if rec.raw("reviewer") not in (None, ""):
        return True
    return rec.call_date is not None and (ctx.as_of - rec.call_date).days > ctx.lock_days


def _record_owner(key: str, rec: Record, ctx: _Ctx) -> str:
    """The 负责人 in the master as it was before this merge (a reassignment now does not move it yet)."""
    if isinstance(rec, Customer) and not rec.customer_id:
        return (rec.owner or "").strip()
    return ctx.owner_of.get(customer_of(rec) or "", "")


def _take_book(label: str, book: Book, ctx: _Ctx, stamped: str | None = None) -> None:
    known = ctx.lineage.get(label)
    if known is not None:  # the merge was told what to believe: the owner is never guessed
        owner = known.owner
        stamped = owner if known.stamp is not None else None
        known.open_base()
        try:
            _take_rows(label, book, ctx, owner, stamped, known)
        finally:
            known.close_base()
        return
    _take_rows(label, book, ctx, stamped or book_owner(book) or "", stamped, None)


def _take_rows(label: str, book: Book, ctx: _Ctx, owner: str, stamped: str | None, known) -> None:
    """Every row of one staff book against the master: new, the same, changed by its owner
    (proposed) or a conflict; then the owner's rows the book no longer has."""
    added = ctx.result.added.setdefault(label, {"customers": 0, "calls": 0, "events": 0})
    handed = kept_out = 0
    for key in ("customers", "calls", "events"):
        present = _present_columns(book, key)
        values = operator.itemgetter(*schema_keys(key))
        seen: dict = {}
        for rec in book.records(key):
            i = ident(key, rec)
            first = seen.setdefault(i, rec)
            if first is not rec:
                _twice_in_book(key, first, rec, ctx.result)
                continue
            have = ctx.base[key].get(i)
            if have is None and (KIND[key], label_id(key, rec)) in ctx.gone:
                kept_out += 1  # deleted with the manager's yes; the book still had it
                continue
            if have is None:
                added[key] += _new_row(key, i, label, rec, ctx)
                continue
            hd, rd = have.__dict__, rec.__dict__
            same = (
                values(hd) == values(rd) and hd["bad"] == rd["bad"] and hd["extra"] == rd["extra"]
            )  # fast path
            diffs = (
                [] if same else _diff(key, have, rec, present.get(rec.src.sheet if rec.src else ""))
            )
            if diffs:
                handed += _changed_row(key, i, label, have, rec, diffs, owner, ctx, known)
            else:
                _same_row(key, i, label, have, rec, owner, stamped, ctx)
        has_sheet = (
            key in book.sheets if book.sheets else bool(book.records(key))
        )  # read, or built in code
        if owner and has_sheet and ctx.with_master:
            _deleted(key, owner, seen, label, ctx, known)
    if handed:
        ctx.result.notes.append(message("merge.handed_over_owner_kept", label=label, n=handed))
    if kept_out:
        ctx.result.notes.append(message("lineage.deleted_not_readded", label=label, n=kept_out))


def _twice_in_book(key: str, first: Record, rec: Record, result: MergedBooks) -> None:
    """One id twice in one book (V3a): the first row speaks for the book, every week alike;
    weighing each row against the master would flip it between them."""
    if _details(first) == _details(rec):
        result.duplicates_dropped += 1
        return
    result.conflicts.append(
        Conflict(
            _conflict_kind(key),
            customer_of(rec) or "",
            [place(first), place(rec)],
            place(first),
            message("merge.conflict_twice_in_book", id=label_id(key, rec)),
        )
    )


def _new_row(key: str, i, label: str, rec: Record, ctx: _Ctx) -> bool:
    """A row the master lacks, kept as the first book has it (a customer's versions are chosen
    between later); True when it is new to this merge. A call or event id read again with other
    details is a conflict."""
    versions = ctx.new_versions[key].setdefault(i, [])
    if any(_details(v) == _details(rec) for _l, v in versions):
        ctx.result.duplicates_dropped += 1
    elif versions and key != "customers":
        kind = "call_id" if key == "calls" else "event_id"
        ctx.result.conflicts.append(
            Conflict(
                kind,
                customer_of(rec) or "",
                [place(versions[0][1]), place(rec)],
                place(versions[0][1]),
                message(DUPLICATE_ID[kind], id=label_id(key, rec)),
            )
        )
    else:
        versions.append((label, rec))
        return len(versions) == 1
    return False


def _same_row(
    key: str, i, label: str, have: Record, rec: Record, owner: str, stamped: str | None, ctx: _Ctx
) -> None:
    """A row the book has as the master does: a duplicate. In the book split sent its owner,
    the row is that book's now, so a deletion there will be seen."""
    ctx.result.duplicates_dropped += 1
    if (
        stamped
        and _record_owner(key, have, ctx) == owner
        and rec.src
        and (not have.src or have.src.file != label)
    ):
        ctx.touched[key].add(i)
        ctx.base[key][i] = type(have).build(
            rec.src, have.bad, have.extra, {k: getattr(have, k) for k in have.SHEET.keys}
        )


def _changed_row(
    key: str,
    i,
    label: str,
    have: Record,
    rec: Record,
    diffs: list,
    owner: str,
    ctx: _Ctx,
    known,
) -> bool:
    """A row the book changed: proposed when it is the owner's and no other book changed it in
    this merge, else a conflict. True for a customer the master has handed over since (the book
    is stale: its old 负责人 is no conflict)."""
    rec_owner = _record_owner(key, have, ctx)
    if not owner or rec_owner != owner:
        if (
            isinstance(rec, Customer)
            and [d[0] for d in diffs] == ["owner"]
            and (rec.owner or "").strip() == owner
        ):
            return True
        ctx.result.conflicts.append(
            Conflict(
                "not_owner",
                customer_of(have) or "",
                [place(have), place(rec)],
                place(have),
                message(
                    "merge.conflict_not_owner",
                    label=label,
                    owner=owner or message("merge.owner_unknown"),
                    record_owner=rec_owner or message("merge.owner_empty"),
                    field=_field_name(key, diffs[0][0]),
                    n=len(diffs),
                ),
            )
        )
    elif (key, i) in ctx.applied:
        ctx.result.conflicts.append(
            Conflict(
                _conflict_kind(key),
                customer_of(have) or "",
                [ctx.applied[(key, i)], place(rec)],
                ctx.applied[(key, i)],
                message("merge.conflict_two_books", id=label_id(key, rec)),
            )
        )
    else:
        _propose(key, i, have, rec, diffs, owner, ctx, known)
    return False


def _conflict_kind(key: str) -> str:
    return {"customers": "customer_id", "calls": "call_id", "events": "event_id"}[key]


def _verdict(
    key: str, have: Record, rec: Record, name: str, old: Any, new: Any, ctx: _Ctx, known
) -> str | Message:
    """What to do with one field a book changed: "skip" (the book did not change it), "apply",
    or the reason it is held for the manager's yes."""
    # a book split did not send — or whose record of what was sent was edited: no base to compare
    unstamped = known is not None and (known.stamp is None or known.base is None)
    field_key = (KIND[key], label_id(key, have), _field_header(key, name))
    if not unstamped and (*field_key, text(new)) in ctx.superseded:
        return "skip"  # the manager approved a newer value over this one: a stale book
    if known is not None and known.stamp is not None:
        sent = None if known.base is None else known.base.get((key, own_id(rec) or ""))
        if sent is not None:  # (even from this very master: the manager's 是 may have changed it)
            from .lineage import changed

            if changed(sent, name, new) is False:
                return "skip"  # the value as sent: a stale row can never revert anything
            if changed(sent, name, old):
                who = ctx.changed_by.get(field_key)
                if who:
                    return message("lineage.held_both_changed_by", who=who)
                return message("lineage.held_both_changed")
        latest = ctx.latest_base.get(known.owner, 0)
        if known.stamp.generation < latest:
            return message("lineage.held_stale", generation=known.stamp.generation, latest=latest)
    if unstamped:
        if (*field_key, text(new)) in ctx.replaced:
            return message("lineage.held_revert")
        if name in rec.bad and name not in have.bad and have.raw(name) not in (None, ""):
            return message("lineage.held_fails_check")
    if _protected(key, have, ctx):
        return message("lineage.held_locked")
    return "apply"


def _hold(ch: Change, ctx: _Ctx) -> None:
    if ch.key() in ctx.pending:
        return
    waiting = ctx.pending_by_field()
    for k in waiting.pop((ch.kind, ch.id, ch.field), ()):
        del ctx.pending[k]  # the book's newer version replaces an older one still waiting
    ctx.pending[ch.key()] = ch
    waiting[(ch.kind, ch.id, ch.field)] = [ch.key()]
    ctx.result.changes.append(ch)


def _propose(
    key: str, i, have: Record, rec: Record, diffs: list, owner: str, ctx: _Ctx, known=None
) -> None:
    apply = []
    # the book was sent this row and changed it since (the three-way compare saw it): a new edit,
    # whatever the manager refused from an older copy
    fresh = (
        known is not None
        and known.stamp is not None
        and known.base is not None
        and (key, own_id(rec) or "") in known.base
    )
    for name, old, new in diffs:
        verdict = _verdict(key, have, rec, name, old, new, ctx, known)
        if verdict == "skip":
            continue
        held = not isinstance(verdict, str)
        ch = Change(
            KIND[key],
            label_id(key, have),
            _field_header(key, name),
            old,
            new,
            place(rec),
            owner,
            "pending" if held else "applied",
            verdict if held else "",
        )
        if ch.key() in ctx.refused and not fresh:
            continue  # refused before; a book split sent changed it again since: asked anew
        if held:
            _hold(ch, ctx)
        else:
            apply.append(name)
            ctx.result.changes.append(ch)
    if apply:
        ctx.touched[key].add(i)
        ctx.base[key][i] = _apply(have, rec, apply)
        ctx.applied[(key, i)] = place(rec)


def _deleted(key: str, owner: str, seen: Container, label: str, ctx: _Ctx, known=None) -> None:
    """Rows of the owner's that the owner's book no longer has: kept, and proposed for deletion
    in 待批准 (是 moves the row to 已删除; 否 keeps it and it is not proposed again).

    A book split sent knows what it was sent (its base): a row sent and gone is a deletion, a
    row added to the master since is not. Otherwise only rows from this book can qualify: those
    the master had from it, and those this merge replaced; in the master's order."""
    base, files = ctx.base[key], ctx.by_file[key]
    sent = known.base if known is not None and known.base is not None else None
    if (
        sent is not None
    ):  # each row sent, as the master knows it (customers by id, others ("id", …))
        idents = (rid if key == "customers" else ("id", rid) for rid in sent.ids(key))
        candidates = [i for i in idents if i in base]
        names: set[str] = set()
    else:
        names = _same_book(label, files, ctx.inputs)
        own = [i for name in names for i in files.get(name, [])]
        touched = ctx.touched[key]
        if touched or len(names) > 1:
            candidates = sorted(touched.union(own), key=ctx.place(key).__getitem__)
        else:
            candidates = own  # already in the master's order
    for i in candidates:
        rec = base[i]
        if i in seen or _record_owner(key, rec, ctx) != owner:
            continue
        if sent is None and (not rec.src or rec.src.file not in names):
            continue
        ch = Change(
            KIND[key],
            label_id(key, rec),
            "",
            None,
            None,
            Label(f"{label} › {rec.SHEET.zh}", f"{label} › {rec.SHEET.en}"),
            owner,
            "pending",
            message("lineage.held_deleted"),
        )
        if ch.key() not in ctx.refused:  # refused (or listed as deleted before): not again
            _hold(ch, ctx)


def _same_book(label: str, files: Container, inputs: Container) -> set[str]:
    """``label`` and the name the same book had in the master with the other workbook extension
    (.xlsx ↔ .xlsm: split sends .xlsm books, the first week's may have been .xlsx), unless that
    name is itself an input of this merge (then each book answers for its own rows)."""
    stem, ext = os.path.splitext(label)
    names = {label}
    if ext.lower() in (".xlsx", ".xlsm"):
        for other in (stem + ".xlsx", stem + ".xlsm", stem + ".XLSX", stem + ".XLSM"):
            if other != label and other in files and other not in inputs:
                names.add(other)
    return names


def apply_decisions(
    base: dict[str, dict],
    decisions: Sequence[tuple[Change, bool | None]],
    result: MergedBooks,
    parse,
) -> tuple[dict, set]:
    """The manager's 批准 是/否 on pending edits: approved ones applied, refused ones remembered.

    ``parse(sheet key, field, value)`` turns an approved value back into the field's type.
    Returns (still pending by key, refused keys).
    """
    from . import schema

    pending, refused = {}, set()
    by_label = (  # every record by its id: only when the manager decided something (most weeks not)
        {
            key: {label_id(key, record): i for i, record in recs.items()}
            for key, recs in base.items()
        }
        if any(ok is not None for _ch, ok in decisions)
        else {}
    )
    for ch, ok in decisions:
        if ok is None:
            pending[ch.key()] = ch
            continue
        key = SHEET_OF.get(ch.kind, "")  # "": a kind no sheet has, so no record either
        i = by_label.get(key, {}).get(ch.id)
        if not ok:
            refused.add(ch.key())
            result.changes.append(
                Change(ch.kind, ch.id, ch.field, ch.old, ch.new, ch.source, ch.who, "refused")
            )
            continue
        if i is None:
            result.notes.append(message("merge.edit_no_record", id=ch.id))
            continue
        rec = base[key][i]
        if ch.is_deletion:  # 是 on a row deleted in its book: out of the master, onto 已删除
            del base[key][i]
            done = Change(ch.kind, ch.id, "", None, None, ch.source, ch.who, "approved", ch.reason)
            result.changes.append(done)
            result.deleted.append((done, rec))
            continue
        sheet = schema.BY_KEY[key]
        name = next((column.key for column in sheet.columns if column.zh == ch.field), ch.field)
        current = rec.raw(name) if name in sheet.keys else rec.extra.get(name)
        if text(current) != text(ch.old):
            result.notes.append(
                message(
                    "merge.edit_stale",
                    id=ch.id,
                    field=field_label(ch.kind, ch.field),
                    old=text(ch.old),
                )
            )
            continue
        values = {k: getattr(rec, k) for k in sheet.keys}
        bad, extra = dict(rec.bad), dict(rec.extra)
        if name in values:
            v = parse(key, name, ch.new)
            bad.pop(name, None)
            if isinstance(v, str) and getattr(v, "expected", None):
                values[name], bad[name] = None, v
            else:
                values[name] = v
        elif ch.new in (None, ""):
            extra.pop(name, None)
        else:
            extra[name] = ch.new
        base[key][i] = type(rec).build(rec.src, bad, extra, values)
        result.changes.append(
            Change(ch.kind, ch.id, ch.field, ch.old, ch.new, ch.source, ch.who, "approved")
        )
    return pending, refused


def merge_books(
    books: list[tuple[str, Book]],
    masters: set[str] | frozenset = frozenset(),
    as_of: dt.date | None = None,
    lock_days: int = 30,
    decisions: Sequence[tuple[Change, bool | None]] = (),
    history: Sequence[Change] = (),
    parse=None,
    owners: dict[str, str] | None = None,
    lineage: dict | None = None,
    latest_base: dict[str, int] | None = None,
) -> MergedBooks:
    """Merge ``books`` (label, Book); labels in ``masters`` are masters this tool wrote.

    With a master: the masters are the base and the staff books are applied onto it
    (see the module docstring); ``decisions`` are the manager's answers on pending
    edits, ``history`` the master's change log (so nothing is listed twice), ``owners``
    the person each staff book was split for (label → name; else its majority 负责人).
    ``lineage`` (label → lineage.BookLineage) replaces ``owners`` with what the books' verified
    stamps say: owner, the generation each was split from and the rows as sent (three-way
    merge); ``latest_base`` (owner → the newest generation a book of theirs was sent from) says
    which books are stale.
    Without a master: the staff books are unioned (the first merge).
    """
    out = Book(path="master")
    result = MergedBooks(out)
    master_books = [(lb, book) for lb, book in books if lb in masters]
    staff_books = [(lb, book) for lb, book in books if lb not in masters]
    as_of = as_of or dt.date.today()
    office_answers = [(ch, ok) for ch, ok in decisions if ch.kind in OFFICE_KIND and ok is not None]
    decisions = [(ch, ok) for ch, ok in decisions if (ch, ok) not in office_answers]
    if master_books:
        base = _union(master_books, result)
        pending, refused = apply_decisions(
            base, list(decisions), result, parse or (lambda _k, _f, v: v)
        )
        for ch, ok in office_answers:
            if not ok:
                refused.add(ch.key())
                result.changes.append(
                    Change(ch.kind, ch.id, ch.field, ch.old, ch.new, ch.source, ch.who, "refused")
                )
        refused |= {change.key() for change in history if change.status in ("refused", "deleted")}
        owner_of = {
            customer.customer_id: (customer.owner or "").strip()
            for customer in base["customers"].values()
            if customer.customer_id
        }
        ctx = _Ctx(
            base,
            owner_of,
            result,
            as_of,
            lock_days,
            refused,
            pending,
            {
                (change.kind, change.id, change.field, text(change.old))
                for change in [*history, *result.changes]
                if change.status == "approved"
            },
        )
        ctx.index_sources()
        ctx.inputs = frozenset(lb for lb, _book in staff_books)
        ctx.lineage = dict(lineage or {})
        ctx.latest_base = dict(latest_base or {})
        ctx.changed_by = {
            (change.kind, change.id, change.field): change.who or change.status
            for change in [*history, *result.changes]
            if change.status in ("applied", "approved") and change.field
        }
        ctx.gone = {
            (change.kind, change.id)
            for change in [*history, *result.changes]
            if change.status == "approved" and change.is_deletion
        }
        ctx.replaced = {
            (change.kind, change.id, change.field, text(change.old))
            for change in [*history, *result.changes]
            if change.status in ("applied", "approved") and change.field
        }
        owners = owners or {}
        for label, book in staff_books:
            _take_book(label, book, ctx, owners.get(label))
        for key in ("customers", "calls", "events"):
            for i, versions in ctx.new_versions[key].items():
                kept = versions[0][1]
                if key == "customers" and len(versions) > 1:
                    kept, why = _choose(
                        versions, {book_owner(book) or "": lb for lb, book in staff_books}
                    )
                    result.conflicts.append(
                        Conflict(
                            "customer_id", i, [place(v) for _l, v in versions], place(kept), why
                        )
                    )
                base[key][i] = kept
                first = ctx.lineage.get(versions[0][0])
                who = (
                    (first.owner if first is not None else owners.get(versions[0][0]))
                    or book_owner(dict(staff_books)[versions[0][0]])
                    or ""
                )
                result.changes.append(
                    Change(
                        KIND[key], label_id(key, kept), "", None, None, place(kept), who, "added"
                    )
                )
        for label, book in staff_books:
            known = ctx.lineage.get(label)
            who = (known.owner if known is not None else owners.get(label)) or book_owner(book)
            _office_proposals(label, book, master_books, who or "", ctx)
        result.pending = list(pending.values())
        office = master_books
    else:
        base = _union(staff_books, result)
        office = staff_books
    _office_sheets(out, office, staff_books if master_books else [], result, bool(master_books))
    _office_approved(out, [ch for ch, ok in office_answers if ok], result, parse)
    out.customers = sorted(
        base["customers"].values(), key=lambda customer: ident("customers", customer)
    )
    _phone_clashes(out.customers, result)
    out.calls = sorted(base["calls"].values(), key=_call_order)
    out.events = sorted(
        base["events"].values(),
        key=lambda event: (event.event_date or dt.date.min, event.event_id or "", place_key(event)),
    )
    return result


def _sheet_version(records: list[Record]) -> tuple:
    return tuple(sorted(tuple(text(v) for v in record.values().values()) for record in records))


def _office_sheets(
    out: Book,
    office: list[tuple[str, Book]],
    others: list[tuple[str, Book]],
    result: MergedBooks,
    with_master: bool,
) -> None:
    """规则, 人员, 节假日: from the master (else the version most books agree on); others differing are named."""
    for key, sheet in OFFICE_SHEETS.items():
        versions = [(lb, book.records(key)) for lb, book in office if book.records(key)]
        if not versions:
            continue
        counts = Counter(_sheet_version(recs) for _lb, recs in versions)
        chosen = counts.most_common(1)[0][0]
        records = next(recs for _lb, recs in versions if _sheet_version(recs) == chosen)
        setattr(
            out,
            key,
            sorted(records, key=lambda h: h.date or dt.date.min)
            if key == "holidays"
            else list(records),
        )
        proposed = key in OFFICE_FIELDS  # a staff book's rows go to 待批准 (_office_proposals)
        for lb, recs in [
            *versions,
            *((lb, book.records(key)) for lb, book in others if book.records(key) and not proposed),
        ]:
            if _sheet_version(recs) != chosen:
                result.notes.append(
                    message("merge.sheet_differs_from_master", lb=lb, sheet=sheet)
                    if with_master
                    else message("merge.sheet_differs_from_most", lb=lb, sheet=sheet)
                )


@functools.cache
def _builtin_codes() -> frozenset[str]:
    """P1–P24 (and P16S, P16B): the codes whose 名称 is the catalog's, in the sheet's language."""
    from .ruletable import default_rules
    from .settings import Policy

    return frozenset(rule.code for rule in default_rules(Policy()))


def _builtin_rule(code: str) -> bool:
    return code.upper() in _builtin_codes()


def _office_id(key: str, rec: Record) -> str | None:
    v = getattr(rec, OFFICE_FIELDS[key][0])
    return v.isoformat() if isinstance(v, dt.date) else (str(v).strip() or None) if v else None


def _office_proposals(
    label: str, book: Book, masters: list[tuple[str, Book]], who: str, ctx: _Ctx
) -> None:
    """A staff book's 节假日/规则 rows the master lacks or has otherwise: held in 待批准, one
    field a row (是 puts it in the master's sheet), and named in the summary."""
    for kind, key in OFFICE_KIND.items():
        have = {_office_id(key, r): r for _lb, b in masters for r in b.records(key)}
        held = 0
        for rec in book.records(key):
            rid = _office_id(key, rec)
            if rid is None or getattr(rec, OFFICE_FIELDS[key][0]) is None:
                continue
            mine = have.get(rid)
            for name in OFFICE_FIELDS[key][1]:
                old, new = (mine.raw(name) if mine else None), rec.raw(name)
                if new in (None, "") or text(old) == text(new):
                    continue
                if key == "follow_up_rules" and name == "name" and _builtin_rule(rid):
                    continue  # a built-in rule's 名称 is the catalog's, in the book's language
                ch = Change(
                    kind,
                    rid,
                    _field_header(key, name),
                    old,
                    new,
                    place(rec),
                    who,
                    "pending",
                    message("merge.held_office_row", sheet=OFFICE_SHEETS[key]),
                )
                if ch.key() in ctx.refused or ch.key() in ctx.pending:
                    continue
                _hold(ch, ctx)
                held += 1
        if held:
            sheet = OFFICE_SHEETS[key]
            ctx.result.notes.append(
                message("merge.office_rows_held", lb=label, sheet=sheet, n=held)
            )


def _office_approved(out: Book, approved: list[Change], result: MergedBooks, parse) -> None:
    """The manager's 是 on a staff book's 节假日/规则 row: the field set on the master's row of
    that date (rule), a new row when the master has none (a 说明 alone adds no holiday)."""
    from . import schema

    for ch in approved:
        key = OFFICE_KIND[ch.kind]
        sheet = schema.BY_KEY[key]
        id_key, fields = OFFICE_FIELDS[key]
        name = next((c.key for c in sheet.columns if c.zh == ch.field), None)
        records = out.records(key)
        at = next((n for n, r in enumerate(records) if _office_id(key, r) == ch.id), None)
        if name is None or (at is None and name != fields[0] and key != "follow_up_rules"):
            result.notes.append(message("merge.edit_no_record", id=ch.id))
            continue
        value = parse(key, name, ch.new) if parse else ch.new
        if at is None:
            row = MODEL_FOR[key].build(
                None, {}, {}, {id_key: parse(key, id_key, ch.id) if parse else ch.id, name: value}
            )
            records.append(row)
        else:
            rec = records[at]
            values = {k: getattr(rec, k) for k in sheet.keys}
            values[name] = value
            bad = {k: v for k, v in rec.bad.items() if k != name}
            records[at] = type(rec).build(rec.src, bad, dict(rec.extra), values)
        if key == "holidays":
            records.sort(key=lambda h: getattr(h, "date", None) or dt.date.min)
        if key == "rules":
            _in_force(out, ch.id)
        result.changes.append(
            Change(ch.kind, ch.id, ch.field, ch.old, ch.new, ch.source, ch.who, "approved")
        )


def _in_force(out: Book, setting: str) -> None:
    """A 规则 setting the manager approved is put in force: the 回访规则 cells that stand for it
    (ruletable.SYNCED: P2's 期限 for 投诉处理后回访天数) are emptied, since a 回访规则 cell wins
    over its setting and would undo the approval; the master is written with both agreeing."""
    from . import schema
    from .ruletable import SYNCED
    from .settings import setting_names

    name = setting_names().get(schema.fold(setting))
    cells = {(code, f) for code, fields in SYNCED.items() for f, s in fields.items() if s == name}
    for n, rec in enumerate(out.follow_up_rules):
        emptied = {f for code, f in cells if code == str(rec.code or "").strip().upper()}
        if emptied:
            values = {
                k: (None if k in emptied else getattr(rec, k)) for k in schema.FOLLOW_UP_RULES.keys
            }
            bad = {k: v for k, v in rec.bad.items() if k not in emptied}
            out.follow_up_rules[n] = type(rec).build(rec.src, bad, dict(rec.extra), values)


def _phone_clashes(customers: list[Customer], result: MergedBooks) -> None:
    by_phone: dict[str, list[Customer]] = {}
    for customer in customers:
        if customer.phone:
            by_phone.setdefault(customer.phone, []).append(customer)
    for phone, same in sorted(by_phone.items()):
        ids = sorted({customer.customer_id or "" for customer in same})
        if len(ids) > 1:
            result.conflicts.append(
                Conflict(
                    "phone",
                    render("sep.list", "zh").join(ids),  # the 客户编号 cell, as always written
                    [place(customer) for customer in same],
                    message("merge.kept_all"),
                    message("merge.conflict_phone", phone=phone, ids=ids),
                )
            )


def _call_order(call: Call) -> tuple:
    return (
        call.call_date or dt.date.min,
        call.call_time or dt.time(),
        call.customer_id or "",
        call.record_id or "",
        place_key(call),
    )
