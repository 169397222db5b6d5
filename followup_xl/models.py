"""Records as the rest of the program sees them: clean values plus where they came from.

A value the reader could not read is not guessed: the field is None and the raw
text sits in ``bad`` under the field's key, so checks can name the cell and
writers can put the text back unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

from . import schema


def lean_dict(keys) -> dict:
    """A dict of ``keys`` → None whose copies share one key table (CPython's split dicts, as plain
    objects' attributes have): about 300 bytes a record instead of 800, for the same dict."""
    shape = type("_Shape", (), {"__slots__": ("__dict__",)})()
    for k in keys:
        setattr(shape, k, None)
    return shape.__dict__


class _Empty(dict):
    """An empty dict that stays empty. Most records have nothing unreadable (``bad``) and no extra
    column (``extra``): read from the master cache they share this one instead of two new empty
    dicts each (128 bytes a record, ~67 MiB on the 550,000-row master). Changing it raises: code
    that edits a record's ``bad``/``extra`` copies it first (``dict(rec.bad)``), as the merge does.
    It equals ``{}``, is a ``dict`` to isinstance and json, and copies/pickles as a plain ``{}``."""

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("a record's shared empty dict is read-only: copy it first")

    __setitem__ = __delitem__ = __ior__ = _read_only
    setdefault = update = pop = popitem = clear = _read_only

    def copy(self) -> dict:
        return {}

    def __reduce__(self):
        return (dict, ())


EMPTY: dict = _Empty()


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record stands: file, sheet name as in the file, Excel row (1-based).

    A plain frozen dataclass with slots, not a pydantic model: every record read carries one
    (550,000 on a large master), nothing validates it, and as a model it cost ~260 bytes and
    ~1 µs each; now ~56 bytes."""

    file: str = ""
    sheet: str = ""
    row: int | None = None

    @classmethod
    def fast(cls, file: str, sheet: str, row: int | None) -> Source:
        """Without the dataclass's per-field checks: the reader makes one per row of every book."""
        m = _new(cls)
        _set(m, "file", file)
        _set(m, "sheet", sheet)
        _set(m, "row", row)
        return m


_new, _set = object.__new__, object.__setattr__


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, defer_build=True)
    SHEET: ClassVar[schema.SheetDef]

    src: Source | None = None
    bad: dict[str, str] = {}
    extra: dict[str, Any] = {}

    @classmethod
    def build(cls, src: Source | None, bad: dict, extra: dict, values: dict) -> Self:
        """Construct without validation, fast: the reader has already typed every value.

        Same values as ``model_construct`` (which resolves each default one by one and
        dominated reading time on large books). Every field is in ``__dict__``, so every
        field counts as set: one fields set shared by all records of the class (pydantic
        only ever adds field names to it, which it already holds) instead of one per record.
        """
        d = cls._blank().copy()
        d["src"], d["bad"], d["extra"] = src, bad, extra
        d.update(values)
        m = cls.__new__(cls)
        object.__setattr__(m, "__dict__", d)
        object.__setattr__(m, "__pydantic_fields_set__", cls._all_fields())
        object.__setattr__(m, "__pydantic_extra__", None)
        object.__setattr__(m, "__pydantic_private__", None)
        return m

    @classmethod
    def _blank(cls) -> dict:
        """Every field None, as a key-sharing dict (``lean_dict``): copies of it stay small."""
        blank = cls.__dict__.get("_BLANK")
        if blank is None:
            blank = lean_dict(cls.model_fields)
            type.__setattr__(cls, "_BLANK", blank)
        return blank

    @classmethod
    def _all_fields(cls) -> set[str]:
        fields = cls.__dict__.get("_ALL_FIELDS")
        if fields is None:
            fields = set(cls.model_fields)
            type.__setattr__(cls, "_ALL_FIELDS", fields)
        return fields

    def raw(self, key: str) -> Any:
        """The value to show or write back: the clean value, else the unreadable text."""
        v = getattr(self, key)
        return self.bad.get(key) if v is None and key in self.bad else v

    def values(self) -> dict[str, Any]:
        return {k: self.raw(k) for k in self.SHEET.keys}


