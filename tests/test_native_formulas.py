"""Issue 32: the staff book computes its own next-call dates and overdue marks (no Python).

LibreOffice recalculates every formula (a profile that forces it, tests/libreoffice.py); the
recalculated dates and statuses must equal what `followup-xl due` computes (policy.py) on the
same day, and the cached values written beside each formula must equal the recalculated ones.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import libreoffice as lo
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from followup_xl import api, formulas, schema
from followup_xl.calendar import WorkCalendar
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Book, Call, Customer, Event, HolidayRow, RuleRow, Source
from followup_xl.policy import EVENT_RULES, compute_obligations
from followup_xl.settings import policy_for_book

TODAY = dt.date.today()  # LibreOffice's TODAY(): the formulas and `due` count from the same day


def _day(v):
    if isinstance(v, dt.datetime):
        return v.date()
    return None if v in ("", None) else v


def formula_values(path: Path, lang: str = "zh") -> dict[str, list[dict]]:
    """Each formula column's value per data row (keyed by the column's key), with the row's id."""
    wb = load_workbook(path, data_only=True)
    out = {}
    for sheet in (schema.CUSTOMERS, schema.EVENTS):
        ws = wb[sheet.title(lang)]
        head = [c.value for c in ws[1]]
        where = {c.key: head.index(c.header(lang)) for c in sheet.computed}
        id_at = head.index(sheet.columns[1 if sheet is schema.EVENTS else 0].header(lang))
        rows = []
        for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
            if row[0] in (None, ""):
                continue  # a blank row (LibreOffice writes some back below the data)
            rows.append(
                {"row": n, "id": row[0], "customer": row[id_at]}
                | {k: _day(row[i]) for k, i in where.items()}
            )
        out[sheet.key] = rows
    return out


def expected(book: Book) -> tuple[dict[str, dt.date], dict[str, dt.date], dict[str, bool]]:
    """From policy.py, as `due` computes it today: each customer's open P1 date, each event's
    first follow-up date (every event type: all have a fixed offset), whether a call made it."""
    result = compute_obligations(book, policy_for_book(book), TODAY)
    routine = {
        o.customer_id: o.due_date for o in result.obligations if o.rule == "P1" and o.is_open
    }
    event_due: dict[str, dt.date] = {}
    made: dict[str, bool] = {}
    for o in result.obligations:
        first = o.rule != "P7" or o.call_types == ("工程开工",)  # a project's first stage
        if o.event_id and o.rule in {r for r, _ in EVENT_RULES.values()} and first:
            event_due[o.event_id] = o.due_date
            made[o.event_id] = not o.is_open
    return routine, event_due, made


def differences(path: Path, recalculated: Path, lang: str = "zh") -> list[str]:
    """Every way the recalculated formulas differ from `due` and from the cached values."""
    book = read_book(path)
    routine, event_due, made = expected(book)
    cached, got = formula_values(path, lang), formula_values(recalculated, lang)
    status = formulas.STATUS[lang]
    out = []
    for c, r in zip(cached["customers"], got["customers"]):  # LibreOffice may add blank rows
        if r["id"] in routine:
            want = routine[r["id"]]
            if r["next_routine"] != want:
                out.append(f"{path.name} 客户 {r['id']}: formula {r['next_routine']}, due {want}")
            st = status[formulas.status_of(want, TODAY) or "normal"]
            if r["routine_status"] != st:
                out.append(f"{path.name} 客户 {r['id']}: status {r['routine_status']}, due {st}")
        for k, v in c.items():
            if v != r[k] and not (v in (None, 0) and r[k] in (None, 0)):
                out.append(f"{path.name} 客户 row {c['row']} {k}: cached {v}, recalculated {r[k]}")
    for c, r in zip(cached["events"], got["events"]):
        if r["id"] in event_due:
            if r["follow_up_due"] != event_due[r["id"]]:
                out.append(
                    f"{path.name} 事项 {r['id']}: formula {r['follow_up_due']}, "
                    f"due {event_due[r['id']]}"
                )
            allowed: tuple[str, ...] = (
                (status["done"], status["closed"])
                if made[r["id"]]
                else (status[formulas.status_of(event_due[r["id"]], TODAY) or "normal"],)
            )
            if r["follow_up_status"] not in allowed:
                out.append(
                    f"{path.name} 事项 {r['id']}: status {r['follow_up_status']}, due {allowed}"
                )
        for k, v in c.items():
            if v != r[k] and not (v in (None, 0) and r[k] in (None, 0)):
                out.append(f"{path.name} 事项 row {c['row']} {k}: cached {v}, recalculated {r[k]}")
    return out


