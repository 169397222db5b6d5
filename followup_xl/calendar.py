"""Mainland China working days, with 调休 make-up days, from the `holidays` library.

The official schedule for a year is published late in the year before. For a
year the library has no official data for, we use the statutory holidays it can
derive, warn once that make-up days are unknown, and let the office's own list
(节假日 sheet / policy file) decide — office additions always win.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from . import kept
from .messages import Label, Message, message
from .schema import HOLIDAYS

ONE_DAY = dt.timedelta(days=1)
DATA = Path(__file__).parent / "data"


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer: 01-31 + 1 → 02-28)."""
    import calendar as _cal

    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return dt.date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


# The festivals an office names (回访规则's 触发值 for P16): the names the holidays library gives
# the days off in holidays.China(language="zh_CN"), which are the office's own words. 除夕 (the
# library's 农历除夕, a day off since 2025) belongs to 春节; "（补假）" marks a substitute day off.
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
_ALIASES = {"农历除夕": "春节"}
_SUBSTITUTE = "（补假）"
FESTIVAL_SEPARATORS = (",", "，", "、", ";", "；", " ")
# what an office may type for a festival on 回访规则 besides the library's own name
FESTIVAL_WORDS = {
    "中秋": "中秋节",
    "国庆": "国庆节",
    "十一": "国庆节",
    "端午": "端午节",
    "清明": "清明节",
    "五一": "劳动节",
    "劳动": "劳动节",
    "新年": "元旦",
    "除夕": "春节",
    "过年": "春节",
}


