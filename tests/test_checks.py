"""Entry checks: planted mistakes found at the right cell, messy-but-valid rows left alone."""

from __future__ import annotations

import datetime as dt
import string

import helpers as h
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl import api
from followup_xl.checks import ERROR, REGISTRY, WARNING, ordered_checks, run_checks
from followup_xl.demo import office as example_office
from followup_xl.io.read.workbook import read_book
from followup_xl.settings import Policy, policy_for_book

AS_OF = example_office.AS_OF
D = dt.date.fromisoformat


def findings_of(path, as_of=AS_OF):
    book = read_book(path)
    return book, run_checks(book, policy_for_book(book), as_of).findings


def record_at(book, sheet, row):
    for key in ("customers", "calls", "events", "staff"):
        for rec in book.records(key):
            if rec.src and rec.src.sheet == sheet and rec.src.row == row:
                return rec
    return None


# --- the example office ------------------------------------------------------


def test_each_planted_mistake_is_found_on_its_row(office, office_dir):
    cache: dict = {}
    for p in office.planted:
        if "found on merge" in p["what"]:
            continue
        book, found = cache.setdefault(
            p["owner"], findings_of(office_dir / f"{p['owner']}_客户回访.xlsx")
        )
        hits = [
            f
            for f in found
            if f.code.startswith(p["code"])
            and f.row is not None
            and record_at(book, f.sheet, f.row).customer_id == p["customer_id"]
        ]
        assert hits, p
        assert all(f.cell and f.column for f in hits)


def test_a_clash_between_two_books_is_found_in_the_merged_master(office, office_dir, tmp_path):
    master = tmp_path / "总表.xlsx"
    assert api.merge([str(office_dir)], str(master), as_of=AS_OF).written
    res = api.validate(str(master), as_of=AS_OF)
    wb = openpyxl.load_workbook(master, read_only=False)
    planted = next(p for p in office.planted if "found on merge" in p["what"])
    phones = [f for f in res.findings if f.code == "V3b"]
    assert phones and any(planted["customer_id"] in f.message() for f in phones)
    # on a master every finding names the master's own cell, not the staff book's row
    for f in res.findings:
        if f.code in ("V9", "V12", "V2"):
            assert str(wb[f.sheet][f.cell].value) in f.message(), f


def test_errors_only_where_mistakes_were_planted(office, office_dir):
    """The hand-made books (title rows, alias headers, text dates, phones as numbers) raise no false error."""
    for owner in office.books:
        planted = {p["customer_id"] for p in office.planted if p["owner"] == owner}
        book, found = findings_of(office_dir / f"{owner}_客户回访.xlsx")
        for f in found:
            if f.severity == ERROR:
                assert record_at(book, f.sheet, f.row).customer_id in planted, (owner, f)
    assert set(office.books) >= example_office.MESSY_OWNERS


# --- an unseen messy workbook, built by hand ---------------------------------

CUSTOMERS = [  # row 4 onwards, under a title and a blank row
    ["K001", "甲公司", 13800138002.0, "Ａ", "张伟", "2026年3月5日", "正常", "wx_a"],
    ["K002", "乙公司", "138 0013 8004", "B", "张伟", "2026/3/5", "正常", None],
    ["K003", "丙公司", "+86 138-0013-8006", "c", "张伟", "2026.03.05", "正常", None],
    ["K004", "丁公司", "0755-26881234", "A", "张伟", 46000, None, None],
    [
        "K005",
        "戊公司",
        "１３８００１３８００８",
        "B",
        "张伟",
        dt.datetime(2026, 1, 5),
        "正常",
        None,
    ],
    ["K006", "己公司", "1380013800", "B", "张伟", None, "正常", None],  # 10-digit mobile
    ["K006", "庚公司", "13900139000", "C", "张伟", None, "正常", None],  # same id again
    ["K007", "辛公司", "13800138004", "C", "张伟", None, "正常", None],  # K002's phone
    ["K008", None, "13700137000", "C", "张伟", None, "正常", None],  # no name
    ["K009", "壬公司", "13600136000", "C", "张伟", None, "废除", None],
    ["K010", "癸公司", "13500135000", "D", "张伟", None, "正常", None],  # class D
]
CALL_HEAD = [
    "记录编号",
    "客户编号",
    "日期",
    "时间",
    "方式",
    "回访类型",
    "投诉级别",
    "回访人员",
    "内容",
    "满意程度",
    "反映问题",
    "处理状态",
    "回访结果",
    "下次回访",
    "客户签字",
    "回访内容",
]


def call_row(rid, cid, day, method="电话", ctype="例行", content="询问使用情况", **kw):
    row = dict(
        zip(
            CALL_HEAD,
            [
                rid,
                cid,
                day,
                "14:30",
                method,
                ctype,
                None,
                "张伟",
                content,
                5,
                None,
                None,
                "成功",
                None,
                None,
                None,
            ],
        )
    )
    row.update(kw)
    return [row[k] for k in CALL_HEAD]


