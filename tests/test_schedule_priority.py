"""The Sunday schedule does the urgent first (issue 29, part 4): the issue's built case, and the
priority rules as properties over random people, capacities and obligations."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from helpers import D, customer, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.io.write.schedule import write_schedule
from followup_xl.messages import message
from followup_xl.obligations import Obligation
from followup_xl.schedule import Duty, plan_week, time_order
from followup_xl.settings import Policy

WHY = message("reason.new_customer")  # an obligation's reason, never shown by these tests

# The week of Monday 2026-12-14 to Sunday 2026-12-20, planned on Sunday 2026-12-13.
# holidays.China(years=2026) has nothing in December and no 调休 Saturday then: five working days,
# Mon 12-14 … Fri 12-18; batch days (every 2nd working day) Mon 12-14, Wed 12-16, Fri 12-18.
MON, TUE, WED, THU, FRI = (D("2026-12-14") + dt.timedelta(days=i) for i in range(5))
SUNDAY = D("2026-12-13")


def test_the_issues_built_case_hard_deadlines_due_monday_come_first():
    """张伟 makes 2 calls a day: 10 calls in the week. Twelve routine P1 items overdue since
    November 2025 (more than the week holds), an open issue's P9 and a trip's P14 both due Monday,
    and K40, whose routine P1 is due Friday and whose P9 is due Monday.

    On main the carried-in routine items took every slot, both Monday deadlines went to 排不下,
    and K40 was booked on Friday for the routine call while its P9 sat unscheduled."""
    routine = [
        Obligation(f"K{i:02d}", "P1", D("2025-11-03") + dt.timedelta(days=i), WHY, owner="张伟")
        for i in range(1, 13)
    ]
    hard = [
        Obligation("K30", "P9", MON, WHY, owner="张伟", hard=True),
        Obligation("K31", "P14", MON, WHY, owner="张伟", hard=True),
        Obligation("K40", "P9", MON, WHY, owner="张伟", hard=True),
    ]
    k40_routine = Obligation("K40", "P1", FRI, WHY, owner="张伟")
    obls = [*routine, k40_routine, *hard]
    plan = plan_week(
        obls, [staff("张伟", daily_capacity=2)], {}, Policy(), WorkCalendar(), MON, SUNDAY
    )
    day = {(i.customer_id, i.rule): i.date for i in plan.items}
    # three hard items due Monday, two calls on Monday: K30 and K31 (by customer id)
    # take Monday; K40's P9 goes on the earliest later day with room, Tuesday, and says why
    assert day[("K30", "P9")] == MON and day[("K31", "P14")] == MON
    assert day[("K40", "P9")] == TUE
    late = next(i for i in plan.items if (i.customer_id, i.rule) == ("K40", "P9"))
    assert "容量" in late.note.render("zh")
    # K40's routine call goes with its P9, at no cost, whatever its own due date
    assert day[("K40", "P1")] == TUE
    # 10 slots − 3 hard calls = 7 routine calls; the 5 routine items left over are the ones
    # on 排不下, the latest-due of the 2025 items
    assert {u.rule for u in plan.unscheduled} == {"P1"}
    assert sorted(u.customer_id for u in plan.unscheduled) == ["K08", "K09", "K10", "K11", "K12"]
    assert all(plan.load("张伟", d) == 2 for d in (MON, TUE, WED, THU, FRI))


# ---- properties over random people, capacities and obligations --------------------------------

NAMES = ["张伟", "王芳", "李娜"]
METHODS = [None, None, None, None, "电话", "上门", "短信", "报告", "复函"]


@st.composite
def crowded_week(draw):
    """More items than the week holds, hard and routine, due around the week, some overdue since
    long, some escalated, some by role, some not calls; a make-up Saturday or holidays at times."""
    policy = Policy(
        batch_spacing_days=draw(st.integers(1, 3)),
        default_daily_capacity=draw(st.integers(1, 4)),
    )
    start = D("2026-01-05") + dt.timedelta(weeks=draw(st.integers(0, 100)))  # a Monday
    days = [start + dt.timedelta(days=i) for i in range(7)]
    off = draw(st.lists(st.sampled_from(days[:5]), max_size=3, unique=True))
    on = draw(st.lists(st.sampled_from(days[5:]), max_size=1))
    cal = WorkCalendar(extra_holidays=off, extra_workdays=on)
    people = [
        staff(
            n,
            daily_capacity=draw(st.one_of(st.none(), st.integers(1, 3))),
            status=draw(st.sampled_from(["在职", "在职", "在职", "离职"])),
        )
        for n in NAMES
    ]
    people += draw(
        st.lists(
            st.sampled_from(
                [staff("赵刚", "公司经理"), staff("孙丽", "部门主管"), staff("陈静", "部门主管")]
            ),
            unique_by=lambda s: s.name,
            max_size=3,
        )
    )
    as_of = start - dt.timedelta(days=draw(st.integers(-2, 3)))
    obls = []
    for i in range(draw(st.integers(0, 50))):
        hard = draw(st.booleans())
        due = start + dt.timedelta(
            days=draw(st.one_of(st.integers(-20, 8), st.integers(-500, -300)))
        )  # around the week, or overdue since long
        obls.append(
            Obligation(
                f"K{draw(st.integers(1, 18))}",
                draw(st.sampled_from(["P9", "P14", "P3"] if hard else ["P1", "P11", "P16S"])),
                due,
                WHY,
                owner=draw(st.sampled_from([*NAMES, None])),
                hard=hard,
                source=str(i),
                satisfied_on=draw(st.sampled_from([None, None, None, None, D("2025-12-01")])),
                lapse_date=draw(st.sampled_from([None, None, due + dt.timedelta(days=5)])),
                escalate_on=draw(st.sampled_from([None, None, None, due + dt.timedelta(days=3)])),
                caller_role=draw(
                    st.sampled_from([None, None, None, "员工", "部门主管", "公司经理"])
                ),
                method=draw(st.sampled_from(METHODS)),
                preferred_time=draw(
                    st.sampled_from([None, "上午", "下午3点", "14:00-16:00", "周末"])
                ),
            )
        )
    return policy, cal, people, as_of, start, obls


def caps_of(plan, people, policy):
    by_name = {p.name: p for p in people}
    return {
        owner: (
            by_name[owner].daily_capacity
            if owner in by_name and by_name[owner].daily_capacity
            else policy.default_daily_capacity
        )
        for owner in plan.owners
    }


@settings(max_examples=400, deadline=None)
@given(case=crowded_week())
def test_the_urgent_first_one_call_per_customer_capacity_and_nothing_lost(case):
    policy, cal, people, as_of, week_of, obls = case
    plan = plan_week(obls, people, {}, policy, cal, week_of, as_of)
    first_day = max(plan.week_start, as_of)
    days = [d for d in plan.working_days if d >= first_day]
    calls: dict[tuple, list] = {}  # (person, day, customer) → the items of that call
    for i in plan.items:
        calls.setdefault((i.owner, i.date, i.customer_id), []).append(i)
    urgent_calls = {key for key, items in calls.items() if any(i.hard or i.escalate for i in items)}
    routine_slots = {(o, d) for (o, d, _c) in set(calls) - urgent_calls}  # slots routine holds

    # (a) no hard item on 排不下 while a routine call of that person holds a slot on any day of
    # the week, and no hard item late while a routine call holds a day up to its due date
    hard_left = {u.owner for u in plan.unscheduled if u.rule in ("P9", "P14", "P3")}
    for owner in hard_left:
        assert not {d for (o, d) in routine_slots if o == owner}
    for i in plan.items:
        if (i.hard or i.escalate) and i.date > i.due_date:
            assert not {
                d for (o, d) in routine_slots if o == i.owner and first_day <= d <= i.due_date
            }, i
    # (b) a customer's items on one person's list are on one day, and never split with 排不下
    where: dict[tuple, set] = {}
    for i in plan.items:
        where.setdefault((i.owner, i.customer_id), set()).add(i.date)
    assert all(len(v) == 1 for v in where.values())
    assert not {(u.owner, u.customer_id) for u in plan.unscheduled} & set(where)
    # (c) capacity counts calls: a customer's other items ride along at no cost
    caps = caps_of(plan, people, policy)
    for owner in plan.owners:
        for d in days:
            assert plan.load(owner, d) <= caps[owner]
    # 排不下 only when every day of the week is full for that person
    for u in plan.unscheduled:
        assert all(plan.load(u.owner, d) == caps[u.owner] for d in days)
    # (d) nothing lost: planned + 排不下 + missed + SMS + duties (+ done, later, no customer) =
    # the input, each once; SMS and duties take no call slot
    key = lambda x: (x.customer_id, x.rule, x.due_date)  # noqa: E731
    got = sorted(
        [key(i) for i in plan.items]
        + [key(u) for u in plan.unscheduled]
        + [key(s) for s in plan.sms]
        + [key(d) for d in plan.duties]
    )
    planned = [
        o
        for o in obls
        if o.is_open and not o.missed(as_of) and o.customer_id and o.due_date <= plan.week_end
    ]
    assert got == sorted(key(o) for o in planned)
    missed = [o for o in obls if o.missed(as_of)]
    rest = [o for o in obls if not o.is_open or o.due_date > plan.week_end]
    assert len(planned) + len({id(o) for o in missed + rest}) == len(obls)
    assert {key(s) for s in plan.sms} == {key(o) for o in planned if o.method == "短信"}
    assert {key(d) for d in plan.duties} == {
        key(o) for o in planned if o.method in ("报告", "复函")
    }
    calls_in = {key(o) for o in planned if o.method not in ("短信", "报告", "复函")}
    assert {key(i) for i in plan.items} <= calls_in
    # W4: a role's items on the first working person with that role, by name (else the
    # manager); a leaver's or no one's items on the manager's page; the rest on the owner's
    holders: dict[str, str] = {}
    for p in sorted(people, key=lambda p: p.name):
        if p.role in ("部门主管", "公司经理") and not p.has_left:
            holders.setdefault(p.role, p.name)
    gone = {p.name for p in people if p.has_left}

    def caller(o):
        if o.caller_role in ("部门主管", "公司经理"):
            return holders.get(o.caller_role, plan.manager)
        return plan.manager if o.owner is None or o.owner in gone else o.owner

    placed = [(key(i), i.owner) for i in plan.items] + [(key(u), u.owner) for u in plan.unscheduled]
    want = [(key(o), caller(o)) for o in planned if o.method not in ("短信", "报告", "复函")]
    assert sorted(placed) == sorted(want)
    # a day's calls in 方便回访时间 order
    for owner in plan.owners:
        for d in days:
            order = [
                time_order(i.preferred_time) for i in plan.items if (i.owner, i.date) == (owner, d)
            ]
            assert order == sorted(order)


# ---- W4, duties, preferences, the SMS list -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order"),
    [
        (None, (0, 0)),
        ("", (0, 0)),
        ("上午", (1, 540)),
        ("中午", (1, 720)),
        ("下午", (1, 840)),
        ("晚上", (1, 1140)),
        ("14:00-16:00", (1, 840)),
        ("9点到11点", (1, 540)),
        ("下午3点以后", (1, 900)),
        ("晚上7点半", (1, 1170)),
        ("上午10：30前", (1, 630)),
        ("周末", (2, 0)),
        ("随时", (2, 0)),
    ],
)
def test_a_preferred_time_is_placed_in_the_day(text, order):
    assert time_order(text) == order


def test_complaints_festival_visits_and_reports_go_where_the_rule_says():
    """W4: a complaint for the 部门主管 goes on the page of the first working 部门主管 by name
    (孙丽 before 陈静; 周敏 has left); a P16 visit for the 公司经理 with none on the staff sheet
    goes to the manager page (the first 部门主管 then) saying so; a P20 report is a duty."""
    people = [
        staff("张伟", daily_capacity=2),
        staff("陈静", "部门主管"),
        staff("孙丽", "部门主管"),
        staff("周敏", "部门主管", status="离职"),
    ]
    obls = [
        Obligation("K1", "P3", TUE, WHY, owner="张伟", hard=True, caller_role="部门主管"),
        Obligation("K4", "P3", TUE, WHY, owner="张伟", hard=True, caller_role="员工"),
        Obligation("K2", "P16", WED, WHY, owner="张伟", caller_role="公司经理", method="上门"),
        Obligation("K3", "P20", MON, WHY, owner="张伟", method="报告", escalate_on=D("2026-12-11")),
        Obligation("K3", "P1", MON, WHY, owner="张伟"),
    ]
    plan = plan_week(obls, people, {}, Policy(), WorkCalendar(), MON, SUNDAY)
    by_rule = {i.rule: i for i in plan.items}
    p3 = {i.customer_id: i for i in plan.items if i.rule == "P3"}
    assert (p3["K4"].owner, p3["K4"].date, p3["K4"].note) == ("张伟", MON, None)  # 员工: the owner
    by_rule["P3"] = p3["K1"]
    assert by_rule["P3"].owner == "孙丽"
    assert by_rule["P3"].note.render("zh") == "由部门主管回访（张伟的客户）"
    assert plan.manager == "陈静"  # no 公司经理: the first 部门主管 on the sheet is the manager
    assert by_rule["P16"].owner == "陈静" and by_rule["P16"].method == "上门"
    assert by_rule["P16"].note.render("zh").startswith("人员表中没有在职的公司经理，交经理安排")
    assert "上门拜访" in by_rule["P16"].note.render("zh")
    # the report is no call: 张伟's two calls on Monday are K4 and K3's P1, the report on his 待办
    assert "P20" not in by_rule and by_rule["P1"].date == MON
    assert [(d.owner, d.rule, d.method, d.due_date) for d in plan.duties] == [
        ("张伟", "P20", "报告", MON)
    ]
    assert [e.rule for e in plan.escalations] == ["P20"]  # its 上报 date has passed
    assert "张伟" in plan.owners and plan.unscheduled == []


def test_a_days_calls_follow_the_customers_preferred_time():
    """The preference comes from the obligation, else from the customer book's 方便回访时间."""
    customers = {
        "K1": customer("K1", preferred_time="晚上"),
        "K2": customer("K2", preferred_time="上午"),
        "K3": customer("K3", preferred_time="下午2点半"),
        "K4": customer("K4", preferred_time="找老板"),
        "K5": customer("K5"),
    }
    obls = [Obligation(k, "P1", MON, WHY, owner="张伟") for k in customers]
    obls.append(Obligation("K4", "P9", MON, WHY, owner="张伟", hard=True, preferred_time="中午"))
    plan = plan_week(obls, [staff("张伟")], customers, Policy(), WorkCalendar(), MON, SUNDAY)
    order = [(i.customer_id, i.preferred_time) for i in plan.items]
    # no preference first; 上午, 中午 (K4's P9 says so: one call, one time), 下午 14:30, 晚上
    assert order == [
        ("K5", None),
        ("K2", "上午"),
        ("K4", "中午"),
        ("K4", "中午"),
        ("K3", "下午2点半"),
        ("K1", "晚上"),
    ]


