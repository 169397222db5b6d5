"""The Sunday schedule and the Monday summary: invariants under generated offices."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.cli import main
from followup_xl.obligations import Obligation
from followup_xl.policy import compute_obligations
from followup_xl.schedule import coming_week, plan_week, week_bounds
from followup_xl.settings import Policy
from followup_xl.weekly import summarise_week

import libreoffice as lo
from helpers import D, book, call, customer, event, staff


def check_invariants(plan, obligations, cal, caps):
    due = [o for o in obligations if o.is_open and o.customer_id and o.due_date <= plan.week_end]
    got = [(i.customer_id, i.rule, i.due_date) for i in plan.items] + \
          [(u.customer_id, u.rule, u.due_date) for u in plan.unscheduled]
    assert sorted(got) == sorted((o.customer_id, o.rule, o.due_date) for o in due)   # each exactly once
    for i in plan.items:
        assert cal.is_working_day(i.date) and plan.week_start <= i.date <= plan.week_end
        if i.date > i.due_date and not i.overdue:
            assert "容量" in i.note                                      # only capacity may push it late
    for owner in plan.owners:
        for d in plan.working_days:
            assert plan.load(owner, d) <= caps.get(owner, Policy().default_daily_capacity)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cap=st.integers(1, 15), week=st.integers(0, 60))
def test_invariants_over_generated_offices(seed, cap, week):
    from followup_xl import example_office

    office = example_office.generate(seed=seed, customers_per_owner=12, owners=["张伟", "王芳"], plant_mistakes=False)
    b = book([c for x in office.books.values() for c in x.customers], [k for x in office.books.values() for k in x.calls],
             [e for x in office.books.values() for e in x.events],
             [staff("张伟", daily_capacity=cap), staff("王芳", daily_capacity=cap, status="离职"), staff("赵刚", "公司经理")])
    as_of = D("2026-09-01") + dt.timedelta(days=week)
    policy, cal = Policy(), WorkCalendar()
    obls = compute_obligations(b, policy, as_of, cal).obligations
    plan = plan_week(obls, b.staff, {c.customer_id: c for c in b.customers}, policy, cal, coming_week(as_of), as_of)
    check_invariants(plan, obls, cal, {"张伟": cap, "赵刚": Policy().default_daily_capacity})
    assert "王芳" not in {i.owner for i in plan.items}                    # a leaver's items go to the manager
    assert all(i.note.startswith("原负责人王芳") for i in plan.items if i.owner == "赵刚")


def test_batches_every_two_working_days_and_holidays():
    cal, policy = WorkCalendar(), Policy()
    start, end = week_bounds(D("2026-09-30"), "monday")      # National Day week: Mon 09-28 .. Sun 10-04
    plan = plan_week([], [], {}, policy, cal, D("2026-09-30"), D("2026-09-27"))
    assert (plan.week_start, plan.week_end) == (D("2026-09-28"), D("2026-10-04"))
    assert plan.working_days == [D("2026-09-28"), D("2026-09-29"), D("2026-09-30")]
    assert plan.batch_days == [D("2026-09-28"), D("2026-09-30")]
    plan = plan_week([], [], {}, policy, cal, D("2026-10-10"), D("2026-10-04"))   # make-up Saturday 10-10
    assert D("2026-10-10") in plan.working_days


def test_overdue_first_and_capacity_overflow_is_explained():
    cal, policy = WorkCalendar(), Policy()
    obls = [Obligation(f"K{i}", "P1", D("2026-11-23"), "例行", owner="张伟") for i in range(3)] + \
           [Obligation("K9", "P2", D("2026-11-10"), "投诉", owner="张伟", hard=True)]
    plan = plan_week(obls, [staff("张伟", daily_capacity=1)], {}, policy, cal, D("2026-11-23"), D("2026-11-22"))
    first = min(plan.items, key=lambda i: i.date)
    assert first.customer_id == "K9" and first.overdue
    late = [i for i in plan.items if i.date > i.due_date and not i.overdue]
    assert late and all("容量" in i.note for i in late)
    assert len(plan.items) + len(plan.unscheduled) == 4


def test_weekly_summary_numbers(tmp_path):
    b = book([customer("K1", created="2026-11-17"), customer("K2", created="2026-11-01")],
             [call("K1", "2026-11-17"), call("K2", "2026-11-18", result="未接通"),
              call("K2", "2026-11-20", call_type="约访"), call("K1", "2026-11-19", call_type="咨询")],
             [event("D1", "K1", "成交", "2026-11-18"), event("W1", "K2", "工程", "2026-10-01", planned_end="2026-11-20",
                                                            actual_end="2026-11-20")],
             [staff("张伟")])
    w = summarise_week(b, Policy(), WorkCalendar(), D("2026-11-22"))
    (r,) = [x for x in w.by_owner if x["owner"] == "张伟"]
    assert (r["deals"], r["new_customers"], r["calls"], r["successful_calls"]) == (1, 1, 4, 3)
    assert r["appointments"] == 1 and r["appointments_met"] and r["consultation_followups"] == 1
    assert w.projects[0]["status"] == "本周竣工"
    assert w.report_day == D("2026-11-23") and not w.report_moved
    w = summarise_week(b, Policy(), WorkCalendar(), D("2026-09-30"))      # Monday 10-05 is a holiday
    assert w.report_moved and w.report_day == D("2026-10-04")


def test_cli_json_contract_and_owner_filter(tmp_path, office_dir):
    src = office_dir / "张伟_客户回访.xlsx"
    r = CliRunner().invoke(main, ["schedule", str(src), "--week-of", "2026-11-23", "--as-of", "2026-11-22", "--json"])
    out = json.loads(r.stdout)
    assert {"week_start", "week_end", "items", "unscheduled"} <= set(out)
    assert out["week_start"] == "2026-11-23" and out["week_end"] == "2026-11-29"
    assert {"date", "owner", "customer_id", "rule", "due_date"} <= set(out["items"][0])
    r = CliRunner().invoke(main, ["weekly", str(src), "--week-of", "2026-11-22", "--json"])
    w = json.loads(r.stdout)
    assert (w["week_start"], w["week_end"]) == ("2026-11-16", "2026-11-22")
    assert {"owner", "deals", "new_customers", "calls", "successful_calls", "appointments",
            "consultation_followups", "overdue"} <= set(w["by_owner"][0])


@pytest.mark.libreoffice
def test_schedule_prints_like_something_a_manager_signs(tmp_path, office_dir):
    src = office_dir / "王芳_客户回访.xlsx"
    out = tmp_path / "排期.xlsx"
    r = CliRunner().invoke(main, ["schedule", str(src), "--week-of", "2026-11-23", "--as-of", "2026-11-22",
                                  "-o", str(out), "--mask-phones"])
    assert r.exit_code == 0, r.output
    text = lo.pdf_text(out, tmp_path / "pdf")
    assert "回访排期表" in text and "销售经理核定" in text and "经理核定" in text and "####" not in text
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "汇总" and "王芳" in wb.sheetnames and "排不下" in wb.sheetnames
    assert wb["王芳"].page_setup.orientation == "landscape"
    weekly = tmp_path / "周报.xlsx"
    r = CliRunner().invoke(main, ["weekly", str(src), "--week-of", "2026-11-22", "-o", str(weekly)])
    recalced = openpyxl.load_workbook(lo.recalc(weekly, tmp_path / "lo"), data_only=True)
    ws = recalced["周报"]
    total_row = next(row for row in ws.iter_rows(min_row=5) if row[0].value == "合计")
    calls = sum(c.value for c in ws["D"][4:total_row[0].row - 1] if isinstance(c.value, (int, float)))
    assert total_row[3].value == calls > 0
