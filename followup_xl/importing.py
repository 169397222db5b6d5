"""Bringing an office's existing tracker in: its hand-made layouts as our records (plain data in, plain data out).

Understood, besides the sheets the reader already recognises:
  * wide: one row per customer with repeated call columns (回访日期1/回访内容1/回访日期2…,
    第一次回访/第二次回访…, 回访1、回访(2)…): one call row per filled group;
  * one sheet per month of calls (「3月」「2026年3月」「2026-03」…): a day-only date takes the
    sheet's month, a customer named instead of numbered is found by name;
  * a customer cell holding "name + phone" (华兴建材 13800138002, 张三/138…): split.
Columns that map to nothing are kept as the office's own columns and listed; every source
row is either imported or listed as skipped with a reason. What the tracker never said
(how a call was made, its type, who made it) is filled from ``Defaults`` and counted.

Who is who (``Identities``): two rows are one customer only when the evidence says so — the
same id, or the same phone (with no other name). The same name with another phone is another
customer; the same name without a phone is another customer listed for review, never merged.
Generated ids come from the phone (or the name and its place), so a re-import gives the same.
Every data row gets one outcome (``Imported.rows``): new customer, same as row N, possible
duplicate of row N, a call, or skipped and why; ``--preview`` shows them before anything is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .dating import latest_year, yearless
from .messages import Message, message, render
from .models import Book, Call, Customer, Source
from .normalize import Unreadable, parse_phone, parser_for

HEADER_ROWS = 30
CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
# "the call itself": a repeated column named only as a call holds its date, or its notes
CALL_WORDS = {
    "回访",
    "回访情况",
    "回访记录",
    "跟进",
    "跟进情况",
    "跟进记录",
    "联系",
    "联系记录",
    "call",
    "followup",
}
_ORDINAL_RE = re.compile(r"^第([一二两三四五六七八九十\d]{1,3})次(.*)$")
_TRAILING_RE = re.compile(r"^(.*?)[\s_\-#(（]*(\d{1,2})[)）]?$")
_PHONE_IN_TEXT_RE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8})(?!\d)"
)
_MONTH_SHEET_RE = re.compile(
    r"^(?:(\d{4})\s*[年\-./_]\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月?(?:份)?(?:回访.*)?$"
)
_LEADING_DATE_RE = re.compile(
    r"^\s*((?:\d{4}[年\-./])?\d{1,2}[月\-./]\d{1,2}日?)[\s,，:：、]*(.*)$", re.S
)
METHOD_WORDS = (
    ("上门", "上门"),
    ("拜访", "上门"),
    ("微信", "微信"),
    ("短信", "短信"),
    ("邮件", "邮件"),
    ("电话", "电话"),
)


@dataclass
class Defaults:
    """What a tracker rarely records, filled in and counted (``assumed`` in the answer)."""

    owner: str | None = None  # --owner: customers without a 负责人, calls without a 回访人
    method: str = "电话"  # unless the call's notes say 上门/微信/短信/邮件
    call_type: str = "例行"
    area: str = ""  # 本地区号: a 7-8 digit number is a landline of this area
    as_calls: bool = False  # a list of transactions: every row a call of the customer it names


@dataclass
class Imported:
    book: Book
    mapped: dict[str, str] = field(default_factory=dict)  # source header → "customers.phone"
    unmapped: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {sheet, row, reason}
    layouts: dict[str, str] = field(
        default_factory=dict
    )  # sheet → taken | wide | calls | month | customers
    assumed: dict[str, int] = field(default_factory=dict)
    # one per data row: {sheet, row, outcome, customer_id, same_as, reason}; outcome is
    # new | same | duplicate (a possible duplicate, kept apart) | call | taken | skipped |
    # existing (--into: a customer the master has, written with its id for merge to compare)
    rows: list[dict] = field(default_factory=list)
    # one per header of every sheet read: {sheet, header, target ("customers.phone"), status}
    # status mapped | kept (the office's own column) | ignored
    columns: list[dict] = field(default_factory=list)
    shapes: dict[str, str] = field(default_factory=dict)  # sheet → transactions, when it is one
    notes: list[Message] = field(default_factory=list)


@functools.cache
def _converter():
    try:
        import opencc  # Traditional → Simplified headers (客戶名稱 → 客户名称)
    except ImportError:  # xlwings Lite has only the core dependencies, and never imports
        return None
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def simplified(text: str) -> str:
    """A header in Simplified characters: 客戶名稱 → 客户名称, 電話 → 电话 (ASCII as it is)."""
    if text.isascii():
        return text
    conv = _converter()
    return conv.convert(text) if conv is not None else text


_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread


def stable_id(seed: str, taken: set) -> str:
    """K + six characters from ``seed`` (the phone, or the name and its place): the same file
    gives the same ids whatever else changes in it; a clash takes the next seed, in order."""
    n = 0
    while True:
        digest = (
            hashlib.sha1(f"{seed}#{n}".encode()).digest()
            if n
            else hashlib.sha1(seed.encode()).digest()
        )
        value = int.from_bytes(digest[:8], "big")
        cid = "K" + "".join(_ID_ALPHABET[(value >> (5 * i)) & 31] for i in range(6))
        if cid not in taken:
            return cid
        n += 1


class Identities:
    """Who is who among the rows read so far: by id, by phone, by name."""

    def __init__(self) -> None:
        self.taken: set = set()
        self.by_phone: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        self.phone_of: dict[str, str | None] = {}
        self.name_of: dict[str, str] = {}
        self.where: dict[str, tuple[str, int]] = {}
        self._no_phone_seen: dict[str, int] = {}
        self.existing: set[str] = set()  # --into: the master's customers, not yet named by a row
        self.records: dict[str, Customer] = {}  # --into: the master's customer records by id

    def add(self, cid: str, name: str | None, phone: str | None, where: tuple[str, int]) -> None:
        self.taken.add(cid)
        self.where.setdefault(cid, where)
        if phone:
            self.by_phone.setdefault(phone, cid)
            self.phone_of.setdefault(cid, phone)
        else:
            self.phone_of.setdefault(cid, None)
        if name:
            self.name_of.setdefault(cid, schema.fold(name))
            ids = self.by_name.setdefault(schema.fold(name), [])
            if cid not in ids:
                ids.append(cid)

    def new_id(self, name: str | None, phone: str | None, where: tuple[str, int]) -> str:
        if phone:
            return stable_id("tel:" + phone, self.taken)
        key = schema.fold(name or "")
        n = self._no_phone_seen[key] = self._no_phone_seen.get(key, 0) + 1
        seed = f"name:{key}:{n}" if key else f"row:{where[0]}:{where[1]}"
        return stable_id(seed, self.taken)

    def resolve(
        self, cid: str | None, name: str | None, phone: str | None, creating: bool
    ) -> tuple[str | None, str, str | None, Message | None]:
        """(customer id or None for a new one, outcome, the id it is like, why).

        outcome: same (the row is that customer), new, duplicate (kept apart, listed for
        review), ambiguous (a call naming several customers of that name, no phone).
        """
        folded = schema.fold(name) if name else ""
        if cid:
            if cid not in self.taken:
                return cid, "new", None, None
            known = self.phone_of.get(cid)
            if phone and known and phone != known:
                return (
                    None,
                    "duplicate",
                    cid,
                    message("import.dup_same_id_other_phone", phone=known),
                )
            return cid, "same", cid, None
        if phone:
            other = self.by_phone.get(phone)
            if other is None:
                named = self.by_name.get(folded, []) if folded else []
                if named and all(self.phone_of.get(c) is None for c in named):
                    return None, "duplicate", named[0], message("import.dup_same_name_no_phone")
                return None, "new", None, None
            other_name = self.name_of.get(other)
            if folded and other_name and folded != other_name:
                return None, "duplicate", other, message("import.dup_same_phone_other_name")
            return other, "same", other, None
        if not folded:
            return None, "new", None, None
        named = self.by_name.get(folded, [])
        if not named:
            return None, "new", None, None
        if creating:
            return None, "duplicate", named[0], message("import.dup_same_name_no_phone")
        if len(named) == 1:
            return named[0], "same", named[0], None
        return None, "ambiguous", named[0], None


def _ordinal(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + CN_DIGITS.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return CN_DIGITS.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return CN_DIGITS.get(text[0], 0) * 10 + CN_DIGITS.get(text[2], 0)
    return CN_DIGITS.get(text)


def split_repeated(header: str) -> tuple[int, str] | None:
    """'回访日期2' → (2, '回访日期'); '第三次回访' → (3, '回访'); '第1次回访内容' → (1, '回访内容')."""
    h = schema.fold(simplified(header))
    m = _ORDINAL_RE.match(h)
    if m and (n := _ordinal(m.group(1))):
        return n, m.group(2) or "回访"
    m = _TRAILING_RE.match(h)
    if m and m.group(1) and not m.group(1)[-1].isdigit():
        return int(m.group(2)), m.group(1)
    return None


class Mapper:
    """Header → (sheet key, field key), from our names and aliases plus the office's --map file."""

    def __init__(self, extra: dict[str, str] | None = None):
        self.index = {
            k: schema.header_index(s)
            for k, s in (("customers", schema.CUSTOMERS), ("calls", schema.CALLS))
        }
        self.user: dict[str, tuple[str, str] | None] = {}
        for header, target in (extra or {}).items():
            self.user[schema.fold(header)] = resolve_field(target)

    def field(self, header: str, prefer: str = "customers") -> tuple[str, str] | None:
        h = schema.fold(header)
        if h in self.user:
            return self.user[h]
        s = schema.fold(simplified(header))
        if s in self.user:
            return self.user[s]
        order = (prefer, "calls" if prefer == "customers" else "customers")
        for folded in (h, s) if s != h else (h,):
            for sheet in order:
                key = self.index[sheet].get(folded)
                if key and key in getattr(schema, sheet.upper()).keys:
                    return sheet, key
        return None

    def said(self, header: str) -> bool:
        """The office's --map file names this header (a target, or 忽略)."""
        return schema.fold(header) in self.user or schema.fold(simplified(header)) in self.user

    def rank(self, header: str, target: tuple[str, str]) -> int:
        """How plainly a header names its field: our own names first, a shop's 店名 last."""
        if self.said(header):
            return -1
        col = getattr(schema, target[0].upper()).column(target[1])
        names = [schema.fold(n) for n in col.names()]
        for h in (schema.fold(header), schema.fold(simplified(header))):
            if h in names:
                return names.index(h)
        return len(names)

    def call_part(self, rest: str) -> str | None:
        """The field of a repeated call column's base name ('回访日期' → call_date, '回访' → 'call')."""
        h = schema.fold(simplified(rest))
        mapped = self.user.get(h)
        if mapped:
            return mapped[1]
        if h in CALL_WORDS:
            return "call"
        key = self.index["calls"].get(h)
        if key in schema.CALLS.keys and key not in ("customer_id", "record_id"):
            return key
        if h.startswith("回访") or h.startswith(
            "跟进"
        ):  # 回访日期/回访时间/回访方式… by their tail
            key = self.index["calls"].get(h[2:]) or self.index["calls"].get("回访" + h[2:])
            if key in schema.CALLS.keys:
                return key
        return None


