"""The Sunday schedule does the urgent first (issue 29, part 4): the issue's built case, and the
priority rules as properties over random people, capacities and obligations."""

from __future__ import annotations

import datetime as dt

from helpers import D, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.messages import message
from followup_xl.obligations import Obligation
from followup_xl.schedule import plan_week, time_order
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
                caller_role=draw(st.sampled_from([None, None, None, "部门主管", "公司经理"])),
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
    # W4: a role's items on the first working person with that role, by name (else the manager)
    holders = {}
    for p in sorted(people, key=lambda p: p.name):
        if p.role in ("部门主管", "公司经理") and not p.has_left:
            holders.setdefault(p.role, p.name)
    roles = {(o.customer_id, o.rule, o.due_date): o.caller_role for o in planned}
    for i in plan.items:
        role = roles.get(key(i))
        if role:
            assert i.owner == holders.get(role, plan.manager)
    # a day's calls in 方便回访时间 order
    for owner in plan.owners:
        for d in days:
            order = [
                time_order(i.preferred_time) for i in plan.items if (i.owner, i.date) == (owner, d)
            ]
            assert order == sorted(order)
