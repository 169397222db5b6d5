"""The 待回访 workbook: overdue first (red), due today (amber), then upcoming, with the reason."""

from __future__ import annotations

import datetime as dt
import os

from ..schema import ColType
from .atomic import atomic_output
from .xlsx import Formats, TableSpec, new_workbook, print_setup, write_table

HEADERS = {
    "zh": ["状态", "应回访日期", "逾期天数", "客户编号", "客户名称", "联系电话", "负责人", "规则", "原因", "来源"],
    "en": ["Status", "Due", "Days overdue", "Customer ID", "Customer", "Phone", "Owner", "Rule", "Reason", "Source"],
}
STATUS = {"zh": {"overdue": "已逾期", "due": "今天", "upcoming": "待回访"},
          "en": {"overdue": "Overdue", "due": "Today", "upcoming": "Upcoming"}}


def write_due(path: str | os.PathLike, items: list[dict], as_of: dt.date, lang: str = "zh",
              inputs=(), warnings: list[str] = ()) -> str:
    """``items`` as produced by api.due (already ordered: overdue, today, upcoming)."""
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="due")
        fmts = Formats(wb)
        rows = [[STATUS[lang][i["status"]], dt.date.fromisoformat(i["due_date"]), i["days_overdue"], i["customer_id"],
                 i["customer_name"], i.get("phone"), i["owner"], i["rule"], i["reason"], i["source"]] for i in items]
        spec = TableSpec(sheet=None, name="待回访" if lang == "zh" else "Due", table_name="tblDue",
                         headers=HEADERS[lang],
                         kinds=[None, ColType.DATE, ColType.INT, ColType.ID, None, ColType.PHONE, None, None, None, None],
                         widths=[8, 11, 8, 10, 18, 14, 8, 6, 52, 16], rows=rows, min_rows=1)
        ws = write_table(wb, spec, fmts, lang)
        last = len(rows) + 1
        ws.conditional_format(f"A2:J{last}", {"type": "formula", "criteria": f'=$A2="{STATUS[lang]["overdue"]}"',
                                               "format": fmts.get("red")})
        ws.conditional_format(f"A2:J{last}", {"type": "formula", "criteria": f'=$A2="{STATUS[lang]["due"]}"',
                                               "format": fmts.get("amber")})
        title = ("待回访清单" if lang == "zh" else "Due follow-ups") + f"  {as_of.isoformat()}"
        print_setup(ws, header=title)
        if warnings:
            notes = wb.add_worksheet("说明" if lang == "zh" else "Notes")
            notes.set_column(0, 0, 100)
            for r, w in enumerate(warnings):
                notes.write_string(r, 0, w)
        wb.close()
    return os.fspath(path)
