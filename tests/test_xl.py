"""The workbook button and worksheet functions, against a faithful fake of xlwings."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import libreoffice as lo
import pytest
from click.testing import CliRunner
from fake_xlwings import FakeBook

from followup_xl.cli import main
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.xl import button, functions

AS_OF = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent


def cli_findings(path):
    r = CliRunner().invoke(main, ["validate", str(path), "--as-of", AS_OF.isoformat(), "--json"])
    return json.loads(r.stdout)


@pytest.mark.parametrize("owner", ["张伟", "李娜"])  # a template book and a hand-made one
def test_button_finds_what_the_cli_finds(office_dir, owner):
    path = office_dir / f"{owner}_客户回访.xlsx"
    cli = cli_findings(path)
    xl = FakeBook(path)
    summary = button.validate_button(xl, as_of=AS_OF)
    assert (summary["errors"], summary["warnings"]) == (
        cli["summary"]["errors"],
        cli["summary"]["warnings"],
    )
    for f in cli["findings"]:
        if f["cell"]:
            rng = xl.sheets[f["sheet"]][f["cell"]]
            assert rng.color in (button.RED, button.AMBER), f
            assert f["code"] in rng.note.text
    issues = xl.sheets["问题清单"]
    assert xl.sheets[0] is issues
    rows = issues.used_range.options(ndim=2).value
    assert rows[0][0] == "序号" and len(rows) == len(cli["findings"]) + 1
    linked = [f for f in cli["findings"] if f["cell"]]
    assert len(issues.links) == len(linked)
    assert (
        issues.links[(2, 5)] == f"#'{cli['findings'][0]['sheet']}'!{cli['findings'][0]['cell']}"
        if cli["findings"][0]["cell"]
        else True
    )
    assert xl.app.alerts and "错误" in xl.app.alerts[-1][1]


def test_error_values_are_findings_through_the_button_as_through_the_cli(tmp_path):
    """#N/A in a cell: the file reader and xlwings (err_to_str) both report it as V12, not as a blank."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录簿"
    ws.append(["客户编号", "客户名称", "联系电话"])
    ws.append(["K1", "#N/A", "13800138000"])
    ws = wb.create_sheet("回访记录表")
    ws.append(["记录编号", "客户编号", "回访日期", "回访方式", "回访类型", "回访人", "回访内容"])
    ws.append([None, "K1", "#REF!", "电话", "例行", "张伟", "询问近况"])
    path = tmp_path / "errors.xlsx"
    wb.save(path)
    cli = cli_findings(path)
    xl = FakeBook(path)
    assert xl.sheets["客户名录簿"]["B2"].value is None  # as xlwings shows an error cell
    button.validate_button(xl, as_of=AS_OF)
    rows = xl.sheets["问题清单"].used_range.options(ndim=2).value[1:]
    assert [(r[2], r[3], r[4]) for r in rows] == [
        (f["code"], f["sheet"], f["cell"]) for f in cli["findings"]
    ]
    assert ("V12", "客户名录簿", "B2") in [(r[2], r[3], r[4]) for r in rows]
    assert ("V12", "回访记录表", "C2") in [(r[2], r[3], r[4]) for r in rows]


def test_second_run_clears_the_first_and_ids_are_stable(office_dir):
    path = office_dir / "张伟_客户回访.xlsx"
    xl = FakeBook(path)
    first = button.validate_button(xl, as_of=AS_OF)
    assert first["ids_filled"] > 0
    ids = {k: v for k, v in xl.sheets["回访记录表"].cells.items() if k[1] == 1}
    # fix the planted dropdown mistake (回访方式 "电联") in the open book
    bad = next(k for k, v in xl.sheets["回访记录表"].cells.items() if v == "电联")
    xl.sheets["回访记录表"].cells[bad] = "电话"
    second = button.validate_button(xl, as_of=AS_OF)
    assert second["errors"] == first["errors"] - 1
    assert (
        xl.sheets["回访记录表"].colors.get(bad) is None and bad not in xl.sheets["回访记录表"].notes
    )
    assert [s.name for s in xl.sheets].count("问题清单") == 1
    assert second["ids_filled"] == 0
    assert {k: v for k, v in xl.sheets["回访记录表"].cells.items() if k[1] == 1} == ids