def sms_case():
    customers = {
        "K1": customer("K1", contact="孔工", birthday=D("1980-12-16")),
        "K2": customer("K2", contact="王总", no_sms=True),
        "K3": customer("K3", phone="0755-26881234"),
        "K4": customer("K4", contact="李经理"),
    }
    obls = [
        Obligation("K1", "P16B", WED, WHY, owner="张伟", method="短信"),
        Obligation("K2", "P16S", MON, WHY, owner="张伟", method="短信"),
        Obligation("K3", "P16S", MON, WHY, owner="张伟", method="短信"),
        Obligation("K4", "P16S", MON, WHY, owner="张伟", method="短信"),
        Obligation("K4", "P1", MON, WHY, owner="张伟", preferred_time="下午"),
    ]
    people = [staff("张伟", daily_capacity=1)]
    return plan_week(obls, people, customers, Policy(), WorkCalendar(), MON, SUNDAY)


def test_greetings_by_text_take_no_call_slot_and_nobody_drops_off():
    plan = sms_case()
    assert [(i.customer_id, i.rule) for i in plan.items] == [("K4", "P1")]
    lines = {s.customer_id: s for s in plan.sms}
    assert lines["K1"].instead is None and lines["K4"].instead is None
    assert lines["K1"].text.render("zh").startswith("孔工您好！值此生日之际")
    assert lines["K4"].text.render("zh").startswith("李经理您好！值此佳节")
    assert lines["K1"].text.render("zh").endswith("——张伟")
    assert lines["K2"].instead.render("zh") == "不接受短信，改为电话问候"
    assert lines["K3"].instead.render("zh") == "座机不能收短信，改为电话问候"


