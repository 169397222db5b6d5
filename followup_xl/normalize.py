"""Turning what offices type into values, without guessing.

Every parser returns either a clean value, None for an empty cell, or an
``Unreadable`` — the raw text kept so a check can point at it later.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from .schema import Choice, ColType, Column, choice_index


class Unreadable(str):
    """Raw text of a cell that could not be read as its column's type.

    It is a str, so it survives JSON and writing back unchanged; ``expected``
    says what the column wanted ("date", "phone", a dropdown…).
    """

    expected: str

    def __new__(cls, raw: object, expected: str) -> Unreadable:
        obj = super().__new__(cls, "" if raw is None else str(raw))
        obj.expected = expected
        return obj

    def __reduce__(self):
        return (Unreadable, (str(self), self.expected))


EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年]|\s)\s*(\d{1,2})\s*(?:[-/.月]|\s)\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?\s*$"
)
_DATE_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_TIME_RE = re.compile(
    r"^\s*(上午|下午|晚上|中午|AM|PM)?\s*(\d{1,2})\s*(?:[:：点时])\s*(\d{1,2})?\s*(?:分)?"
    r"(?:\s*[:：]?\s*(\d{1,2})\s*秒?)?\s*(AM|PM)?\s*$",
    re.IGNORECASE,
)


def clean_text(value: object) -> str | None:
    """NFKC (full-width → half-width), trimmed; '' becomes None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.isascii():
        return text.strip() or None
    text = unicodedata.normalize("NFKC", text).strip()
    text = text.replace("\u3000", " ").replace("\xa0", " ").strip()
    return text or None


_FULLWIDTH_ALNUM = {
    c: c - 0xFEE0
    for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for c in range(r[0], r[1] + 1)
}
_FULLWIDTH_ALNUM[0x3000] = 0x20


def clean_free_text(value: object) -> str | None:
    """Free text keeps Chinese punctuation (，。：) but loses full-width letters/digits and padding."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = text.translate(_FULLWIDTH_ALNUM).replace("\xa0", " ")
    return text.strip() or None


def parse_id(value: object) -> str | None:
    """Ids typed as numbers (1001.0) are the text "1001"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


def excel_serial_to_date(serial: float, epoch_1904: bool = False) -> dt.date:
    base = EXCEL_EPOCH_1904 if epoch_1904 else EXCEL_EPOCH
    return base + dt.timedelta(days=int(serial))


