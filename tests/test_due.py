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
