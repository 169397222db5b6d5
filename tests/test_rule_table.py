"""The rules as a table (issue 29): the 回访规则 sheet read, validated, kept in one truth with the
规则 settings, dated by the generic engine for the office's own rows, and carried through
merge, split and `rules --policy`.

Dates worked out by hand from ``holidays.China(years=2026)`` (asked when the tests were written):
National Day 2026 is Thu 10-01 … Wed 10-07 off (10-01, 10-02, 10-03 holidays, 10-05 observed,
10-06 and 10-07 days off made up on Sun 09-20 and Sat 10-10); Mid-Autumn Fri 09-25 off.
So 09-28, 09-29, 09-30 are working days, 10-01 … 10-07 are not, 10-08 Thu and 10-09 Fri work,
Sat 10-10 is a make-up working day, Sun 10-11 is off, Mon 10-12 works.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl import schema
from followup_xl.calendar import WorkCalendar
from followup_xl.checks import run_checks
from followup_xl.custom_rules import due_after
from followup_xl.errors import BadPolicy
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Book, Call, Customer, Event, FollowUpRuleRow, RuleRow, Source
from followup_xl.normalize import Unreadable
from followup_xl.policy import Context, compute_obligations
from followup_xl.ruletable import FollowUpRule, RuleTable
from followup_xl.settings import Policy, load_policy_toml, policy_and_notes, policy_for_book

SHEET = "回访规则"


def rule_row(row: int, bad: dict | None = None, **values: Any) -> FollowUpRuleRow:
    return FollowUpRuleRow.build(Source(file="b.xlsx", sheet=SHEET, row=row), bad or {}, {}, values)


def with_sheet_info(book: Book) -> Book:
    """The 回访规则 sheet laid out as the template writes it (columns A…P), so cells are named."""
    from followup_xl.models import SheetInfo

    keys = schema.FOLLOW_UP_RULES.keys
    book.sheets["follow_up_rules"] = [
        SheetInfo("follow_up_rules", SHEET, 1, {k: i for i, k in enumerate(keys)}, {})
    ]
    book.sheets["rules"] = [SheetInfo("rules", "规则", 1, {"key": 0, "value": 1}, {})]
    return book


def customer(cid="K1", klass="A", **kw) -> Customer:
    values = dict(customer_id=cid, name=f"客户{cid}", owner="张伟", klass=klass)
    values.update(kw)
    return Customer.build(Source(file="b.xlsx", sheet="客户名录簿", row=2), {}, {}, values)


def event(eid, day, etype="安装", cid="K1") -> Event:
    known = schema.choice_index(schema.EVENT_TYPES).get(schema.fold(etype))
    bad = {} if known else {"event_type": Unreadable(etype, "choice")}
    values = dict(event_id=eid, customer_id=cid, event_date=day, event_type=known)
    return Event.build(Source(file="b.xlsx", sheet="回访事项", row=2), bad, {}, values)


def call(rid, day, cid="K1", call_type="例行", result="成功", **kw) -> Call:
    values = dict(
        record_id=rid,
        customer_id=cid,
        call_date=day,
        method="电话",
        call_type=call_type,
        caller="张伟",
        content="回访",
        result=result,
    )
    values.update(kw)
    return Call.build(Source(file="b.xlsx", sheet="回访记录表", row=3), {}, {}, values)


INSTALL: dict[str, Any] = dict(
    code="X1",
    name="安装回访",
    trigger="事项",
    trigger_value="安装",
    offset=3,
    unit="工作日",
    window_workdays=5,
)


def office_book(*rows, customers=None, events=(), calls=()) -> Book:
    book = Book(
        "b.xlsx",
        customers=list(customers or [customer()]),
        events=list(events),
        calls=list(calls),
        follow_up_rules=list(rows),
    )
    return with_sheet_info(book)


def obligations(book: Book, as_of: dt.date, code: str):
    policy = policy_for_book(book)
    return [o for o in compute_obligations(book, policy, as_of).obligations if o.rule == code]


# --- the generic engine -----------------------------------------------------------------


def test_installation_three_working_days_later_skips_national_day():
    # 安装 on Tue 09-29: working days after it are Wed 09-30 (1), Thu 10-08 (2), Fri 10-09 (3)
    # → due 10-09; window 5 working days after: Sat 10-10 (make-up), Mon 10-12, 10-13, 10-14,
    # 10-15 → missed after Thu 10-15.
    book = office_book(rule_row(28, **INSTALL), events=[event("E1", dt.date(2026, 9, 29))])
    (o,) = obligations(book, dt.date(2026, 10, 12), "X1")
    assert (o.due_date, o.lapse_date, o.trigger_date) == (
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 15),
        dt.date(2026, 9, 29),
    )
    assert o.is_open and o.event_id == "E1" and o.owner == "张伟"
    assert "安装回访" in o.reason.render("zh") and "X1" in o.reason.render("en")


def test_installation_counts_the_make_up_saturday():
    # 安装 on Thu 10-08: Fri 10-09 (1), Sat 10-10 make-up working day (2), Mon 10-12 (3)
    book = office_book(rule_row(28, **INSTALL), events=[event("E1", dt.date(2026, 10, 8))])
    (o,) = obligations(book, dt.date(2026, 10, 12), "X1")
    assert o.due_date == dt.date(2026, 10, 12)


def test_an_office_rule_is_closed_by_a_later_successful_call_only():
    events = [event("E1", dt.date(2026, 9, 29))]
    before = call("R0", dt.date(2026, 9, 28))  # the day before the installation: not it
    missed = call("R1", dt.date(2026, 10, 8), result="未接通")  # not reached
    done = call("R2", dt.date(2026, 10, 9), call_type="成交")  # any type: the row names none
    book = office_book(rule_row(28, **INSTALL), events=events, calls=[before, missed, done])
    (o,) = obligations(book, dt.date(2026, 10, 12), "X1")
    assert (o.satisfied_on, o.satisfied_by) == (dt.date(2026, 10, 9), "R2")


def test_an_office_rule_with_call_types_wants_one_of_them():
    row = rule_row(28, **INSTALL, call_types="成交")
    calls = [
        call("R1", dt.date(2026, 9, 30), call_type="例行"),
        call("R2", dt.date(2026, 10, 8), call_type="成交"),
    ]
    book = office_book(row, events=[event("E1", dt.date(2026, 9, 29))], calls=calls)
    (o,) = obligations(book, dt.date(2026, 10, 12), "X1")
    assert o.satisfied_by == "R2"


def test_hours_24_is_the_next_working_day_and_caller_and_method_are_carried():
    # 成交 on Wed 09-30, 24 小时 → the next working day, Thu 10-08 (10-01 … 10-07 are off)
    row = rule_row(
        28,
        code="X2",
        trigger="事项",
        trigger_value="成交",
        offset=24,
        unit="小时",
        caller="部门主管",
        method="上门",
        hard=True,
    )
    book = office_book(row, events=[event("E2", dt.date(2026, 9, 30), "成交")])
    (o,) = obligations(book, dt.date(2026, 10, 8), "X2")
    assert o.due_date == dt.date(2026, 10, 8)
    assert (o.caller_role, o.method, o.hard, o.lapse_date) == ("部门主管", "上门", True, None)


def test_a_yearly_customer_date_comes_round_in_its_month():
    # 入伙日期 2025-10-01, every 12 months, 0 天: the 2026 occurrence is Thu 10-01 (a holiday);
    # the working day before (Wed 09-30) is before the occurrence, so it is the next one, 10-08.
    # As of 09-20 it is within the month ahead (10-08 ≤ 10-21), so it is listed.
    row = rule_row(
        28,
        code="X3",
        name="入伙周年",
        trigger="客户日期",
        trigger_value="入伙日期",
        offset=0,
        unit="天",
        repeat_months=12,
    )
    book = office_book(row, customers=[customer(move_in=dt.date(2025, 10, 1))])
    (o,) = obligations(book, dt.date(2026, 9, 20), "X3")
    assert (o.trigger_date, o.due_date) == (dt.date(2026, 10, 1), dt.date(2026, 10, 8))
    # in early summer the next one is months away: the 2025 occurrence is the one in force
    (old,) = obligations(book, dt.date(2026, 6, 1), "X3")
    assert old.trigger_date == dt.date(2025, 10, 1)


def test_a_call_result_starts_an_office_rule_in_calendar_days():
    # 拒访 on Mon 2026-03-02 → 7 天 → Mon 03-09 (a working day); the later call on 03-10 closes it
    row = rule_row(
        28, code="X4", trigger="回访记录", trigger_value="拒访", offset=7, unit="天", classes="A"
    )
    calls = [call("R1", dt.date(2026, 3, 2), result="拒访"), call("R2", dt.date(2026, 3, 10))]
    book = office_book(row, calls=calls, customers=[customer(), customer("K2", "B")])
    (o,) = obligations(book, dt.date(2026, 3, 12), "X4")  # K2 is class B: not its rule
    assert (o.due_date, o.source, o.satisfied_by) == (dt.date(2026, 3, 9), "R1", "R2")


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 20)),
    n=st.integers(min_value=0, max_value=40),
    unit=st.sampled_from(["工作日", "天", "小时", "月"]),
)
def test_every_due_date_is_a_working_day_not_before_the_trigger(day, n, unit):
    cal = WorkCalendar()
    ctx = Context(Policy(), cal, day)
    rule = FollowUpRule("X", "x", "事项", "安装", n, unit, builtin=False)
    due = due_after(ctx, rule, day)
    assert cal.is_working_day(due) and due >= day
    if unit == "工作日":
        assert len(cal.working_days(day + dt.timedelta(days=1), due)) == n or (
            n == 0 and due == cal.on_or_after(day)
        )
    if unit == "天" and cal.is_working_day(day + dt.timedelta(days=n)):
        assert due == day + dt.timedelta(days=n)


# --- built-in rows tuned ----------------------------------------------------------------


def test_a_disabled_builtin_rule_makes_no_obligations():
    events = [event("E1", dt.date(2026, 3, 2), "投诉"), event("E2", dt.date(2026, 3, 2), "维修")]
    book = office_book(rule_row(5, code="P2", enabled=False), events=events)
    policy = policy_for_book(book)
    rules = {o.rule for o in compute_obligations(book, policy, dt.date(2026, 3, 20)).obligations}
    assert "P2" not in rules and {"P1", "P3"} <= rules


def test_a_builtin_rows_cells_win_over_the_rules_sheet_and_both_are_named():
    # 规则 says 投诉处理后回访天数 4, 回访规则 P2's 期限 says 5: 5 is in force, and the note names
    # both cells (回访规则 row 5, column E; 规则 row 3, column B)
    book = office_book(rule_row(5, code="P2", offset=5, caller="部门主管"))
    book.rules = [
        RuleRow.build(
            Source(file="b.xlsx", sheet="规则", row=3),
            {},
            {},
            {"key": "投诉处理后回访天数", "value": "4"},
        )
    ]
    policy, notes = policy_and_notes(book)
    assert policy.complaint_days == 5
    (note,) = notes
    assert "回访规则!E5" in note.render("zh") and "规则!B3" in note.render("zh")
    table = RuleTable.for_policy(policy)
    assert (table.get("P2").offset, table.get("P2").caller) == (5, "部门主管")
    # a complaint closed Mon 03-02 is due 5 calendar days later, Sat 03-07 → the working day
    # before, Fri 03-06; made by the department head (the row's 回访人)
    book.events = [event("E1", dt.date(2026, 3, 2), "投诉")]
    (o,) = obligations(book, dt.date(2026, 3, 9), "P2")
    assert (o.due_date, o.caller_role) == (dt.date(2026, 3, 6), "部门主管")


def test_the_window_of_a_builtin_row_is_its_lapse_setting():
    book = office_book(rule_row(6, code="P3", window_workdays=3, unit="工作日"))
    policy = policy_for_book(book)
    assert policy.lapse_workdays["P3"] == 3 and policy.count_working_days


def test_the_policy_file_takes_the_same_rows(tmp_path):
    toml = tmp_path / "policy.toml"
    toml.write_text(
        # TOML wants Chinese keys quoted
        "complaint_days = 4\n"
        '[["回访规则"]]\n'
        '"规则编号" = "X1"\n"名称" = "安装回访"\n"触发" = "事项"\n"触发值" = "安装"\n'
        '"期限" = 3\n"单位" = "工作日"\n'
        '[["回访规则"]]\n'
        'code = "P2"\noffset = 6\n',
        encoding="utf-8",
    )
    policy = load_policy_toml(str(toml))
    table = RuleTable.for_policy(policy)
    assert policy.complaint_days == 6  # the row wins over the setting
    assert [(r.code, r.trigger_value, r.offset, r.unit) for r in table.custom()] == [
        ("X1", "安装", 3, "工作日")
    ]


# --- validation: a sentence naming the cell -------------------------------------------


@pytest.mark.parametrize(
    ("row", "cell", "words"),
    [
        (dict(INSTALL, trigger=None), "回访规则!C7", "触发"),  # missing trigger
        (dict(INSTALL, offset=None), "回访规则!E7", "期限"),
        (dict(INSTALL, offset=-2), "回访规则!E7", "不能为负"),
        (
            dict(INSTALL, trigger="节日", trigger_value="春节"),
            "回访规则!C7",
            "事项、客户日期、回访记录",
        ),
        (dict(INSTALL, trigger="客户日期", trigger_value="结婚纪念日"), "回访规则!D7", "生日"),
        (dict(INSTALL, trigger="回访记录", trigger_value="吵架"), "回访规则!D7", "吵架"),
        (dict(INSTALL, call_types="安装,上门拜访"), "回访规则!M7", "上门拜访"),
        (dict(INSTALL, classes="D"), "回访规则!N7", "D"),
        (dict(code="P6", offset=3), "回访规则!E7", "P6"),
        (dict(code="P9", window_workdays=4), "回访规则!H7", "P9"),
        (dict(code="P1", trigger_value="A7"), "回访规则!D7", "A=7"),  # a 规则 setting's own check
        (dict(code="P5", offset=40), "回访规则!E7", "28"),
    ],
)
def test_a_bad_row_names_its_cell(row, cell, words):
    book = office_book(rule_row(7, **row))
    with pytest.raises(BadPolicy) as err:
        policy_for_book(book)
    assert err.value.cell == cell and words in err.value.text("zh"), err.value.message("zh")


def test_an_unknown_dropdown_value_names_the_cell():
    row = rule_row(7, {"unit": Unreadable("周", "choice")}, **{**INSTALL, "unit": None})
    with pytest.raises(BadPolicy) as err:
        policy_for_book(office_book(row))
    assert err.value.cell == "回访规则!F7" and "工作日" in err.value.text("zh")


def test_a_code_given_twice_names_both_cells():
    book = office_book(rule_row(7, **INSTALL), rule_row(9, **{**INSTALL, "code": "x1"}))
    with pytest.raises(BadPolicy) as err:
        policy_for_book(book)
    assert err.value.cell == "回访规则!A9" and "回访规则!A7" in err.value.text("zh")


def test_an_office_event_type_is_no_dropdown_error_once_a_rule_names_it():
    ev = event("E1", dt.date(2026, 3, 2))
    without = office_book(events=[ev])
    found = run_checks(without, policy_for_book(without), dt.date(2026, 3, 9))
    assert [f.code for f in found.findings if f.code == "V9"] == ["V9"]
    named = office_book(rule_row(7, **INSTALL), events=[ev])
    found = run_checks(named, policy_for_book(named), dt.date(2026, 3, 9))
    assert [f.code for f in found.findings if f.code == "V9"] == []


# --- the sheet on disk: template, merge, split, `rules --policy` ------------------------


def _sheet_rows(path, name=SHEET) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_the_template_lists_every_rule_chinese_first_and_english_on_request(tmp_path):
    zh = write_staff_workbook(tmp_path / "zh.xlsx")
    rows = _sheet_rows(zh)
    assert rows[0][:4] == ("规则编号", "名称", "触发", "触发值")
    assert [r[0] for r in rows[1:]][:3] == ["P1", "P2", "P3"] and len(rows) == 27
    en = write_staff_workbook(tmp_path / "en.xlsx", lang="en")
    rows = _sheet_rows(en, "Follow-up Rules")
    assert rows[0][:3] == ("Code", "Name", "Trigger") and rows[2][1] == "complaint closed"
    assert read_book(en).follow_up_rules[1].code == "P2"


def _staff_books(folder):
    folder.mkdir()
    for who, cid in (("张伟", "K1"), ("王芳", "K2")):
        b = Book(who, customers=[customer(cid, owner=who, phone=f"1380000000{cid[-1]}")])
        write_staff_workbook(folder / f"{who}_客户回访.xlsx", book=b, owner=who)


def _add_row(path, values: dict, name=SHEET):
    """Type a row under the sheet's table, as an office does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb[name]
    head = [c.value for c in ws[1]]
    ws.append([values.get(h) for h in head])
    wb.save(path)


