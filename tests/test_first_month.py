"""Issue 28, the first month without surprises: what a new office ran into, one test a case.

Each book is a small real workbook written with openpyxl and read by the real reader; commands
run as a manager runs them (tests/conftest.Cli).
"""

from __future__ import annotations

import re

import openpyxl
import pytest
from test_check_codes import CALLS, CUSTOMERS, book, call, cust, write
from test_lineage import office as office  # the fixture

AS_OF = "2026-11-22"
YEARLESS = "11月16日"  # typed without a year: 2026-11-16, in the week 2026-11-16 … 22
UNREADABLE = "2026年13月5日"  # no such day: cannot be counted, and said so


@pytest.fixture
def typed(tmp_path):
    """One class-A customer filed in January; one call typed without a year, one unreadable."""
    rows = [
        call(记录编号="R1", 回访日期=YEARLESS),
        call(记录编号="R2", 回访日期=UNREADABLE),
    ]
    return write(tmp_path / "张伟.xlsx", book(**{CUSTOMERS: [cust(客户类别="A")], CALLS: rows}))


def _said_excluded(excluded):
    """The JSON ``excluded`` list names the unreadable call's cell and text."""
    assert [(e["sheet"], e["cell"], e["record_id"], e["raw"]) for e in excluded] == [
        (CALLS, "C3", "R2", UNREADABLE)
    ]


def _cells(path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_due_counts_a_date_without_a_year_and_names_the_unreadable_one(cli, typed, tmp_path):
    _, out = cli.json("due", typed, "--as-of", AS_OF, ok=(0,))
    (p1,) = [i for i in out["items"] if i["rule"] == "P1"]
    assert "2026-11-16" in p1["reason"] and "建档" not in p1["reason"]
    assert p1["due_date"] == "2026-11-23"  # 7 days after the call, not after the 建档日期
    _said_excluded(out["excluded"])
    res = cli("due", typed, "--as-of", AS_OF, "-o", tmp_path / "due.xlsx", ok=(0,))
    assert "1 条回访记录日期无法识别，未计入" in res.stderr and "C3" in res.stderr
    assert "11月16日" in res.stderr and "2026-11-16" in res.stderr  # read in a year, and said so
    cells = _cells(tmp_path / "due.xlsx")
    assert "1 条回访记录日期无法识别，未计入" in cells and UNREADABLE in cells


def test_weekly_counts_a_date_without_a_year_and_names_the_unreadable_one(cli, typed, tmp_path):
    _, out = cli.json("weekly", typed, "--as-of", AS_OF, ok=(0,))
    (row,) = out["by_owner"]
    assert row["calls"] == 1
    _said_excluded(out["excluded"])
    res = cli("weekly", typed, "--as-of", AS_OF, "-o", tmp_path / "weekly.xlsx", ok=(0,))
    assert "1 条回访记录日期无法识别，未计入" in res.stderr
    assert "1 条回访记录日期无法识别，未计入" in _cells(tmp_path / "weekly.xlsx")


def test_report_counts_a_date_without_a_year_and_names_the_unreadable_one(cli, typed, tmp_path):
    args = ("report", typed, "--month", "2026-11", "--as-of", AS_OF)
    _, out = cli.json(*args, ok=(0,))
    assert out["calls"] == 1
    _said_excluded(out["excluded"])
    res = cli(*args, "-o", tmp_path / "report.xlsx", ok=(0,))
    assert "1 条回访记录日期无法识别，未计入" in res.stderr
    assert "1 条回访记录日期无法识别，未计入" in _cells(tmp_path / "report.xlsx")


def test_scores_name_the_unreadable_call(cli, typed):
    """scores counts calls too: what it could not read is said, in JSON and on the terminal."""
    _, out = cli.json("scores", typed, "--year", "2026", "--as-of", AS_OF, ok=(0,))
    _said_excluded(out["excluded"])
    res = cli("scores", typed, "--year", "2026", "--as-of", AS_OF, ok=(0,))
    assert "1 条回访记录日期无法识别，未计入" in res.stderr


def test_schedule_names_the_unreadable_call(cli, typed):
    _, out = cli.json("schedule", typed, "--as-of", AS_OF, ok=(0,))
    _said_excluded(out["excluded"])


def test_a_date_without_a_year_is_never_read_after_as_of(cli, typed):
    """11月16日 seen on 2026-11-10 is last year's: the most recent such day not after as-of."""
    _, out = cli.json("due", typed, "--as-of", "2026-11-10", ok=(0,))
    assert any("“11月16日”→2025-11-16" in w for w in out["warnings"]), out["warnings"]


def test_report_accepts_as_of(cli, typed):
    """--as-of on every command that computes by date; report's default month is the one before it."""
    _, out = cli.json("report", typed, "--as-of", "2026-12-03", ok=(0,))
    assert out["month"] == "2026-11"


# --- a staff book's 节假日 and 规则: proposals in 待批准, never dropped ---------------------------


def _add_row(path, sheet: str, values: dict) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    ws = wb[sheet]
    heads = {c.value: c.column for c in ws[1] if c.value}
    row = ws.max_row + 1
    for header, v in values.items():
        ws.cell(row, heads[header]).value = v
    wb.save(path)


def test_a_staff_books_holiday_and_rule_wait_for_the_managers_yes(cli, office):
    from test_lineage import book_of, edit, merge, sheet_rows, split

    from followup_xl.io.read.workbook import read_book

    tmp, m1 = office
    zw = book_of(split(cli, m1, tmp / "分发1"), "张伟")
    _add_row(zw, "节假日", {"日期": "2026-12-24", "类型": "放假", "说明": "公司年会"})
    edit(zw, "规则", "员工版隐藏A类客户资料", 值="否")
    m2 = m1.with_name("总表_第2周.xlsx")
    res = merge(cli, m1, zw, out=m2)
    held = {(h["kind"], h["id"], h["field"], h["new"]) for h in res["held"]}
    assert held == {
        ("holiday", "2026-12-24", "类型", "休息日"),  # 放假 as the dropdown says it
        ("holiday", "2026-12-24", "说明", "公司年会"),
        ("rule", "员工版隐藏A类客户资料", "值", "否"),
    }
    assert any("节假日表有 2 项与总表不同，已放入待批准" in w for w in res["warnings"])
    assert not any(h.date and h.date.isoformat() == "2026-12-24" for h in read_book(m2).holidays)
    pending = sheet_rows(m2, "待批准")
    assert {r[1] for r in pending} == {"节假日", "规则"}
    # the manager answers 是 for the holiday, 否 for the rule
    wb = openpyxl.load_workbook(m2)
    ws = wb["待批准"]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 9).value = "是" if ws.cell(r, 2).value == "节假日" else "否"
    answered = m2.with_name("总表_第2周_已批.xlsx")
    wb.save(answered)
    m3 = m1.with_name("总表_第3周.xlsx")
    res = merge(cli, answered, zw, out=m3)
    assert res["held"] == []  # the rule refused: not proposed again; the holiday is the master's
    got = read_book(m3)
    (day,) = [h for h in got.holidays if h.date and h.date.isoformat() == "2026-12-24"]
    assert (day.kind, day.note) == ("休息日", "公司年会")
    assert {r.key: r.value for r in got.rules}["员工版隐藏A类客户资料"] == "是"


