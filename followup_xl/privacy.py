"""Privacy for workbooks that leave the manager's desk (REQUIREMENTS B3; seeds 002 §6, 003 #5.9).

One phone finder (``find_phones``) serves every masked output, so a number that
leaks past one of them leaks past none: ``mask_text`` hides every phone inside
free text, ``mask_deep`` every phone in every string of a result (due items, a
schedule plan, a report dict, obligations) before it is written or printed as
JSON, and ``staff_view`` is the staff variant of a Book. The finder is
phonenumbers' matcher (spaces, dots, two spaces, brackets, full-width digits,
+86/0086, landlines with area code) plus a pattern for mainland mobiles and
area-code landlines it does not call valid. A customer whose class cannot be
read (``A级``) or is blank counts as class A: masking fails closed.

Formula injection needs nothing here: every writer goes through
``io.xlsx.write_value``/``new_workbook`` (strings written as strings,
strings_to_formulas off), and calamine reads cached values, so neither a
formula nor an external link of an input cell reaches an output.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import phonenumbers
from pydantic import BaseModel

from .models import Book, Customer, Record
from .normalize import mask_phone
from .settings import Policy

# Between digit groups: spaces (also ideographic and non-breaking), dots, dashes, slashes.
_SEP = r"[\s.\-/\u3000\u00a0]{0,3}"
# A mainland mobile (optionally +86/0086) or a landline with area code, digits ASCII after _fold.
PHONE_IN_TEXT = re.compile(
    r"(?<![\d*])(?:(?:\+|00)?86" + _SEP + r")?(?:1[3-9]\d(?:" + _SEP + r"\d){8}"
    r"|(?:[(（]0\d{2,3}[)）]|0\d{2,3})" + _SEP + r"\d(?:" + _SEP + r"\d){6,7})(?![\d*])"
)
_MASKED = re.compile(r"^(?:\d{3}|0\d{2,3}-)?\*+\d{0,4}$")
MIN_DIGITS = 7
MANAGER_ROLES = ("部门主管", "公司经理")
UNMASKED_CLASSES = ("B", "C")


class _FoldTable(dict):
    """``str.translate`` table for ``_fold``, filled as characters are met: a character whose
    NFKC form is one character becomes it (full-width digits and brackets), any other stays."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        self[code] = found = folded if len(folded) == 1 else ch
        return found


_FOLD = _FoldTable()
# A text the phonenumbers matcher cannot find a number in (the proof is in find_phones): ASCII
# letters then one run of at most 20 ASCII digits, as ids are written (R01000123, K000123).
_ID_LIKE = re.compile(r"[A-Za-z]+[0-9]{1,20}")


def _fold(text: str) -> str:
    """Full-width digits and brackets to ASCII, one character for one, so offsets still match."""
    return text if text.isascii() else text.translate(_FOLD)


def find_phones(text: str) -> list[tuple[int, int]]:
    """(start, end) of every phone number in ``text``, in order, not overlapping.

    The phonenumbers matcher is the slow part (most of an export of a large office, where every
    call's id is a text of 8 digits), so a text it cannot find anything in skips it: an id
    (``_ID_LIKE``: ASCII letters, then one run of ≤ 20 ASCII digits). The matcher's candidates
    start at a digit or a bracket/plus; here the only one is the digit run, which follows a Latin
    letter, so VALID leniency refuses it; the matcher's inner candidates split a candidate at
    '/', '(', spaces, dashes and dots, of which there are none; and a run of ≤ 20 digits is one
    candidate, so no second one starts after a digit. Everything else goes through both finders,
    as before (tests/test_privacy_speed.py holds the two equal on generated text)."""
    if sum(map(str.isdigit, text)) < MIN_DIGITS:
        return []
    if _ID_LIKE.fullmatch(text):  # ASCII, so folding changes nothing; one finder: in order, apart
        return [m.span() for m in PHONE_IN_TEXT.finditer(text)]
    spans = [m.span() for m in PHONE_IN_TEXT.finditer(_fold(text))]
    spans += [
        _balanced(text, m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.VALID)
    ]
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """The matcher takes a bracket before a number even when it is never closed (「（电话 x」):
    leave such a bracket to the text around it."""
    if text[start] in "(（" and not any(ch in ")）" for ch in text[start:end]):
        start += 1
    return start, end


def _masked(text: str) -> str:
    spans = find_phones(text)
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        parts += [text[at:start], mask_phone(_fold(text[start:end])) or ""]
        at = end
    return "".join(parts) + text[at:]


_mask_str = functools.lru_cache(maxsize=65536)(_masked)


def mask_texts(texts: Iterable[str]) -> dict[str, str]:
    """Each text with every phone number inside it masked, as ``mask_text`` masks it: for many
    distinct texts at once (an export's columns), without going through ``mask_text``'s cache."""
    return {text: _masked(text) for text in texts}


