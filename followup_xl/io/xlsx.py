"""Writing our sheets with XlsxWriter: tables, dropdowns, colours, print set-up.

Everything that writes a workbook goes through here, so every output gets the
same Chinese fonts, date formats, and the same protection against formula
injection (a staff value starting with '=' is written as text, never a formula).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import schema
from ..messages import by_lang, render
from ..schema import ColType
from . import filekind
from .cuts import EXCEL_CELL_CHARS, CutCell, cut_cells, excel_length, record_cut, take_cuts

if TYPE_CHECKING:
    import xlsxwriter

FONT = "Microsoft YaHei"  # Excel on Windows; LibreOffice substitutes WenQuanYi
DATE_FMT = "yyyy-mm-dd"
TIME_FMT = "hh:mm"
DROPDOWN_ROWS = 5000  # rows below the header that carry dropdowns/colours
RED = "#FFC7CE"
RED_FONT = "#9C0006"
AMBER = "#FFEB9C"
AMBER_FONT = "#9C5700"
GREY_FONT = "#808080"
CALC_FILL = "#F2F2F2"


def xl_col_to_name(col: int) -> str:
    """0 → A, 26 → AA: XlsxWriter's own, without importing XlsxWriter (a reader needs it too)."""
    from ..models import column_letter

    return column_letter(col)


def xl_rowcol_to_cell(row: int, col: int) -> str:
    """(0, 0) → A1."""
    return f"{xl_col_to_name(col)}{row + 1}"


@functools.cache
def _workbook_class() -> type:
    """XlsxWriter's Workbook whose sheets remember the texts they cut, built when a workbook is
    first written: importing this module (as the readers of a master do) loads no XlsxWriter."""
    import xlsxwriter
    import xlsxwriter.worksheet

    class _Worksheet(xlsxwriter.worksheet.Worksheet):
        """XlsxWriter cuts a longer text to 32,767 units without a word: this one remembers where."""

        def __init__(self) -> None:
            super().__init__()
            self.cut: list[tuple[str, int]] = []

        def _write_string(self, row, col, string, cell_format=None):
            result = super()._write_string(row, col, string, cell_format)
            if result == -2:
                self.cut.append((xl_rowcol_to_cell(row, col), excel_length(string)))
            return result

        def _xml_rich_inline_string(self, string, attributes):
            """In constant_memory mode XlsxWriter takes any text "<r>…</r>" for rich-text markup and
            writes it into the sheet unescaped: a cell typed "<r>abc</r>" would be lost, one typed
            "<r><t>x</t></r>" would become "x". We never write rich text: it is text, escaped."""
            self._xml_inline_string(string, False, attributes)

    import xlsxwriter.sharedstrings

    # The shared-strings table has the same habit as _xml_rich_inline_string below: a text
    # "<r>…</r>" goes in as markup. followup-xl never writes rich text, so in this process every
    # such text is written as the text it is (escaped). The one change made to XlsxWriter itself.
    def _plain_si(self, string):
        self._xml_si_element(string, [])

    xlsxwriter.sharedstrings.SharedStrings._xml_rich_si_element = _plain_si

    class _Workbook(xlsxwriter.Workbook):
        """Every sheet a _Worksheet; on close, the cells it had to cut are recorded (record_cut)."""

        def add_worksheet(self, name=None, worksheet_class=None):
            return super().add_worksheet(name, worksheet_class or _Worksheet)

        def close(self) -> None:
            super().close()
            for ws in self.worksheets():
                for ref, length in getattr(ws, "cut", ()):
                    record_cut(self.filename, ws.name, ref, length)

    return _Workbook


def new_workbook(
    path, constant_memory: bool = False, created: dt.datetime | None = None, kind: str | None = None
) -> xlsxwriter.Workbook:
    """A workbook with our defaults; ``created`` fixed makes the bytes reproducible.

    ``kind`` stamps what the file is (see io/filekind.py) so the tool can refuse
    its own outputs where it wants a staff book or a master. A text longer than a cell
    holds is cut there, and recorded (``cut_cells``): never silently.
    """
    wb = _workbook_class()(
        str(path),
        {
            "constant_memory": constant_memory,
            "strings_to_formulas": False,  # formula injection: text stays text
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_FMT,
            "remove_timezone": True,
        },
    )
    wb.set_properties({"created": created or dt.datetime.now(), "author": "followup-xl"})
    wb.formats[0].set_font_name(FONT)
    wb.formats[0].set_font_size(10)
    if kind is not None:
        filekind.mark(wb, kind)
    return wb