# --- 人员 filled from the data; hand-over texts never sent without the receiver's phone ---------


@pytest.fixture
def new_office(tmp_path):
    """A new office: two people's customers, and nobody filled 人员."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    for who, cid, phone in (("张伟", "K1", "13800138001"), ("杨磊", "K2", "13800138002")):
        rows = {
            CUSTOMERS: [cust(客户编号=cid, 负责人=who, 联系电话=phone, 联系人="孔工")],
            CALLS: [call(记录编号=f"R{cid}", 客户编号=cid, 回访人=who)],
        }
        write(folder / f"{who}_客户回访.xlsx", book(**rows))
    return folder


def test_merge_fills_the_staff_list_from_the_data(cli, new_office, tmp_path):
    from followup_xl import api

    out = tmp_path / "总表.xlsx"
    _, res = cli.json("merge", new_office, "-o", out, "--as-of", AS_OF, ok=(0,))
    assert res["staff_added"] == ["张伟", "杨磊"]
    assert any("人员表加入了 2 位" in w and "杨磊" in w for w in res["warnings"])
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb["人员"].iter_rows(values_only=True))
    head = rows[0]
    assert "待补充" in head
    by_name = {r[head.index("姓名")]: r for r in rows[1:] if r[0]}
    assert set(by_name) == {"张伟", "杨磊"}
    assert by_name["张伟"][head.index("待补充")] == "角色、联系电话待补充"
    assert by_name["张伟"][head.index("联系电话")] in (None, "")
    # the 管理台's hand-over pickers list them
    (desk,) = api.init_manager(str(tmp_path / "台"), master=str(out))
    lists = openpyxl.load_workbook(desk, read_only=True)["列表"]
    assert {r[2] for r in lists.iter_rows(min_row=2, values_only=True)} >= {"张伟", "杨磊"}


def test_a_handover_text_waits_for_the_receivers_phone(cli, new_office, tmp_path):
    master = tmp_path / "总表.xlsx"
    cli.json("merge", new_office, "-o", master, "--as-of", AS_OF, ok=(0,))
    out = tmp_path / "交接后.xlsx"
    args = ("handover", master, "--from", "杨磊", "--to", "张伟", "-o", out, "--as-of", AS_OF)
    res = cli(*args, "--by", "赵刚", ok=(0,))
    assert "1 条短信待补充接收人电话" in res.stdout
    record = tmp_path / "交接后_交接单.xlsx"
    wb = openpyxl.load_workbook(record, read_only=True)
    sms = [r for r in wb["短信通知"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert sms == []  # never a text that gives no phone
    (held,) = [r for r in wb["待补充电话"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert held[0] == "K2" and "张伟" in held[4] and "没有联系电话" in held[4]


# --- output folders are created, as split creates its folder ------------------------------------


def test_a_missing_output_folder_is_created_and_said(cli, typed, tmp_path):
    annotated = tmp_path / "第48周" / "张伟_校验.xlsx"
    res = cli("validate", typed, "--annotate", annotated, "--as-of", AS_OF)
    assert res.exit_code in (0, 1) and annotated.exists()
    assert "输出文件夹不存在，已新建" in res.stderr
    master = tmp_path / "汇总" / "第48周" / "总表.xlsx"
    res = cli("merge", typed, "-o", master, "--as-of", AS_OF, "--lang", "en", ok=(0,))
    assert master.exists() and "the output folder did not exist and was created" in res.stderr


def test_a_command_that_fails_leaves_no_empty_output_folder(cli, typed, tmp_path):
    """-o creates its folder while the options are read; when the command then fails (an input
    that is not there, a bad later option) the folder it made for nothing is taken back, parents
    included, and a folder that was already there is left alone."""
    out = tmp_path / "汇总" / "第49周" / "总表.xlsx"
    res = cli("merge", tmp_path / "没有这个文件.xlsx", "-o", out, "--as-of", AS_OF)
    assert res.exit_code not in (0, 70)
    assert not (tmp_path / "汇总").exists()
    res = cli("due", typed, "-o", tmp_path / "新" / "待回访.xlsx", "--as-of", "不是日期")
    assert res.exit_code not in (0, 70) and not (tmp_path / "新").exists()
    kept = tmp_path / "已有"
    kept.mkdir()
    cli("merge", tmp_path / "没有这个文件.xlsx", "-o", kept / "总表.xlsx", "--as-of", AS_OF)
    assert kept.is_dir()


# --- the merge summary in a manager's words ------------------------------------------------------


def test_the_merge_summary_labels_its_counts_and_explains_merged_rows(cli, tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    same = book(**{CALLS: [call(记录编号="R1")]})
    write(inbox / "张伟_客户回访.xlsx", same)
    write(inbox / "张伟_客户回访_副本.xlsx", book(**{CUSTOMERS: [cust(客户名称="甲公司（新）")]}))
    out = tmp_path / "总表.xlsx"
    res = cli("merge", inbox, "-o", out, "--as-of", AS_OF, ok=(0,))
    assert "客户 1 / 回访记录 1 / 事项 0" in res.stdout  # each book's counts say what they count
    assert "合并去重 1（同一行出现在几个工作簿中，只记一次，没有删除任何记录）" in res.stdout
    # two versions of one customer are not "a duplicate id"
    wb = openpyxl.load_workbook(out, read_only=True)
    kinds = {r[0] for r in wb["冲突"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert kinds == {"同一客户编号的不同版本"}


# --- text as typed, one language, reasons naming their date ---------------------------------------


def test_the_change_log_carries_staff_text_byte_for_byte(cli, office):
    from test_lineage import book_of, edit, merge, sheet_rows, split

    tmp, m1 = office
    zw = book_of(split(cli, m1, tmp / "分发1"), "张伟")
    typed = "门锁已修，客户满意：下周再问"
    edit(zw, CUSTOMERS, "K1", 备注=typed)
    m2 = m1.with_name("总表_第2周.xlsx")
    merge(cli, m1, zw, out=m2)
    m3 = m1.with_name("总表_第3周.xlsx")
    merge(cli, m2, out=m3)  # the log carried over by the next week's merge
    (row,) = [r for r in sheet_rows(m3, "修改记录") if r[2] == "K1" and r[3] == "备注"]
    assert row[5] == typed


def test_help_lists_the_commands_in_chinese_too(cli):
    out = cli("--help", ok=(0,)).output
    lines = out[out.index("命令") :].splitlines()[1:]
    commands = [ln for ln in lines if ln.startswith("  ") and ln.split()]
    assert len(commands) >= 16
    assert all(re.search(r"[\u4e00-\u9fff]", ln) for ln in commands), commands
    assert "合并员工工作簿为总表" in out


def test_chinese_warnings_carry_no_english_sentence(cli, typed):
    _, out = cli.json("due", typed, "--as-of", AS_OF, ok=(0,))
    (year,) = [w for w in out["warnings"] if "2027" in w]
    assert not re.search(r"[A-Za-z]{3,}(\s+[A-Za-z]+){2,}", year), year


def test_a_no_deal_reason_names_the_date_it_used(cli, tmp_path):
    """P8 from the 建档日期 (no deal ever): the reason says 建档日期, not 最近成交."""
    k2 = cust(客户编号="K2", 客户名称="乙公司", 联系电话="13800138002", 建档日期="2026-05-04")
    path = write(tmp_path / "b.xlsx", book(**{CUSTOMERS: [cust(), k2]}))
    _, out = cli.json("due", path, "--as-of", AS_OF, ok=(0,))
    (p8,) = [i for i in out["items"] if i["rule"] == "P8" and i["customer_id"] == "K2"]
    assert "建档日期2026-05-04" in p8["reason"] and "最近成交" not in p8["reason"]