def test_example_office_books_compute_what_due_computes(master, tmp_path):
    """Every split book of the example office: LibreOffice's recalculated dates and statuses are
    `due`'s P1 and event dates, and equal the cached values; every row is compared."""
    api.split(str(master), str(tmp_path / "books"), as_of=TODAY)
    books = sorted((tmp_path / "books").glob("*.xlsx"))
    assert len(books) >= 6
    found, compared = [], 0
    for path in books:
        found += differences(path, lo.recalc(path, tmp_path / "recalc"))
        compared += len(read_book(path).customers)
    assert compared >= 300
    assert not found, "\n".join(found)


def test_an_english_book_split_from_a_chinese_master(master, tmp_path):
    """The English book holds the master's Chinese dropdown values while its dropdowns offer
    English ones: the formulas read both, and still equal `due`."""
    api.split(str(master), str(tmp_path / "books"), owner="张伟", as_of=TODAY, lang="en")
    (path,) = (tmp_path / "books").glob("*.xlsx")
    found = differences(path, lo.recalc(path, tmp_path / "recalc"), "en")
    assert not found, "\n".join(found)
    values = formula_values(path, "en")
    assert {r["routine_status"] for r in values["customers"]} >= {"Past due"}


def _src(sheet: str, row: int) -> Source:
    return Source.fast("hand.xlsx", sheet, row)


def _customer(cid: str, klass: str, created: dt.date, row: int) -> Customer:
    values = {"customer_id": cid, "name": f"客户{cid}", "phone": "13800138000", "klass": klass}
    return Customer.build(
        _src("客户名录簿", row), {}, {}, values | {"owner": "张伟", "created": created}
    )


def _call(rid: str, cid: str, day: dt.date, row: int, **more) -> Call:
    values = {"record_id": rid, "customer_id": cid, "call_date": day, "method": "电话"}
    values |= {"call_type": "例行", "caller": "张伟", "content": "回访", "result": "成功"}
    return Call.build(_src("回访记录表", row), {}, {}, values | more)


def _event(eid: str, cid: str, kind: str, day: dt.date, row: int) -> Event:
    values = {"event_id": eid, "customer_id": cid, "event_type": kind, "event_date": day}
    return Event.build(_src("回访事项", row), {}, {}, values)


D = dt.date


@pytest.mark.skipif(D(2026, 10, 1) > TODAY, reason="the hand-worked dates are in September 2026")
def test_make_up_working_day_and_holiday(tmp_path):
    """Worked out by hand on the 2026 schedule (make-up Sunday 09-20; National Day 10-01..10-07):
    - K1 (A, every 7 days) reached Sun 09-13: due 09-20, the make-up Sunday (WORKDAY would skip it);
    - K2 (A) reached Thu 09-24: 10-01 is a holiday, so the previous working day, Wed 09-30;
    - K3 (B, 14 days) reached Tue 09-22: 10-06 is a holiday, back to Wed 09-30;
    - E1, K2's complaint on Mon 09-28: three days is 10-01, a holiday: Wed 09-30;
    - E2, K1's trip on Fri 09-18: the next working day is the make-up Sunday 09-20."""
    cal = WorkCalendar()
    assert cal.is_working_day(D(2026, 9, 20)) and not cal.is_working_day(D(2026, 10, 1))
    book = Book(
        path="hand.xlsx",
        customers=[
            _customer("K1", "A", D(2026, 9, 1), 2),
            _customer("K2", "A", D(2026, 9, 1), 3),
            _customer("K3", "B", D(2026, 9, 1), 4),
        ],
        calls=[
            _call("R1", "K1", D(2026, 9, 13), 2),
            _call("R2", "K2", D(2026, 9, 24), 3),
            _call("R3", "K3", D(2026, 9, 22), 4),
        ],
        events=[
            _event("E1", "K2", "投诉", D(2026, 9, 28), 2),
            _event("E2", "K1", "出差拜访", D(2026, 9, 18), 3),
        ],
    )
    by_hand = {"K1": D(2026, 9, 20), "K2": D(2026, 9, 30), "K3": D(2026, 9, 30)}
    events_by_hand = {"E1": D(2026, 9, 30), "E2": D(2026, 9, 20)}
    routine, event_due, _ = expected(book)
    assert routine == by_hand and event_due == events_by_hand  # the policy agrees with the hand
    path = Path(write_staff_workbook(tmp_path / "hand.xlsx", "zh", book=book, owner="张伟"))
    got = formula_values(lo.recalc(path, tmp_path / "recalc"))
    assert {r["id"]: r["next_routine"] for r in got["customers"]} == by_hand
    assert {r["id"]: r["follow_up_due"] for r in got["events"]} == events_by_hand
    assert {r["routine_status"] for r in got["customers"]} == {"逾期"}
    assert not differences(path, lo.recalc(path, tmp_path / "again"))