def test_the_workbook_has_the_sms_list_the_best_time_and_the_to_do(tmp_path):
    plan = sms_case()
    plan.duties.append(Duty("张伟", "K9", "客户K9", "P24", "复函", TUE, WHY))
    out = write_schedule(tmp_path / "排期.xlsx", plan)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "张伟", "排不下", "短信名单"]
    ws = wb["张伟"]
    assert [c.value for c in ws[3]][:7] == [
        "日期",
        "客户编号",
        "客户名称",
        "联系人",
        "联系电话",
        "方便时间",
        "规则",
    ]
    assert [c.value for c in ws[4]][:7] == [
        "12-14 周一",
        "K4",
        "客户K4",
        "李经理",
        "13800138002",
        "下午",
        "P1",
    ]
    todo = next(r for r in range(4, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("待办"))
    assert [c.value for c in ws[todo + 1]][:4] == ["12-15 周二", "K9", "客户K9", "复函"]
    sms = wb["短信名单"]
    rows = [[c.value for c in row] for row in sms.iter_rows(min_row=3)]
    assert rows[0][:6] == ["负责人", "客户编号", "客户名称", "联系人", "客户电话", "规则"]
    sent = [r[1] for r in rows[1:3]]
    assert sent == ["K4", "K1"]  # by send date: Monday's festival text, Wednesday's birthday
    head = next(i for i, r in enumerate(rows) if str(r[0]).startswith("不发短信"))
    assert rows[head][0] == "不发短信，改为电话问候（2 位）"
    instead = {r[1]: r[9] for r in rows[head + 2 :]}
    assert instead == {"K2": "不接受短信，改为电话问候", "K3": "座机不能收短信，改为电话问候"}
    assert sms.data_validations.dataValidation[0].formula1 == '"是,否"'


def test_schedule_json_carries_the_duties_and_the_sms_list():
    """`schedule --json` says everything the workbook shows: the 待办 duties, the SMS list (with
    the customer greeted by phone instead, and why) and each call's hard/method/preferred time —
    an automation reading the JSON must not lose what the sheets list."""
    from followup_xl.cli.jsonout import to_json

    people = [staff("张伟", daily_capacity=5)]
    customers = {
        "K1": customer("K1", preferred_time="上午"),
        "K2": customer("K2", phone="13800000002"),
        "K3": customer("K3", phone="13800000003", no_sms=True),
    }
    obls = [
        Obligation("K1", "P9", MON, WHY, owner="张伟", hard=True),
        Obligation("K1", "P19", MON, WHY, owner="张伟", method="报告"),
        Obligation("K2", "P16B", TUE, WHY, owner="张伟", method="短信"),
        Obligation("K3", "P16B", TUE, WHY, owner="张伟", method="短信"),
    ]
    plan = plan_week(obls, people, customers, Policy(), WorkCalendar(), MON, SUNDAY)
    got = to_json(plan, "zh")
    (call,) = got["items"]
    assert (call["customer_id"], call["hard"], call["method"], call["preferred_time"]) == (
        "K1",
        True,
        None,
        "上午",
    )
    assert [(d["customer_id"], d["rule"], d["method"]) for d in got["duties"]] == [
        ("K1", "P19", "报告")
    ]
    sms = {m["customer_id"]: m for m in got["sms"]}
    assert set(sms) == {"K2", "K3"} and sms["K2"]["instead"] is None
    assert "短信" in sms["K3"]["instead"]  # 不接受短信: greeted by phone, and the JSON says why
    assert all("phone" not in m for m in got["sms"])  # numbers stay in the workbook, as for calls