def test_an_office_rule_typed_into_the_master_goes_round_merge_split_and_rules(cli, tmp_path):
    inbox = tmp_path / "收件箱"
    _staff_books(inbox)
    master = tmp_path / "第1周总表.xlsx"
    code, res = cli.json("merge", inbox, "-o", master, "--as-of", "2026-03-16")
    assert code == 0, res
    assert [r.code for r in read_book(master).follow_up_rules][-1] == "P24"
    _add_row(
        master,
        {
            "规则编号": "X1",
            "名称": "安装回访",
            "触发": "事项",
            "触发值": "安装",
            "期限": 3,
            "单位": "工作日",
        },
    )
    week2 = tmp_path / "第2周总表.xlsx"
    code, res = cli.json("merge", "--master", master, inbox, "-o", week2, "--as-of", "2026-03-16")
    assert code == 0, res
    x1 = [r for r in read_book(week2).follow_up_rules if r.code == "X1"]
    assert [(r.trigger, r.trigger_value, r.offset, r.unit) for r in x1] == [
        ("事项", "安装", 3, "工作日")
    ]
    out = tmp_path / "分发"
    code, res = cli.json("split", week2, "-o", out, "--xlsx", "--as-of", "2026-03-16")
    assert code == 0, res
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == 2
    for path in books:
        assert "X1" in [r.code for r in read_book(path).follow_up_rules], path
    result = cli("rules", "--policy", books[0], "--json", ok=(0,))
    shown = {r["code"]: r for r in json.loads(result.stdout)}
    assert (shown["X1"]["name"], shown["X1"]["offset"], shown["X1"]["builtin"]) == (
        "安装回访",
        3,
        False,
    )
    text = cli("rules", "--policy", week2, ok=(0,)).stdout
    assert "X1" in text and "安装回访" in text