def test_formula_columns_are_declared_computed_and_hold_formulas(tmp_path):
    """The template writes a formula in every computed column (none typed as a value), each
    header says it is computed, and no computed column is one of the sheet's data columns."""
    path = write_staff_workbook(tmp_path / "t.xlsx", "zh")
    wb = load_workbook(path)
    for sheet in (schema.CUSTOMERS, schema.EVENTS):
        ws = wb[sheet.zh]
        head = [c.value for c in ws[1]]
        for col in sheet.computed:
            assert col.computed and col.key not in sheet.keys
            assert "自动计算" in col.zh and "computed" in col.en
            cell = ws.cell(2, head.index(col.zh) + 1).value
            assert isinstance(cell, str) and cell.startswith("="), (sheet.key, col.key, cell)
    cal = wb[formulas.CALENDAR_SHEET["zh"]]
    assert cal.sheet_state == "hidden" and cal.protection.sheet
    assert "非工作日" in wb.defined_names


def test_reader_and_merge_never_take_formula_columns_as_input(master, tmp_path):
    """A formula cell typed over by hand changes nothing the reader gives: not a field, not an
    office column; merging the edited book back gives the same customers."""
    api.split(str(master), str(tmp_path / "books"), owner="张伟", as_of=TODAY)
    (path,) = (tmp_path / "books").glob("*.xlsx")
    before = read_book(path)
    wb = load_workbook(path)
    ws = wb[schema.CUSTOMERS.zh]
    head = [c.value for c in ws[1]]
    for col in schema.CUSTOMERS.computed:
        ws.cell(2, head.index(col.zh) + 1).value = "2030-01-01"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    after = read_book(edited)
    info = after.sheets["customers"][0]
    assert set(info.computed_columns) == {c.key for c in schema.CUSTOMERS.computed}
    assert not info.extra_columns and not set(info.columns) & set(info.computed_columns)
    assert [c.values() for c in after.customers] == [c.values() for c in before.customers]
    assert all(not c.extra for c in after.customers)
    out = tmp_path / "master.xlsx"
    result = api.merge([str(edited)], str(out), masters=[str(master)], as_of=TODAY)
    assert result.written
    merged = read_book(out)
    mine = {c.customer_id: c.values() for c in before.customers}
    assert {c.customer_id: c.values() for c in merged.customers if c.customer_id in mine} == mine


def test_a_formula_typed_over_is_a_finding_and_changes_nothing_else(tmp_path):
    """V18 names each formula cell that holds a typed value; a fresh book has none."""
    book = Book(
        path="hand.xlsx",
        customers=[_customer("K1", "A", D(2026, 9, 1), 2), _customer("K2", "B", D(2026, 9, 1), 3)],
        calls=[_call("R1", "K1", D(2026, 9, 13), 2)],
        events=[_event("E1", "K2", "投诉", D(2026, 9, 28), 2)],
    )
    path = write_staff_workbook(tmp_path / "hand.xlsx", "zh", book=book, owner="张伟")
    fresh = api.validate(path)
    assert not [f for f in fresh.findings if f.code == "V18"]
    wb = load_workbook(path)
    ws = wb[schema.CUSTOMERS.zh]
    head = [c.value for c in ws[1]]
    col = head.index(schema.CUSTOMERS.computed_column("next_routine").zh) + 1
    ws.cell(3, col).value = dt.datetime(2026, 12, 1)
    events = wb[schema.EVENTS.zh]
    ecol = [c.value for c in events[1]].index(schema.EVENTS.computed_column("follow_up_status").zh)
    events.cell(2, ecol + 1).value = "已回访"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    found = [f for f in api.validate(str(edited)).findings if f.code == "V18"]
    letter = ws.cell(3, col).column_letter
    assert {(f.sheet, f.cell) for f in found} == {
        ("客户名录簿", f"{letter}3"),
        ("回访事项", f"{events.cell(2, ecol + 1).column_letter}2"),
    }
    assert all("公式" in f.message("zh") for f in found)


