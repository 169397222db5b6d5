"""One small case per check code: it fires at the right cell on the bad book, and the corrected book is clean.

Each case is a tiny workbook written with openpyxl and read back by the real
reader, so the codes that live in the reader (unreadable values, dropdowns,
header rows) are tested the same way as the ones in the core. The test is
parametrised over the registry: a new check code without a case here fails.
"""

from __future__ import annotations

from dataclasses import dataclass

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from followup_xl.checks import REGISTRY, run_checks
from followup_xl.demo import office as example_office
from followup_xl.io.read.workbook import read_book
from followup_xl.settings import policy_for_book

AS_OF = example_office.AS_OF  # 2026-11-22

CUSTOMERS, CALLS, EVENTS, STAFF = "客户名录簿", "回访记录表", "回访事项", "人员"

CUSTOMER = {
    "客户编号": "K1",
    "客户名称": "甲公司",
    "联系电话": "13800138001",
    "客户类别": "A",
    "负责人": "张伟",
    "建档日期": "2026-01-05",
    "状态": "正常",
}
CALL = {
    "记录编号": "R1",
    "客户编号": "K1",
    "回访日期": "2026-11-02",
    "回访方式": "电话",
    "回访类型": "例行",
    "投诉等级": None,
    "回访人": "张伟",
    "回访内容": "询问使用情况",
    "客户反映问题": None,
    "问题状态": None,
    "结果": "成功",
    "下次回访日期": None,
    "客户签名": None,
}
EVENT = {
    "事项编号": "E1",
    "客户编号": "K1",
    "事项类型": "投诉",
    "事项日期": "2026-11-01",
    "投诉等级": "一般",
    "负责人": "张伟",
    "事项说明": "墙面开裂",
    "状态": "进行中",
    "办结说明": None,
}
STAFF_ROW = {"姓名": "张伟", "角色": "员工", "每日回访上限": 20, "状态": "在职"}


def cust(**kw) -> dict:
    return {**CUSTOMER, **kw}


def call(**kw) -> dict:
    return {**CALL, **kw}


def event(**kw) -> dict:
    return {**EVENT, **kw}


def person(**kw) -> dict:
    return {**STAFF_ROW, **kw}


def book(**sheets) -> dict[str, list]:
    """Sheet title → rows; the customer book and call log are there unless set (None drops one)."""
    out = {CUSTOMERS: [cust()], CALLS: [call()]}
    out.update({name: rows for name, rows in sheets.items()})
    return {name: rows for name, rows in out.items() if rows is not None}


def sheet_rows(rows: list) -> list[list]:
    """Dict rows become a header row plus values; list rows are written as they are."""
    if not rows or not isinstance(rows[0], dict):
        return rows
    head = list(dict.fromkeys(k for r in rows for k in r))
    return [head] + [[r.get(k) for k in head] for r in rows]


def write(path, sheets: dict[str, list]):
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in sheet_rows(rows):
            ws.append(r)
    wb.save(path)
    return path


@dataclass
class Case:
    bad: dict[str, list]
    good: dict[str, list]
    sheet: str | None  # where the finding points: sheet title …
    header: str | None = None  # … header of the cell's column …
    row: int = 1  # … and which data row (1 = first under the header)

    def cell(self) -> str | None:
        if self.header is None:
            return None
        head = sheet_rows(self.bad[self.sheet])[0]
        return f"{get_column_letter(head.index(self.header) + 1)}{self.row + 1}"


VOID = cust(状态="废除")
VISIT = {"回访方式": "上门", "客户签名": "甲经理"}
STOPPED = cust(状态="停止回访", 状态日期="2026-10-01")
FILED = {"建档人": "张伟", "核实人": "孙丽"}
OPEN_ISSUE = {"客户反映问题": "门锁损坏", "问题状态": "未解决"}
MAJOR = {"回访类型": "投诉", "投诉等级": "重大"}
K2 = cust(客户编号="K2", 客户名称="乙公司", 联系电话="13800138002")

