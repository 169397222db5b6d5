"""交接记录: the master's log of hand-overs, growing with every one (the 交接单 shows the same table)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...handover import GROUPS_EN
from ...messages import by_lang
from ...normalize import clean_text
from ...schema import ColType
from ..xlsx import Formats, print_setup, write_value

T = ColType
LOG_COLUMNS = [
    ("date", "交接日期", "Date", T.DATE, 11),
    ("customer_id", "客户编号", "Customer ID", T.ID, 11),
    ("name", "客户名称", "Customer", T.TEXT, 20),
    ("group", "客户类别", "Class", T.TEXT, 9),
    ("from", "原负责人", "From", T.TEXT, 9),
    ("to", "新负责人", "To", T.TEXT, 9),
    ("calls", "回访记录数", "Calls", T.INT, 10),
    ("events", "回访事项数", "Triggers", T.INT, 10),
    ("open_items", "待回访数", "Open items", T.INT, 9),
    ("by", "经办人", "Handled by", T.TEXT, 9),
]
LOG_SHEET = by_lang("handover_book.log_sheet")


def group_label(group: str, lang: str) -> str:
    return GROUPS_EN[group] if lang == "en" else group


def write_log_sheet(wb, fmts: Formats, rows: list[dict], lang: str = "zh"):
    """The 交接记录 sheet, in the master and in the 交接单.

    Rows are written in order with a filter rather than a Table, so the same code
    serves the master, which is written in constant_memory mode.
    """
    ws = wb.add_worksheet(LOG_SHEET[lang])
    for j, (_k, _zh, _en, kind, width) in enumerate(LOG_COLUMNS):
        ws.set_column(j, j, width, fmts.get("date") if kind is T.DATE else None)
    for j, (_k, zh, en, *_rest) in enumerate(LOG_COLUMNS):
        ws.write_string(0, j, en if lang == "en" else zh, fmts.get("header"))
    for r, row in enumerate(rows, start=1):
        for j, (key, _zh, _en, kind, _w) in enumerate(LOG_COLUMNS):
            v = group_label(row.get(key) or "未分类", lang) if key == "group" else row.get(key)
            write_value(ws, r, j, v, fmts, kind)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(LOG_COLUMNS) - 1)
    print_setup(ws, header=LOG_SHEET[lang], lang=lang)
    return ws


def read_log(wb) -> list[dict]:
    """The 交接记录 rows already in a master (its open calamine workbook), so the next
    merge or hand-over keeps them."""
    name = next((n for n in wb.sheet_names if n in LOG_SHEET.values()), None)
    rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False) if name else []
    if not rows:
        return []
    header = [clean_text(h) for h in rows[0]]
    idx = {
        key: next((i for i, h in enumerate(header) if h in (zh, en)), None)
        for key, zh, en, *_ in LOG_COLUMNS
    }
    groups = {v: k for k, v in GROUPS_EN.items()}
    out = []
    for row in rows[1:]:
        if not any(v not in ("", None) for v in row):
            continue
        rec: dict[str, Any] = {
            k: (row[i] if i is not None and i < len(row) and row[i] != "" else None)
            for k, i in idx.items()
        }
        if isinstance(rec["date"], dt.datetime):
            rec["date"] = rec["date"].date()
        rec["group"] = groups.get(rec["group"], rec["group"])
        out.append(rec)
    return out