@pytest.mark.skipif(D(2026, 10, 1) > TODAY, reason="the hand-worked dates are in September 2026")
def test_no_date_where_due_makes_no_follow_up(tmp_path):
    """Where `due` makes no follow-up the book shows no date either, cached or recalculated: no
    下次回访日期 when the 回访规则 table turns P1 off (启用=否), no 应回访日期 for a repair when it
    turns P3 off, or for a complaint answered by letter only
    (复函=是: P24 tracks the letter, nobody calls). Their neighbours keep their dates: E3, a
    complaint on Mon 09-28 → 3 days is 10-01, a holiday → Wed 09-30 (as in the test above)."""
    from followup_xl.models import FollowUpRuleRow

    letter = _event("E2", "K1", "投诉", D(2026, 9, 28), 3)
    letter.reply_only = True
    book = Book(
        path="off.xlsx",
        customers=[_customer("K1", "A", D(2026, 9, 1), 2)],
        events=[
            _event("E1", "K1", "维修", D(2026, 9, 28), 2),
            letter,
            _event("E3", "K1", "投诉", D(2026, 9, 28), 4),
        ],
        follow_up_rules=[
            FollowUpRuleRow.build(_src("回访规则", 2), {}, {}, {"code": "P1", "enabled": False}),
            FollowUpRuleRow.build(_src("回访规则", 4), {}, {}, {"code": "P3", "enabled": False}),
        ],
    )
    policy = policy_for_book(book)
    rules = {o.event_id: o.rule for o in compute_obligations(book, policy, TODAY).obligations}
    assert "E1" not in rules and rules["E2"] == "P24" and rules["E3"] == "P2"  # `due` agrees
    path = Path(write_staff_workbook(tmp_path / "off.xlsx", "zh", book=book, owner="张伟"))
    cached = {r["id"]: r["follow_up_due"] for r in formula_values(path)["events"]}
    recalculated = lo.recalc(path, tmp_path / "re")
    got = {r["id"]: r["follow_up_due"] for r in formula_values(recalculated)["events"]}
    assert cached == got == {"E1": None, "E2": None, "E3": D(2026, 9, 30)}
    # P1 off too: no routine date, no status
    assert "P1" not in set(rules.values())
    for values in (formula_values(path), formula_values(recalculated)):
        (k1,) = values["customers"]
        assert (k1["next_routine"], k1["routine_status"]) == (None, None)


@pytest.mark.skipif(D(2026, 10, 1) > TODAY, reason="the hand-worked dates are in September 2026")
def test_an_offices_own_event_types_are_dated_in_the_book(tmp_path):
    """The office's own 回访规则 rows date their own 事项类型 in the book as `due` does, by the
    first row that applies to the customer's class. By hand (2026: National Day 10-01..10-07,
    Saturday 10-10 worked):
    - E1, K1's 安装 on Tue 09-29, X1 3 working days: 09-30, 10-08, 10-09 → Fri 10-09; K1's 安装
      call that day makes it (已回访);
    - E2, K1 (class A)'s 交付 on Mon 09-28, X2 (class A) 2 days → Wed 09-30; the same call, of any
      type and naming no other event, makes it too;
    - E3, K2 (class B)'s 交付 on Mon 09-28: X2 is not for B, X3 (any class) 5 working days: 09-29,
      09-30, 10-08, 10-09, Sat 10-10 → 10-10, no call: 逾期."""
    from followup_xl.models import FollowUpRuleRow
    from followup_xl.normalize import Unreadable

    def row(n, **values):
        return FollowUpRuleRow.build(_src("回访规则", n), {}, {}, {"trigger": "事项", **values})

    def own(eid, cid, kind, day, n):
        e = _event(eid, cid, kind, day, n)
        e.bad = {"event_type": Unreadable(kind, "choice")}
        e.event_type = None
        return e

    install = _call("R1", "K1", D(2026, 10, 9), 2, call_type=None)
    install.bad = {"call_type": Unreadable("安装", "choice")}
    book = Book(
        path="own.xlsx",
        customers=[
            _customer("K1", "A", D(2026, 9, 1), 2),
            _customer("K2", "B", D(2026, 9, 1), 3),
        ],
        calls=[install],
        events=[
            own("E1", "K1", "安装", D(2026, 9, 29), 2),
            own("E2", "K1", "交付", D(2026, 9, 28), 3),
            own("E3", "K2", "交付", D(2026, 9, 28), 4),
        ],
        follow_up_rules=[
            row(30, code="X1", trigger_value="安装", offset=3, unit="工作日", call_types="安装"),
            row(31, code="X2", trigger_value="交付", offset=2, unit="天", classes="A"),
            row(32, code="X3", trigger_value="交付", offset=5, unit="工作日"),
        ],
    )
    dated = {
        (o.event_id, o.rule): o.due_date
        for o in compute_obligations(book, policy_for_book(book), TODAY).obligations
        if o.rule.startswith("X")
    }
    assert dated[("E1", "X1")] == D(2026, 10, 9) and dated[("E2", "X2")] == D(2026, 9, 30)
    assert dated[("E3", "X3")] == D(2026, 10, 10) and ("E3", "X2") not in dated
    path = Path(write_staff_workbook(tmp_path / "own.xlsx", "zh", book=book, owner="张伟"))
    by_hand = {
        "E1": (D(2026, 10, 9), "已回访"),
        "E2": (D(2026, 9, 30), "已回访"),
        "E3": (D(2026, 10, 10), "逾期"),
    }
    for values in (formula_values(path), formula_values(lo.recalc(path, tmp_path / "re"))):
        got = {r["id"]: (r["follow_up_due"], r["follow_up_status"]) for r in values["events"]}
        assert got == by_hand


