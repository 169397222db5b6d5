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
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from . import schema
from .messages import Text, render, text
from .models import Book, Call, Customer, Source
from .normalize import Unreadable, parser_for

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
    h = schema.fold(header)
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
        order = (prefer, "calls" if prefer == "customers" else "customers")
        for sheet in order:
            key = self.index[sheet].get(h)
            if key and key in getattr(schema, sheet.upper()).keys:
                return sheet, key
        return None

    def call_part(self, rest: str) -> str | None:
        """The field of a repeated call column's base name ('回访日期' → call_date, '回访' → 'call')."""
        h = schema.fold(rest)
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


def month_of_sheet(name: str, default_year: int) -> tuple[int, int] | None:
    m = _MONTH_SHEET_RE.match(schema.fold(name))
    if not m:
        return None
    month = _ordinal(m.group(2))
    if not month or not 1 <= month <= 12:
        return None
    return (int(m.group(1)) if m.group(1) else default_year), month


@dataclass
class _Columns:
    customer: dict[str, int] = field(default_factory=dict)
    call: dict[str, int] = field(default_factory=dict)
    groups: dict[int, dict[str, int]] = field(default_factory=dict)  # n → {field: col}
    extra: dict[str, int] = field(default_factory=dict)


def _classify(header: list, mapper: Mapper, result: Imported, prefer: str) -> _Columns:
    cols = _Columns()
    for j, cell in enumerate(header):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        rep = split_repeated(text)
        part = mapper.call_part(rep[1]) if rep else None
        target = mapper.field(text, prefer)
        if schema.fold(text) in mapper.user and target is None:
            continue  # the office said: ignore this column
        if rep and part and (target is None or target[0] == "calls"):
            cols.groups.setdefault(rep[0], {}).setdefault(part, j)
            result.mapped[text] = f"calls.{'call_date' if part == 'call' else part}"
        elif target and target[0] == "customers" and target[1] not in cols.customer:
            cols.customer[target[1]] = j
            result.mapped[text] = f"customers.{target[1]}"
        elif target and target[0] == "calls" and target[1] not in cols.call:
            cols.call[target[1]] = j
            result.mapped[text] = f"calls.{target[1]}"
        else:
            cols.extra.setdefault(text, j)
            if text not in result.unmapped:
                result.unmapped.append(text)
    return cols


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