def _approve_all(master, approved):
    """The manager writes 是 beside every 待批准 line and saves the master under ``approved``."""
    wb = openpyxl.load_workbook(master)
    for row in wb["待批准"].iter_rows(min_row=2):
        row[8].value = "是"
    wb.save(approved)
    return approved


def test_a_staff_books_office_rule_waits_for_the_managers_yes(cli, tmp_path):
    inbox = tmp_path / "收件箱"
    _staff_books(inbox)
    master = tmp_path / "第1周总表.xlsx"
    assert cli.json("merge", inbox, "-o", master, "--as-of", "2026-03-16")[0] == 0
    book = next(inbox.glob("张伟*.xlsx"))
    _add_row(
        book, {"规则编号": "X1", "名称": "安装回访", "触发": "事项", "触发值": "安装", "期限": 3}
    )
    week2 = tmp_path / "第2周总表.xlsx"
    code, res = cli.json("merge", "--master", master, inbox, "-o", week2, "--as-of", "2026-03-16")
    assert code == 0 and {(c["kind"], c["id"]) for c in res["changes"]} == {
        ("follow_up_rule", "X1")
    }
    assert "X1" not in [r.code for r in read_book(week2).follow_up_rules]
    approved = _approve_all(week2, tmp_path / "第2周总表_已批.xlsx")
    week3 = tmp_path / "第3周总表.xlsx"
    code, res = cli.json("merge", "--master", approved, inbox, "-o", week3, "--as-of", "2026-03-16")
    assert code == 0, res
    (x1,) = [r for r in read_book(week3).follow_up_rules if r.code == "X1"]
    assert (x1.name, x1.trigger, x1.trigger_value, x1.offset) == ("安装回访", "事项", "安装", 3)