def test_refresh_due_button_matches_the_due_command(office_dir):
    from followup_xl import api

    path = office_dir / "王芳_客户回访.xlsx"
    xl = FakeBook(path)
    n = button.refresh_due_button(xl, as_of=AS_OF)
    calls = [
        i for i in api.due(str(path), as_of=AS_OF).items if i.status != "missed"
    ]  # the call list
    assert n == len(calls) and n > 0
    due = xl.sheets["待回访"].used_range.options(ndim=2).value
    assert due[0][0] == "状态" and len(due) == n + 1
    assert due[1][0] == "已逾期" and xl.sheets["待回访"].colors.get((2, 1)) == button.RED


def test_worksheet_functions_know_make_up_days(office_dir):
    assert functions.FOLLOWUP_IS_WORKDAY(dt.datetime(2026, 10, 10)) is True  # make-up Saturday
    assert functions.FOLLOWUP_IS_WORKDAY("2026-10-05") is False
    assert functions.FOLLOWUP_WORKDAY(dt.datetime(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert functions.FOLLOWUP_WORKDAY(46066, 2) == dt.date(2026, 2, 24)  # serial of 2026-02-13
    path = str(office_dir / "刘洋_客户回访.xlsx")
    cid = "K1181"
    nxt = functions.FOLLOWUP_NEXT_CALL(cid, path)
    from followup_xl import api

    items = [i for i in api.due(path, as_of=dt.date.today()).items if i.customer_id == cid]
    first = min(i.due_date for i in items).isoformat() if items else ""
    assert (nxt.isoformat() if nxt else "") == first
    flag = functions.FOLLOWUP_OVERDUE(cid, path)
    assert flag == "" or flag.startswith("逾期")


def test_xlsm_carries_the_macro_and_buttons(tmp_path):
    from oletools.olevba import VBA_Parser

    path = write_staff_workbook(tmp_path / "book.xlsm", macro=True)
    parser = VBA_Parser(path)
    modules = {name: code for (_f, _s, name, code) in parser.extract_macros()}
    parser.close()
    assert {"xlwings.bas", "FollowUp.bas", "ThisWorkbook.cls"} <= set(modules)
    assert '"import followup_xl.xl.button as b; b.validate_button()"' in modules["FollowUp.bas"]
    assert "RunPython command" in modules["FollowUp.bas"]
    with zipfile.ZipFile(path) as zf:
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode()
        assert "[0]!FollowUp.Validate" in vml or "FollowUp.Validate" in vml
        assert "校验" in vml
        assert "xl/vbaProject.bin" in zf.namelist()


def test_macro_source_is_the_one_in_macros_folder():
    assert (ROOT / "macros" / "FollowUp.bas").read_text() == (
        ROOT / "followup_xl" / "data" / "FollowUp.bas"
    ).read_text()


@pytest.mark.libreoffice
def test_libreoffice_loads_the_module_and_binds_the_buttons(tmp_path):
    """An independent reader of the VBA project: LibreOffice decompresses it and wires the buttons."""
    path = write_staff_workbook(tmp_path / "book.xlsm", macro=True)
    ods = lo.convert(path, "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as zf:
        module = zf.read("Basic/VBAProject/FollowUp.xml").decode()
        content = zf.read("content.xml").decode()
    assert (
        'moduleType="normal"' in module
        and "Sub Validate()" in module
        and "Sub RefreshDue()" in module
    )
    assert "&quot;import followup_xl.xl.button as b; b.validate_button()&quot;" in module
    assert "Basic/VBAProject/xlwings.xml" in zipfile.ZipFile(ods).namelist()  # RunPython itself
    for label, macro in (("校验", "Validate"), ("刷新待回访", "RefreshDue")):
        button = content.split(f'form:label="{label}"', 1)[1].split("</form:button>", 1)[0]
        assert f"vnd.sun.star.script:VBAProject.FollowUp.{macro}?" in button
    assert "客户回访助手" in content