def mask_text(text: Any) -> Any:
    """Every phone number inside ``text`` masked; anything else returned unchanged."""
    if not isinstance(text, str):
        return text
    return _mask_str(text)


def mask_value(value: Any) -> Any:
    """A phone cell (clean or as typed) masked; a blank stays blank, a masked one as it is."""
    if value is None or value == "":
        return value
    text = str(value)
    if _MASKED.match(text):
        return text
    return mask_phone(text)


def _is_phone_key(key: Any) -> bool:
    return isinstance(key, str) and (key == "phone" or key.endswith("_phone"))


def mask_deep(obj: Any) -> Any:
    """A copy of ``obj`` (dicts, lists, dataclasses, records) with every phone in every string
    masked; fields and keys named ``phone``/``*_phone`` masked whole, as phone cells."""
    if isinstance(obj, str):
        return _mask_str(obj)
    if isinstance(obj, dict):
        return {
            mask_deep(k): (
                mask_value(v) if _is_phone_key(k) and isinstance(v, (str, int)) else mask_deep(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, (list, tuple, set, frozenset)):
        return type(obj)(mask_deep(v) for v in obj)
    if isinstance(obj, Record):
        return _mask_record(obj, phone_keys=("phone",) if "phone" in type(obj).model_fields else ())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        update = {}
        for field in dataclasses.fields(obj):
            if not field.init:
                continue
            v = getattr(obj, field.name)
            new = (
                mask_value(v) if _is_phone_key(field.name) and isinstance(v, str) else mask_deep(v)
            )
            if new is not v:
                update[field.name] = new
        return replace(obj, **update) if update else obj
    if isinstance(obj, BaseModel):
        return obj
    return obj


def _mask_record(
    rec: Record,
    phone_keys: tuple[str, ...] = (),
    also: dict[str, Any] | None = None,
    keep: tuple[str, ...] = (),
) -> Record:
    """A copy of ``rec`` with phone fields masked whole and phones in every other text masked
    (the unreadable raw text in ``bad`` too); ``keep`` fields stay as they are."""
    update: dict[str, Any] = dict(also or {})
    for key, v in rec.__dict__.items():
        if key in ("src", "bad", "extra") or key in update or key in keep:
            continue
        if key in phone_keys:
            if v is not None:
                update[key] = mask_value(v)
        elif isinstance(v, str):
            masked = _mask_str(v)
            if masked != v:
                update[key] = masked
    bad = {
        k: v if k in keep else mask_value(v) if k in phone_keys else mask_text(v)
        for k, v in rec.bad.items()
    }
    extra = {k: mask_text(v) for k, v in rec.extra.items()}
    if not update and bad == rec.bad and extra == rec.extra:
        return rec
    return rec.model_copy(update={**update, "bad": bad, "extra": extra})


def mask_book(book: Book) -> Book:
    """Every phone in the book masked: customers' and staff phones, and phones typed anywhere."""
    return _replace(
        book,
        lambda rec, key: _mask_record(rec, ("phone",) if key in ("customers", "staff") else ()),
    )


def hides_class_a(policy: Policy, role: str | None) -> bool:
    """Whether a person of ``role`` gets the staff variant (A-class details masked)."""
    return policy.mask_class_a_for_staff and role not in MANAGER_ROLES


def mask_contact(name: Any) -> Any:
    """王小明 → 王**: enough to recognise a colleague's customer, not to look them up."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def is_class_a_for_masking(customer) -> bool:
    """Class A, or a class nobody can read (``A级``, blank): masked, because masking fails closed."""
    return customer.klass not in UNMASKED_CLASSES


def staff_view(book: Book) -> Book:
    """The staff variant: class-A customers keep id and name (calls can still be logged)
    but their phone and contact person are masked, and a phone typed into any text of
    any record (a note, 客户名称, 客户签名, 责任对象…) is masked too."""
    a_ids = {
        customer.customer_id
        for customer in book.customers
        if is_class_a_for_masking(customer) and customer.customer_id
    }

    def one(rec: Record, key: str) -> Record:
        if isinstance(rec, Customer) and (rec.customer_id in a_ids or is_class_a_for_masking(rec)):
            contact = {"contact": mask_contact(rec.contact)} if rec.contact else {}
            return _mask_record(rec, ("phone",), contact)
        if key == "staff":
            return rec
        return _mask_record(rec, keep=("phone",) if key == "customers" else ())

    return _replace(book, one)


def _replace(book: Book, fn) -> Book:
    """A new Book whose data records went through ``fn(record, sheet_key)``; the rest shared."""
    return replace(
        book,
        customers=[fn(record, "customers") for record in book.customers],
        calls=[fn(record, "calls") for record in book.calls],
        events=[fn(record, "events") for record in book.events],
        staff=[fn(record, "staff") for record in book.staff],
    )