CALLS = [  # row 3 onwards, under a title
    call_row("R1", "K001", "2026年11月2日", 下次回访="2026/11/16"),
    call_row(
        "R2", "K002", dt.datetime(2026, 11, 3), method="上门", content="上门拜访", 客户签字="乙经理"
    ),
    call_row("R3", "K003", "2026-11-04", method="电联"),  # dropdown
    call_row("R4", "K001", "2026-12-01", 下次回访="2026-12-15"),  # future
    call_row("R5", "K002", "2026-11-10", method="上门", content="上门拜访"),  # no signature
    call_row("R6", "K003", "2026-11-11", 反映问题="门锁损坏", 处理状态="未解决"),  # open issue
    call_row("R7", "K999", "2026-11-12"),  # unknown customer
    call_row("R8", "K009", "2026-11-12"),  # void customer
    call_row("R9", "K004", "2026年13月5日"),  # not a date
    call_row("R10", "K004", "2026-11-13", 下次回访="2026/11/10"),  # next before call
    call_row("R11", "K005", "2026-11-14", ctype="投诉", 投诉级别="重大"),  # major by staff
    call_row("R12", "K005", "2026-11-14", content=None),  # no content
    call_row("R13", "K001", "2026-11-15", method="短信", content="电话询问满意度"),  # phone as SMS
    call_row("R14", "K004", "2026-11-16", 满意程度=6),  # satisfaction 6
    [None] * len(CALL_HEAD),
    call_row("R15", "K010", "2026年11月18日", 下次回访="2026年12月2日"),
]
EXPECTED = {
    ("V2", "客户名单", "C9"),
    ("V3a", "客户名单", "A10"),
    ("V3b", "客户名单", "C11"),
    ("V1", "客户名单", "B12"),
    ("V9", "客户名单", "D14"),
    ("V9", "回访记录", "E5"),
    ("V5a", "回访记录", "C6"),
    ("V6a", "回访记录", "O7"),
    ("V7", "回访记录", "N8"),
    ("V4a", "回访记录", "B9"),
    ("V4b", "回访记录", "B10"),
    ("V12", "回访记录", "C11"),
    ("V5b", "回访记录", "N12"),
    ("V8", "回访记录", "H13"),
    ("V1", "回访记录", "I14"),
    ("V6b", "回访记录", "E15"),
    ("V9", "回访记录", "J16"),
    ("V14", "回访记录", None),
    ("V10", "投诉记录", "F3"),
    ("V16", "人员", "C4"),
}


