"""Working-day arithmetic for worksheet functions, shared by the xlwings add-in
(xl/functions.py) and xlwings Lite (workbook_templates/xlwings_lite/main.py).

Plain Python over the core calendar: no xlwings import, so Lite can use it as is.
"""

from __future__ import annotations

import datetime as dt

from ..calendar import WorkCalendar
from ..messages import render
from ..normalize import parse_date

_CAL = WorkCalendar()


def as_day(value) -> dt.date:
    """A cell's value as a date (datetime, date, Excel serial number or text)."""
    d = parse_date(value)
    if not isinstance(d, dt.date):
        said = (render("xl.not_a_date", lang, value=value) for lang in ("zh", "en"))
        raise ValueError(" ".join(said))  # the cell's language is unknown
    return d


def is_workday(day) -> bool:
    return _CAL.is_working_day(as_day(day))


def workday(day, days) -> dt.date:
    return _CAL.add_working_days(as_day(day), int(days))