def _rule(key: str, value: str, row: int) -> RuleRow:
    return RuleRow.build(_src("规则", row), {}, {}, {"key": key, "value": value})


def _holiday(day: dt.date, kind: str, row: int) -> HolidayRow:
    return HolidayRow.build(_src("节假日", row), {}, {}, {"date": day, "kind": kind})


@pytest.mark.skipif(D(2026, 10, 1) > TODAY, reason="the book's calls are in September 2026")
def test_formulas_follow_the_books_rules_and_holidays(tmp_path):
    """Another 规则 (cadence A=5, 未接通 retried after 2 working days, 按工作日计天数) and the
    office's own 节假日 (Fri 09-18 off, Sat 09-26 worked): the recalculated formulas still
    equal `due`'s dates, and the 工作日历 holds the office's days as the policy counts them.
    By hand: K1 09-13+5 = 09-18, the office's day off → Thu 09-17; K3's typed 10-03 falls in
    National Day → the next working day, Thu 10-08; E1, a complaint on 09-24, 3 working days:
    09-26, 09-28, 09-29."""
    book = Book(
        path="hand.xlsx",
        customers=[
            _customer("K1", "A", D(2026, 9, 1), 2),
            _customer("K2", "B", D(2026, 9, 1), 3),
            _customer("K3", "A", D(2026, 9, 1), 4),
        ],
        calls=[
            _call("R1", "K1", D(2026, 9, 13), 2),  # +5 = Fri 09-18, the office's day off
            _call("R2", "K2", D(2026, 9, 16), 3),  # B: +14 = Wed 09-30
            # 2 working days after Thu 09-24: Fri 09-25 is 中秋, Sat 09-26 worked, Mon 09-28
            _call("R3", "K2", D(2026, 9, 24), 4, result="未接通"),
            _call("R4", "K3", D(2026, 9, 10), 5, next_date=D(2026, 10, 3)),  # typed: after holiday
        ],
        events=[
            _event("E1", "K2", "投诉", D(2026, 9, 24), 2),  # 3 working days, 09-26 among them
            _event("E2", "K1", "维修", D(2026, 9, 11), 3),
        ],
        rules=[
            _rule("例行回访间隔天数", "A=5, B=14, C=30", 2),
            _rule("未接通重拨工作日", "2", 3),
            _rule("按工作日计天数", "是", 4),
        ],
        holidays=[_holiday(D(2026, 9, 18), "休息日", 2), _holiday(D(2026, 9, 26), "工作日", 3)],
    )
    routine, event_due, _ = expected(book)
    assert routine == {"K1": D(2026, 9, 17), "K2": D(2026, 9, 28), "K3": D(2026, 10, 8)}
    assert event_due["E1"] == D(2026, 9, 29)
    path = Path(write_staff_workbook(tmp_path / "rules.xlsx", "zh", book=book, owner="张伟"))
    assert not differences(path, lo.recalc(path, tmp_path / "recalc"))
    listed = {_day(r[0].value) for r in load_workbook(path)["工作日历"].iter_rows(min_row=2)}
    assert D(2026, 9, 18) in listed and D(2026, 9, 26) not in listed and D(2026, 10, 1) in listed


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    days=st.integers(0, 400),
    off=st.sets(st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)), max_size=5),
    on=st.sets(st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)), max_size=5),
)
def test_the_work_calendar_list_is_exactly_the_policys_days_off(start, days, off, on):
    """非工作日 holds every day of the span the policy's calendar does not work, and no other:
    WORKDAY.INTL over it counts as add_working_days does."""
    cal = WorkCalendar(off, on - off)
    end = start + dt.timedelta(days=days)
    listed = cal.non_working_days(start, end)
    every = [start + dt.timedelta(days=i) for i in range(days + 1)]
    assert listed == [d for d in every if not cal.is_working_day(d)]
    assert set(listed).isdisjoint(cal.working_days(start, end))
