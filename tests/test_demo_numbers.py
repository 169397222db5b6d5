"""Every number the demo prints is the number in the file it describes.

The demo runs once through the CLI; each printed line is parsed and its counts are
recounted from the workbooks it wrote (read with calamine, no recalculation).
The English run prints the same numbers, in English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from followup_xl.cli import main

pytestmark = pytest.mark.slow


def sheet(path, name):
    import python_calamine as pc

    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def data_rows(path, name, header_row=0):
    rows = sheet(path, name)
    return [r for r in rows[header_row + 1 :] if any(v not in ("", None) for v in r)]


def book_rows(path, prefix):
    """Data rows of a staff book's sheet laid out by hand (title lines above the header) or by us."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    name = next(n for n in wb.sheet_names if n.startswith(prefix))
    rows = wb.get_sheet_by_name(name).to_python()
    h = next(i for i, r in enumerate(rows) if sum(v not in ("", None) for v in r) > 3)
    return [r for r in rows[h + 1 :] if any(v not in ("", None) for v in r)]


def column(path, name, header, header_row=0):
    rows = sheet(path, name)
    j = rows[header_row].index(header)
    return [r[j] for r in rows[header_row + 1 :] if any(v not in ("", None) for v in r)]


def run_demo(tmp_path_factory, lang):
    out = tmp_path_factory.mktemp(f"demo-{lang}")
    result = CliRunner().invoke(main, ["demo", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    return lang, out, result.stdout.splitlines()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory, "zh")


@pytest.fixture(scope="module")
def demo_en(tmp_path_factory):
    return run_demo(tmp_path_factory, "en")


def nums(line: str) -> list[float]:
    """The numbers of a line, dates and the year/month of titles included."""
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", line)]


def line_with(lines, start):
    found = [ln for ln in lines if ln.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def test_english_summary_is_english_with_the_same_numbers(demo, demo_en):
    _, _, zh_lines = demo
    _, _, lines = demo_en
    assert len(lines) == len(zh_lines)
    for zh, en in zip(zh_lines[:-1], lines[:-1]):
        assert nums(zh) == nums(en), (zh, en)
    for ln in (
        ln for ln in lines if not ln.startswith("  ")
    ):  # indented lines quote the data itself
        # people's names, file and sheet names stay as they are; the sentence itself is English
        prose = re.sub(
            r"[\u4e00-\u9fff]+_[\u4e00-\u9fff_]+|\d_[\u4e00-\u9fff]+|杨磊|张伟|王芳|刘洋|李娜|陈静|周敏|冲突|修改记录",
            "",
            ln,
        )
        assert not re.search(r"[\u4e00-\u9fff]", prose), ln


def test_every_printed_count_is_the_count_in_the_file(demo):
    _, out, lines = demo

    def say(start):
        return nums(line_with(lines, start))

    # blank templates
    assert say("空白模板") == [len(list((out / "0_空白模板").iterdir()))]

    # staff books read back
    books = sorted((out / "1_员工工作簿").glob("*.xlsx"))
    n_books, cust_rows, call_rows = say("员工工作簿")
    assert n_books == len(books)
    assert cust_rows == sum(len(book_rows(b, "客户名录")) for b in books)
    assert call_rows == sum(len(book_rows(b, "回访记录")) for b in books)

    # validate: errors and warnings are the rows of the annotated copies' 问题清单
    annotated = sorted((out / "2_校验结果").glob("*.xlsx"))
    n, errors, warnings, _folder = say("校验")
    sev = [s for a in annotated for s in column(a, "问题清单", "严重程度")]
    assert n == len(annotated) == len(books)
    assert errors == sev.count("错误") and warnings == sev.count("提醒")

    # the master
    master = out / "3_汇总" / "客户回访总表.xlsx"
    customers, rows, again, calls, conflicts = say("汇总总表")
    assert customers == len(data_rows(master, "客户名录簿"))
    assert rows == cust_rows and again == rows - customers
    assert calls == len(data_rows(master, "回访记录表"))
    assert conflicts == len(data_rows(master, "冲突"))

    # the due list: the total is the file's rows, the parts its statuses
    due = out / "4_待回访" / "待回访清单.xlsx"
    *_date, total, overdue, escalate, today, upcoming, missed = say("待回访清单")
    due_rows, missed_rows = data_rows(due, "待回访"), data_rows(due, "逾期未办")
    assert total == len(due_rows) + len(missed_rows) == overdue + today + upcoming + missed
    assert missed == len(missed_rows)
    status = column(due, "待回访", "状态")
    assert overdue == status.count("已逾期") and today == status.count("今天")
    assert escalate == column(due, "待回访", "上报").count("上报主管")

    # the schedule: customers = the 汇总 合计 of the week, reasons = the rows of the person sheets
    sched = out / "5_排期" / "回访排期表.xlsx"
    calls, customers, reasons, missed = say("排期")[-4:]
    summary = sheet(sched, "汇总")
    total_row = next(r for r in summary if r[0] == "合计")
    assert calls == total_row[9]
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(sched))
    people = [s for s in wb.sheet_names if s not in ("汇总", "排不下", "短信名单")]
    assert reasons == sum(_reasons_in(wb.get_sheet_by_name(s).to_python()) for s in people)
    assert customers == len(
        {(s, c) for s in people for c in _customers_in(wb.get_sheet_by_name(s).to_python())}
    )
    left = sheet(sched, "排不下")
    h = next(i for i, r in enumerate(left) if "客户编号" in r)
    assert missed == sum(bool(r[left[h].index("客户编号")]) for r in left[h + 1 :])

    # the weekly summary: calls = the 合计 row's 回访记录
    weekly = out / "6_周报" / "客户回访周报.xlsx"
    w = sheet(weekly, "周报")
    head = next(r for r in w if r[0] == "姓名")
    total_row = next(r for r in w if r[0] == "合计")
    calls_week = say("周报")[6]
    assert calls_week == total_row[head.index("回访记录")]

    # the monthly report: planned, done, successful are the 月报 sheet's 本月 column
    report = next((out / "7_月报").glob("客户回访月报_*.xlsx"))
    r = sheet(report, "月报")
    values = {row[0]: row[1] for row in r if row and isinstance(row[1], float)}
    planned, done, done_pct, ok, ok_pct, satisfaction = say("月报")[2:]
    assert (
        planned == values["本月应回访数量"]
        and done == values["实施回访数量"]
        and ok == values["成功回访数量"]
    )
    assert done_pct == pytest.approx(values["实施回访百分比"] * 100, abs=0.05)
    assert ok_pct == pytest.approx(values["成功回访百分比"] * 100, abs=0.05)
    assert satisfaction == pytest.approx(values["平均满意度（1–5）"], abs=0.005)

    # scores: people = rows of the yearly sheet; months = its 考核月数 column; the best score is in it
    scores = next((out / "7_月报").glob("电话回访员考核_*.xlsx"))
    ys = sheet(scores, "年度考核")
    h = next(i for i, row in enumerate(ys) if row[0] == "姓名")
    staff = [row for row in ys[h + 1 :] if row[0] and isinstance(row[2], float)]
    numbers = say("考核")
    assert numbers[1] == len(staff)
    months = sorted({row[2] for row in staff})
    span = [months[0], months[-1]] if len(months) > 1 else months
    assert numbers[2 : 2 + len(span)] == span
    assert numbers[-1] == pytest.approx(max(row[15] for row in staff), abs=0.005)

    # hand-over: moved = the 交接记录 rows; per receiver and class A from those rows; SMS = the SMS sheet
    record = next((out / "8_交接").glob("*交接单*.xlsx"))
    log = [row for row in sheet(record, "交接记录")[1:] if row[1] and str(row[1]).startswith("K")]
    sms = data_rows(record, "短信通知")
    ho = line_with(lines, "离职交接")
    assert int(re.search(r"(\d+) 位客户", ho).group(1)) == len(log)
    receivers = re.findall(r"(张伟|王芳) (\d+) 位（A类 (\d+)）", ho)
    assert [r[0] for r in receivers] == ["张伟", "王芳"]
    for who, got, a in receivers:
        mine = [row for row in log if row[5] == who]
        assert int(got) == len(mine) and int(a) == sum(row[3] == "A" for row in mine)
    assert int(re.search(r"短信通知 (\d+) 条", ho).group(1)) == len(sms)
    by_phone = data_rows(record, "需电话告知")
    assert int(re.search(r"需电话告知 (\d+) 位", ho).group(1)) == len(by_phone)
    void = re.search(r"已废除的 (\d+) 位不通知", ho)
    assert len(log) - len(sms) - len(by_phone) == (int(void.group(1)) if void else 0)

    # split
    assert say("分发") == [len(list((out / "9_分发").glob("*.xls*")))]


def _calls_in(rows) -> tuple[list, list]:
    """A person's sheet: its header and its call rows (not the 待办 list of reports under them)."""
    h = next(i for i, r in enumerate(rows) if r and r[0] == "日期")
    end = next(
        (i for i, r in enumerate(rows) if i > h and r and str(r[0]).startswith("待办")), len(rows)
    )
    return rows[h], rows[h + 1 : end]


def _reasons_in(rows) -> int:
    """Reasons listed for customers on a person's sheet, one line each (not the visit line to fill in)."""
    head, calls = _calls_in(rows)
    j, c = head.index("原因"), head.index("客户编号")
    return sum(len(str(r[j]).splitlines()) for r in calls if r[j] and r[c])


def _customers_in(rows) -> set:
    head, calls = _calls_in(rows)
    j = head.index("客户编号")
    return {r[j] for r in calls if r[j]}


def test_demo_writes_no_more_files_than_it_says(demo):
    _, out, lines = demo
    said = int(re.search(r"(\d+) 个文件", lines[-1]).group(1))
    assert said == sum(1 for p in Path(out).rglob("*.xls*"))


def test_long_lists_repeat_their_header_on_every_printed_page(demo):
    """The 月报's open-issues list and the master's data sheets run over pages: their header repeats."""
    import openpyxl

    _, out, _ = demo
    issues = openpyxl.load_workbook(next((out / "7_月报").glob("客户回访月报_*.xlsx")))["客户问题"]
    assert issues.max_row > 40
    head = int(issues.print_title_rows.split(":")[0].strip("$"))
    assert issues.cell(head, 1).value == "客户编号"
    master = openpyxl.load_workbook(out / "3_汇总" / "客户回访总表.xlsx", read_only=False)
    for name in ("客户名录簿", "回访记录表"):
        ws = master[name]
        assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0


def test_the_second_week_summary_is_the_files_it_wrote(demo):
    """Step 10 (issue 28): a call typed without a year by a colleague 人员 lacked, a company holiday
    in 张伟's book; every number printed is recounted from the master and the due list written."""
    from followup_xl.dating import yearless

    _, out, lines = demo
    week = out / "10_第二周"
    master = week / "客户回访总表_第二周.xlsx"
    n, added, held = nums(line_with(lines, "第二周："))
    start = lines.index(line_with(lines, "第二周："))
    changes = [ln for ln in lines[start + 1 :] if ln.startswith("  ")]
    assert len(changes) == n + added + held
    log = data_rows(master, "修改记录")
    assert n == sum(r[8] == "已采用" for r in log) and added == sum(r[8] == "新增" for r in log)
    pending = data_rows(master, "待批准")
    assert held == len(pending) == 2 and {r[1] for r in pending} == {"节假日"}
    assert any("公司年会" in ln and "待批准" in ln for ln in changes)
    # the colleague is on 人员 now, marked 待补充
    staff_line = line_with(lines, "人员表新增")
    (count,) = nums(staff_line)
    rows = sheet(master, "人员")
    j = rows[0].index("待补充")
    filled = [r[0] for r in rows[1:] if r[0] and r[j]]
    assert count == len(filled) and filled == ["周敏"] and "周敏" in staff_line
    # the due list: its total is the file's rows; the dates without a year and the unreadable
    # ones are the master's 回访日期 cells typed as text
    total, no_year, excluded = nums(line_with(lines, "第二周待回访清单"))
    due = week / "待回访清单_第二周.xlsx"
    assert total == len(data_rows(due, "待回访")) + len(data_rows(due, "逾期未办"))
    typed = [v for v in column(master, "回访记录表", "回访日期") if isinstance(v, str)]
    assert no_year == sum(yearless(v) is not None for v in typed) == 1
    assert excluded == sum(yearless(v) is None for v in typed) == 1
    notes = [r[0] for r in sheet(due, "说明")]
    assert any(f"{int(excluded)} 条回访记录日期无法识别，未计入" in v for v in notes)
