"""The Sunday schedule (回访排期表, REQUIREMENTS W1, P12): next week's calls per person.

Pure: open obligations + people + calendar in, a plan out. How it places calls:

* Batch days: calls are made every ``batch_spacing_days`` (2) working days — the
  1st, 3rd, 5th … working day of the week (Mon, Wed, Fri in a normal week; a
  make-up Saturday counts as a working day, a holiday does not). Planned mid-week,
  only the days from ``as_of`` on are used.
* Missed items (past their window) are never planned; escalations (P2/P9 open past
  上报天数) go first and are listed on the summary page for the manager.
* Order: carried in (due before the week starts, overdue included) first, then by
  earliest due date (then customer, rule) — earliest-deadline-first keeps the
  most items on time.
* Place: an item due in the week goes on the last batch day on or before its due
  date, else an earlier batch day, else any working day on or before it (加排);
  carried-in items go on the earliest batch day, else the earliest working day.
  If nothing on time has room, the earliest later day with room (the note says
  capacity forced it); if the whole week is full → 排不下 with the reason.
* Capacity counts calls, i.e. customers: a second obligation of a customer already
  on the list that day rides along at no cost.
* A person who has left: their items go to the manager's list (公司经理, else
  部门主管), with a note saying whose they were.
* P12: one line per salesperson to fill in with the appointment visit(s) of the
  Saturday–Friday week that ends in the planned week (marked done if already met).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .messages import Message, message
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
    reason: Message
    overdue: bool  # due before the plan was made (as_of)
    carried: bool  # due before the first day the plan can use (week start, or as_of mid-week)
    note: Message | None = None  # how it was placed, when that needs saying
    escalate: bool = False  # also on the supervisor's list (P2/P9 open past 上报天数)
    contact: str | None = None  # whom to ask for on the phone

    @property
    def late(self) -> bool:
        return self.date > self.due_date


@dataclass
class Unscheduled:
    owner: str
    customer_id: str
    customer_name: str | None
    phone: str | None
    rule: str
    due_date: dt.date
    reason: Message


@dataclass
class Appointment:
    """P12: a line the salesperson fills with the customer(s) they will visit."""

    owner: str
    week_start: dt.date
    week_end: dt.date
    required: int
    done: bool


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
    appointments: list[Appointment] = field(default_factory=list)
    manager: str = ""
    escalations: list[Unscheduled] = field(
        default_factory=list
    )  # for the supervisor (P2, P9 long open)

    @property
    def owners(self) -> list[str]:
        names = (
            {i.owner for i in self.items}
            | {item.owner for item in self.unscheduled}
            | {appointment.owner for appointment in self.appointments}
        )
        return sorted(names)

    def load(self, owner: str, day: dt.date) -> int:
        """Calls (distinct customers) on one person's list that day."""
        return len({i.customer_id for i in self.items if i.owner == owner and i.date == day})

    def only(self, owner: str) -> Plan:
        """The same plan cut down to one person's list."""
        return Plan(
            self.week_start,
            self.week_end,
            self.as_of,
            self.batch_days,
            self.working_days,
            [i for i in self.items if i.owner == owner],
            [item for item in self.unscheduled if item.owner == owner],
            {k: v for k, v in self.capacity.items() if k == owner},
            [appointment for appointment in self.appointments if appointment.owner == owner],
            self.manager,
            [escalation for escalation in self.escalations if escalation.owner == owner],
        )


def week_bounds(day: dt.date, week_start: str = "monday") -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=(day.weekday() - WEEKDAY[week_start]) % 7)
    return start, start + dt.timedelta(days=6)


def coming_week(as_of: dt.date, week_start: str = "monday") -> dt.date:
    """The week after the one ``as_of`` is in — run on Sunday, plan Monday onwards."""
    start, _ = week_bounds(as_of, week_start)
    return start + dt.timedelta(days=7)