def write_unseen(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名单"
    ws.append(["华南分公司客户名单（2026）"])
    ws.append([])
    ws.append(
        ["客户ID", "客户姓名", "手机号码", "等级", "业务员", "登记日期", "客户状态", "微信号"]
    )
    for r in CUSTOMERS:
        ws.append(r)  # type: ignore[arg-type]
    ws = wb.create_sheet("回访记录")
    ws.append(["客户回访记录（11月）"])
    ws.append(CALL_HEAD)
    for r in CALLS:
        ws.append(r)
    ws = wb.create_sheet("投诉记录")
    ws.append(["投诉编号", "客户ID", "类型", "发生日期", "投诉级别", "说明"])
    ws.append(["E1", "K005", "投诉", "2026-11-13", "重大", "墙面开裂"])
    ws.append(["E2", "K005", "投诉", "2026/11/14", "重大", "墙面开裂 "])
    ws = wb.create_sheet("人员")
    ws.append(["姓名", "角色", "每日回访上限", "状态"])
    ws.append(["张伟", "员工", 20, "在职"])
    ws.append(["孙丽", "部门主管", 15, "在职"])
    ws.append(["赵刚", "公司经理", 0, "在职"])
    wb.create_sheet("说明").append(["本表由各业务员每周五前填写"])
    wb.save(path)
    return path


def test_unseen_messy_workbook_exact_findings(tmp_path):
    path = write_unseen(tmp_path / "华南分公司回访台账.xlsx")
    book, found = findings_of(path)
    assert {(f.code, f.sheet, f.cell) for f in found} == EXPECTED
    assert len(found) == len(EXPECTED)
    by = {(f.code, f.cell): f for f in found}
    assert by[("V2", "C9")].column == "手机号码" and by[("V2", "C9")].row == 9
    zh = {k: f.message("zh") for k, f in by.items()}
    en = {k: f.message("en") for k, f in by.items()}
    assert "1380013800" in zh[("V2", "C9")] and "1380013800" in en[("V2", "C9")]
    assert "电联" in zh[("V9", "E5")] and "电话 / 上门" in zh[("V9", "E5")]
    assert "公司经理" in zh[("V8", "H13")] and "company manager" in en[("V8", "H13")]
    assert "2026年13月5日" in zh[("V12", "C11")] and "a date" in en[("V12", "C11")]
    assert by[("V14", None)].row is None and by[("V14", None)].severity == WARNING
    # the messy-but-valid values were read as what they mean
    phones = {c.customer_id: c.phone for c in book.customers}
    assert (
        phones["K001"] == "13800138002"
        and phones["K005"] == "13800138008"
        and phones["K004"] == "0755-26881234"
    )
    assert {c.klass for c in book.customers if c.customer_id in ("K001", "K003")} == {"A", "C"}


def test_as_of_decides_what_is_in_the_future(tmp_path):
    path = write_unseen(tmp_path / "a.xlsx")
    _, later = findings_of(path, as_of=D("2026-12-01"))
    assert ("V5a", "回访记录", "C6") not in {(f.code, f.sheet, f.cell) for f in later}
    _, earlier = findings_of(path, as_of=D("2026-11-14"))
    future = {f.cell for f in earlier if f.code == "V5a"}
    assert future == {"C6", "C15", "C16", "C18"}  # 12-01, 11-15, 11-16, 11-18 (row 17 is blank)


def test_structure_checks(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "回访记录表"
    ws.append(["甲", "乙", "丙"])
    ws.append(["x", "y", "z"])
    ws = wb.create_sheet("客户名录簿")
    ws.append(["客户编号", "客户名称", "联系电话", "客户编号"])
    ws.append(["K1", "甲", "13800138000", "K1"])
    path = tmp_path / "shape.xlsx"
    wb.save(path)
    _, found = findings_of(path)
    got = {(f.code, f.sheet, f.row) for f in found}
    assert ("V13", "回访记录表", None) in got and ("V14", "客户名录簿", None) in got
    assert ("V15", None, None) in got  # no call log could be read
    assert all(f.row is None for f in found)


def test_filed_and_verified_only_when_the_office_uses_them():
    c1 = h.customer("K1", filed_by="张伟", verified_by="孙丽")
    c2 = h.customer("K2")
    book = h.book([c1, c2])
    assert not [f for f in run_checks(book, Policy(), AS_OF).findings if f.code == "V11"]
    strict = Policy(require_filed_verified=True)
    got = [f for f in run_checks(book, strict, AS_OF).findings if f.code == "V11"]
    assert len(got) == 2 and {f.message("en").split(". ")[0] for f in got} == {
        "The record has no filer",
        "The record has no verifier",
    }


def test_complaint_roles_from_policy_when_the_book_has_no_staff_sheet():
    calls = [
        h.call("K1", call_type="投诉", complaint_level="重要", caller="张伟", row=2),
        h.call("K1", call_type="投诉", complaint_level="重要", caller="孙丽", row=3),
        h.call("K1", call_type="投诉", complaint_level="重大", caller="赵刚", row=4),
    ]
    book = h.book([h.customer("K1")], calls)
    policy = Policy(
        staff=[
            {"name": "张伟", "role": "员工"},
            {"name": "孙丽", "role": "部门主管"},
            {"name": "赵刚", "role": "公司经理"},
        ]
    )
    assert [f.row for f in run_checks(book, policy, AS_OF).findings if f.code == "V8"] == [2]
    assert not [
        f for f in run_checks(book, Policy(), AS_OF).findings if f.code == "V8"
    ]  # roles unknown


# --- date rules as properties --------------------------------------------------

days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=150, deadline=None)
@given(call_day=days, as_of=days, gap=st.one_of(st.none(), st.integers(-40, 40)))
def test_date_rules(call_day, as_of, gap):
    nxt = None if gap is None else call_day + dt.timedelta(days=gap)
    book = h.book([h.customer("K1")], [h.call("K1", call_day.isoformat(), next_date=nxt)])
    codes = [f.code for f in run_checks(book, Policy(), as_of).findings]
    assert ("V5a" in codes) == (call_day > as_of)
    assert ("V5b" in codes) == (nxt is not None and nxt <= call_day)


@settings(max_examples=60, deadline=None)
@given(
    ids=st.lists(
        st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=3), max_size=12
    )
)
def test_duplicate_ids_flag_every_repeat_but_the_first(ids):
    book = h.book([h.customer(cid, phone=None) for cid in ids])
    n = sum(1 for f in run_checks(book, Policy(), AS_OF).findings if f.code == "V3a")
    assert n == len(ids) - len(set(ids))


# --- the rules themselves ------------------------------------------------------


def test_every_check_is_documented_in_both_languages():
    checks = ordered_checks()
    assert [c.code for c in checks][:3] == ["V1", "V2", "V3a"]
    required = {
        "V1",
        "V2",
        "V3a",
        "V3b",
        "V4a",
        "V4b",
        "V5a",
        "V5b",
        "V6a",
        "V6b",
        "V7",
        "V8",
        "V9",
        "V10",
        "V11",
    }
    assert required <= set(REGISTRY)
    for c in checks:
        assert c.severity in (ERROR, WARNING)
        for lang in ("zh", "en"):
            for part in ("name", "fix", "example"):
                assert c.text(part, lang).strip(), c.code
            assert c.text("message", lang, value="x", column="y", extra="z").strip()
        assert c.code in c.text("example")


@pytest.mark.parametrize("owner", ["张伟", "李娜"])
def test_findings_are_in_sheet_and_row_order(office_dir, owner):
    _, found = findings_of(office_dir / f"{owner}_客户回访.xlsx")
    rows = [(f.sheet, f.row or 0) for f in found]
    sheets = list(dict.fromkeys(s for s, _ in rows))
    assert rows == sorted(rows, key=lambda x: (sheets.index(x[0]), x[1]))
