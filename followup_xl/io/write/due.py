"""The 待回访 workbook: escalations and overdue first (red), due today (amber), then upcoming,
with the reason; the missed ones (逾期未办, past their window) on a sheet of their own.

A large office's list has a hundred thousand rows, so the sheets are written the way the master
is: XlsxWriter in ``constant_memory`` mode, each row put into words and written as it comes (one
row in memory, never the list twice). Two things that mode does not do are done here:

- the Excel Table (filters, banded rows) is added before the first data row, over the rows
  about to be written (XlsxWriter refuses ``add_table`` in that mode only because it may write
  cells; here it writes none: the header is ours);
- the rows' cells are written as the sheet XML XlsxWriter's own ``write_string``/``write_number``/
  ``write_datetime`` would write in that mode (in-line strings, the same style indexes, the same
  escapes), straight into the sheet's row file: ``tests/test_due.py`` holds the two equal. One
  difference, on purpose: XlsxWriter passes a text that starts with ``<r>`` and ends with
  ``</r>`` into the XML unescaped (as a rich string); here every text is escaped.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ...messages import by_lang, localize, table
from ...results import DueItem, DueList
from ...schema import ColType
from ..atomic import atomic_output
from ..xlsx import Formats, new_workbook, print_setup, xl_col_to_name

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
STYLE = "Table Style Medium 2"
# the columns whose few values repeat down the list: their cells' XML is made once per value
REPEATING = (0, 7, 8, 10, 11)


def rows(items: Iterable[DueItem], lang: str) -> Iterator[list]:
    """Each item as the sheet shows it, put into words when its row is written (a reason the
    policy shares between items once: messages are frozen; each kept here with its words, so
    its id stays its own)."""
    status, escalate = STATUS[lang], ESCALATE[lang]
    said: dict[int, tuple[object, str]] = {}
    for i in items:
        known = said.get(id(i.reason))
        if known is None:
            known = said[id(i.reason)] = (i.reason, localize(i.reason, lang))
        reason = known[1]
        yield [
            status[i.status],
            i.due_date,
            i.days_overdue,
            i.customer_id,
            i.customer_name,
            i.contact,
            i.phone,
            i.owner,
            i.rule,
            reason,
            escalate if i.escalate else None,
            localize(i.hint, lang) if i.maybe_done_on else None,
            i.source,
        ]


def write_due(
    path: str | os.PathLike,
    due: DueList,
    lang: str = "zh",
    inputs=(),
) -> str:
    """The list api.due made (already ordered: escalations, overdue, today, upcoming, missed)."""
    as_of, warnings = due.as_of, due.warnings
    active = [i for i in due.items if i.status != "missed"]
    missed = [i for i in due.items if i.status == "missed"]
    with atomic_output(path, inputs) as tmp:
        wb = new_workbook(tmp, constant_memory=True, kind="due")
        fmts = Formats(wb)
        for n, (sheet, title, part, table_name) in enumerate(
            (
                (SHEETS[lang][0], TITLES[lang][0], active, "tblDue"),
                (SHEETS[lang][1], TITLES[lang][1], missed, "tblMissed"),
            )
        ):
            ws = wb.add_worksheet(sheet)
            table_sheet(ws, fmts, HEADERS[lang], table_name, max(len(part), 1))
            last = len(part) + 1
            stream_rows(ws, fmts, rows(part, lang), KINDS)
            if n == 0:
                for criteria, fmt in (
                    (f'=$K2="{ESCALATE[lang]}"', "red"),
                    (f'=$A2="{STATUS[lang]["overdue"]}"', "red"),
                    (f'=$A2="{STATUS[lang]["due"]}"', "amber"),
                ):
                    ws.conditional_format(
                        f"A2:M{last}",
                        {"type": "formula", "criteria": criteria, "format": fmts.get(fmt)},
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


def table_sheet(ws, fmts: Formats, headers: Sequence[str], name: str, data_rows: int) -> None:
    """Widths, the header row, the Excel Table over ``data_rows`` rows below it and the frozen
    header, on a constant_memory sheet before any of its rows is written."""
    for j, w in enumerate(WIDTHS):
        kind = KINDS[j]
        fmt = fmts.get("date") if kind is ColType.DATE else None
        ws.set_column(j, j, w, fmt)
    ws.set_row(0, 30)
    header = fmts.get("header")
    for j, h in enumerate(headers):
        ws.write_string(0, j, h, header)
    ncols = len(headers)
    # the table's own header cells would be written by add_table, which that mode refuses: it is
    # added over its header row alone (nothing written, no cell-by-cell overlap check of 1.3
    # million cells), then stretched over the rows to come
    ws.constant_memory = False
    ws._write_string = lambda *args, **kwargs: 0
    try:
        added = ws.add_table(
            0,
            0,
            1,
            ncols - 1,
            {
                "name": name,
                "style": STYLE,
                "columns": [{"header": h, "header_format": header} for h in headers],
                "autofilter": True,
            },
        )
    finally:
        ws.constant_memory = True
        del ws._write_string  # the class's own again
    if added != 0:
        raise RuntimeError(f"add_table refused {name}: {added}")
    from xlsxwriter.utility import xl_range

    spec = ws.tables[-1]
    spec["range"] = xl_range(0, 0, 1 + data_rows - 1, ncols - 1)
    spec["a_range"] = spec["autofilter"] = spec["range"]
    ws.freeze_panes(1, 0)


_PLAIN = re.compile(r"[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]|^\s|\s$")


def _string_xml(ws, text: str, style: str) -> str:
    """One in-line string cell after its ``<c r="…"``, as XlsxWriter writes it in constant_memory
    mode (control characters as _xHHHH_, leading/trailing space kept, &<> escaped); a text
    longer than a cell holds is cut there and recorded, as every sheet of ours does."""
    if len(text) <= 16383 and not _PLAIN.search(text):  # the usual text: as it is
        return f'{style} t="inlineStr"><is><t>{text}</t></is></c>'
    from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate

    if len(text) > 16383 and _utf16_len(text) > 32767:
        from ..xlsx import xl_rowcol_to_cell

        cut = getattr(ws, "cut", None)
        if cut is not None:
            cut.append((xl_rowcol_to_cell(ws._stream_row, ws._stream_col), _utf16_len(text)))
        text = _utf16_truncate(text, 32767)
    if not _PLAIN.search(text):
        return f'{style} t="inlineStr"><is><t>{text}</t></is></c>'
    text = ws._escape_control_characters(text)
    preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f'{style} t="inlineStr"><is><t{preserve}>{ws._escape_data(text)}</t></is></c>'


def stream_rows(
    ws, fmts: Formats, values: Iterable[Sequence[Any]], kinds: Sequence[ColType | None]
) -> int:
    """Rows 2… of a constant_memory sheet whose header row is written, straight into the sheet's
    row file: what ``io.xlsx.write_value`` would write cell by cell, at a fraction of the cost.
    Returns the number of rows written."""
    ws._write_single_row(1)  # the header row goes out first
    letters = [xl_col_to_name(j) for j in range(len(kinds))]
    date_s = f' s="{fmts.get("date")._get_xf_index()}"'
    own = []  # a cell's style when it has none of its own: the column's
    for j in range(len(kinds)):
        info = ws.col_info.get(j)
        fmt = info.column_format if info is not None else None
        own.append(f' s="{fmt._get_xf_index()}"' if fmt is not None else "")
    seen: list[dict[str, str] | None] = [{} if j in REPEATING else None for j in range(len(kinds))]
    text_kinds = (ColType.PHONE, ColType.ID, ColType.TEXT)
    write = ws.row_data_fh.write
    convert = ws._convert_date_time
    days: dict[dt.date, str] = {}  # a date's cell XML after its reference: a list has few days
    plain = _PLAIN.search
    r = 0
    for r, row in enumerate(values, start=1):
        n = r + 1
        cells = [f'<row r="{n}">']
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            ref = f'<c r="{letters[j]}{n}"'
            if isinstance(v, bool):
                v = "是" if v else "否"
            if type(v) is str or isinstance(v, str):
                memo = seen[j]
                if memo is None:
                    if len(v) <= 16383 and not plain(v):  # _string_xml's usual text, inline
                        cells.append(f'{ref}{own[j]} t="inlineStr"><is><t>{v}</t></is></c>')
                    else:
                        ws._stream_row, ws._stream_col = r, j
                        cells.append(ref + _string_xml(ws, v, own[j]))
                else:
                    xml = memo.get(v)
                    if xml is None:
                        ws._stream_row, ws._stream_col = r, j
                        xml = memo[v] = _string_xml(ws, v, own[j])
                    cells.append(ref + xml)
            elif isinstance(v, dt.date):
                xml = days.get(v)
                if xml is None or type(v) is not dt.date:
                    day = v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
                    xml = f"{date_s}><v>{convert(day):.16G}</v></c>"
                    if type(v) is dt.date:
                        days[v] = xml
                cells.append(ref + xml)
            elif isinstance(v, int | float) and kinds[j] not in text_kinds:
                cells.append(f"{ref}{own[j]}><v>{v:.16G}</v></c>")
            else:
                ws._stream_row, ws._stream_col = r, j
                cells.append(ref + _string_xml(ws, str(v), own[j]))
        cells.append("</row>")
        write("".join(cells))
    if r:
        ws._check_dimensions(r, 0)
        ws.previous_row = r + 1  # nothing may be written above the rows already out
    return r
