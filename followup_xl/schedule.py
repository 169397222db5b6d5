"""The Sunday schedule (回访排期表, REQUIREMENTS W1, P12): next week's calls per person.

Pure: open obligations + people + calendar in, a plan out. How it places calls:

* Batch days: calls are made every ``batch_spacing_days`` (2) working days — the
  1st, 3rd, 5th … working day of the week (Mon, Wed, Fri in a normal week; a
  make-up Saturday counts as a working day, a holiday does not).
* Order: overdue first, then by earliest due date (then customer, rule).
* Place: on the least-loaded batch day on or before the due date that still has
  room under the person's daily capacity; if none, on another working day on or
  before the due date (加排); if still none, on the earliest later day with room
  (the reason says capacity forced it); if the whole week is full → 排不下.
* A person who has left: their items go to the manager's list (公司经理, else
  部门主管), with the reason saying whose they were.
* P12: one line per salesperson to fill in with their appointment visit(s).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .models import Customer, Staff
from .obligations import Obligation
from .settings import Policy

WEEKDAY = {"monday": 0, "saturday": 5, "sunday": 6}


@dataclass
class PlanItem:
    date: dt.date
    owner: str
    customer_id: str
    customer_name: str | None
    phone: str | None
    rule: str
    due_date: dt.date
    reason: str
    overdue: bool
    note: str = ""

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "owner": self.owner, "customer_id": self.customer_id,
                "customer_name": self.customer_name, "rule": self.rule, "due_date": self.due_date.isoformat(),
                "overdue": self.overdue, "note": self.note}


@dataclass
class Unscheduled:
    owner: str
    customer_id: str
    customer_name: str | None
    phone: str | None
    rule: str
    due_date: dt.date
    reason: str

    def to_dict(self) -> dict:
        return {"owner": self.owner, "customer_id": self.customer_id, "rule": self.rule,
                "due_date": self.due_date.isoformat(), "reason": self.reason}


@dataclass
class Plan:
    week_start: dt.date
    week_end: dt.date
    as_of: dt.date
    batch_days: list[dt.date]
    working_days: list[dt.date]
    items: list[PlanItem] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)
    capacity: dict[str, int] = field(default_factory=dict)
    appointments: list[dict] = field(default_factory=list)   # P12 lines to fill
    manager: str = ""

    @property
    def owners(self) -> list[str]:
        names = {i.owner for i in self.items} | {u.owner for u in self.unscheduled} | \
            {a["owner"] for a in self.appointments}
        return sorted(names)

    def load(self, owner: str, day: dt.date) -> int:
        return sum(1 for i in self.items if i.owner == owner and i.date == day)

    def to_dict(self) -> dict:
        return {"week_start": self.week_start.isoformat(), "week_end": self.week_end.isoformat(),
                "as_of": self.as_of.isoformat(), "batch_days": [d.isoformat() for d in self.batch_days],
                "items": [i.to_dict() for i in self.items], "unscheduled": [u.to_dict() for u in self.unscheduled],
                "appointments": self.appointments}


def week_bounds(day: dt.date, week_start: str = "monday") -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=(day.weekday() - WEEKDAY[week_start]) % 7)
    return start, start + dt.timedelta(days=6)


def coming_week(as_of: dt.date, week_start: str = "monday") -> dt.date:
    """The week after the one ``as_of`` is in — run on Sunday, plan Monday onwards."""
    start, _ = week_bounds(as_of, week_start)
    return start + dt.timedelta(days=7)


def manager_of(staff: list[Staff]) -> str:
    for role in ("公司经理", "部门主管"):
        for s in staff:
            if s.role == role and not s.has_left and s.name:
                return s.name
    return "经理"


def plan_week(obligations: list[Obligation], staff: list[Staff], customers: dict[str, Customer],
              policy: Policy, cal: WorkCalendar, week_of: dt.date, as_of: dt.date) -> Plan:
    start, end = week_bounds(week_of, policy.week_start)
    working = cal.working_days(start, end)
    batch = working[::policy.batch_spacing_days]
    plan = Plan(start, end, as_of, batch, working, manager=manager_of(staff))
    people = {s.name: s for s in staff if s.name}
    left = {n for n, s in people.items() if s.has_left}

    def capacity(name: str) -> int:
        s = people.get(name)
        return (s.daily_capacity if s and s.daily_capacity and s.daily_capacity > 0
                else policy.default_daily_capacity)

    todo = [o for o in obligations if o.is_open and o.customer_id and o.due_date <= end]
    todo.sort(key=lambda o: (o.due_date >= as_of, o.due_date, o.customer_id, o.rule, o.source))
    load: dict[tuple[str, dt.date], int] = {}
    for o in todo:
        owner = o.owner or plan.manager
        note = ""
        if owner in left or not o.owner:
            note = f"原负责人{o.owner}已离职，转经理安排" if o.owner else "没有负责人，转经理安排"
            owner = plan.manager
        cap = plan.capacity.setdefault(owner, capacity(owner))
        cust = customers.get(o.customer_id)
        phone = cust.phone if cust else None
        overdue = o.due_date < as_of

        def room(day: dt.date) -> bool:
            return load.get((owner, day), 0) < cap

        on_time = [d for d in batch if (overdue or d <= o.due_date) and room(d)]
        day = min(on_time, key=lambda d: (load.get((owner, d), 0), d)) if on_time else None
        if day is None:
            extra = [d for d in working if (overdue or d <= o.due_date) and room(d)]
            if extra:
                day, note = extra[0], (note + "；" if note else "") + "批次日已满，加排"
        if day is None:
            later = [d for d in working if d > o.due_date and room(d)]
            if later and not overdue:
                day = later[0]
                note = (note + "；" if note else "") + f"应回访日期{o.due_date}前已排满，容量所限推迟到{day}"
        if day is None:
            why = "本周每日回访上限已排满" if working else "本周没有工作日"
            plan.unscheduled.append(Unscheduled(owner, o.customer_id, o.customer_name, phone, o.rule, o.due_date,
                                                f"{why}（{o.reason}）"))
            continue
        load[(owner, day)] = load.get((owner, day), 0) + 1
        plan.items.append(PlanItem(day, owner, o.customer_id, o.customer_name, phone, o.rule, o.due_date, o.reason,
                                   overdue, note))
    plan.items.sort(key=lambda i: (i.owner, i.date, not i.overdue, i.due_date, i.customer_id, i.rule))
    ap_start, _ = week_bounds(start, policy.appointment_week_start)
    if ap_start + dt.timedelta(days=6) < start:
        ap_start += dt.timedelta(days=7)
    for s in staff:
        if s.name and not s.has_left and s.role in (None, "员工") and policy.appointments_per_week > 0:
            plan.appointments.append({"owner": s.name, "week_start": ap_start.isoformat(),
                                      "week_end": (ap_start + dt.timedelta(days=6)).isoformat(),
                                      "required": policy.appointments_per_week})
            plan.capacity.setdefault(s.name, capacity(s.name))
    return plan