def resolve_field(target: str) -> tuple[str, str] | None:
    """A --map target: 'phone', 'customers.phone', 'calls.call_date', '联系电话', or 忽略/ignore (None)."""
    t = schema.fold(target)
    if t in ("忽略", "ignore", "skip", ""):
        return None
    if "." in t:
        sheet, _, key = t.partition(".")
        for s in (schema.CUSTOMERS, schema.CALLS):
            if sheet in (s.key, schema.fold(s.zh), schema.fold(s.en)):
                if key in s.keys:
                    return s.key, key
                found = schema.header_index(s).get(key)
                if found in s.keys:
                    return s.key, found
        raise ValueError(target)
    for s in (schema.CUSTOMERS, schema.CALLS):
        if t in s.keys:
            return s.key, t
    for s in (schema.CUSTOMERS, schema.CALLS):
        found = schema.header_index(s).get(t)
        if found in s.keys:
            return s.key, found
    raise ValueError(target)


def split_name_phone(text: str) -> tuple[str, str] | None:
    """'华兴建材 13800138002' → ('华兴建材', '13800138002'); None when there is no phone in it."""
    m = _PHONE_IN_TEXT_RE.search(text)
    if not m:
        return None
    name = (text[: m.start()] + " " + text[m.end() :]).strip(" \t/|,，;；:：-—()（）[]【】")
    name = re.sub(r"\s*[/|,，;；:：]\s*$", "", name).strip()
    return (name, m.group(0).strip()) if name else None


