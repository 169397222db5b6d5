"""The Sunday schedule: invariants under hypothesis (hand-made obligations and generated
offices), the placement rules one by one, the CLI contract and the printed page."""

from __future__ import annotations

import datetime as dt
import json

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import D, book, call, customer, staff
from hypothesis import given, settings
from hypothesis import strategies as st
from office_master import write_master

from followup_xl.calendar import WorkCalendar
from followup_xl.cli import main
from followup_xl.messages import localize, message
from followup_xl.obligations import Obligation
from followup_xl.policy import compute_obligations
from followup_xl.schedule import coming_week, plan_week, week_bounds
from followup_xl.settings import Policy

WHY = message("reason.new_customer")  # an obligation's reason, never shown by these tests

NAMES = ["张伟", "王芳", "李娜"]


def check_invariants(plan, obligations, cal, caps):
    """The issue's four invariants, for any plan."""
    due = [
        o
        for o in obligations
        if o.is_open and not o.missed(plan.as_of) and o.customer_id and o.due_date <= plan.week_end
    ]  # a missed item is never planned
    got = (
        [(i.customer_id, i.rule, i.due_date) for i in plan.items]
        + [(u.customer_id, u.rule, u.due_date) for u in plan.unscheduled]
        + [(d.customer_id, d.rule, d.due_date) for d in plan.duties]  # 报告/复函: to do, no call
        + [(m.customer_id, m.rule, m.due_date) for m in plan.sms]  # 短信: the SMS list
    )
    assert sorted(got) == sorted(
        (o.customer_id, o.rule, o.due_date) for o in due
    )  # each exactly once
    for i in plan.items:
        assert (
            cal.is_working_day(i.date)
            and max(plan.week_start, plan.as_of) <= i.date <= plan.week_end
        )
        if i.date > i.due_date:  # late only if carried in or capacity forced it
            assert i.carried or "容量" in localize(i.note, "zh"), i
        if i.carried:
            assert i.due_date < max(plan.week_start, plan.as_of)
    for owner in plan.owners:
        for d in plan.working_days:
            assert plan.load(owner, d) <= caps[owner]
    for u in plan.unscheduled:  # nothing dropped without a reason
        assert "排满" in u.reason.render("zh") or "没有可排的工作日" in u.reason.render("zh")


@st.composite
def week_case(draw):
    week_start = draw(st.sampled_from(["monday", "saturday", "sunday"]))
    policy = Policy(
        week_start=week_start,
        batch_spacing_days=draw(st.integers(1, 3)),
        default_daily_capacity=draw(st.integers(1, 6)),
    )
    monday = D("2026-01-05") + dt.timedelta(weeks=draw(st.integers(0, 100)))
    start, _end = week_bounds(monday, week_start)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    off = draw(st.lists(st.sampled_from(days), max_size=7, unique=True))
    on = draw(
        st.lists(st.sampled_from([d for d in days if d.weekday() >= 5]), max_size=2, unique=True)
    )
    cal = WorkCalendar(extra_holidays=off, extra_workdays=[d for d in on if d not in off])
    people = [
        staff(
            n,
            daily_capacity=draw(st.one_of(st.none(), st.integers(1, 5))),
            status=draw(st.sampled_from(["在职", "在职", "离职"])),
        )
        for n in NAMES
    ]
    people.append(staff("赵刚", "公司经理"))
    as_of = start - dt.timedelta(days=draw(st.integers(-3, 10)))
    obls = [
        Obligation(
            f"K{draw(st.integers(1, 25))}",
            draw(st.sampled_from(["P1", "P2", "P4", "P11"])),
            start + dt.timedelta(days=draw(st.integers(-30, 10))),
            WHY,
            owner=draw(st.sampled_from([*NAMES, None])),
            satisfied_on=draw(st.sampled_from([None, None, None, D("2025-12-01")])),
            source=str(i),
        )
        for i in range(draw(st.integers(0, 60)))
    ]
    return policy, cal, people, as_of, monday, obls


@settings(max_examples=300, deadline=None)
@given(case=week_case())
def test_invariants_over_hand_made_obligations(case):
    policy, cal, people, as_of, week_of, obls = case
    plan = plan_week(obls, people, {}, policy, cal, week_of, as_of)
    caps = {s.name: s.daily_capacity or policy.default_daily_capacity for s in people}
    check_invariants(plan, obls, cal, caps)
    left = {s.name for s in people if s.has_left}
    assert not left & {i.owner for i in plan.items}  # leavers' items → manager
    assert all(
        i.owner == "赵刚"
        for i in plan.items
        if (localize(i.note, "zh") or "").startswith(("原负责人", "没有负责人"))
    )
    # an item on time could only be late because every earlier day was full
    for i in plan.items:
        if i.date > i.due_date and not i.carried:
            assert all(
                plan.load(i.owner, d) == caps[i.owner]
                for d in plan.working_days
                if as_of <= d <= i.due_date
            )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), cap=st.integers(1, 15), week=st.integers(0, 60))
