"""An annotated copy of the user's workbook: offending cells coloured, a comment on each,
and a 问题清单 sheet with a hyperlink per finding. The input is never touched.

openpyxl edits a copy so the staff member's own formatting, Tables and
dropdowns stay as they were; a previous annotation (our comments, our fills,
our 问题清单) is cleared first, so annotating an annotated copy does not pile up.
"""

from __future__ import annotations

import os

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from ..checks import ERROR, Finding
from ..errors import UnreadableWorkbook
from .atomic import atomic_output

AUTHOR = "followup-xl"
ISSUES_SHEET = {"zh": "问题清单", "en": "Issues"}
FILL = {ERROR: PatternFill("solid", fgColor="FFC7CE"), "warning": PatternFill("solid", fgColor="FFEB9C")}
OUR_COLOURS = {"00FFC7CE", "FFFFC7CE", "00FFEB9C", "FFFFEB9C"}
HEADERS = {
    "zh": ["序号", "严重程度", "代码", "工作表", "单元格", "列", "问题及修改建议"],
    "en": ["No.", "Severity", "Code", "Sheet", "Cell", "Column", "Problem and fix"],
}
SEVERITY = {"zh": {ERROR: "错误", "warning": "提醒"}, "en": {ERROR: "error", "warning": "warning"}}


def annotate(src: str | os.PathLike, out: str | os.PathLike, findings: list[Finding], lang: str = "zh") -> str:
    keep_vba = str(src).lower().endswith(".xlsm")
    try:
        wb = openpyxl.load_workbook(src, keep_vba=keep_vba, rich_text=False)
    except Exception as exc:  # openpyxl is stricter than calamine about damaged parts
        raise UnreadableWorkbook(f"无法复制此工作簿来标注问题（{type(exc).__name__}）；校验结果见上",
                                 f"cannot copy this workbook to annotate it ({type(exc).__name__}: {exc})",
                                 path=os.fspath(src))
    clear(wb)
    mark(wb, findings, lang)
    with atomic_output(out, [src]) as tmp:
        wb.save(tmp)
    return os.fspath(out)


def clear(wb) -> None:
    """Remove what an earlier run put there: our comments, our fills, our issues sheet."""
    for name in ISSUES_SHEET.values():
        if name in wb.sheetnames:
            del wb[name]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.comment is not None and cell.comment.author == AUTHOR:
                    cell.comment = None
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid" and str(fill.fgColor.rgb) in OUR_COLOURS:
                    cell.fill = PatternFill(fill_type=None)


def mark(wb, findings: list[Finding], lang: str) -> None:
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell.setdefault((f.sheet, f.cell), []).append(f)
    for (sheet, ref), fs in by_cell.items():
        cell = wb[sheet][ref]
        worst = ERROR if any(f.severity == ERROR for f in fs) else "warning"
        cell.fill = FILL[worst]
        text = "\n".join(f"[{f.code}] {f.message(lang)}" for f in fs)
        cell.comment = Comment(text, AUTHOR, width=320, height=120)
    ws = wb.create_sheet(ISSUES_SHEET[lang], 0)
    ws.append(HEADERS[lang])
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, f in enumerate(findings, start=1):
        ws.append([i, SEVERITY[lang][f.severity], f.code, f.sheet, f.cell or "", f.column or "", f.message(lang)])
        if f.sheet in wb.sheetnames:
            link = ws.cell(row=i + 1, column=5)
            target = f.cell or "A1"
            link.hyperlink = f"#'{f.sheet}'!{target}"
            link.value = f.cell or ("(整张表)" if lang == "zh" else "(sheet)")
            link.font = Font(color="0563C1", underline="single")
        ws.cell(row=i + 1, column=2).fill = FILL[f.severity]
    for col, width in zip("ABCDEFG", (6, 9, 7, 12, 9, 12, 90)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{len(findings) + 1}"
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True     # one page wide, as many long as it takes
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"       # printable: one page wide, header repeated
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = 0