CASES: dict[str, Case] = {
    "V1": Case(book(**{CALLS: [call(回访内容=None)]}), book(), CALLS, "回访内容"),
    "V2": Case(
        book(**{CUSTOMERS: [cust(联系电话="1380013800")]}),
        book(**{CUSTOMERS: [cust(联系电话="13800138000")]}),
        CUSTOMERS,
        "联系电话",
    ),
    "V3a": Case(
        book(**{CUSTOMERS: [cust(), cust(客户名称="乙公司", 联系电话="13800138002")]}),
        book(**{CUSTOMERS: [cust(), K2]}),
        CUSTOMERS,
        "客户编号",
        row=2,
    ),
    "V3b": Case(
        book(**{CUSTOMERS: [cust(), cust(客户编号="K2", 客户名称="乙公司")]}),
        book(**{CUSTOMERS: [cust(), K2]}),
        CUSTOMERS,
        "联系电话",
        row=2,
    ),
    "V4a": Case(book(**{CALLS: [call(客户编号="K9")]}), book(), CALLS, "客户编号"),
    "V4b": Case(book(**{CUSTOMERS: [VOID]}), book(), CALLS, "客户编号"),
    "V4c": Case(
        book(**{CUSTOMERS: [STOPPED]}),
        book(**{CUSTOMERS: [STOPPED], CALLS: [call(回访日期="2026-09-20")]}),
        CALLS,
        "回访日期",
    ),
    "V5a": Case(book(**{CALLS: [call(回访日期="2026-12-01")]}), book(), CALLS, "回访日期"),
    "V5b": Case(
        book(**{CALLS: [call(下次回访日期="2026-11-02")]}),
        book(**{CALLS: [call(下次回访日期="2026-11-16")]}),
        CALLS,
        "下次回访日期",
    ),
    "V6a": Case(
        book(**{CALLS: [call(回访方式="上门")]}),
        book(**{CALLS: [call(回访方式="上门", 客户签名="甲经理")]}),
        CALLS,
        "客户签名",
    ),
    "V6b": Case(
        book(**{CALLS: [call(回访方式="短信", 回访内容="电话询问满意度")]}),
        book(**{CALLS: [call(回访内容="电话询问满意度")]}),
        CALLS,
        "回访方式",
    ),
    "V7": Case(
        book(**{CALLS: [call(**OPEN_ISSUE)]}),
        book(**{CALLS: [call(**OPEN_ISSUE, 下次回访日期="2026-11-16")]}),
        CALLS,
        "下次回访日期",
    ),
    "V8": Case(
        book(**{CALLS: [call(**MAJOR)], STAFF: [person(), person(姓名="赵刚", 角色="公司经理")]}),
        book(
            **{
                CALLS: [call(**MAJOR, 回访人="赵刚")],
                STAFF: [person(), person(姓名="赵刚", 角色="公司经理")],
            }
        ),
        CALLS,
        "回访人",
    ),
    "V9": Case(book(**{CALLS: [call(回访方式="电联")]}), book(), CALLS, "回访方式"),
    "V10": Case(
        book(**{EVENTS: [event(), event(事项编号="E2", 事项日期="2026-11-03")]}),
        book(**{EVENTS: [event(), event(事项编号="E2", 事项说明="门锁损坏")]}),
        EVENTS,
        "事项说明",
        row=2,
    ),
    "V11": Case(
        book(**{CUSTOMERS: [cust(**FILED), cust(**K2, 建档人="张伟", 核实人=None)]}),
        book(**{CUSTOMERS: [cust(**FILED), cust(**K2, **FILED)]}),
        CUSTOMERS,
        "核实人",
        row=2,
    ),
    "V12": Case(
        book(**{CALLS: [call(回访日期="2026年13月5日")]}),
        book(**{CALLS: [call(回访日期="2026年11月5日")]}),
        CALLS,
        "回访日期",
    ),
    # issue 28: a date without a year is read (in its latest year not after today) and flagged,
    # not an unreadable value
    "V12a": Case(
        book(**{CALLS: [call(回访日期="11月2日")]}),
        book(**{CALLS: [call(回访日期="2026年11月2日")]}),
        CALLS,
        "回访日期",
    ),
    "V13": Case(
        book(**{EVENTS: [["甲", "乙", "丙"], ["x", "y", "z"]]}),
        book(**{EVENTS: [event()]}),
        EVENTS,
    ),
    "V14": Case(
        book(**{CUSTOMERS: [[*CUSTOMER, "客户编号"], [*CUSTOMER.values(), "K1"]]}),
        book(),
        CUSTOMERS,
    ),
    "V15": Case(book(**{CUSTOMERS: None}), book(), None),
    "V16": Case(
        book(**{STAFF: [person(每日回访上限=0)]}),
        book(**{STAFF: [person()]}),
        STAFF,
        "每日回访上限",
    ),
    "V17": Case(
        book(**{EVENTS: [event(状态="已办结")]}),
        book(**{EVENTS: [event(状态="已办结", 办结说明="电话沟通后客户同意办结")]}),
        EVENTS,
        "办结说明",
    ),
    # issue 32: a formula column typed over (a typed value where the book's formula was)
    "V18": Case(
        book(**{CUSTOMERS: [cust(**{"下次例行回访（自动计算）": "2026-12-01"})]}),
        book(**{CUSTOMERS: [cust(**{"下次例行回访（自动计算）": "=$H2+7"})]}),
        CUSTOMERS,
        "下次例行回访（自动计算）",
    ),
    # issue 29 (P19): a visit on Tue 2026-11-17 needs its report by Wed 11-18 (the next working
    # day); on AS_OF (Sun 11-22) it is still blank, inside its 5-working-day window (to 11-25)
    "V19a": Case(
        book(**{CALLS: [call(**VISIT, 回访日期="2026-11-17", 回访报告日期=None)]}),
        book(**{CALLS: [call(**VISIT, 回访日期="2026-11-17", 回访报告日期="2026-11-18")]}),
        CALLS,
        "回访报告日期",
    ),
    "V19b": Case(
        book(**{CALLS: [call(**VISIT, 回访报告日期="2026-11-01")]}),
        book(**{CALLS: [call(**VISIT, 回访报告日期="2026-11-02")]}),
        CALLS,
        "回访报告日期",
    ),
    # P24: only a complaint may be answered by letter instead of a call
    "V20": Case(
        book(**{EVENTS: [event(事项类型="维修", 投诉等级=None, 复函="是")]}),
        book(**{EVENTS: [event(复函="是")]}),
        EVENTS,
        "复函",
    ),
}


def findings(tmp_path, name: str, sheets: dict[str, list]):
    bk = read_book(write(tmp_path / f"{name}.xlsx", sheets))
    return run_checks(bk, policy_for_book(bk), AS_OF).findings


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_code_fires_at_its_cell_and_not_once_corrected(code, tmp_path):
    assert code in CASES, f"check {code} has no case in tests/test_check_codes.py: add one"
    case = CASES[code]
    bad = findings(tmp_path, "bad", case.bad)
    hits = [(f.sheet, f.cell) for f in bad if f.code == code]
    assert hits == [(case.sheet, case.cell())], [(f.code, f.sheet, f.cell) for f in bad]
    if case.header:
        (hit,) = (f for f in bad if f.code == code)
        assert hit.column == case.header and hit.row == case.row + 1
    good = findings(tmp_path, "good", case.good)
    assert [(f.code, f.sheet, f.cell) for f in good] == []


def test_every_case_names_a_registered_code():
    assert set(CASES) <= set(REGISTRY), set(CASES) - set(REGISTRY)