def test_invariants_over_generated_offices(seed, cap, week):
    from followup_xl.demo import office as example_office

    office = example_office.generate(
        seed=seed, customers_per_owner=12, owners=["张伟", "王芳"], plant_mistakes=False
    )
    b = book(
        [c for x in office.books.values() for c in x.customers],
        [k for x in office.books.values() for k in x.calls],
        [e for x in office.books.values() for e in x.events],
        [
            staff("张伟", daily_capacity=cap),
            staff("王芳", daily_capacity=cap, status="离职"),
            staff("赵刚", "公司经理"),
        ],
    )
    as_of = D("2026-09-01") + dt.timedelta(days=week)
    policy, cal = Policy(), WorkCalendar()
    obls = compute_obligations(b, policy, as_of, cal).obligations
    plan = plan_week(
        obls,
        b.staff,
        {c.customer_id or "": c for c in b.customers},
        policy,
        cal,
        coming_week(as_of),
        as_of,
    )
    check_invariants(plan, obls, cal, {"张伟": cap, "赵刚": policy.default_daily_capacity})
    assert "王芳" not in {i.owner for i in plan.items}
    # the manager's page: the leaver's customers, and what only a 公司经理 may do (W4: a 重大
    # complaint, P16: a festival visit) — each saying which
    assert all(
        i.note.render("zh").startswith("原负责人王芳") or "公司经理" in i.note.render("zh")
        for i in plan.items
        if i.owner == "赵刚"
    )


def test_batches_every_two_working_days_and_holidays():
    cal, policy = WorkCalendar(), Policy()
    plan = plan_week([], [], {}, policy, cal, D("2026-09-30"), D("2026-09-27"))  # National Day week
    assert (plan.week_start, plan.week_end) == (D("2026-09-28"), D("2026-10-04"))
    assert plan.working_days == [D("2026-09-28"), D("2026-09-29"), D("2026-09-30")]
    assert plan.batch_days == [D("2026-09-28"), D("2026-09-30")]
    plan = plan_week(
        [], [], {}, policy, cal, D("2026-10-10"), D("2026-10-04")
    )  # make-up Saturday 10-10
    assert D("2026-10-10") in plan.working_days and D("2026-10-10") in plan.batch_days
    plan = plan_week(
        [], [], {}, Policy(week_start="saturday"), cal, D("2026-11-23"), D("2026-11-20")
    )
    assert (plan.week_start, plan.week_end) == (D("2026-11-21"), D("2026-11-27"))


def test_item_goes_on_the_batch_day_on_or_before_its_due_date():
    cal, policy = WorkCalendar(), Policy()
    obls = [
        Obligation("K1", "P1", D("2026-11-26"), WHY, owner="张伟"),  # Thursday → Wednesday batch
        Obligation("K2", "P1", D("2026-11-27"), WHY, owner="张伟"),  # Friday → Friday batch
        Obligation("K3", "P1", D("2026-11-24"), WHY, owner="张伟"),  # Tuesday → Monday batch
        Obligation("K4", "P2", D("2026-11-02"), WHY, owner="张伟"),
    ]  # overdue → first batch day
    plan = plan_week(obls, [staff("张伟")], {}, policy, cal, D("2026-11-23"), D("2026-11-22"))
    day = {i.customer_id: i.date for i in plan.items}
    assert day == {
        "K1": D("2026-11-25"),
        "K2": D("2026-11-27"),
        "K3": D("2026-11-23"),
        "K4": D("2026-11-23"),
    }
    assert [i.customer_id for i in plan.items][:2] == ["K4", "K3"]  # overdue first on the list
    assert plan.items[0].overdue and plan.items[0].carried and not plan.items[1].carried


def test_capacity_counts_calls_and_overflow_is_explained():
    cal, policy = WorkCalendar(), Policy()
    obls = [Obligation(f"K{i}", "P1", D("2026-11-23"), WHY, owner="张伟") for i in range(3)] + [
        Obligation("K9", "P2", D("2026-11-10"), WHY, owner="张伟", hard=True),
        Obligation("K9", "P1", D("2026-11-23"), WHY, owner="张伟"),
    ]  # rides along with K9's call
    plan = plan_week(
        obls, [staff("张伟", daily_capacity=1)], {}, policy, cal, D("2026-11-23"), D("2026-11-22")
    )
    first = [i for i in plan.items if i.date == D("2026-11-23")]
    assert {(i.customer_id, i.rule) for i in first} == {("K9", "P2"), ("K9", "P1")}
    late = [i for i in plan.items if i.date > i.due_date and not i.carried]
    assert [i.date for i in late] == [D("2026-11-24"), D("2026-11-25"), D("2026-11-26")]
    assert all("容量" in i.note.render("zh") for i in late)
    closed = WorkCalendar(extra_holidays=[D("2026-11-23") + dt.timedelta(days=i) for i in range(5)])
    full = plan_week(
        obls,
        [staff("张伟", daily_capacity=1)],
        {},
        policy,
        closed,
        D("2026-11-23"),
        D("2026-11-22"),
    )
    assert full.items == [] and len(full.unscheduled) == 5  # office closed all week: nothing fits
    assert all("没有可排的工作日" in u.reason.render("zh") for u in full.unscheduled)
    midweek = plan_week(
        obls[:1], [staff("张伟")], {}, policy, cal, D("2026-11-23"), D("2026-11-25")
    )
    assert midweek.batch_days == [D("2026-11-25"), D("2026-11-27")]
    assert (midweek.items[0].date, midweek.items[0].carried, midweek.items[0].note) == (
        D("2026-11-25"),
        True,
        None,
    )