def test_an_english_book_back_from_a_chinese_master_proposes_no_rule_names(cli, tmp_path):
    """A book split in English writes P1–P24's 名称 in English (the catalog's); handed back, it
    proposes nothing to 待批准 (it once proposed all 26 names as changes), while a real change
    in the same book still waits for the manager's 是."""
    inbox = tmp_path / "收件箱"
    _staff_books(inbox)
    master = tmp_path / "第1周总表.xlsx"
    assert cli.json("merge", inbox, "-o", master, "--as-of", "2026-03-16")[0] == 0
    out = tmp_path / "分发"
    code, res = cli.json(
        "split", master, "-o", out, "--xlsx", "--lang", "en", "--as-of", "2026-03-16"
    )
    assert code == 0, res
    back = tmp_path / "收件箱2"
    back.mkdir()
    book = next(p for p in out.glob("*.xlsx") if p.name.startswith("张伟"))
    (back / book.name).write_bytes(book.read_bytes())
    week2 = tmp_path / "第2周总表.xlsx"
    code, res = cli.json("merge", "--master", master, back, "-o", week2, "--as-of", "2026-03-23")
    assert code == 0, res
    assert [c for c in res["changes"] if c["kind"] == "follow_up_rule"] == []
    wb = openpyxl.load_workbook(back / book.name)
    ws = wb["Follow-up Rules"]
    head = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "P2":
            row[head.index("Name")].value = "complaints, our way"  # no effect: not proposed
            row[head.index("Offset")].value = 5
    wb.save(back / book.name)
    week2b = tmp_path / "第2周总表b.xlsx"
    code, res = cli.json("merge", "--master", master, back, "-o", week2b, "--as-of", "2026-03-23")
    assert code == 0, res
    proposed = [
        (c["id"], c["field"], c["new"]) for c in res["changes"] if c["kind"] == "follow_up_rule"
    ]
    assert proposed == [("P2", "期限", 5)]


