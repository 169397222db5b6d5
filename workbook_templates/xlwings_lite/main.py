"""客户回访助手 in xlwings Lite: the 校验 and 刷新待回访 buttons without installing Python.

Paste this file into the xlwings Lite editor's main.py (and requirements.txt next to it);
the code is then stored in the workbook. It is a thin adapter: the book object xlwings
Lite hands a script is read and written by the same functions as the desktop button
(followup_xl.xl.button), which run the same checks as `followup-xl validate`.
Sheet buttons: a shape named btn_validate / btn_due whose hyperlink points to the cell
given below (see docs/workbooks.md, "For staff without Python").
"""

import datetime as dt

import xlwings as xw
from xlwings import func, script

from followup_xl.xl import button, dates


@script(name="校验", button="[btn_validate]首页!H4", show_taskpane=True)
def validate(book: xw.Book):
    """校验: colour and annotate the offending cells, list them in 问题清单."""
    summary = button.validate_button(book)
    print(
        f"错误 {summary['errors']} 处，提醒 {summary['warnings']} 处，补记录编号 {summary['ids_filled']} 个"
    )


@script(name="刷新待回访", button="[btn_due]首页!H7", show_taskpane=True)
def refresh_due(book: xw.Book):
    """刷新待回访: this book's due and overdue follow-ups in the 待回访 sheet."""
    print(f"待回访 {button.refresh_due_button(book)} 项")


@func
def FOLLOWUP_IS_WORKDAY(day) -> bool:
    """TRUE on a mainland working day (调休 make-up Saturdays included)."""
    return dates.is_workday(day)


@func
def FOLLOWUP_WORKDAY(day, days) -> dt.date:
    """Like WORKDAY(day, days), with China's holidays and 调休 make-up days."""
    return dates.workday(day, days)