def month_of_sheet(name: str, as_of: dt.date) -> tuple[int, int] | None:
    """(year, month) a sheet named for a month holds (2026年9月, 9月, 2026-03, 三月); a month
    named without its year is the latest one up to ``as_of`` (12月, imported in January: last
    December)."""
    m = _MONTH_SHEET_RE.match(schema.fold(name))
    if not m:
        return None
    month = _ordinal(m.group(2))
    if not month or not 1 <= month <= 12:
        return None
    if m.group(1):
        return int(m.group(1)), month
    return (as_of.year if month <= as_of.month else as_of.year - 1), month


@dataclass
class _Columns:
    customer: dict[str, int] = field(default_factory=dict)
    call: dict[str, int] = field(default_factory=dict)
    groups: dict[int, dict[str, int]] = field(default_factory=dict)  # n → {field: col}
    extra: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    purchase: dict[str, int] = field(default_factory=dict)  # --as-calls: a sale's own columns


def _classify(header: list, mapper: Mapper, prefer: str) -> _Columns:
    cols = _Columns()
    ranks: dict[tuple[str, str], int] = {}
    for j, cell in enumerate(header):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        rep = split_repeated(text)
        part = mapper.call_part(rep[1]) if rep else None
        target = mapper.field(text, prefer)
        if mapper.said(text) and target is None:
            cols.ignored.append(text)  # the office said: ignore this column
            continue
        if rep and part and (target is None or target[0] == "calls"):
            cols.groups.setdefault(rep[0], {}).setdefault(part, j)
            continue
        if target is None:
            cols.extra.setdefault(text, j)
            continue
        where = cols.customer if target[0] == "customers" else cols.call
        rank = mapper.rank(text, target)
        if target[1] in where:
            if rank >= ranks[target]:
                cols.extra.setdefault(text, j)
                continue
            # a plainer name for the same field (客户名称 beside 门店): the other is the office's own
            old = where[target[1]]
            cols.extra.setdefault(str(header[old]).strip(), old)
        where[target[1]] = j
        ranks[target] = rank
    if "name" not in cols.customer and "contact" in cols.customer:
        cols.customer["name"] = cols.customer.pop("contact")  # a list of people: the person
    return cols