def test_appointment_lines_and_done_when_visited_on_saturday():
    b = book(
        [customer("K1")],
        [call("K1", "2026-11-21", call_type="约访")],
        [],
        [staff("张伟"), staff("王芳"), staff("孙丽", "部门主管")],
    )
    policy, cal = Policy(), WorkCalendar()
    obls = compute_obligations(b, policy, D("2026-11-22"), cal).obligations
    plan = plan_week(obls, b.staff, {}, policy, cal, D("2026-11-23"), D("2026-11-22"))
    lines = {a.owner: a for a in plan.appointments}
    assert set(lines) == {"张伟", "王芳"}  # managers have no P12 line
    assert (lines["张伟"].week_start, lines["张伟"].week_end) == (D("2026-11-21"), D("2026-11-27"))
    assert lines["张伟"].done and not lines["王芳"].done


def test_cli_json_contract_owner_filter_and_unknown_owner(tmp_path, office_dir):
    master = write_master(office_dir, tmp_path / "master.xlsx")
    run = CliRunner().invoke
    r = run(
        main,
        ["schedule", str(master), "--week-of", "2026-11-25", "--as-of", "2026-11-22", "--json"],
    )
    out = json.loads(r.stdout)
    assert (out["week_start"], out["week_end"]) == ("2026-11-23", "2026-11-29")
    assert {"date", "owner", "customer_id", "rule", "due_date"} <= set(out["items"][0])
    assert len({i["owner"] for i in out["items"]}) == 6
    r = run(main, ["schedule", str(master), "--as-of", "2026-11-22", "--owner", "王芳", "--json"])
    mine = json.loads(r.stdout)
    assert mine["week_start"] == "2026-11-23" and {i["owner"] for i in mine["items"]} == {"王芳"}
    assert mine["items"] == [i for i in out["items"] if i["owner"] == "王芳"]
    r = run(main, ["schedule", str(master), "--owner", "无此人"])
    assert r.exit_code == 3 and "无此人" in r.output and "Traceback" not in r.output


def test_single_staff_book_and_english_workbook(tmp_path, office_dir):
    out = tmp_path / "plan.xlsx"
    r = CliRunner().invoke(
        main,
        [
            "schedule",
            str(office_dir / "李娜_客户回访.xlsx"),
            "--as-of",
            "2026-11-22",
            "--lang",
            "en",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert (
        wb.sheetnames[0] == "Summary"
        and "李娜" in wb.sheetnames
        and wb.sheetnames[-2:] == ["Unscheduled", "SMS list"]
    )
    ws = wb["李娜"]
    assert (
        ws["A3"].value == "Day" and ws["K3"].value == "Approved" and ws["F3"].value == "Best time"
    )
    assert any("Sales manager approval" in str(c.value) for row in ws.iter_rows() for c in row)


@pytest.mark.libreoffice
def test_schedule_prints_like_something_a_manager_signs(tmp_path, office_dir):
    master = write_master(office_dir, tmp_path / "master.xlsx")
    out = tmp_path / "排期.xlsx"
    r = CliRunner().invoke(
        main, ["schedule", str(master), "--as-of", "2026-11-22", "-o", str(out), "--mask-phones"]
    )
    assert r.exit_code == 0, r.output
    text = lo.pdf_text(out, tmp_path / "pdf")
    assert "回访排期表 2026-11-23（周一）至 2026-11-29" in text
    assert text.count("销售经理核定") == 7 and "经理核定" in text and "###" not in text
    assert "回访人：王芳" in text and "至少约访1位客户" in text
    assert (
        "短信名单 2026-11-23 至 2026-11-29" in text and "生日快乐" in text
    )  # the demo's birthdays
    wb = openpyxl.load_workbook(out)
    assert (
        wb.sheetnames[0] == "汇总"
        and "王芳" in wb.sheetnames
        and wb.sheetnames[-2:] == ["排不下", "短信名单"]
    )
    assert (
        wb["王芳"].page_setup.orientation == "landscape" and wb["王芳"].print_title_rows == "$3:$3"
    )
    recalced = openpyxl.load_workbook(lo.recalc(out, tmp_path / "lo"), data_only=True)["汇总"]
    total = next(row for row in recalced.iter_rows(min_row=5) if row[0].value == "合计")
    assert total[9].value == sum(c.value for c in recalced["J"][4 : total[0].row - 1]) > 0