class Importer:
    def __init__(
        self,
        mapper: Mapper,
        defaults: Defaults,
        label: str,
        epoch_1904: bool = False,
        default_year: int | None = None,
    ):
        self.mapper, self.defaults, self.label = mapper, defaults, label
        self.parse = _Parse(epoch_1904)
        self.default_year = default_year or dt.date.today().year
        self.result = Imported(Book(path=label))
        self.ids_by_name: dict[str, str | None] = {}  # None: the row's id cell was unreadable
        self.known_ids: set[str | None] = set()
        self._next_id = 0
        self._next_call = 0

    # -- helpers ---------------------------------------------------------------------------
    def _skip(self, sheet: str, row: int, reason: Text) -> None:
        self.result.skipped.append({"sheet": sheet, "row": row, "reason": reason})

    def _assume(self, key: str) -> None:
        self.result.assumed[key] = self.result.assumed.get(key, 0) + 1

    def _new_customer_id(self) -> str:
        while True:
            self._next_id += 1
            cid = f"K{self._next_id:04d}"
            if cid not in self.known_ids:
                return cid

    def take_book(self, book: Book) -> None:
        """Sheets the reader recognised, as they are."""
        for i, c in enumerate(
            book.customers
        ):  # a list without numbers: numbered, so calls can name them
            if not c.customer_id and "customer_id" not in c.bad and c.name:
                cid = self.ids_by_name.get(schema.fold(c.name)) or self._new_customer_id()
                values = {k: getattr(c, k) for k in c.SHEET.keys if getattr(c, k) is not None}
                book.customers[i] = c = Customer.build(
                    c.src, c.bad, c.extra, {**values, "customer_id": cid}
                )
                self._assume("customers.customer_id")
            self.known_ids.add(c.customer_id)
        for key in ("customers", "calls", "events", "staff", "rules", "holidays"):
            self.result.book.records(key).extend(book.records(key))
            for info in book.sheets.get(key, []):
                self.result.layouts[info.name] = "taken"
                for k, h in info.headers.items():
                    self.result.mapped.setdefault(h, f"{key}.{k}")
                for h in info.extra_columns:
                    if h not in self.result.unmapped:
                        self.result.unmapped.append(h)
        for c in book.customers:
            self.known_ids.add(c.customer_id)
            if c.name and c.customer_id:
                self.ids_by_name.setdefault(schema.fold(c.name), c.customer_id)

    # -- one hand-made sheet ---------------------------------------------------------------
    def sheet(self, name: str, rows: list[list]) -> None:
        head = rows[:HEADER_ROWS]
        scores = [_score(r, self.mapper) for r in head]
        if not scores or max(scores) < 2:
            if any(not _blank(r) for r in rows):
                self.result.layouts[name] = "ignored"
                self._skip(name, 0, text("import.skip_no_header"))
            return
        h = scores.index(max(scores))
        month = month_of_sheet(name, self.default_year)
        cols = _classify(rows[h], self.mapper, self.result, "calls" if month else "customers")
        if cols.groups or (cols.customer and not {"call_date", "content"} & set(cols.call)):
            self._calls_are_own_columns(
                rows[h], cols
            )  # a 序号 beside customers is no call's record number
        if cols.groups:
            self.result.layouts[name] = "wide"
        elif cols.call and ("call_date" in cols.call or "content" in cols.call):
            self.result.layouts[name] = "month" if month else "calls"
        elif cols.customer:
            self.result.layouts[name] = "customers"
        else:
            self.result.layouts[name] = "ignored"
            self._skip(name, h + 1, text("import.skip_no_columns"))
            return
        for i in range(h + 1, len(rows)):
            row, excel_row = rows[i], i + 1
            if _blank(row):
                continue
            self._row(name, excel_row, row, cols, month)

    def _calls_are_own_columns(self, header: list, cols: _Columns) -> None:
        for j in cols.call.values():
            title = str(header[j]).strip()
            self.result.mapped.pop(title, None)
            cols.extra.setdefault(title, j)
            if title not in self.result.unmapped:
                self.result.unmapped.append(title)
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
                    text("import.nth_call", n=n),
                )
            if not made and not cols.customer:
                self._skip(sheet, excel_row, text("import.skip_no_call_content"))
        elif cols.call and not self._call(
            sheet,
            excel_row,
            row,
            cols.call,
            cols.extra if not cols.customer else {},
            customer_id,
            src,
            month,
            "",
        ):
            self._skip(sheet, excel_row, text("import.skip_no_date_or_content"))

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
            why = "import.skip_no_customer_for_calls" if calls else "import.skip_no_customer"
            self._skip(sheet, excel_row, text(why))
            return None
        values: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for k, v in raw.items():
            _put(values, bad, schema.CUSTOMERS, k, v, self.parse)
        if not values.get("customer_id") and "customer_id" not in bad:
            known = self.ids_by_name.get(schema.fold(values.get("name") or ""))
            values["customer_id"] = known or self._new_customer_id()
            self._assume("customers.customer_id")
        if not values.get("owner") and "owner" not in bad and self.defaults.owner:
            values["owner"] = self.defaults.owner
            self._assume("customers.owner")
        ext = {h: v for h, j in cols.extra.items() if (v := self._cell(row, j)) not in ("", None)}
        cid = values.get("customer_id")
        if (cols.groups or cols.call) and cid in self.known_ids:
            return cid  # a customer named again beside its calls: the calls are its own
        self.known_ids.add(cid)
        self.result.book.customers.append(Customer.build(src, bad, ext, values))
        if values.get("name"):
            self.ids_by_name.setdefault(schema.fold(values["name"]), cid)
        return cid

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
        which: Text | str,
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
        elif isinstance(raw.get("call_date"), str) and re.fullmatch(
            r"\d{1,2}[月\-./]\d{1,2}日?", raw["call_date"]
        ):
            year = month[0] if month else self.default_year
            raw["call_date"] = (
                f"{year}年{raw['call_date'].replace('-', '月').replace('.', '月').replace('/', '月')}"
            )
        for k, v in raw.items():
            _put(values, bad, schema.CALLS, k, v, self.parse)
        customer_id = customer_id or values.get("customer_id")
        if not customer_id:
            self._skip(sheet, excel_row, text("import.skip_call_without_customer", which=which))
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
