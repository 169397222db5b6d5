"""One person's workbook from the master: the staff template plus a 待回访 sheet.

Written by ``write_staff_workbook`` itself (same dropdowns, colours, home sheet
and button as a fresh staff book), with the person's open obligations added
through its ``customize`` hook. The 待回访 sheet carries the contact and phone a
caller needs; the reader never reads it as data (schema.TOOL_SHEETS), so merging
the split books back gives the master again.
"""

from __future__ import annotations

import datetime as dt
import os

from ...messages import by_lang, localize, table
from ...models import Book
from ...obligations import Obligation
from ...schema import ColType
from ..xlsx import TableSpec, print_setup, write_table
from .protect import ENTRY_OPTIONS, protect_entry_sheets, write_with_password
from .template import write_staff_workbook

# A book with the 校验 button: its protection lets the button colour cells and write notes
# (Excel refuses both on a sheet protected without these); headers and formulas stay locked.
BUTTON_OPTIONS = {**ENTRY_OPTIONS, "format_cells": True, "objects": True}
DUE_SHEET = by_lang("split_book.due_sheet")
DUE_HEADERS = by_lang("split_book.due_headers")
STATUS = table("due_book.status")  # as the due list says it
ORDER = {"overdue": 0, "due": 1, "upcoming": 2}


def due_rows(
    items: list[Obligation], as_of: dt.date, lang: str, customers: dict | None = None
) -> list[list]:
    """Overdue first, then today, then upcoming — the order the day's calls are made in —
    with whom to ask for and the number to dial (from ``customers``: id → Customer)."""
    customers = customers or {}
    items = sorted(items, key=lambda o: (ORDER[o.status(as_of)], o.due_date, o.customer_id, o.rule))
    rows = []
    for o in items:
        c = customers.get(o.customer_id)
        rows.append(
            [
                STATUS[lang][o.status(as_of)],
                o.due_date,
                o.days_overdue(as_of),
                o.customer_id or None,
                o.customer_name,
                (c.contact or c.name) if c else None,
                c.raw("phone") if c else None,
                o.rule,
                localize(o.reason, lang),
            ]
        )
    return rows


def add_due_sheet(
    wb, fmts, items: list[Obligation], as_of: dt.date, lang: str, book: Book | None = None
) -> None:
    customers = {c.customer_id: c for c in book.customers} if book else {}
    spec = TableSpec(
        sheet=None,
        name=DUE_SHEET[lang],
        table_name="tblDue",
        headers=DUE_HEADERS[lang],
        kinds=[None, ColType.DATE, ColType.INT, ColType.ID, None, None, ColType.PHONE, None, None],
        widths=[8, 11, 8, 10, 18, 10, 14, 6, 60],
        rows=due_rows(items, as_of, lang, customers),
        choices=[None] * 9,
    )
    ws = write_table(wb, spec, fmts, lang)
    n = len(items) + 1
    ws.conditional_format(
        f"A2:I{n}",
        {
            "type": "formula",
            "criteria": f'=$A2="{STATUS[lang]["overdue"]}"',
            "format": fmts.get("red"),
        },
    )
    ws.conditional_format(
        f"A2:I{n}",
        {
            "type": "formula",
            "criteria": f'=$A2="{STATUS[lang]["due"]}"',
            "format": fmts.get("amber"),
        },
    )
    print_setup(ws, header=f"{DUE_SHEET[lang]}  {as_of.isoformat()}", lang=lang)


BASE_SHEET = "_followup_base"  # very hidden: the rows as sent (lineage.base_rows); never data


def add_base_sheet(wb, rows: list[tuple[str, str, str]]) -> None:
    """The digests of every row as split sent it, on a sheet nobody sees (Excel's "very hidden":
    only the VBA editor shows it). The stamp signs its digest, so an edit to it is seen."""
    ws = wb.add_worksheet(BASE_SHEET)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    ws.very_hidden()
    ws.protect()


def write_split_book(
    path: str | os.PathLike,
    book: Book,
    owner: str,
    items: list[Obligation],
    as_of: dt.date,
    lang: str = "zh",
    protect: bool = False,
    password: str | None = None,
    macro: bool = False,
    inputs=(),
    stamp: str | None = None,
    base_rows: list[tuple[str, str, str]] | None = None,
) -> str:
    """Write one person's book; ``protect`` locks headers and formulas, ``password`` encrypts it.
    ``stamp`` (signed, lineage.sign) and ``base_rows`` say where the book came from."""

    def customize(wb, fmts):
        add_due_sheet(wb, fmts, items, as_of, lang, book)
        if protect:
            protect_entry_sheets(wb, fmts, lang, options=BUTTON_OPTIONS if macro else ENTRY_OPTIONS)
        if base_rows is not None:
            add_base_sheet(wb, base_rows)
        if stamp:
            from ..filekind import mark_stamp

            mark_stamp(wb, stamp)

    return write_with_password(
        path,
        password,
        lambda p: write_staff_workbook(
            p, lang, book=book, owner=owner, macro=macro, customize=customize, inputs=inputs
        ),
        inputs,
    )