def _record_columns(header: list, cols: _Columns, result: Imported, sheet: str) -> None:
    """What each header became: result.mapped/unmapped (all sheets) and result.columns."""
    targets: dict[int, str] = {}
    for group in cols.groups.values():
        for part, j in group.items():
            targets[j] = f"calls.{'call_date' if part == 'call' else part}"
    for key, j in cols.customer.items():
        targets[j] = f"customers.{key}"
    for key, j in cols.call.items():
        targets[j] = f"calls.{key}"
    for j, cell in enumerate(header):
        title = str(cell).strip() if cell not in (None, "") else ""
        if not title:
            continue
        if j in targets:
            result.mapped[title] = targets[j]
            status, target = "mapped", targets[j]
        elif title in cols.ignored:
            status, target = "ignored", None
        else:
            status, target = "kept", None
            if title not in result.unmapped:
                result.unmapped.append(title)
        result.columns.append({"sheet": sheet, "header": title, "target": target, "status": status})


def _score(row: list, mapper: Mapper) -> int:
    n = 0
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            rep = split_repeated(cell)
            if mapper.field(cell) or (rep and mapper.call_part(rep[1])):
                n += 1
    return n


class _Parse:
    def __init__(self, epoch_1904: bool = False):
        self.parsers: dict[tuple, Any] = {}
        self.epoch_1904 = epoch_1904

    def __call__(self, sheet: schema.SheetDef, key: str, raw):
        p = self.parsers.get((sheet.key, key))
        if p is None:
            p = self.parsers[(sheet.key, key)] = parser_for(sheet.column(key), self.epoch_1904)
        return p(raw)


def _put(values: dict, bad: dict, sheet: schema.SheetDef, key: str, raw, parse: _Parse) -> None:
    if raw in ("", None):
        return
    v = parse(sheet, key, raw)
    if type(v) is Unreadable:
        bad[key] = v
    elif v is not None:
        values[key] = v


def _blank(row: list) -> bool:
    return all(v in ("", None) or (isinstance(v, str) and not v.strip()) for v in row)


# What a totals line under a tracker's rows starts with (合计：35 条, 小计, Total): a sum, not a
# customer or a call. Matched on the row's first filled cell as schema.fold spells it (no spaces,
# lower case), the word on its own or followed by a colon, a bracket or a figure (合计电器 and
# Total Solutions Ltd are still customers).
_TOTALS = re.compile(
    r"^(合计|总计|小计|共计|累计|总数|total|grandtotal|subtotal|sum)(?:$|[:：(（\d])",
    re.IGNORECASE,
)


def _totals_row(row: list) -> bool:
    first = next((v for v in row if v not in ("", None) and str(v).strip()), None)
    return isinstance(first, str) and _TOTALS.match(schema.fold(first).strip()) is not None


