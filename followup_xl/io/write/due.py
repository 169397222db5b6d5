"""The 待回访 workbook: escalations and overdue first (red), due today (amber), then upcoming,
with the reason; the missed ones (逾期未办, past their window) on a sheet of their own."""

from __future__ import annotations

import os

from ...messages import by_lang, localize, table
from ...results import DueItem, DueList
from ...schema import ColType
from ..atomic import atomic_output
from ..xlsx import Formats, TableSpec, new_workbook, print_setup, write_table

HEADERS = by_lang("due_book.headers")
STATUS = table("due_book.status")
ESCALATE = by_lang("due_book.escalate")
SHEETS = {k: tuple(v) for k, v in by_lang("due_book.sheets").items()}
TITLES = {k: tuple(v) for k, v in by_lang("due_book.titles").items()}
KINDS = [
    None,
    ColType.DATE,
    ColType.INT,
    ColType.ID,
    None,
    None,
    ColType.PHONE,
    None,
    None,
    None,
    None,
    None,
    None,
]
WIDTHS: list[float] = [8, 11, 8, 10, 18, 10, 14, 8, 6, 52, 9, 30, 16]


def _rows(items: list[DueItem], lang: str) -> list[list]:
    return [
        [
            STATUS[lang][i.status],
            i.due_date,
            i.days_overdue,
            i.customer_id,
            i.customer_name,
            i.contact,
            i.phone,
            i.owner,
            i.rule,
            localize(i.reason, lang),
            ESCALATE[lang] if i.escalate else None,
            localize(i.hint, lang),
            i.source,
        ]
        for i in items
    ]


def write_due(
    path: str | os.PathLike,
    due: DueList,
    lang: str = "zh",
    inputs=(),
) -> str:
    """The list api.due made (already ordered: escalations, overdue, today, upcoming, missed)."""
    as_of, warnings = due.as_of, due.warnings
    active, missed = due.active(), due.missed()
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, kind="due")
        fmts = Formats(wb)
        for n, (sheet, title, part, table) in enumerate(
            (
                (SHEETS[lang][0], TITLES[lang][0], active, "tblDue"),
                (SHEETS[lang][1], TITLES[lang][1], missed, "tblMissed"),
            )
        ):
            rows = _rows(part, lang)
            spec = TableSpec(
                sheet=None,
                name=sheet,
                table_name=table,
                headers=HEADERS[lang],
                kinds=KINDS,
                widths=WIDTHS,
                rows=rows,
                min_rows=1,
            )
            ws = write_table(wb, spec, fmts, lang)
            last = len(rows) + 1
            if n == 0:
                ws.conditional_format(
                    f"A2:M{last}",
                    {
                        "type": "formula",
                        "criteria": f'=$K2="{ESCALATE[lang]}"',
                        "format": fmts.get("red"),
                    },
                )
                ws.conditional_format(
                    f"A2:M{last}",
                    {
                        "type": "formula",
                        "criteria": f'=$A2="{STATUS[lang]["overdue"]}"',
                        "format": fmts.get("red"),
                    },
                )
                ws.conditional_format(
                    f"A2:M{last}",
                    {
                        "type": "formula",
                        "criteria": f'=$A2="{STATUS[lang]["due"]}"',
                        "format": fmts.get("amber"),
                    },
                )
            else:
                ws.conditional_format(
                    f"A2:M{last}", {"type": "no_blanks", "format": fmts.get("grey")}
                )
            print_setup(ws, header=f"{title}  {as_of.isoformat()}", lang=lang)
        if warnings:
            notes = wb.add_worksheet(SHEETS[lang][2])
            notes.set_column(0, 0, 100)
            for r, w in enumerate(warnings):
                notes.write_string(r, 0, localize(w, lang))
        wb.close()
    return os.fspath(path)