def appointment_week(start: dt.date, end: dt.date, week_start: str) -> tuple[dt.date, dt.date]:
    """The P12 week (Saturday–Friday by default) whose last day falls in ``start..end``."""
    ap_start, ap_end = week_bounds(end, week_start)
    if ap_end > end:
        ap_start, ap_end = ap_start - dt.timedelta(days=7), ap_end - dt.timedelta(days=7)
    return ap_start, ap_end


def manager_of(staff: list[Staff]) -> str:
    for role in ("公司经理", "部门主管"):
        for person in staff:
            if person.role == role and not person.has_left and person.name:
                return person.name
    return "经理"


class _Days:
    """Who has which customers on which day (capacity counts customers)."""

    def __init__(self):
        self.calls: dict[tuple[str, dt.date], set[str]] = {}

    def has(self, owner: str, day: dt.date, cid: str) -> bool:
        return cid in self.calls.get((owner, day), ())

    def room(self, owner: str, day: dt.date, cap: int) -> bool:
        return len(self.calls.get((owner, day), ())) < cap

    def add(self, owner: str, day: dt.date, cid: str) -> None:
        self.calls.setdefault((owner, day), set()).add(cid)


def plan_week(
    obligations: list[Obligation],
    staff: list[Staff],
    customers: dict[str, Customer],
    policy: Policy,
    cal: WorkCalendar,
    week_of: dt.date,
    as_of: dt.date,
) -> Plan:
    start, end = week_bounds(week_of, policy.week_start)
    week = cal.working_days(start, end)
    working = [d for d in week if d >= as_of]  # planning mid-week: the days gone are not used
    batch = [d for d in week[:: policy.batch_spacing_days] if d >= as_of]
    plan = Plan(start, end, as_of, batch, week, manager=manager_of(staff))
    people = {person.name: person for person in staff if person.name}

    def capacity(name: str) -> int:
        person = people.get(name)
        return (
            person.daily_capacity
            if person and person.daily_capacity and person.daily_capacity > 0
            else policy.default_daily_capacity
        )

    first_day = max(start, as_of)
    todo = _to_plan(obligations, as_of, first_day, end)
    plan.escalations = [
        Unscheduled(
            *_owner(obligation, people, plan.manager)[:1],
            obligation.customer_id,
            obligation.customer_name,
            _phone(customers, obligation.customer_id),
            obligation.rule,
            obligation.due_date,
            obligation.reason,
        )
        for obligation in todo
        if obligation.escalate(as_of)
    ]
    days = _Days()
    for obligation in todo:
        owner, note = _owner(obligation, people, plan.manager)
        cap = plan.capacity.setdefault(owner, capacity(owner))
        carried = obligation.due_date < first_day
        cid = obligation.customer_id
        day, how = _day_for(obligation, owner, cap, carried, batch, working, days)
        if day is None:
            why = message("schedule.week_full" if working else "schedule.no_working_day")
            plan.unscheduled.append(
                Unscheduled(
                    owner,
                    cid,
                    obligation.customer_name,
                    _phone(customers, cid),
                    obligation.rule,
                    obligation.due_date,
                    message("schedule.not_placed", why=why, reason=obligation.reason),
                )
            )
            continue
        days.add(owner, day, cid)
        plan.items.append(
            PlanItem(
                day,
                owner,
                cid,
                obligation.customer_name,
                _phone(customers, cid),
                obligation.rule,
                obligation.due_date,
                obligation.reason,
                obligation.due_date < as_of,
                carried,
                note if how is None else _and(note, how),
                obligation.escalate(as_of),
                _contact(customers, cid),
            )
        )
    _keep_customers_together(plan.items)
    plan.appointments = _appointments(obligations, staff, policy, start, end)
    for appointment in plan.appointments:
        plan.capacity.setdefault(appointment.owner, capacity(appointment.owner))
    return plan