def test_a_rules_setting_the_manager_approves_is_the_one_in_force(cli, tmp_path):
    """张伟 changes 规则's 投诉处理后回访天数 from 3 to 5 in his book (not 回访规则, where P2's
    期限 still says 3). The manager's 是 on that one line must put 5 in force: P2's 期限 in the
    next master says 5 (a 回访规则 cell wins over the setting it stands for, so the approval
    once changed nothing: the old 3 on 回访规则 won and the 规则 cell was written back to 3)."""
    inbox = tmp_path / "收件箱"
    _staff_books(inbox)
    master = tmp_path / "第1周总表.xlsx"
    assert cli.json("merge", inbox, "-o", master, "--as-of", "2026-03-16")[0] == 0
    book = next(inbox.glob("张伟*.xlsx"))
    wb = openpyxl.load_workbook(book)
    ws = wb["规则"]
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == "投诉处理后回访天数"]
    if rows:
        rows[0][1].value = 5
    else:
        ws.append(["投诉处理后回访天数", 5])
    wb.save(book)
    week2 = tmp_path / "第2周总表.xlsx"
    code, res = cli.json("merge", "--master", master, inbox, "-o", week2, "--as-of", "2026-03-23")
    assert code == 0, res
    assert [(c["kind"], c["id"], c["new"]) for c in res["changes"]] == [
        ("rule", "投诉处理后回访天数", "5")
    ]
    approved = _approve_all(week2, tmp_path / "第2周总表_已批.xlsx")
    week3 = tmp_path / "第3周总表.xlsx"
    code, res = cli.json("merge", "--master", approved, inbox, "-o", week3, "--as-of", "2026-03-23")
    assert code == 0, res
    after = read_book(week3)
    (p2,) = [r for r in after.follow_up_rules if r.code == "P2"]
    assert p2.offset == 5
    assert policy_for_book(after).complaint_days == 5


