r"""An annotated copy of the user's workbook: offending cells coloured, a comment on each,
and a 问题清单 sheet with a hyperlink per finding. The input is never touched.

openpyxl edits a copy so the staff member's own formatting, Tables and
dropdowns stay as they were; a previous annotation (our comments, our fills,
our 问题清单) is cleared first, so annotating an annotated copy does not pile up.

The copy is opened by the manager, so what a staff book says cannot act there:
every text we write is written as text (a sheet or staff name ``=1+2`` stays
text, never a live formula), links to other workbooks and external hyperlinks
(``file:///\\server\share…``, which make Windows connect out) are dropped and
counted, and the macros are kept only under an .xlsm name — an .xlsx name gets
the workbook without them, so extension and content type always agree.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font, PatternFill

from ...checks import ERROR, Finding
from ...errors import OutputRefused, UnreadableWorkbook
from ...messages import Message, by_lang, message, render, table
from ..atomic import atomic_output
from ..convert import copy_as_workbook
from ..convert import put_text as _put
from ..convert import text_value as _text
from ..filekind import PROPERTY
from ..formats import sniff
from ..xlsx import cut_cells, take_cuts

AUTHOR = "followup-xl"
ISSUES_SHEET = by_lang("annotate.issues_sheet")
FILL = {
    ERROR: PatternFill("solid", fgColor="FFC7CE"),
    "warning": PatternFill("solid", fgColor="FFEB9C"),
}
OUR_COLOURS = {"00FFC7CE", "FFFFC7CE", "00FFEB9C", "FFFFEB9C"}
HEADERS = by_lang("annotate.headers")
SEVERITY = table("severity")  # finding severity (ERROR, "warning") → its word


def annotate(
    src: str | os.PathLike,
    out: str | os.PathLike,
    findings: list[Finding],
    lang: str = "zh",
    sources: dict | None = None,
) -> dict:
    """Write the annotated copy; says what was left out (external links, macros).

    ``sources`` (sheet, row) → text adds a 来源 column: where a master's row came from."""
    ext = Path(out).suffix.lower()
    if ext not in (".xlsx", ".xlsm"):
        raise OutputRefused("annotate.needs_xlsx", path=os.fspath(out))
    fmt = sniff(os.fspath(src))
    has_vba = fmt == "xlsx" and _has_vba(src)
    if ext == ".xlsm" and not has_vba:
        raise OutputRefused("annotate.no_macros", path=os.fspath(out))
    if fmt != "xlsx":  # .xls/.xlsb/.ods/CSV: the same sheets and values, cell for cell, in an .xlsx
        with cut_cells() as cut:  # a CSV cell may be longer than an Excel cell holds
            wb, cached = copy_as_workbook(os.fspath(src), fmt), {}
    else:
        cut = []
        try:
            wb = openpyxl.load_workbook(src, keep_vba=ext == ".xlsm", rich_text=False)
            links = wb._external_links  # type: ignore[attr-defined]  # private list; stubs omit it
            cached = _cached_values(src) if links else {}
        except Exception as exc:  # openpyxl is stricter than calamine about damaged parts
            raise UnreadableWorkbook(
                "annotate.cannot_copy", error_type=type(exc).__name__, exc=exc, path=os.fspath(src)
            ) from exc
    clear(wb)
    dropped = drop_external_links(wb, cached)
    mark(wb, findings, lang, sources)
    _stamp(wb)
    with atomic_output(out, [src]) as tmp:
        wb.save(tmp)
    return {
        "path": os.fspath(out),
        "external_links_dropped": dropped,
        "macros_dropped": has_vba and ext == ".xlsx",
        "cells_cut": take_cuts(cut, out),
    }


def notes(info: dict) -> list[Message]:
    """The sentences that tell the user what the copy left out."""
    out = []
    if info["external_links_dropped"]:
        dropped = info["external_links_dropped"]
        out.append(message("annotate.external_links_dropped", external_links_dropped=dropped))
    if info["macros_dropped"]:
        out.append(message("annotate.macros_dropped"))
    out += [message("output.cell_cut", **cut) for cut in info.get("cells_cut", ())]
    return out