def _to_plan(
    obligations: list[Obligation], as_of: dt.date, first_day: dt.date, end: dt.date
) -> list[Obligation]:
    """What the week must place, in the order it is placed: escalations, then carried in, then
    by due date (earliest-deadline-first keeps the most items on time)."""
    todo = [
        obligation
        for obligation in obligations
        if obligation.is_open
        and not obligation.missed(as_of)
        and obligation.customer_id
        and obligation.due_date <= end
    ]
    return sorted(
        todo,
        key=lambda obligation: (
            not obligation.escalate(as_of),
            obligation.due_date >= first_day,
            obligation.due_date,
            obligation.customer_id,
            obligation.rule,
            obligation.source,
        ),
    )


def _day_for(
    obligation: Obligation,
    owner: str,
    cap: int,
    carried: bool,
    batch: list[dt.date],
    working: list[dt.date],
    days: _Days,
) -> tuple[dt.date | None, Message | None]:
    """The day an item goes on, and the note when that day needs saying (None: it fits nowhere).

    With the customer's other call that day if any; else on time: the last batch day on or
    before its due date (carried in: the earliest), else any working day then (加排); else the
    earliest later day with room."""
    due, cid = obligation.due_date, obligation.customer_id
    if carried:
        on_time = batch + [d for d in working if d not in batch]
    else:
        before = [d for d in batch if d <= due][::-1]
        on_time = before + [d for d in working if d <= due and d not in batch][::-1]
    day = next((d for d in on_time if days.has(owner, d, cid)), None)
    if day is not None:
        return day, None
    day = next((d for d in on_time if days.room(owner, d, cap)), None)
    if day is not None:
        return day, None if day in batch else message("schedule.batch_days_full")
    if not carried:
        day = next((d for d in working if d > due and days.room(owner, d, cap)), None)
        if day is not None:
            return day, message("schedule.moved_for_capacity", day=day)
    return None, None


def _keep_customers_together(items: list[PlanItem]) -> None:
    """Each person's list by day; a customer's calls that day stay together, at the place of
    its most urgent item."""
    first: dict[tuple, tuple] = {}
    for i in items:
        key = (not i.escalate, not i.carried, i.due_date)
        first[(i.owner, i.date, i.customer_id)] = min(
            key, first.get((i.owner, i.date, i.customer_id), key)
        )
    items.sort(
        key=lambda i: (
            i.owner,
            i.date,
            first[(i.owner, i.date, i.customer_id)],
            i.customer_id,
            i.due_date,
            i.rule,
        )
    )


def _owner(
    obligation: Obligation, people: dict[str, Staff], manager: str
) -> tuple[str, Message | None]:
    """Whose list an item goes on, and the note when it is not the obligation's owner."""
    if not obligation.owner:
        return manager, message("schedule.no_owner")
    person = people.get(obligation.owner)
    if person is not None and person.has_left:
        return manager, message("schedule.owner_left", owner=obligation.owner)
    return obligation.owner, None


def _appointments(
    obligations: list[Obligation], staff: list[Staff], policy: Policy, start: dt.date, end: dt.date
) -> list[Appointment]:
    """P12 lines: every salesperson (or, with no 人员 sheet, everyone the policy asked)."""
    if policy.appointments_per_week <= 0:
        return []
    ap_start, ap_end = appointment_week(start, end, policy.appointment_week_start)
    p12 = [
        obligation
        for obligation in obligations
        if obligation.rule == "P12" and not obligation.customer_id and obligation.owner
    ]
    names = [
        person.name
        for person in staff
        if person.name and not person.has_left and person.role in (None, "员工")
    ]
    names = names or sorted({obligation.owner for obligation in p12 if obligation.owner})
    done = {
        obligation.owner
        for obligation in p12
        if not obligation.is_open and obligation.trigger_date == ap_start
    }
    return [
        Appointment(n, ap_start, ap_end, policy.appointments_per_week, n in done) for n in names
    ]


def _contact(customers: dict[str, Customer], cid: str) -> str | None:
    customer = customers.get(cid)
    return (customer.contact or customer.name) if customer else None


def _phone(customers: dict[str, Customer], cid: str) -> str | None:
    customer = customers.get(cid)
    return customer.phone if customer else None


def _and(note: Message | None, more: Message) -> Message:
    """A placement note added to the note so far."""
    return message("schedule.note_and", note=note, more=more) if note else more
