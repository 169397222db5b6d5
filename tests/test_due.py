"""`due` on an unseen workbook whose due dates were worked out by hand."""

import datetime as dt
import json

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl.cli import main


def unseen(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录"
    ws.append(["客户ID", "客户姓名", "手机", "等级", "业务员", "登记日期", "状态"])
    ws.append(["K1", "甲", "13800138002", "A", "张伟", "2026/9/1", "正常"])
    ws.append(["K2", "乙", "13800138004", "B", "张伟", "2026年9月1日", None])
    ws.append(["K3", "丙", "13800138006", "A", "张伟", "2026.09.01", "废除"])
    ws.append(["K4", "丁", "13800138008", "C", "张伟", "2026-09-01", None])
    calls = wb.create_sheet("回访记录")
    calls.append(["客户编号", "回访日期", "方式", "回访类型", "回访人", "内容", "结果"])
    calls.append(["K1", "2026-09-25", "电话", "例行", "张伟", "ok", "成功"])
    calls.append(["K2", "2026-09-26", "电话", "例行", "张伟", "ok", "成功"])
    calls.append(["K3", "2026-09-25", "电话", "例行", "张伟", "ok", "成功"])
    events = wb.create_sheet("投诉记录")
    events.append(["事项编号", "客户编号", "事项类型", "事项日期", "匿名"])
    events.append(["E1", "K4", "投诉", "2026-09-25", "否"])
    events.append(["E2", "K1", "投诉", "2026-09-25", "是"])
    wb.save(path)
    return path


EXPECTED = {
    (
        "K1",
        "P1",
        "2026-09-30",
        "upcoming",
    ),  # 10-02 is in the National Day holiday → the day before it
    ("K2", "P1", "2026-10-10", "upcoming"),  # 09-26 + 14 = 10-10: a make-up Saturday
    ("K4", "P2", "2026-09-28", "due"),  # complaint closed Fri 09-25 + 3 = Mon 09-28
    ("K4", "P1", "2026-09-30", "upcoming"),  # filed 09-01, class C: 10-01 → 09-30
    ("", "P12", "2026-09-30", "upcoming"),  # week Sat 09-26..Fri 10-02 (a holiday) → 09-30
    # the seed duties (docs/seed-duties.md): 中秋 Fri 09-25 → a visit (class A) and a greeting SMS
    # due Thu 09-24, missed the day after (window 0); 国庆 Thu 10-01 → a greeting due Wed 09-30
    ("K1", "P16", "2026-09-24", "missed"),
    ("K1", "P16S", "2026-09-24", "missed"),
    ("K2", "P16S", "2026-09-24", "missed"),
    ("K4", "P16S", "2026-09-24", "missed"),
    ("K1", "P16S", "2026-09-30", "upcoming"),
    ("K2", "P16S", "2026-09-30", "upcoming"),
    ("K4", "P16S", "2026-09-30", "upcoming"),
}


def test_hand_computed_due_dates(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    before = src.read_bytes()
    result = CliRunner().invoke(main, ["due", str(src), "--as-of", "2026-09-28", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    got = {(i["customer_id"], i["rule"], i["due_date"], i["status"]) for i in out["items"]}
    assert got == EXPECTED
    assert all(i["reason"] for i in out["items"]) and src.read_bytes() == before
    assert out["items"][0]["status"] == "due"  # today's first: nothing is overdue here


def test_owner_filter_and_overdue_days(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    out = json.loads(
        CliRunner()
        .invoke(main, ["due", str(src), "--as-of", "2026-10-09", "--json", "--owner", "张伟"])
        .stdout
    )
    k4 = next(i for i in out["items"] if i["rule"] == "P2")
    assert k4["status"] == "overdue" and k4["days_overdue"] == 11
    assert (
        CliRunner()
        .invoke(main, ["due", str(src), "--json", "--owner", "nobody", "--as-of", "2026-10-09"])
        .stdout.count('"rule"')
        == 0
    )


@pytest.mark.libreoffice
def test_due_workbook_opens_and_shows_the_list(tmp_path):
    src = unseen(tmp_path / "unseen.xlsx")
    out = tmp_path / "due.xlsx"
    result = CliRunner().invoke(
        main, ["due", str(src), "--as-of", "2026-10-09", "-o", str(out), "--mask-phones"]
    )
    assert result.exit_code == 0, result.output
    text = lo.pdf_text(out, tmp_path / "pdf")
    assert "已逾期" in text and "投诉E1" in text and "138****8008" in text
    wb = openpyxl.load_workbook(out)
    ws = wb["待回访"]
    assert ws["A2"].value == "已逾期" and ws.freeze_panes == "A2"
    assert isinstance(ws["B2"].value, dt.datetime)


# --- the streamed writer (io/write/due.py) ------------------------------------------------------

# texts that take XlsxWriter's every escape: & < >, control characters (and a literal _xHHHH_),
# leading and trailing space, a phone and an id kept as text, a bool, and one text longer than a
# cell holds (cut at 32,767 and recorded)
TRICKY = [
    ["已逾期", dt.date(2026, 10, 9), 11, "K1", "甲 & <乙>", " 前有空格", "13800138002", "张伟"],
    ["今天到期", dt.datetime(2026, 10, 9), 0, 12345, "a\x01b_x0041_", "后有空格 ", 13800138004],
    ["以后到期", None, "", "K3", True, "x" * 40_000, None, "李娜", "P1", "多行\n说明", None],
    [None, dt.date(2027, 1, 1), 3.5, "K4", "=1+1", "\ufffe", "", "王芳", "P2", "r", "是"],
]


def _sheet_xml(path, sheet: int = 1) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{sheet}.xml")


def _streamed_and_cell_by_cell(tmp_path, rows):
    from followup_xl.io import xlsx
    from followup_xl.io.cuts import cut_cells
    from followup_xl.io.write import due

    made = {}
    for how in ("cells", "stream"):
        path = tmp_path / f"{how}.xlsx"
        with cut_cells() as cut:
            wb = xlsx.new_workbook(path, constant_memory=True, created=dt.datetime(2026, 1, 1))
            fmts = xlsx.Formats(wb)
            ws = wb.add_worksheet("待回访")
            due.table_sheet(ws, fmts, due.HEADERS["zh"], "tblDue", len(rows))
            if how == "stream":
                due.stream_rows(ws, fmts, rows, due.KINDS)
            else:  # XlsxWriter's own writing, one call a cell (what write_table did)
                for r, values in enumerate(rows, start=1):
                    for j, v in enumerate(values):
                        xlsx.write_value(ws, r, j, v, fmts, due.KINDS[j])
            wb.close()
        made[how] = (path, cut)
    return made


def test_streamed_rows_are_the_xml_xlsxwriter_writes(tmp_path):
    made = _streamed_and_cell_by_cell(tmp_path, TRICKY)
    (cells, cells_cut), (stream, stream_cut) = made["cells"], made["stream"]
    assert _sheet_xml(stream) == _sheet_xml(cells)
    assert b"_x0001_" in _sheet_xml(stream) and b"&lt;" in _sheet_xml(stream)
    # the 40,000-character text cut where it stands, and said so, alike
    assert [(c.sheet, c.cell) for c in stream_cut] == [("待回访", "F4")]
    assert [(c.sheet, c.cell) for c in cells_cut] == [("待回访", "F4")]


def test_due_workbook_as_a_reader_sees_it(master, tmp_path):
    """The example office's due list: every cell, its number format, the two Tables over the
    rows written, the frozen header and the conditional formats, as openpyxl reads them."""
    from followup_xl import api
    from followup_xl.io.write.due import rows

    as_of = dt.date(2026, 11, 22)
    found = api.Office.open(master).due(str(tmp_path / "due.xlsx"), as_of=as_of)
    wb = openpyxl.load_workbook(tmp_path / "due.xlsx")
    active = [i for i in found.items if i.status != "missed"]
    missed = [i for i in found.items if i.status == "missed"]
    assert active and missed
    for ws, items, name in (
        (wb["待回访"], active, "tblDue"),
        (wb["逾期未办"], missed, "tblMissed"),
    ):
        assert ws.freeze_panes == "A2"
        ((table_name, ref),) = ws.tables.items()
        assert (table_name, ref) == (name, f"A1:M{len(items) + 1}")
        assert ws.tables[name].autoFilter.ref == ref
        assert [c.value for c in ws[1]][:3] == ["状态", "应回访日期", "逾期天数"]
        got = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        want = [
            [dt.datetime(v.year, v.month, v.day) if isinstance(v, dt.date) else v for v in row]
            for row in rows(items, "zh")
        ]
        assert got == [[None if v == "" else v for v in row] for row in want]
        assert all(ws.cell(r, 2).number_format == "yyyy-mm-dd" for r in range(2, ws.max_row + 1))
        ranges = [str(cf.sqref) for cf in ws.conditional_formatting]
        assert ranges == [f"A2:M{len(items) + 1}"]