def parse_date(value: object, epoch_1904: bool = False) -> dt.date | Unreadable | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return Unreadable(value, "date")
    if isinstance(value, (int, float)):
        # Serial numbers Excel users actually have: 1950..2100.
        if 18264 <= value <= 73050:
            return excel_serial_to_date(value, epoch_1904)
        return Unreadable(_num_text(value), "date")
    text = clean_text(value)
    if text is None:
        return None
    m = _DATE_RE.match(text) or _DATE_COMPACT_RE.match(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return Unreadable(value, "date")
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return parse_date(float(text), epoch_1904)
    return Unreadable(value, "date")


def parse_time(value: object) -> dt.time | Unreadable | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, dt.timedelta):
        secs = round(value.total_seconds()) % 86400
        return dt.time(secs // 3600, secs % 3600 // 60, secs % 60)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 0 <= value < 1:
            secs = round(value * 86400) % 86400
            return dt.time(secs // 3600, secs % 3600 // 60, secs % 60)
        return Unreadable(_num_text(value), "time")
    text = clean_text(value)
    if text is None:
        return None
    m = _TIME_RE.match(text)
    if m:
        half, hh, mm, ss, suffix = m.groups()
        h, mi, s = int(hh), int(mm or 0), int(ss or 0)
        marker = (half or suffix or "").upper()
        if marker in ("下午", "晚上", "PM") and h < 12:
            h += 12
        if marker == "中午" and h < 6:
            h += 12
        if marker == "AM" and h == 12:
            h = 0
        if h < 24 and mi < 60 and s < 60:
            return dt.time(h, mi, s)
    return Unreadable(value, "time")


def parse_int(value: object) -> int | Unreadable | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return Unreadable(value, "int")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Unreadable(_num_text(value), "int")
    text = clean_text(value)
    if text is None:
        return None
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    return Unreadable(value, "int")


def _num_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_PHONE_STRIP = re.compile(r"[\s\-–—()（）.·/_]")
# A switchboard's extension after the number (0755-2688 1234转8001, 分机 8001, ext. 8001, x8001,
# #8001): offices type them; it is kept on a landline and left out of the number's digits.
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|#)(\d{1,6})$", re.IGNORECASE)
EXTENSION_MARK = "转"  # how a kept extension is written: 0755-26881234转8001


def _without_extension(value: object) -> tuple[str | None, str | None]:
    """(the number as typed without its extension, the extension's digits or None)."""
    text = clean_text(value) if value not in (None, "") else None
    if text is None or isinstance(value, (int, float)):
        return (text, None)
    bare = _PHONE_STRIP.sub("", text)
    m = _EXTENSION.search(bare)
    return (bare[: m.start()], m.group(1)) if m and m.start() else (text, None)


def phone_digits(value: object) -> str | None:
    """Digits of a phone as typed: floats, spaces, dashes, +86/0086, full-width and a switchboard
    extension (转8001) removed."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = _without_extension(value)[0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if text is None:
        return None
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    text = _PHONE_STRIP.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = text[2:]
    return text


@functools.lru_cache(maxsize=65536)
def _classify_digits(digits: str) -> str | None:
    """'mobile', 'landline' or None, per libphonenumber's mainland metadata."""
    if not digits.isdigit():
        return None
    if digits.startswith("1"):
        if len(digits) != 11 or digits[1] not in "3456789":
            return None
    elif not digits.startswith("0") or not 10 <= len(digits) <= 12:
        return None
    import phonenumbers  # its metadata loads when a phone is first read, not with the package

    try:
        num = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    kind = phonenumbers.number_type(num)
    if kind in (phonenumbers.PhoneNumberType.MOBILE,):
        return "mobile"
    if kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return "mobile" if digits.startswith("1") else "landline"
    return "mobile" if digits.startswith("1") else "landline"


def phone_kind(value: object) -> str | None:
    """'mobile', 'landline' or None (unreadable): a landline cannot receive an SMS."""
    digits = phone_digits(value)
    return _classify_digits(digits) if digits else None


def format_phone(digits: str) -> str:
    """Canonical spelling: 13800138000 for mobiles, 0755-26881234 for landlines."""
    if digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4  # 010, 02x are 3 long; others 4
        return f"{digits[:area]}-{digits[area:]}"
    return digits


def area_code(value: object) -> str | None:
    """An office's own area code as 本地区号 may be typed (0755, 755, 010, 0951.0) → '0755'; None if
    it is no mainland area code (a landline number in it must be valid for libphonenumber)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = (clean_text(value) or "").replace("-", "").strip()
    if not text.isdigit():
        return None
    if not text.startswith("0"):
        text = "0" + text
    if not 3 <= len(text) <= 4 or text[1] in "0":
        return None
    # an area code is real when some 7- or 8-digit number in it is a valid landline
    if not any(_classify_digits(text + probe) for probe in ("2345678", "23456789", "5234567")):
        return None
    return text


def local_digits(digits: str, area: str | None) -> str:
    """A 7-8 digit number with no area code, read as a landline of the office's ``area``."""
    if area and digits.isdigit() and 7 <= len(digits) <= 8 and digits[0] not in "01":
        return area + digits
    return digits


def parse_phone(value: object, area: str | None = None) -> str | Unreadable | None:
    """A valid mainland mobile or landline in canonical form, else Unreadable.

    ``area`` (the 规则 setting 本地区号): a local number typed without it is that area's landline.
    """
    digits = phone_digits(value)
    if digits is None:
        return None
    if area:
        digits = local_digits(digits, area)
    kind = _classify_digits(digits)
    extension = _without_extension(value)[1] if isinstance(value, str) else None
    if kind and not (extension and kind != "landline"):
        return format_phone(digits) + (EXTENSION_MARK + extension if extension else "")
    shown = _num_text(value) if isinstance(value, (int, float)) else value
    return Unreadable(shown, "phone")


def localise_phones(records, area: str | None) -> int:
    """Phones read as unreadable that are local numbers of ``area`` (本地区号): read again, in place.

    The reader types cells before the 规则 sheet is known; validate and merge call this once the
    policy is, so a 7-8 digit number is the office's landline there too. Returns how many changed.
    """
    if not area:
        return 0
    n = 0
    for rec in records:
        bad = getattr(rec, "bad", None)
        if not bad or "phone" not in bad:
            continue
        value = parse_phone(bad["phone"], area)
        if value is None or isinstance(value, Unreadable):
            continue
        rec.__dict__["phone"] = value
        rec.__dict__["bad"] = {k: v for k, v in bad.items() if k != "phone"}
        n += 1
    return n


def mask_phone(phone: str | None) -> str | None:
    """138****1234 (mobiles), 0755-****1234 (landlines): enough to recognise, not to dial."""
    if not phone:
        return phone
    digits = phone_digits(phone) or ""
    if not digits.isdigit() or len(digits) < 7:
        return "*" * len(str(phone))
    if digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        rest = digits[area:]
        return f"{digits[:area]}-{'*' * (len(rest) - 4)}{rest[-4:]}"
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


@functools.cache
def _index(choices: tuple[Choice, ...]) -> dict[str, str]:
    return choice_index(choices)


_CHOICE_CACHE: dict[tuple, str | None] = {}


def parse_choice(value: object, choices: tuple[Choice, ...]) -> str | Unreadable | None:
    if isinstance(value, str):  # dropdown columns repeat a handful of values: remember them
        key = (value, id(choices))  # the choice sets are module constants: id is stable and cheap
        if key in _CHOICE_CACHE:
            hit = _CHOICE_CACHE[key]
            return hit if hit is not None else Unreadable(value, "choice")
        found = _parse_choice(value, choices)
        if len(_CHOICE_CACHE) < 100_000:
            _CHOICE_CACHE[key] = None if isinstance(found, Unreadable) else found
        return found
    return _parse_choice(value, choices)


def _parse_choice(value: object, choices: tuple[Choice, ...]) -> str | Unreadable | None:
    text = clean_text(value)
    if text is None:
        return None
    from .schema import fold

    found = _index(choices).get(fold(text))
    return found if found is not None else Unreadable(value, "choice")


def parse_satisfaction(value: object, choices: tuple[Choice, ...]) -> int | Unreadable | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 5:
            return int(value)
        return Unreadable(_num_text(value), "satisfaction")
    found = parse_choice(value, choices)
    if found is None or isinstance(found, Unreadable):
        return found if found is None else Unreadable(value, "satisfaction")
    return int(found)


def parse_bool(value: object, choices: tuple[Choice, ...]) -> bool | Unreadable | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        value = _num_text(value)
    found = parse_choice(value, choices)
    if found is None or isinstance(found, Unreadable):
        return found
    return found == "是"


def parser_for(col: Column, epoch_1904: bool = False):
    """A one-argument parser for a column, with a fast path for the common clean case.

    The reader calls this once per column and then once per cell, so a big call
    log does not pay for type dispatch and Unicode normalisation on every cell.
    """
    t = col.type
    if t in (ColType.TEXT, ColType.ID):
        slow = clean_free_text if t is ColType.TEXT else parse_id

        def text(v):
            if type(v) is str and v.isascii():
                s = v.strip()
                return s or None
            return slow(v)

        return text
    if t is ColType.DATE:

        def date(v):
            if type(v) is dt.date:
                return v
            return parse_date(v, epoch_1904)

        return date
    return lambda v: parse_cell(col, v, epoch_1904)


def parse_cell(col: Column, value: object, epoch_1904: bool = False):
    """The one entry point for a single value: column definition + raw value → value."""
    t = col.type
    if t is ColType.TEXT:
        return clean_free_text(value)
    if t is ColType.ID:
        return parse_id(value)
    if t is ColType.DATE:
        return parse_date(value, epoch_1904)
    if t is ColType.TIME:
        return parse_time(value)
    if t is ColType.PHONE:
        return parse_phone(value)
    if t is ColType.INT:
        return parse_int(value)
    if t is ColType.ENUM:
        return parse_choice(value, col.choices)
    if t is ColType.SATISFACTION:
        return parse_satisfaction(value, col.choices)
    if t is ColType.BOOL:
        return parse_bool(value, col.choices)
    raise AssertionError(t)