@dataclass
class Formats:
    """The handful of formats every sheet uses, created once per workbook."""

    wb: xlsxwriter.Workbook
    cache: dict = field(default_factory=dict)

    def get(self, name: str):
        if name not in self.cache:
            base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
            specs: dict[str, dict[str, Any]] = {
                "text": {},
                "wrap": {"text_wrap": True},
                "date": {"num_format": DATE_FMT, "align": "center"},
                "time": {"num_format": TIME_FMT, "align": "center"},
                "int": {"num_format": "0"},
                "pct": {"num_format": "0.0%"},
                "dec": {"num_format": "0.00"},
                "header": {
                    "bold": True,
                    "font_color": "#FFFFFF",
                    "bg_color": "#305496",
                    "border": 1,
                    "align": "center",
                    "text_wrap": True,
                },
                "title": {"bold": True, "font_size": 16, "align": "left"},
                "subtitle": {"italic": True, "font_color": "#595959"},
                "bold": {"bold": True},
                "red": {"bg_color": RED, "font_color": RED_FONT},
                "red_date": {
                    "bg_color": RED,
                    "font_color": RED_FONT,
                    "num_format": DATE_FMT,
                    "align": "center",
                },
                "amber": {"bg_color": AMBER, "font_color": AMBER_FONT},
                "grey": {"font_color": GREY_FONT, "italic": True},
                "note": {"font_color": "#595959", "text_wrap": True, "valign": "top"},
                "link": {"font_color": "#0563C1", "underline": 1},
                "box": {"border": 1},
                "box_date": {"border": 1, "num_format": DATE_FMT, "align": "center"},
                # a formula column's cells (followup_xl/formulas.py): shaded, and never unlocked
                # by io/write/protect.py (not a data format)
                "calc": {"bg_color": CALC_FILL},
                "calc_date": {"bg_color": CALC_FILL, "num_format": DATE_FMT, "align": "center"},
            }
            self.cache[name] = self.wb.add_format({**base, **specs[name]})
        return self.cache[name]


def write_value(
    ws, row: int, col: int, value: Any, fmts: Formats, kind: ColType | None = None
) -> None:
    """One cell, by Python type: strings always as strings (never a formula)."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否")
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, fmts.get("date"))
    elif isinstance(value, dt.date):
        ws.write_datetime(
            row, col, dt.datetime(value.year, value.month, value.day), fmts.get("date")
        )
    elif isinstance(value, dt.time):
        ws.write_datetime(row, col, value, fmts.get("time"))
    elif isinstance(value, (int, float)) and kind not in (ColType.PHONE, ColType.ID, ColType.TEXT):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, str(value))


@dataclass
class TableSpec:
    """A sheet holding one Excel Table."""

    sheet: schema.SheetDef | None
    name: str  # sheet name
    table_name: str
    headers: list[str]
    kinds: list[ColType | None]
    widths: list[float]
    rows: Iterable[Sequence[Any]] = ()
    choices: list[list[str] | None] = field(default_factory=list)
    date_alert_cols: list[int] = field(default_factory=list)  # red when past, amber when today
    void_col: int | None = None  # grey the row when 废除/离职
    style: str = "Table Style Medium 2"
    min_rows: int = 1


def spec_for(
    sheet: schema.SheetDef,
    rows: Iterable[Sequence[Any]] = (),
    lang: str = "zh",
    extra: Sequence[schema.Column] = (),
    name: str | None = None,
    table_name: str | None = None,
) -> TableSpec:
    """The TableSpec of one of our sheets, straight from the schema."""
    cols = [*sheet.columns, *extra]
    spec = TableSpec(
        sheet=sheet,
        name=name or sheet.title(lang),
        table_name=table_name or sheet.table,
        headers=[c.header(lang) for c in cols],
        kinds=[c.type for c in cols],
        widths=[c.width for c in cols],
        rows=rows,
        choices=[c.choice_labels(lang) if c.choices else None for c in cols],
    )
    keys = [c.key for c in cols]
    if "next_date" in keys:
        spec.date_alert_cols.append(keys.index("next_date"))
    if sheet.key in ("customers", "staff") and "status" in keys:
        spec.void_col = keys.index("status")
    return spec


def write_table(wb: xlsxwriter.Workbook, spec: TableSpec, fmts: Formats, lang: str = "zh") -> Any:
    """Write the sheet: header, rows, Table, frozen header, widths, dropdowns, colours."""
    ws = wb.add_worksheet(spec.name)
    ncols = len(spec.headers)
    for j, w in enumerate(spec.widths):
        kind = spec.kinds[j]
        fmt = (
            fmts.get("date")
            if kind is ColType.DATE
            else fmts.get("time")
            if kind is ColType.TIME
            else None
        )
        ws.set_column(j, j, w, fmt)
    ws.set_row(0, 30)
    for j, h in enumerate(spec.headers):
        ws.write_string(0, j, h, fmts.get("header"))
    r = 0
    for r, values in enumerate(spec.rows, start=1):
        for j, v in enumerate(values):
            write_value(ws, r, j, v, fmts, spec.kinds[j])
    last = max(r, spec.min_rows)
    ws.add_table(
        0,
        0,
        last,
        ncols - 1,
        {
            "name": spec.table_name,
            "style": spec.style,
            "columns": [{"header": h, "header_format": fmts.get("header")} for h in spec.headers],
            "autofilter": True,
        },
    )
    ws.freeze_panes(1, 0)
    span = max(last, DROPDOWN_ROWS)
    for j, options in enumerate(spec.choices):
        if options:
            ws.data_validation(
                1,
                j,
                span,
                j,
                {
                    "validate": "list",
                    "source": options,
                    "ignore_blank": True,
                    "error_type": "warning",
                    "error_title": render("sheet.choose_title", lang),
                    "error_message": _within_255(
                        render("sheet.choose_allowed", lang) + " / ".join(options)
                    ),
                },
            )
    for j in spec.date_alert_cols:
        col = xl_col_to_name(j)
        rng = f"{col}2:{col}{span + 1}"
        ws.conditional_format(
            rng,
            {
                "type": "formula",
                "criteria": f'=AND(${col}2<>"",${col}2<TODAY())',
                "format": fmts.get("red"),
            },
        )
        ws.conditional_format(
            rng, {"type": "formula", "criteria": f"=${col}2=TODAY()", "format": fmts.get("amber")}
        )
    if spec.void_col is not None:
        col = xl_col_to_name(spec.void_col)
        ws.conditional_format(
            1,
            0,
            span,
            ncols - 1,
            {
                "type": "formula",
                "criteria": f'=OR(${col}2="废除",${col}2="离职",${col}2="Void",${col}2="Left")',
                "format": fmts.get("grey"),
            },
        )
    return ws


def as_day(value) -> dt.date | None:
    """The day of a date or datetime; None for anything else (text is never parsed back)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def write_day_or_text(ws, row: int, col: int, value, fmts: Formats, fmt: str = "box") -> None:
    """A real, formatted date where the value is a date; the text (or blank) otherwise."""
    day = as_day(value)
    if day is not None:
        ws.write_datetime(
            row, col, dt.datetime(day.year, day.month, day.day), fmts.get(fmt + "_date")
        )
    else:
        ws.write_string(row, col, "" if value is None else str(value), fmts.get(fmt))


