"""Privacy for workbooks that leave the manager's desk (REQUIREMENTS B3; seeds 002 §6, 003 #5.9).

Two helpers any writer can call on plain data before writing:
``mask_text`` hides every phone number inside free text (a note that says
"打 13812345678" would otherwise leak past a masked phone column), and
``staff_view`` is the staff variant of a Book: class-A customers' phones and
contact names masked, because "A级客户信息查询和使用需要营销经理级以上人员" (002 §6.3).

Formula injection needs nothing here: every writer goes through
``io.xlsx.write_value``/``new_workbook`` (strings written as strings,
strings_to_formulas off), and calamine reads cached values, so neither a
formula nor an external link of an input cell reaches an output.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .models import Book, Record
from .normalize import mask_phone
from .settings import Policy

# A mainland mobile (optionally +86, spaced or dashed 3-4-4) or a landline with area code.
PHONE_IN_TEXT = re.compile(
    r"(?<![\d*])(?:(?:\+|00)86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}[\s-]?\d{7,8})(?![\d*])"
)
# Free-text columns, per sheet, where someone may have typed a phone number.
FREE_TEXT = {
    "customers": ("note",),
    "calls": ("content", "issue", "review_note"),
    "events": ("description",),
}
MANAGER_ROLES = ("部门主管", "公司经理")


def mask_text(text: Any) -> Any:
    """Every phone number inside ``text`` masked; anything else returned unchanged."""
    if not isinstance(text, str) or not any(ch.isdigit() for ch in text):
        return text
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_value(value: Any) -> Any:
    """A phone cell (clean or as typed) masked; a blank stays blank."""
    if value is None or value == "":
        return value
    return mask_phone(str(value))


def _masked(rec: Record, phone_keys: tuple[str, ...], text_keys: tuple[str, ...],
            also: dict[str, Any] | None = None) -> Record:
    """A copy of ``rec`` with phone fields and phones in free text masked (unreadable raw text too)."""
    update: dict[str, Any] = dict(also or {})
    bad = dict(rec.bad)
    for key in phone_keys:
        if getattr(rec, key, None) is not None:
            update[key] = mask_value(getattr(rec, key))
        if key in bad:
            bad[key] = mask_value(bad[key])
    for key in text_keys:
        v = getattr(rec, key, None)
        if isinstance(v, str):
            update[key] = mask_text(v)
        if key in bad:
            bad[key] = mask_text(bad[key])
    if not update and bad == rec.bad:
        return rec
    return rec.model_copy(update={**update, "bad": bad})


def mask_book(book: Book) -> Book:
    """Every phone in the book masked: customers' and staff phones, and phones typed in notes."""
    return _replace(book, lambda rec, key: _masked(rec, ("phone",) if key in ("customers", "staff") else (),
                                                   FREE_TEXT.get(key, ())))


def hides_class_a(policy: Policy, role: str | None) -> bool:
    """Whether a person of ``role`` gets the staff variant (A-class details masked)."""
    return policy.mask_class_a_for_staff and role not in MANAGER_ROLES


def mask_contact(name: Any) -> Any:
    """王小明 → 王**: enough to recognise a colleague's customer, not to look them up."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def staff_view(book: Book) -> Book:
    """The staff variant: class-A customers keep id and name (calls can still be logged)
    but their phone, contact person and any phone in their records are masked."""
    a_ids = {c.customer_id for c in book.customers if c.klass == "A" and c.customer_id}
    if not a_ids:
        return book

    def one(rec: Record, key: str) -> Record:
        if key == "customers" and rec.customer_id in a_ids:
            contact = {"contact": mask_contact(rec.contact)} if rec.contact else {}
            return _masked(rec, ("phone",), FREE_TEXT["customers"], contact)
        if key in ("calls", "events") and rec.customer_id in a_ids:
            return _masked(rec, (), FREE_TEXT[key])
        return rec

    return _replace(book, one)


def _replace(book: Book, fn) -> Book:
    """A new Book whose data records went through ``fn(record, sheet_key)``; the rest shared."""
    return replace(book, **{key: [fn(r, key) for r in book.records(key)]
                            for key in ("customers", "calls", "events", "staff")})
