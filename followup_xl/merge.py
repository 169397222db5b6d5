"""Merging staff books into one master: identity, duplicates and conflicts (REQUIREMENTS B1).

Pure: takes Books already read, returns one Book plus what happened. Rules:

* A call with a 记录编号 is that record; without one, its content (customer, date,
  time, method, type, caller, content) identifies it. The same call arriving twice
  is kept once (counted in ``duplicates_dropped``); the same 记录编号 with different
  content is a conflict (the first version in input order is kept).
* A customer with the same id and the same details is one customer. The same id
  with different details is a conflict: the master keeps the version from the
  owner's own book (the book in which most customers belong to that owner), else
  the most complete version, else the first in input order — and says why.
* The same normalised phone under two ids is a conflict: both customers are kept
  (they may be two people sharing a landline) and the clash is listed.
* Events by 事项编号 (else content); staff by name; rules from the first book
  that has them; office holidays are the union.
* Records keep their original provenance: a record read from an earlier master
  keeps the staff book, sheet and row it first came from, and earlier masters
  are merged first, so a re-merge keeps the versions the master already has
  (and its archived years stay unchanged).
* Nothing is dropped for age: retention only ever keeps (B4).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .models import Book, Call, Customer, Event, Record

CALL_KEY = ("customer_id", "call_date", "call_time", "method", "call_type", "caller", "content")
EVENT_KEY = ("customer_id", "event_type", "event_date", "description")


@dataclass
class Conflict:
    kind: str                 # customer_id | phone | call_id | event_id
    customer_id: str
    sources: list[str]
    kept: str
    why: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "customer_id": self.customer_id, "sources": self.sources, "kept": self.kept,
                "why": self.why}


@dataclass
class MergeResult:
    book: Book
    conflicts: list[Conflict] = field(default_factory=list)
    duplicates_dropped: int = 0
    added: dict[str, dict[str, int]] = field(default_factory=dict)   # input label → rows new to the master


def where(r: Record) -> str:
    s = r.src
    return f"{s.file} › {s.sheet} › 第{s.row}行" if s and s.row else (s.file if s else "")


def _content(r: Record, keys) -> tuple:
    return tuple(r.raw(k) for k in keys)


def _details(c: Customer) -> tuple:
    return tuple(c.raw(k) for k in c.SHEET.keys)


def _book_owner(book: Book) -> str | None:
    owners = Counter(c.owner for c in book.customers if c.owner)
    return owners.most_common(1)[0][0] if owners else None


def merge_books(books: list[tuple[str, Book]]) -> MergeResult:
    """Merge earlier masters first, then the rest in the given order (the caller sorts them)."""
    books = sorted(books, key=lambda lb: not _is_master(lb[1], lb[0]))
    out = Book(path="master")
    result = MergeResult(out)
    own_file: dict[str, str] = {}           # owner → the file that is their own book
    for label, book in books:
        owner = _book_owner(book)
        if owner and owner not in own_file and not _is_master(book, label):
            own_file[owner] = label

    customers: dict[str, list[tuple[str, Customer]]] = {}
    calls: dict[object, Call] = {}
    events: dict[object, Event] = {}
    staff: dict[str, Record] = {}
    holidays: dict[tuple, Record] = {}
    for label, book in books:
        added = {"customers": 0, "calls": 0, "events": 0}
        for c in book.customers:
            key = c.customer_id or f"(无编号) {where(c)}"
            versions = customers.setdefault(key, [])
            if any(_details(v) == _details(c) for _l, v in versions):
                result.duplicates_dropped += 1
                continue
            versions.append((label, c))
            added["customers"] += len(versions) == 1
        for k in book.calls:
            ident = ("id", k.record_id) if k.record_id else ("content", _content(k, CALL_KEY))
            have = calls.get(ident)
            if have is None:
                calls[ident] = k
                added["calls"] += 1
            elif k.record_id and _content(have, CALL_KEY) != _content(k, CALL_KEY):
                result.conflicts.append(Conflict("call_id", k.customer_id or "", [where(have), where(k)], where(have),
                                                 f"记录编号{k.record_id}重复但内容不同，保留先读到的一条；另一条未并入，请核对"))
            else:
                result.duplicates_dropped += 1
        for e in book.events:
            ident = ("id", e.event_id) if e.event_id else ("content", _content(e, EVENT_KEY))
            have = events.get(ident)
            if have is None:
                events[ident] = e
                added["events"] += 1
            elif e.event_id and _content(have, e.SHEET.keys) != _content(e, e.SHEET.keys):
                result.conflicts.append(Conflict("event_id", e.customer_id or "", [where(have), where(e)], where(have),
                                                 f"事项编号{e.event_id}重复但内容不同，保留先读到的一条"))
            else:
                result.duplicates_dropped += 1
        for s in book.staff:
            if s.name and s.name not in staff:
                staff[s.name] = s
        if book.rules and not out.rules:
            out.rules = list(book.rules)
        for h in book.holidays:
            holidays.setdefault((h.date, h.kind), h)
        result.added[label] = added

    for cid, versions in sorted(customers.items()):
        label, kept = versions[0]
        if len(versions) > 1:
            kept, why = _choose(versions, own_file)
            result.conflicts.append(Conflict("customer_id", cid, [where(v) for _l, v in versions], where(kept), why))
        out.customers.append(kept)
    _phone_clashes(out.customers, result)
    out.calls = sorted(calls.values(), key=_call_order)
    out.events = sorted(events.values(), key=lambda e: (e.event_date or dt.date.min, e.event_id or "", where(e)))
    out.staff = list(staff.values())
    out.holidays = sorted(holidays.values(), key=lambda h: (h.date or dt.date.min))
    return result


def _is_master(book: Book, label: str) -> bool:
    """A master's records carry the staff book they came from, not the master's own name."""
    return any(r.src and r.src.file and r.src.file != label for r in book.customers[:1])


def _choose(versions: list[tuple[str, Customer]], own_file: dict[str, str]) -> tuple[Customer, str]:
    for label, c in versions:
        src_file = c.src.file if c.src else label
        if c.owner and own_file.get(c.owner) in (label, src_file):
            return c, f"同一客户编号资料不一致：保留负责人{c.owner}本人工作簿中的版本"
    def filled(c: Customer) -> int:
        return sum(1 for v in _details(c) if v not in (None, ""))
    best = max(versions, key=lambda lv: (filled(lv[1]), lv[1].verified_on or dt.date.min))
    if filled(best[1]) > min(filled(v) for _l, v in versions):
        return best[1], "同一客户编号资料不一致：保留填写最完整的版本"
    return versions[0][1], "同一客户编号资料不一致：保留最先读到的版本（输入按文件名排序）"


def _phone_clashes(customers: list[Customer], result: MergeResult) -> None:
    by_phone: dict[str, list[Customer]] = {}
    for c in customers:
        if c.phone:
            by_phone.setdefault(c.phone, []).append(c)
    for phone, same in sorted(by_phone.items()):
        ids = sorted({c.customer_id or "" for c in same})
        if len(ids) > 1:
            result.conflicts.append(Conflict(
                "phone", "、".join(ids), [where(c) for c in same], "全部保留",
                f"电话{phone}出现在多个客户编号下（{'、'.join(ids)}）：两条都保留，请核实是否为同一客户"))


def _call_order(k: Call) -> tuple:
    return (k.call_date or dt.date.min, k.call_time or dt.time(), k.customer_id or "", k.record_id or "",
            where(k))