class Importer:
    def __init__(
        self,
        mapper: Mapper,
        defaults: Defaults,
        label: str,
        epoch_1904: bool = False,
        as_of: dt.date | None = None,
    ):
        self.mapper, self.defaults, self.label = mapper, defaults, label
        self.parse = _Parse(epoch_1904)
        self.today = as_of or dt.date.today()  # what a date without its year is read against
        self.result = Imported(Book(path=label))
        self.ident = Identities()
        self.outcome: dict[tuple[str, int], dict] = {}  # (sheet, row) → its row of result.rows
        self._next_call = 0

    # -- helpers ---------------------------------------------------------------------------
    def _skip(self, sheet: str, row: int, reason: Message) -> None:
        self.result.skipped.append({"sheet": sheet, "row": row, "reason": reason})
        if row and (sheet, row) not in self.outcome:
            self._say(sheet, row, "skipped", reason=reason)

    def _say(
        self,
        sheet: str,
        row: int,
        outcome: str,
        cid: str | None = None,
        like: str | None = None,
        reason: Message | None = None,
    ) -> None:
        """The row's one outcome (a customer's outcome wins over its empty call's skip)."""
        where = self.ident.where.get(like) if like else None
        entry = {
            "sheet": sheet,
            "row": row,
            "outcome": outcome,
            "customer_id": cid,
            "same_as": {"sheet": where[0], "row": where[1]} if where else None,
            "reason": reason,
        }
        old = self.outcome.get((sheet, row))
        if old is None:
            self.outcome[(sheet, row)] = entry
            self.result.rows.append(entry)
        elif old["outcome"] in ("skipped", "call"):
            old.update(entry)

    def _assume(self, key: str) -> None:
        self.result.assumed[key] = self.result.assumed.get(key, 0) + 1

    def _years_given(self, rec, assumed: str):
        """``rec`` with each date typed without its year (in ``bad``) read as ``_with_year``."""
        days = {
            k: day
            for k, v in rec.bad.items()
            if rec.SHEET.column(k).type is schema.ColType.DATE and (day := self._with_year(v))
        }
        if not days:
            return rec
        for _ in days:
            self._assume(assumed)
        values = {k: getattr(rec, k) for k in rec.SHEET.keys if getattr(rec, k) is not None}
        bad = {k: v for k, v in rec.bad.items() if k not in days}
        return type(rec).build(rec.src, bad, rec.extra, {**values, **days})

    def _with_year(self, text: object) -> dt.date | None:
        """A day typed without its year (11.26, 11月26日): the latest such day up to the import's
        day (dating.latest_year, as the staff-book reader reads it); None for anything else."""
        md = yearless(text)
        return latest_year(*md, self.today) if md else None

    def _phone(self, value) -> str | None:
        if value in ("", None):
            return None
        v = parse_phone(value, self.defaults.area or None)
        return v if isinstance(v, str) and type(v) is not Unreadable else None

    def seed(self, customers, label: str) -> None:
        """--into: the master's customers are known; a row with one's id or phone is that one."""
        for c in customers:
            if c.customer_id:
                row = c.src.row or 0 if c.src else 0
                self.ident.add(c.customer_id, c.name, c.phone, (label, row))
                self.ident.existing.add(c.customer_id)
                self.ident.records[c.customer_id] = c

    def _as_in_master(self, cid: str, values: dict, bad: dict) -> dict:
        """--into: the master's record, with what the tracker says over it (a field the tracker
        never had is not an edit)."""
        rec = self.ident.records.get(cid)
        if rec is None:
            return values
        kept = {k: getattr(rec, k) for k in rec.SHEET.keys if getattr(rec, k) is not None}
        return {**{k: v for k, v in kept.items() if k not in bad}, **values}

    def identify(
        self, values: dict, sheet: str, row: int, creating: bool
    ) -> tuple[str | None, str, str | None, Message | None]:
        """(id, outcome, like, why) for a customer row; a new one gets its id here.

        outcome "existing" (--into): the first row naming a customer of the master, written
        with the master's id so that merge sees what it would change."""
        name, phone = values.get("name"), values.get("phone")
        phone = phone if isinstance(phone, str) and type(phone) is not Unreadable else None
        cid, outcome, like, why = self.ident.resolve(
            values.get("customer_id"), name, phone, creating
        )
        if outcome == "same" and cid in self.ident.existing:
            self.ident.existing.discard(cid)
            return cid, "existing", cid, None
        if outcome in ("new", "duplicate") and cid is None:
            cid = self.ident.new_id(name, phone, (sheet, row))
            self._assume("customers.customer_id")
        if outcome in ("new", "duplicate") and cid is not None:
            self.ident.add(cid, name, phone, (sheet, row))
        return cid, outcome, like, why

    def take_book(self, book: Book) -> None:
        """Sheets the reader recognised, as they are; their customers go through ``identify``.
        A date typed without its year is given the latest such year, and said (补)."""
        for key, assumed in (
            ("customers", "customers.date_year"),
            ("calls", "calls.call_date_year"),
            ("events", "events.date_year"),
        ):
            records = book.records(key)
            for n, rec in enumerate(records):
                records[n] = self._years_given(rec, assumed)
        kept = []
        for c in book.customers:
            sheet, row = (c.src.sheet, c.src.row or 0) if c.src else ("", 0)
            values = {k: getattr(c, k) for k in c.SHEET.keys if getattr(c, k) is not None}
            if "customer_id" in c.bad:
                kept.append(c)
                self._say(sheet, row, "new", None)
                continue
            if "phone" in c.bad and self.defaults.area:
                phone = parse_phone(c.bad["phone"], self.defaults.area)
                if isinstance(phone, str) and type(phone) is not Unreadable:
                    values["phone"] = phone
                    c = Customer.build(
                        c.src, {k: v for k, v in c.bad.items() if k != "phone"}, c.extra, values
                    )
            if not values.get("name") and not values.get("customer_id"):
                kept.append(c)
                continue
            cid, outcome, like, why = self.identify(values, sheet, row, creating=True)
            self._say(sheet, row, outcome, cid, like, why)
            if outcome == "same":
                continue
            if outcome == "existing" and cid:
                values = self._as_in_master(cid, values, c.bad)
                c = Customer.build(c.src, c.bad, c.extra, {**values, "customer_id": cid})
            elif cid != values.get("customer_id"):
                c = Customer.build(c.src, c.bad, c.extra, {**values, "customer_id": cid})
            kept.append(c)
        book.customers[:] = kept
        for key in (
            "customers",
            "calls",
            "events",
            "staff",
            "rules",
            "holidays",
            "follow_up_rules",
        ):
            self.result.book.records(key).extend(book.records(key))
            if key != "customers":
                for r in book.records(key):
                    if r.src:
                        self._say(r.src.sheet, r.src.row or 0, "taken")
            for info in book.sheets.get(key, []):
                self.result.layouts[info.name] = "taken"
                for k, h in info.headers.items():
                    self.result.mapped.setdefault(h, f"{key}.{k}")
                    self.result.columns.append(
                        {
                            "sheet": info.name,
                            "header": h,
                            "target": f"{key}.{k}",
                            "status": "mapped",
                        }
                    )
                for h in info.extra_columns:
                    if h not in self.result.unmapped:
                        self.result.unmapped.append(h)
                    self.result.columns.append(
                        {"sheet": info.name, "header": h, "target": None, "status": "kept"}
                    )

    # -- one hand-made sheet ---------------------------------------------------------------
    def sheet(self, name: str, rows: list[list]) -> None:
        head = rows[:HEADER_ROWS]
        scores = [_score(r, self.mapper) for r in head]
        if not scores or max(scores) < 2:
            if any(not _blank(r) for r in rows):
                self.result.layouts[name] = "ignored"
                self._skip(name, 0, message("import.skip_no_header"))
            return
        h = scores.index(max(scores))
        month = month_of_sheet(name, self.today)
        cols = _classify(rows[h], self.mapper, "calls" if month else "customers")
        if not month and not cols.groups and "call_date" in cols.call:
            # a log of calls: an ambiguous header (Notes, 类型, 编号) is the call's
            cols = _classify(rows[h], self.mapper, "calls")
        if "customer_id" in cols.call and (cols.customer or month):
            cols.customer.setdefault("customer_id", cols.call.pop("customer_id"))
        data = [(i + 1, rows[i]) for i in range(h + 1, len(rows)) if not _blank(rows[i])]
        self._row_ids_are_not_customers(name, rows[h], cols, data)
        transactions = self._transactions(name, rows[h], cols, data)
        if cols.groups or (cols.customer and not {"call_date", "content"} & set(cols.call)):
            self._calls_are_own_columns(
                rows[h], cols
            )  # a 序号 beside customers is no call's record number
        _record_columns(rows[h], cols, self.result, name)
        if transactions:
            self.result.shapes[name] = "transactions"
        if cols.groups:
            self.result.layouts[name] = "wide"
        elif cols.call and ("call_date" in cols.call or "content" in cols.call):
            self.result.layouts[name] = "month" if month else "calls"
        elif cols.customer:
            self.result.layouts[name] = "customers"
        else:
            self.result.layouts[name] = "ignored"
            self._skip(name, h + 1, message("import.skip_no_columns"))
            return
        for excel_row, row in data:
            if _totals_row(row):
                self._skip(name, excel_row, message("import.skip_totals"))
                continue
            self._row(name, excel_row, row, cols, month)

    def _values(self, row: list, j: int) -> Any:
        v = self._cell(row, j)
        return schema.fold(str(v)) if v not in ("", None) else None

    def _row_ids_are_not_customers(
        self, name: str, header: list, cols: _Columns, data: list
    ) -> None:
        """A call log's own row numbers (ID 1, 2, 3…) are no customer's id: each call's."""
        j = cols.customer.get("customer_id")
        calls = "call_date" in cols.call or "content" in cols.call
        if j is None or not calls or len(data) < 3 or not ({"name", "phone"} & set(cols.customer)):
            return
        ids = [self._values(r, j) for _, r in data]
        if None in ids or len(set(ids)) != len(ids):
            return
        keys = [
            tuple(
                self._values(r, cols.customer[k]) for k in ("name", "phone") if k in cols.customer
            )
            for _, r in data
        ]
        generic = schema.fold(str(header[j])) in ("id", "编号", "序号", "no", "no.", "#")
        if len(set(keys)) == len(keys) and not generic:
            return
        del cols.customer["customer_id"]
        title = str(header[j]).strip()
        if "record_id" not in cols.call:
            cols.call["record_id"] = j
        else:
            cols.extra.setdefault(title, j)
        self.result.notes.append(message("import.note_row_ids", sheet_name=name, header=title))

    def _transactions(self, name: str, header: list, cols: _Columns, data: list) -> bool:
        """Few customers over many rows, with a date and an amount: sales, not customers."""
        if cols.groups or "content" in cols.call or len(data) < 4:
            return False
        keys = [k for k in ("customer_id", "phone", "name") if k in cols.customer]
        if not keys:
            return False
        titles = {
            j: simplified(str(c)).lower() for j, c in enumerate(header) if c not in ("", None)
        }
        amounts = [j for j, t in titles.items() if any(w in t for w in schema.AMOUNT_WORDS)]
        dates = [j for j, t in titles.items() if any(w in t for w in schema.DATE_WORDS)]
        date_col = cols.call.get("call_date", cols.customer.get("last_deal"))
        if date_col is None:
            date_col = next((j for j in dates if j not in cols.customer.values()), None)
        if not amounts or date_col is None:
            return False
        seen = {tuple(self._values(r, cols.customer[k]) for k in keys) for _, r in data}
        if len(seen) * 3 > len(data) * 2:  # fewer than 1.5 rows a customer: a list of them
            return False
        self.result.notes.append(
            message(
                "import.note_transactions"
                if not self.defaults.as_calls
                else "import.note_as_calls",
                sheet_name=name,
                rows=len(data),
                customers=len(seen),
            )
        )
        if not self.defaults.as_calls:
            for key, j in list(cols.call.items()):  # the purchase's date, number…: the office's
                del cols.call[key]
                cols.extra.setdefault(str(header[j]).strip(), j)
            return True
        for key, j in list(cols.customer.items()):
            if key in ("last_deal", "created", "note") and j == date_col:
                del cols.customer[key]
        cols.call["call_date"] = date_col
        cols.purchase = {
            str(header[j]).strip(): j
            for j in sorted(titles)
            if j not in cols.customer.values() and j not in cols.call.values()
        }
        return True

    def _calls_are_own_columns(self, header: list, cols: _Columns) -> None:
        for j in cols.call.values():
            cols.extra.setdefault(str(header[j]).strip(), j)
        cols.call = {}

    def _cell(self, row: list, j: int):
        v = row[j] if j < len(row) else ""
        return v.strip() if isinstance(v, str) else v

    def _row(self, sheet: str, excel_row: int, row: list, cols: _Columns, month) -> None:
        src = Source.fast(self.label, sheet, excel_row)
        customer_id = None
        if cols.customer:
            customer_id = self._customer(sheet, excel_row, row, cols, src)
            if customer_id is None:
                return
        if cols.groups:
            made = 0
            for n in sorted(cols.groups):
                made += self._call(
                    sheet,
                    excel_row,
                    row,
                    cols.groups[n],
                    {},
                    customer_id,
                    src,
                    month,
                    message("import.nth_call", n=n),
                )
            if not made and not cols.customer:
                self._skip(sheet, excel_row, message("import.skip_no_call_content"))
        elif cols.call:
            extra = cols.extra if not cols.customer else {}
            if cols.purchase:  # a sale read as a call: what was bought, in its notes
                parts = [
                    f"{h}: {v}"
                    for h, j in cols.purchase.items()
                    if (v := self._cell(row, j)) not in ("", None)
                ]
                fields = {**cols.call}
                row = [*row, "; ".join(parts)]
                fields["content"] = len(row) - 1
            else:
                fields = cols.call
            if not self._call(sheet, excel_row, row, fields, extra, customer_id, src, month, ""):
                self._skip(sheet, excel_row, message("import.skip_no_date_or_content"))
            elif not cols.customer:
                self._say(sheet, excel_row, "call", customer_id)

    def _customer(
        self, sheet: str, excel_row: int, row: list, cols: _Columns, src: Source
    ) -> str | None:
        raw = {k: self._cell(row, j) for k, j in cols.customer.items()}
        name = raw.get("name")
        if isinstance(name, str) and not raw.get("phone") and (split := split_name_phone(name)):
            raw["name"], raw["phone"] = split
            self._assume("customers.name+phone split")
        if not any(v not in ("", None) for v in raw.values()):
            calls = cols.groups or cols.call
            msg = "import.skip_no_customer_for_calls" if calls else "import.skip_no_customer"
            self._skip(sheet, excel_row, message(msg))
            return None
        values: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for k, v in raw.items():
            _put(values, bad, schema.CUSTOMERS, k, v, self.parse)
        for k in [k for k in bad if schema.CUSTOMERS.column(k).type is schema.ColType.DATE]:
            if day := self._with_year(bad[k]):  # 11.26: the latest such day, as the reader does
                values[k] = day
                del bad[k]
                self._assume("customers.date_year")
        if "phone" in bad and self.defaults.area:
            local = parse_phone(bad["phone"], self.defaults.area)
            if isinstance(local, str) and type(local) is not Unreadable:
                values["phone"] = local
                del bad["phone"]
                self._assume("customers.phone+local_area_code")
        if not values.get("name") and not values.get("customer_id") and not values.get("phone"):
            calls = cols.groups or cols.call
            msg = "import.skip_no_customer_for_calls" if calls else "import.skip_no_customer"
            self._skip(sheet, excel_row, message(msg))
            return None
        # a row beside its calls (a call log, a month sheet) names a customer; a list makes one
        creating = not (cols.call and not cols.groups)
        cid: str | None
        like: str | None
        why: Message | None
        if "customer_id" in bad:
            cid, outcome, like, why = None, "new", None, None
        else:
            cid, outcome, like, why = self.identify(values, sheet, excel_row, creating)
        if outcome == "ambiguous":
            self._skip(
                sheet, excel_row, message("import.skip_ambiguous_name", name=values.get("name"))
            )
            return None
        self._say(sheet, excel_row, outcome, cid, like, why)
        if outcome == "same":
            return cid
        if cid is not None:
            values["customer_id"] = cid
        if outcome == "existing" and cid:
            values = self._as_in_master(cid, values, bad)
        if not values.get("owner") and "owner" not in bad and self.defaults.owner:
            values["owner"] = self.defaults.owner
            self._assume("customers.owner")
        ext = {h: v for h, j in cols.extra.items() if (v := self._cell(row, j)) not in ("", None)}
        self.result.book.customers.append(Customer.build(src, bad, ext, values))
        return cid or ""

    def _call(
        self,
        sheet: str,
        excel_row: int,
        row: list,
        fields: dict[str, int],
        extra_cols: dict[str, int],
        customer_id: str | None,
        src: Source,
        month,
        which: Message | str,
    ) -> int:
        raw = {k: self._cell(row, j) for k, j in fields.items()}
        call = raw.pop("call", None)
        if call not in ("", None):
            if isinstance(call, (dt.date, dt.datetime)) or (
                isinstance(call, (int, float)) and not isinstance(call, bool)
            ):
                raw.setdefault("call_date", call)
            elif isinstance(call, str) and (m := _LEADING_DATE_RE.match(call)):
                raw.setdefault("call_date", m.group(1))
                if m.group(2).strip():
                    raw.setdefault("content", m.group(2).strip())
            else:
                raw.setdefault("content", call)
        if not any(v not in ("", None) for v in raw.values()):
            return 0
        values: dict[str, Any] = {}
        bad: dict[str, str] = {}
        if (
            month
            and isinstance(raw.get("call_date"), (int, float))
            and not isinstance(raw["call_date"], bool)
            and 1 <= raw["call_date"] <= 31
        ):
            raw["call_date"] = (
                f"{month[0]}-{month[1]:02d}-{int(raw['call_date']):02d}"  # a day of the sheet's month
            )
        elif (
            month
            and isinstance(raw.get("call_date"), str)
            and re.fullmatch(r"\d{1,2}日?", raw["call_date"])
        ):
            raw["call_date"] = f"{month[0]}-{month[1]:02d}-{int(raw['call_date'].rstrip('日')):02d}"
        elif md := yearless(raw.get("call_date")):
            if month:  # a month's sheet says the year
                raw["call_date"] = f"{month[0]}-{md[0]:02d}-{md[1]:02d}"
            elif day := self._with_year(raw["call_date"]):
                # no year anywhere: the most recent such day (a call is never in the future;
                # 12.28 typed last December is last year's, imported in January)
                raw["call_date"] = day.isoformat()
                self._assume("calls.call_date_year")
        for k, v in raw.items():
            _put(values, bad, schema.CALLS, k, v, self.parse)
        customer_id = customer_id or values.get("customer_id")
        if not customer_id:
            self._skip(sheet, excel_row, message("import.skip_call_without_customer", which=which))
            return 0
        values["customer_id"] = customer_id
        content = values.get("content") or ""
        if not values.get("method") and "method" not in bad:
            values["method"] = next(
                (m for w, m in METHOD_WORDS if w in content), self.defaults.method
            )
            self._assume("calls.method")
        if not values.get("call_type") and "call_type" not in bad:
            values["call_type"] = self.defaults.call_type
            self._assume("calls.call_type")
        if not values.get("caller") and "caller" not in bad:
            owner = next(
                (
                    c.owner
                    for c in reversed(self.result.book.customers)
                    if c.customer_id == customer_id
                ),
                None,
            )
            if owner or self.defaults.owner:
                values["caller"] = owner or self.defaults.owner
                self._assume("calls.caller")
        if not values.get("content") and "content" not in bad:
            # a cell of the imported book, not a message: written in Chinese as the tracker was
            missing = (
                render("import.content_missing_nth", "zh", which=which)
                if which
                else render("import.content_missing", "zh")
            )
            values["content"] = missing
            self._assume("calls.content")
        self._next_call += 1
        values.setdefault("record_id", f"IMP{self._next_call:05d}")
        ext = {h: v for h, j in extra_cols.items() if (v := self._cell(row, j)) not in ("", None)}
        self.result.book.calls.append(Call.build(src, bad, ext, values))
        return 1
