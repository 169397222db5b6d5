"""An .xls/.xlsb/.ods/CSV book as an openpyxl workbook, cell for cell, for ``validate --annotate``.

openpyxl edits only .xlsx/.xlsm, so the annotated copy of another format is an
.xlsx holding the same sheets and values at the same cells (formatting, formulas
and macros of the original are not carried over; the command says so).

Every text goes in as a text cell (``put_text``), the rule the .xlsx path keeps by
loading cells as they are: a CSV cell ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``,
``+1+2`` or ``@SUM(…)`` is shown as typed in the copy, never computed.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import python_calamine as pc
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..errors import UnreadableWorkbook
from .formats import opens_by_name
from .xlsx import EXCEL_CELL_CHARS, excel_length, record_cut


def text_value(value):
    """A value written as a text cell: never a formula; characters XML cannot hold shown as \\x1b."""
    if not isinstance(value, str):
        return value
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula


def put_text(cell, value) -> None:
    """``cell`` holds ``value``; a string always as a text cell (openpyxl would take ``=…`` for a
    formula), and one a spreadsheet could read as a formula also carries Excel's "this is text"
    mark (quotePrefix, the leading apostrophe), so editing the cell does not make it one."""
    if isinstance(value, str) and excel_length(value) > EXCEL_CELL_CHARS:  # openpyxl cuts it
        record_cut("", cell.parent.title, cell.coordinate, excel_length(value))
    cell.value = text_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True


def copy_as_workbook(path: str, fmt: str):
    """The book's sheets and values in a new openpyxl workbook (dates shown as dates)."""
    wb = openpyxl.Workbook()
    for blank in wb.worksheets:  # the one empty sheet a new workbook starts with
        wb.remove(blank)
    for name, rows in _sheets(path, fmt):
        ws = wb.create_sheet(name[:31])
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v in ("", None):
                    continue
                cell = ws.cell(row=r, column=c)
                put_text(cell, v)
                if isinstance(v, (dt.date, dt.datetime)):
                    cell.number_format = (
                        "yyyy-mm-dd hh:mm"
                        if isinstance(v, dt.datetime) and v.time() != dt.time()
                        else "yyyy-mm-dd"
                    )
                elif isinstance(v, dt.time):
                    cell.number_format = "hh:mm"
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb


def _sheets(path: str, fmt: str):
    if fmt == "csv":
        from .read.csvbook import csv_rows

        name, rows = csv_rows(path)
        yield name, rows
        return
    try:
        if opens_by_name(path, fmt):
            wb = pc.CalamineWorkbook.from_path(path)
        else:
            with open(path, "rb") as fh:
                wb = pc.CalamineWorkbook.from_filelike(fh)
    except Exception as exc:
        raise UnreadableWorkbook(
            "annotate.cannot_copy_short", error_type=type(exc).__name__, exc=exc, path=path
        ) from exc
    try:
        for meta in wb.sheets_metadata:
            if meta.typ == pc.SheetTypeEnum.WorkSheet:
                yield meta.name, wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
    finally:
        wb.close()