def test_the_master_writes_the_two_sheets_agreeing(cli, tmp_path):
    inbox = tmp_path / "收件箱"
    _staff_books(inbox)
    master = tmp_path / "总表.xlsx"
    assert cli.json("merge", inbox, "-o", master, "--as-of", "2026-03-16")[0] == 0
    wb = openpyxl.load_workbook(master)
    ws = wb[SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "P2":
            row[4].value = 5  # 期限 of P2
    wb.save(master)
    again = tmp_path / "总表2.xlsx"
    assert (
        cli.json("merge", "--master", master, inbox, "-o", again, "--as-of", "2026-03-16")[0] == 0
    )
    back = read_book(again)
    policy, notes = policy_and_notes(back)
    assert policy.complaint_days == 5 and notes == []
    assert {r.key: r.value for r in back.rules}.get("投诉处理后回访天数") == "5"


@settings(max_examples=150, deadline=None)
@given(
    first=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 12, 31)),
    as_of=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 11, 30)),
    repeat=st.sampled_from([1, 3, 6, 12, 24]),
    offset=st.integers(min_value=0, max_value=40),
)
def test_a_repeating_date_rule_takes_the_latest_occurrence_due_by_a_month_ahead(
    first, as_of, repeat, offset
):
    # brute force: every occurrence first + k·repeat months, the last whose due date is at most
    # 31 days after as_of; the engine must pick the same one (or none when even the first is later)
    from followup_xl.calendar import add_months

    row = rule_row(
        28,
        code="X5",
        trigger="客户日期",
        trigger_value="保修到期日",
        offset=offset,
        unit="天",
        repeat_months=repeat,
    )
    book = office_book(row, customers=[customer(warranty_end=first)])
    ctx = Context(Policy(), WorkCalendar(), as_of)
    rule = RuleTable.for_policy(policy_for_book(book)).get("X5")
    horizon = as_of + dt.timedelta(days=31)
    want = None
    k = 0
    while add_months(first, k * repeat) <= horizon:
        occurrence = add_months(first, k * repeat)
        if due_after(ctx, rule, occurrence) <= horizon:
            want = occurrence
        k += 1
    got = [o.trigger_date for o in obligations(book, as_of, "X5")]
    assert got == ([want] if want else [])


def test_a_festival_the_calendar_does_not_know_is_refused_with_its_cell():
    """P16 on 中秋、国庆 (the short names offices write) visits before both; 教师节, a day the
    calendar has no holiday for, would have been dated never without a word: it is refused,
    the cell named, the festivals it knows listed."""
    book = office_book(rule_row(17, code="P16", trigger_value="中秋、国庆"))
    rule = RuleTable.for_policy(policy_for_book(book)).get("P16")
    assert rule.trigger_value == "中秋节,国庆节"
    book = office_book(rule_row(17, code="P16", trigger_value="春节,教师节"))
    with pytest.raises(BadPolicy) as got:
        policy_for_book(book)
    text = got.value.text("zh")
    assert got.value.cell == "回访规则!D17" and "教师节" in text and "中秋节" in text