def festival_names(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the festivals ``text`` names, by the library's names; the words in it that name none),
    for 回访规则's 触发值 of P16/P16S (春节,中秋节 — 、，; or spaces between)."""
    for sep in FESTIVAL_SEPARATORS[1:]:
        text = text.replace(sep, FESTIVAL_SEPARATORS[0])
    known: list[str] = []
    unknown: list[str] = []
    for word in (w.strip() for w in text.split(FESTIVAL_SEPARATORS[0])):
        if not word:
            continue
        name = word if word in FESTIVALS else FESTIVAL_WORDS.get(word.removesuffix("节"))
        if name is None:
            unknown.append(word)
        elif name not in known:
            known.append(name)
    return tuple(known), tuple(unknown)


@dataclass(frozen=True, order=True)
class Festival:
    """A festival of one year: ``day`` its first holiday (春节: 除夕 when that is off too),
    ``first_off`` the first day of the run of days off around it (weekends and office days
    off included), so the last working day before it is the day before ``first_off``'s run."""

    first_off: dt.date
    day: dt.date
    name: str


# What the holidays library says about China, kept between runs (``kept``, keyed by the installed
# library's version.py and countries/china.py): importing its country tables costs about 90 ms, paid
# on every click of 校验 otherwise. One dict: "official" → the newest year with make-up days,
# ("year", y) → (days off, make-up working weekend days), ("festivals", y) → (name, day), as
# ordinals. A year not yet asked is asked of the library and the copy rewritten.
_KEPT = "china-calendar"


@functools.lru_cache(maxsize=1)
def _library() -> tuple[Path, str] | None:
    """Where the holidays library is installed and what its copy is keyed by (None: not kept)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.origin:
        return None
    root = Path(spec.origin).parent
    try:
        return root, "-".join(kept.stamp(root / f) for f in ("version.py", "countries/china.py"))
    except OSError:
        return None


@functools.lru_cache(maxsize=1)
def _tables() -> dict:
    where = _library()
    got = kept.read(DATA, _KEPT, where[1]) if where else None
    return got if isinstance(got, dict) else {}


def _remember(entry, make):
    """The library's answer for ``entry``, asked once per installed version of it."""
    tables = _tables()
    value = tables.get(entry)
    if value is None:
        value = tables[entry] = make()
        where = _library()
        if where:
            kept.keep(DATA, _KEPT, where[1], tables)
    return value


@functools.lru_cache(maxsize=64)
def festival_days(year: int) -> tuple[tuple[str, dt.date], ...]:
    """(festival, first holiday) for each festival of ``year`` the library names."""
    kept_days = _remember(("festivals", year), lambda: _library_festivals(year))
    return tuple((name, dt.date.fromordinal(day)) for name, day in kept_days)


def _library_festivals(year: int) -> tuple[tuple[str, int], ...]:
    import holidays

    first: dict[str, dt.date] = {}
    for d, names in sorted(holidays.China(years=year, language="zh_CN").items()):
        for raw in names.split("; "):
            name = _ALIASES.get(raw, raw.removesuffix(_SUBSTITUTE))
            if name in FESTIVALS and name not in first:
                first[name] = d
    return tuple((name, d.toordinal()) for name, d in sorted(first.items(), key=lambda i: i[1]))


@functools.lru_cache(maxsize=1)
def last_official_year() -> int:
    """The newest year whose make-up working days the library knows."""
    return _remember("official", _library_official_year)


def _library_official_year() -> int:
    from holidays.countries.china import ChinaStaticHolidays  # its tables load when first asked

    return max(ChinaStaticHolidays.special_public_holidays)


@functools.lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off on weekdays, make-up working weekend days) for one year."""
    off, working = _remember(("year", year), lambda: _library_year(year))
    return (
        frozenset(map(dt.date.fromordinal, off)),
        frozenset(map(dt.date.fromordinal, working)),
    )


def _library_year(year: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    import holidays

    cn = holidays.China(years=year)
    off = tuple(sorted(d.toordinal() for d in cn))
    working = tuple(d.toordinal() for d in _weekends(year) if cn.is_working_day(d))
    return off, working


def _weekends(year: int):
    d = dt.date(year, 1, 1)
    while d.year == year:
        if d.weekday() >= 5:
            yield d
        d += ONE_DAY


class WorkCalendar:
    """Is a day a working day? Answers from the library, overridden by the office."""

    def __init__(self, extra_holidays=(), extra_workdays=()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.warnings: list[Message] = []  # shown in the reader's language
        self._warned: set[int] = set()
        self._days: dict[dt.date, bool] = {}
        self._before: dict[dt.date, dt.date] = {}

    @classmethod
    def from_policy(cls, policy) -> WorkCalendar:
        return cls(policy.extra_holidays, policy.extra_workdays)

    def known(self, year: int) -> bool:
        return year <= last_official_year()

    def _note_unknown(self, year: int) -> None:
        if year in self._warned or self.known(year):
            return
        self._warned.add(year)
        sheet = Label(HOLIDAYS.zh, HOLIDAYS.en)
        self.warnings.append(message("calendar.year_unknown", year=year, sheet=sheet))

    def is_working_day(self, d: dt.date) -> bool:
        """Answered once per day and calendar: the policy asks about the same few hundred days
        hundreds of thousands of times on a large master."""
        answer = self._days.get(d)
        if answer is None:
            answer = self._days[d] = self._decide(d)
        return answer

    def _decide(self, d: dt.date) -> bool:
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        self._note_unknown(d.year)
        off, working = _year(d.year)
        if d in working:
            return True
        if d in off:
            return False
        return d.weekday() < 5

    def on_or_before(self, d: dt.date) -> dt.date:
        moved = self._before.get(d)
        if moved is None:
            moved = self._before[d] = self._on_or_before(d)
        return moved

    def _on_or_before(self, d: dt.date) -> dt.date:
        for _ in range(60):
            if self.is_working_day(d):
                return d
            d -= ONE_DAY
        raise ValueError(f"no working day in the 60 days before {d}")

    def on_or_after(self, d: dt.date) -> dt.date:
        for _ in range(60):
            if self.is_working_day(d):
                return d
            d += ONE_DAY
        raise ValueError(f"no working day in the 60 days after {d}")

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after d (n>0) or before it (n<0); n=0 → on or after d."""
        if n == 0:
            return self.on_or_after(d)
        step = ONE_DAY if n > 0 else -ONE_DAY
        left = abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        out = []
        d = start
        while d <= end:
            if self.is_working_day(d):
                out.append(d)
            d += ONE_DAY
        return out

    def non_working_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every day from ``start`` to ``end`` that is not a working day (weekends that are no
        make-up day, holidays, the office's own days off): the list a spreadsheet's
        WORKDAY.INTL(…, "0000000", list) needs to count exactly as this calendar does."""
        out = []
        d = start
        while d <= end:
            if not self.is_working_day(d):
                out.append(d)
            d += ONE_DAY
        return out

    def festivals(
        self, start: dt.date, end: dt.date, names: tuple[str, ...] = FESTIVALS
    ) -> list[Festival]:
        """The festivals called ``names`` whose first day off falls from ``start`` to ``end``,
        in date order. The first day off walks back from the festival's first holiday over the
        days off before it (2026 春节: 17 Feb, off from Sunday 15 Feb; 14 Feb is a make-up day)."""
        out = []
        for year in range(start.year, end.year + 2):
            for name, day in festival_days(year):
                if name not in names or day < start or day > end + dt.timedelta(days=31):
                    continue  # never asks about a year it need not (a year's warning)
                first_off = day
                if not self.is_working_day(day):
                    for _ in range(60):
                        if self.is_working_day(first_off - ONE_DAY):
                            break
                        first_off -= ONE_DAY
                if start <= first_off <= end:
                    out.append(Festival(first_off, day, name))
        return sorted(out)

    def due_on_working_day(self, due: dt.date, trigger: dt.date | None) -> dt.date:
        """REQUIREMENTS: a due date on a day off moves to the previous working day (calls are
        made before a holiday), never before the event it counts from — then the next one."""
        moved = self.on_or_before(due)
        if trigger is not None and moved < trigger:
            return self.on_or_after(trigger)
        return moved