class Customer(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.CUSTOMERS
    customer_id: str | None = None
    name: str | None = None
    contact: str | None = None
    phone: str | None = None
    klass: str | None = None
    ctype: str | None = None
    owner: str | None = None
    created: dt.date | None = None
    last_deal: dt.date | None = None
    status: str | None = None
    note: str | None = None
    filed_by: str | None = None
    verified_by: str | None = None
    verified_on: dt.date | None = None
    status_since: dt.date | None = None
    birthday: dt.date | None = None
    move_in: dt.date | None = None
    warranty_end: dt.date | None = None
    preferred_time: str | None = None
    no_sms: bool | None = None

    @property
    def is_void(self) -> bool:
        return self.status == "废除"

    @property
    def do_not_call(self) -> bool:
        """The customer asked not to be called (停止回访): no follow-ups at all."""
        return self.status == "停止回访"


class Call(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.CALLS
    record_id: str | None = None
    customer_id: str | None = None
    call_date: dt.date | None = None
    call_time: dt.time | None = None
    method: str | None = None
    call_type: str | None = None
    event_id: str | None = None
    related_date: dt.date | None = None
    complaint_level: str | None = None
    caller: str | None = None
    content: str | None = None
    satisfaction: int | None = None
    issue: str | None = None
    issue_status: str | None = None
    result: str | None = None
    next_date: dt.date | None = None
    signature: str | None = None
    responsible: str | None = None
    reviewer: str | None = None
    review_note: str | None = None
    report_date: dt.date | None = None
    escalated_on: dt.date | None = None

    @property
    def successful(self) -> bool:
        """A call counts when it reached the customer; a blank result on a made call counts as 成功."""
        return self.result in (None, "成功") and "result" not in self.bad


class Event(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.EVENTS
    event_id: str | None = None
    customer_id: str | None = None
    event_type: str | None = None
    event_date: dt.date | None = None
    planned_end: dt.date | None = None
    actual_end: dt.date | None = None
    complaint_level: str | None = None
    proposal_level: str | None = None
    anonymous: bool | None = None
    responsible: str | None = None
    owner: str | None = None
    description: str | None = None
    status: str | None = None
    closing_note: str | None = None
    reply_only: bool | None = None
    reply_date: dt.date | None = None
    feedback_form: bool | None = None

    @property
    def is_closed(self) -> bool:
        """已办结 or 已撤销: it makes no further follow-ups."""
        return self.status in ("已办结", "已撤销")


class Staff(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.STAFF
    name: str | None = None
    role: str | None = None
    daily_capacity: int | None = None
    status: str | None = None
    phone: str | None = None
    department: str | None = None
    joined: dt.date | None = None
    left: dt.date | None = None

    @property
    def has_left(self) -> bool:
        return self.status == "离职"


class RuleRow(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.RULES
    key: str | None = None
    value: str | None = None
    description: str | None = None


class FollowUpRuleRow(Record):
    """One row of the 回访规则 sheet as typed (ruletable.rule_table_from_rows validates it)."""

    SHEET: ClassVar[schema.SheetDef] = schema.FOLLOW_UP_RULES
    code: str | None = None
    name: str | None = None
    trigger: str | None = None
    trigger_value: str | None = None
    offset: int | None = None
    unit: str | None = None
    repeat_months: int | None = None
    window_workdays: int | None = None
    caller: str | None = None
    method: str | None = None
    target_pct: str | None = None
    hard: bool | None = None
    call_types: str | None = None
    classes: str | None = None
    enabled: bool | None = None
    note: str | None = None


class HolidayRow(Record):
    SHEET: ClassVar[schema.SheetDef] = schema.HOLIDAYS
    date: dt.date | None = None
    kind: str | None = None
    note: str | None = None


def customer_of(record: Record) -> str | None:
    """The customer id a customer, call or event row belongs to (None on other sheets)."""
    if isinstance(record, (Customer, Call, Event)):
        return record.customer_id
    return None


def own_id(record: Record) -> str | None:
    """The id staff know a row by: 客户编号, 回访记录编号 or 事项编号 (None on other sheets)."""
    if isinstance(record, Customer):
        return record.customer_id
    if isinstance(record, Call):
        return record.record_id
    if isinstance(record, Event):
        return record.event_id
    return None


MODEL_FOR: dict[str, type[Record]] = {
    "customers": Customer,
    "calls": Call,
    "events": Event,
    "staff": Staff,
    "rules": RuleRow,
    "holidays": HolidayRow,
    "follow_up_rules": FollowUpRuleRow,
}


@dataclass
class SheetInfo:
    """How one of our sheets was laid out in the file, so findings can name cells."""

    key: str  # schema key: customers, calls, …
    name: str  # the sheet's name as it stands in the file
    header_row: int  # Excel row number of the header line
    columns: dict[str, int]  # field key → 0-based column index
    headers: dict[str, str]  # field key → header text as typed in the file
    extra_columns: dict[str, int] = field(default_factory=dict)  # unknown header → index
    duplicate_headers: list[str] = field(default_factory=list)
    rows_read: int = 0
    # The book's formula columns (schema.SheetDef.computed): key → index. Never read as data.
    computed_columns: dict[str, int] = field(default_factory=dict)
    # (Excel row, key) of each formula-column cell holding a typed value instead of its formula.
    typed_over: list[tuple[int, str]] = field(default_factory=list)
    # The master's 校验码 column: (Excel row, code) for each record read from this sheet, in order.
    fingerprints: list = field(default_factory=list)

    def cell(self, key: str, row: int) -> str | None:
        idx = self.columns.get(key)
        return None if idx is None else f"{column_letter(idx)}{row}"


@dataclass
class Book:
    """One workbook as read: plain data, no file handles."""

    path: str
    customers: list[Customer] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)
    holidays: list[HolidayRow] = field(default_factory=list)
    follow_up_rules: list[FollowUpRuleRow] = field(default_factory=list)
    sheets: dict[str, list[SheetInfo]] = field(default_factory=dict)
    ignored_sheets: list[str] = field(default_factory=list)
    # Sheets named like ours whose header line could not be found: name → schema key.
    headerless_sheets: dict[str, str] = field(default_factory=dict)
    epoch_1904: bool = False
    # A master read in place (provenance=False): (sheet, Excel row) → the staff book row it came from.
    origins: dict[tuple[str, int], Source] = field(default_factory=dict)
    # What comparing the rows with their 校验码 found, once per read (fingerprint.outcome): kept
    # as plain data ((sheet key, record index) of each mismatch, rows compared), so the master
    # cache keeps it and a cache hit compares nothing.
    code_check: tuple | None = None
    # The calls each archive file of a master added, in order: (first index in ``calls``, count,
    # digest of those rows as io/master/history.rows_digest makes it, or None until worked out). The
    # master cache keeps the digest, so this week's merge need not hash an unchanged year again.
    archives: tuple = ()
    # A split book's rows as sent (its very hidden base sheet), as one text: rows end in \x1e,
    # cells are split by \x1f (lineage.base_from_text); None for any other book.
    sent: str | None = None

    def records(self, key: str) -> list[Record]:
        return getattr(self, key)

    def sheet_info(self, key: str, sheet_name: str | None = None) -> SheetInfo | None:
        infos = self.sheets.get(key) or []
        for info in infos:
            if sheet_name is None or info.name == sheet_name:
                return info
        return None

    def cell_of(self, record: Record, key: str) -> str | None:
        if record.src is None or record.src.row is None:
            return None
        info = self.sheet_info(record.SHEET.key, record.src.sheet)
        return info.cell(key, record.src.row) if info else None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out
