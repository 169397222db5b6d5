"""The Sunday schedule does the urgent first (issue 29, part 4): the issue's built case, and the
priority rules as properties over random people, capacities and obligations."""

from __future__ import annotations

import datetime as dt

from helpers import D, staff

from followup_xl.calendar import WorkCalendar
from followup_xl.messages import message
from followup_xl.obligations import Obligation
from followup_xl.schedule import plan_week
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
