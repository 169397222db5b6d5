"""Worksheet functions for live use in cells (xlwings @xw.func; import with ImportPythonUDFs).

Excel's WORKDAY cannot express China's 调休 make-up Saturdays; these can.
On Linux the decorators are no-ops, so these are plain functions and tested as such.
"""

from __future__ import annotations

import datetime as dt
import functools
import os

import xlwings as xw

from ..messages import render
from ..normalize import parse_id
from . import dates


@xw.func
def FOLLOWUP_IS_WORKDAY(day) -> bool:
    """TRUE when the day is a mainland working day (make-up Saturdays included)."""
    return dates.is_workday(day)


@xw.func
def FOLLOWUP_WORKDAY(day, days) -> dt.date:
    """Like WORKDAY(day, days), with China's holidays and 调休 make-up days."""
    return dates.workday(day, days)


@functools.lru_cache(maxsize=8)
def _obligations(path: str, mtime: float, as_of: dt.date):
    from ..io.master.book import read_master
    from ..policy import compute_obligations
    from ..settings import policy_for_book

    book = read_master(path)
    return compute_obligations(book, policy_for_book(book), as_of)


def _key(customer_id) -> str:
    """A customer id as the reader keeps it: Excel hands a typed 1001 over as 1001.0."""
    return parse_id(customer_id) or ""


def _caller_path() -> str:
    return xw.Book.caller().fullname


@xw.func
def FOLLOWUP_NEXT_CALL(customer_id, path=None):
    """The customer's next follow-up date (from the saved workbook), or "" when none is due."""
    path = path or _caller_path()
    nxt = _obligations(path, os.path.getmtime(path), dt.date.today()).next_for(_key(customer_id))
    return nxt.due_date if nxt else ""


@xw.func
def FOLLOWUP_OVERDUE(customer_id, path=None) -> str:
    """ "逾期N天" when the customer's next follow-up is overdue, else ""."""
    path = path or _caller_path()
    today = dt.date.today()
    nxt = _obligations(path, os.path.getmtime(path), today).next_for(_key(customer_id))
    if nxt and nxt.due_date < today:
        return render(
            "xl.overdue_days", "zh", days=(today - nxt.due_date).days
        )  # as in 1_员工工作簿
    return ""