def _has_vba(src) -> bool:
    try:
        with zipfile.ZipFile(src) as zf:
            return any(n.lower().endswith("vbaproject.bin") for n in zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _cached_values(src) -> dict[tuple[str, str], object]:
    """What Excel last showed in each formula cell (to stand in for formulas that read other workbooks)."""
    wb = openpyxl.load_workbook(src, data_only=True, read_only=True)
    try:
        return {
            (ws.title, c.coordinate): c.value
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if getattr(c, "coordinate", None) and c.value is not None
        }
    finally:
        wb.close()


_EXTERNAL_REF = re.compile(r"\[\d+\]")


def drop_external_links(wb, cached: dict) -> int:
    """Remove links to other workbooks (a formula that read one keeps its last value, as text
    or number) and external hyperlinks (the cell keeps its text). Returns how many went."""
    dropped = len(wb._external_links)
    if wb._external_links:
        wb._external_links = []
        for name in list(wb.defined_names):
            if _EXTERNAL_REF.search(str(wb.defined_names[name].value or "")):
                del wb.defined_names[name]
    for ws in wb.worksheets:
        for cell in _cells(ws):
            if cell.data_type == "f" and dropped and _EXTERNAL_REF.search(str(cell.value)):
                cell.value = cached.get((ws.title, cell.coordinate))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
            link = cell.hyperlink
            if link is not None and link.target and not str(link.target).startswith("#"):
                cell.hyperlink = None
                dropped += 1
    return dropped


def _cells(ws):
    """The cells that exist, not the used range: one stray cell at XFD1048576 makes that 17 billion."""
    return list(ws._cells.values())


def _stamp(wb) -> None:
    props = wb.custom_doc_props
    for prop in list(props):
        if prop.name == PROPERTY:
            props.props.remove(prop)
    props.append(StringProperty(name=PROPERTY, value="annotated"))


def sheet_ref(sheet: str, cell: str) -> str:
    """#'Sheet'!A1 with an apostrophe in the name doubled, as Excel writes it."""
    return "#'" + sheet.replace("'", "''") + "'!" + cell


def clear(wb) -> None:
    """Remove what an earlier run put there: our comments, our fills, our issues sheet."""
    for name in ISSUES_SHEET.values():
        if name in wb.sheetnames:
            del wb[name]
    for ws in wb.worksheets:
        for cell in _cells(ws):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
            fill = cell.fill
            if (
                fill is not None
                and fill.fill_type == "solid"
                and str(fill.fgColor.rgb) in OUR_COLOURS
            ):
                cell.fill = PatternFill(fill_type=None)


SOURCE_HEADER = by_lang("annotate.source_header")


def mark(wb, findings: list[Finding], lang: str, sources: dict | None = None) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), fs in by_cell.items():
        cell = wb[sheet][ref]
        worst = ERROR if any(f.severity == ERROR for f in fs) else "warning"
        cell.fill = FILL[worst]
        text = _text("\n".join(f"[{f.code}] {f.message(lang)}" for f in fs))
        cell.comment = Comment(text, AUTHOR, width=320, height=120)
    ws = wb.create_sheet(ISSUES_SHEET[lang], 0)
    for j, h in enumerate(HEADERS[lang] + ([SOURCE_HEADER[lang]] if sources else []), start=1):
        _put(ws.cell(row=1, column=j), h)
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, f in enumerate(findings, start=1):
        for j, v in enumerate(
            [
                i,
                SEVERITY[lang][f.severity],
                f.code,
                f.sheet,
                f.cell or "",
                f.column or "",
                f.message(lang),
            ]
            + ([sources.get((f.sheet, f.row), "")] if sources else []),
            start=1,
        ):
            _put(ws.cell(row=i + 1, column=j), v)
        if f.sheet and f.sheet in wb.sheetnames:
            link = ws.cell(row=i + 1, column=5)
            link.hyperlink = sheet_ref(f.sheet, f.cell or "A1")
            _put(link, f.cell or (render("annotate.sheet", lang)))
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row=i + 1, column=2).fill = FILL[f.severity]
    for col, width in zip("ABCDEFGH", (6, 9, 7, 12, 9, 12, 90, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{'H' if sources else 'G'}{len(findings) + 1}"
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as many long as it takes
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"  # printable: one page wide, header repeated
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = 0