FOOTER = by_lang("sheet.footer")


def print_setup(
    ws,
    landscape: bool = True,
    repeat_rows: tuple[int, int] | None = (0, 0),
    header: str | None = None,
    lang: str | None = None,
) -> None:
    """Ready to print: landscape, one page wide, header rows repeated, page numbers in ``lang``
    (when not given: the header's language, so an English sheet never gets a Chinese footer)."""
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if repeat_rows:
        ws.repeat_rows(*repeat_rows)
    if header:
        ws.set_header(f'&L&"{FONT},Bold"{header}&R&D')
    if lang is None:
        lang = "en" if header and not any("\u4e00" <= ch <= "\u9fff" for ch in header) else "zh"
    ws.set_footer(FOOTER.get(lang, FOOTER["zh"]))


__all__ = [
    "EXCEL_CELL_CHARS",
    "CutCell",
    "Formats",
    "TableSpec",
    "as_day",
    "cut_cells",
    "new_workbook",
    "print_setup",
    "record_cut",
    "spec_for",
    "take_cuts",
    "write_day_or_text",
    "write_plain_sheet",
    "write_table",
    "write_value",
    "xl_col_to_name",
    "xl_rowcol_to_cell",
]


def write_plain_sheet(
    wb, fmts: Formats, name: str, headers: list[str], rows: list[list], widths: list[int]
):
    """A frozen, filtered, printable list sheet (冲突, 来源, 修改记录…): numbers as numbers, dates as
    dates, the rest as text."""
    ws = wb.add_worksheet(name)
    for j, w in enumerate(widths):
        ws.set_column(j, j, w, fmts.get("wrap"))
    for j, h in enumerate(headers):
        ws.write_string(0, j, h, fmts.get("header"))
    for r, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, j, v)
            elif isinstance(v, dt.date):
                write_value(ws, r, j, v, fmts)
            else:
                ws.write_string(r, j, str(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    print_setup(ws, header=name)
    return ws


def _within_255(text: str) -> str:
    """Excel refuses a validation message over 255 characters: cut it, saying so with "…"."""
    return text if len(text) <= 255 else text[:254] + "…"
