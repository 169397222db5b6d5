"""The Sunday schedule (回访排期表, REQUIREMENTS W1, W4, P12): next week's calls per person.

Pure: open obligations + people + customers + calendar in, a plan out. How it places calls:

* What is planned: every open item due by the week's end, not missed (past its window),
  with a customer. Items whose 方式 is 短信 never take a call slot: they go on the SMS list
  (``Plan.sms``; a customer with 不接受短信=是, a landline or no phone is listed apart, to be
  greeted by phone). Items whose 方式 is 报告 or 复函 are duties, not calls: they go on the
  person's 待办 list (``Plan.duties``) under the calls, due on their due date, at no capacity
  cost. Everything else (电话, 上门) is a call.
* Whose page (W4): an item with a 回访人 role (``caller_role`` 部门主管/公司经理: complaints by
  grade, P16 festival visits) goes on the page of the first working person with that role
  in 人员, by name (none: the manager's page), with a note saying whose customer it is. An
  item of a person who has left, or of no one, goes on the manager's page (公司经理, else
  部门主管) with a note saying whose it was.
* Batch days: calls are made every ``batch_spacing_days`` (2) working days — the
  1st, 3rd, 5th … working day of the week (Mon, Wed, Fri in a normal week; a
  make-up Saturday counts as a working day, a holiday does not). Planned mid-week,
  only the days from ``as_of`` on are used.
* One call per customer and person: all of a customer's items of the week on one person's
  page go on one day, whatever their due dates; capacity counts calls (customers), so the
  customer's other items ride along at no cost.
* Order — the urgent first: escalations (P2/P9 open past 上报天数, also listed on the summary
  page for the manager), then hard deadlines (``Obligation.hard``) by due date, then routine
  items by due date (the ones overdue since long first among them). A customer is placed
  when its most urgent item's turn comes, so every hard item of a person is placed before
  any routine-only customer of that person: a routine item, however overdue, never takes a
  slot a hard item needs, and 排不下 holds a hard item only when every day of the week is
  full of hard items.
* Place a customer's call on a day with room on which each of its items not yet overdue is
  on time: with an item carried in (due before the week), the earliest batch day, else the
  earliest working day; else the last batch day on or before its earliest due date, else any
  working day then (加排). If none has room, the earliest day with room (its most urgent item
  on time whenever a day up to that item's due date has room; a late item's note says
  capacity forced it); if the whole week is full, all its items go to 排不下 with the reason.
* A day's calls are in the customer's 方便回访时间 order (``preferred_time``: the first an
  item of the call carries, most urgent first, else the customer book's): no preference first, then 上午 before 中午 before
  下午 before 晚上, a time range by its start (下午3点 is 15:00), and text that names no
  time last, kept as written; within one time, the urgent first.
* P12: one line per salesperson to fill in with the appointment visit(s) of the
  Saturday–Friday week that ends in the planned week (marked done if already met).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .messages import Message, message
from .models import Customer, Staff
from .normalize import phone_kind
from .obligations import Obligation
from .settings import Policy

WEEKDAY = {"monday": 0, "saturday": 5, "sunday": 6}
NOT_CALLS = ("报告", "复函")  # 方式 values that are duties, not calls (a 待办 list)
SMS = "短信"
CALLER_ROLES = (
    "部门主管",
    "公司经理",
)  # 回访人 roles that move an item off the owner's page (员工: the owner)
VISIT = "上门"
# 方便回访时间 words and the minute of the day they start at (a customer's own words)
TIME_WORDS = {
    "早上": 8 * 60,
    "早晨": 8 * 60,
    "上午": 9 * 60,
    "中午": 12 * 60,
    "午休": 12 * 60,
    "下午": 14 * 60,
    "傍晚": 17 * 60,
    "晚上": 19 * 60,
    "晚间": 19 * 60,
}
AFTERNOON = ("下午", "傍晚", "晚上", "晚间")  # an hour after these is p.m.: 下午3点 is 15:00
_HOUR = re.compile(r"(\d{1,2})\s*(?:[:：点时]\s*(半|\d{1,2})?)?")


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
    hard: bool = False  # a hard deadline (placed before routine items)
    preferred_time: str | None = None  # the customer's 方便回访时间, as written
    method: str | None = None  # 电话 (None) or 上门

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
class Duty:
    """A 报告/复函 item: the person's to-do by its due date, not a call (no capacity cost)."""

    owner: str
    customer_id: str
    customer_name: str | None
    rule: str
    method: str
    due_date: dt.date
    reason: Message
    note: Message | None = None
    escalate: bool = False


@dataclass
class SmsItem:
    """A 短信 item (festival, birthday greetings): a line of the SMS list, not a call.

    ``instead`` is why no text goes (不接受短信, a landline, no phone): greet by phone."""

    owner: str
    customer_id: str
    customer_name: str | None
    contact: str | None
    phone: str | None
    rule: str
    due_date: dt.date
    text: Message
    instead: Message | None = None


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
    duties: list[Duty] = field(default_factory=list)  # 报告/复函: to do, not to call
    sms: list[SmsItem] = field(default_factory=list)  # 短信: the SMS list

    @property
    def owners(self) -> list[str]:
        names = (
            {i.owner for i in self.items}
            | {item.owner for item in self.unscheduled}
            | {appointment.owner for appointment in self.appointments}
            | {duty.owner for duty in self.duties}
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
            [duty for duty in self.duties if duty.owner == owner],
            [sms for sms in self.sms if sms.owner == owner],
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


def time_order(text: str | None) -> tuple[int, int]:
    """Where a 方便回访时间 puts a call in the day: (0, 0) no preference, (1, minute) a time or
    a time of day (a range by its start), (2, 0) text that names no time."""
    text = (text or "").strip()
    if not text:
        return 0, 0
    word = min(
        ((text.find(w), w) for w in TIME_WORDS if w in text), default=None
    )  # the first time word written
    hour = _HOUR.search(text)
    if hour and int(hour.group(1)) <= 24:
        h = int(hour.group(1))
        m = 30 if hour.group(2) == "半" else int(hour.group(2) or 0)
        before = text[: hour.start()]
        if h < 12 and any(w in before for w in AFTERNOON):
            h += 12
        return 1, h * 60 + min(m, 59)
    if word is not None:
        return 1, TIME_WORDS[word[1]]
    return 2, 0


class _Days:
    """Who has which customers on which day (capacity counts customers)."""

    def __init__(self):
        self.calls: dict[tuple[str, dt.date], set[str]] = {}

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
    by_role: dict[str, str] = {}
    for person in sorted(staff, key=lambda p: p.name or ""):
        if person.name and person.role and not person.has_left:
            by_role.setdefault(person.role, person.name)

    def capacity(name: str) -> int:
        person = people.get(name)
        return (
            person.daily_capacity
            if person and person.daily_capacity and person.daily_capacity > 0
            else policy.default_daily_capacity
        )

    first_day = max(start, as_of)
    todo = _to_plan(obligations, as_of, end)
    callers = {id(o): _caller(o, people, by_role, plan.manager) for o in todo}
    plan.escalations = [
        Unscheduled(
            callers[id(o)][0],
            o.customer_id,
            o.customer_name,
            _phone(customers, o.customer_id),
            o.rule,
            o.due_date,
            o.reason,
        )
        for o in todo
        if o.escalate(as_of) and o.method != SMS
    ]
    plan.sms = [
        _sms(o, callers[id(o)][0], customers.get(o.customer_id)) for o in todo if o.method == SMS
    ]
    plan.duties = [
        Duty(
            callers[id(o)][0],
            o.customer_id,
            o.customer_name or _name(customers, o.customer_id),
            o.rule,
            o.method or "",
            o.due_date,
            o.reason,
            callers[id(o)][1],
            o.escalate(as_of),
        )
        for o in todo
        if o.method in NOT_CALLS
    ]
    groups: dict[tuple[str, str], list[Obligation]] = {}  # one call per person and customer
    for o in todo:
        if o.method != SMS and o.method not in NOT_CALLS:
            groups.setdefault((callers[id(o)][0], o.customer_id), []).append(o)
    days = _Days()
    rank: dict[tuple[str, str], tuple] = {}
    for (owner, cid), group in sorted(groups.items(), key=lambda kv: _urgency(kv[1][0], as_of)):
        cap = plan.capacity.setdefault(owner, capacity(owner))
        rank[(owner, cid)] = _urgency(group[0], as_of)
        day = _day_for(group, owner, cap, first_day, batch, working, days)
        if day is None:
            why = message("schedule.week_full" if working else "schedule.no_working_day")
            plan.unscheduled += [
                Unscheduled(
                    owner,
                    cid,
                    o.customer_name or _name(customers, cid),
                    _phone(customers, cid),
                    o.rule,
                    o.due_date,
                    message("schedule.not_placed", why=why, reason=o.reason),
                )
                for o in group
            ]
            continue
        days.add(owner, day, cid)
        customer = customers.get(cid)
        name = next((o.customer_name for o in group if o.customer_name), None)
        name = name or _name(customers, cid)
        when = next((o.preferred_time for o in group if o.preferred_time), None)
        when = when or (customer.preferred_time if customer else None)  # one call, one time
        for o in group:
            carried = o.due_date < first_day
            notes = [callers[id(o)][1]]
            if o.method == VISIT:
                notes.append(message("schedule.visit"))
            if carried or day <= o.due_date:
                notes.append(None if day in batch else message("schedule.batch_days_full"))
            else:  # every day up to its due date was full
                notes.append(message("schedule.moved_for_capacity", day=day))
            plan.items.append(
                PlanItem(
                    day,
                    owner,
                    cid,
                    name,
                    _phone(customers, cid),
                    o.rule,
                    o.due_date,
                    o.reason,
                    o.due_date < as_of,
                    carried,
                    _notes(notes),
                    o.escalate(as_of),
                    _contact(customers, cid),
                    o.hard,
                    when,
                    o.method if o.method == VISIT else None,
                )
            )
    _in_calling_order(plan.items, rank)
    plan.unscheduled.sort(key=lambda u: (u.owner, u.due_date, u.customer_id, u.rule))
    plan.duties.sort(key=lambda d: (d.owner, d.due_date, d.customer_id, d.rule))
    plan.sms.sort(key=lambda s: (s.owner, s.due_date, s.customer_id, s.rule))
    plan.appointments = _appointments(obligations, staff, policy, start, end)
    for appointment in plan.appointments:
        plan.capacity.setdefault(appointment.owner, capacity(appointment.owner))
    for duty in plan.duties:
        plan.capacity.setdefault(duty.owner, capacity(duty.owner))
    return plan


def _to_plan(obligations: list[Obligation], as_of: dt.date, end: dt.date) -> list[Obligation]:
    """What the week must place, the most urgent first (see ``_urgency``)."""
    todo = [
        obligation
        for obligation in obligations
        if obligation.is_open
        and not obligation.missed(as_of)
        and obligation.customer_id
        and obligation.due_date <= end
    ]
    return sorted(todo, key=lambda obligation: _urgency(obligation, as_of))


def _urgency(obligation: Obligation, as_of: dt.date) -> tuple:
    """Escalations, then hard deadlines by due date, then routine items by due date (the long
    overdue first): earliest-deadline-first inside each class keeps the most items on time."""
    return (
        not obligation.escalate(as_of),
        not obligation.hard,
        obligation.due_date,
        obligation.customer_id,
        obligation.rule,
        obligation.source,
    )


def _on_time(due: dt.date, first_day: dt.date, batch: list[dt.date], working: list[dt.date]):
    """The days an item due on ``due`` is on time on, best first: carried in (due before the
    first day), the earliest batch day, else the earliest working day; else the last batch day
    on or before its due date, else the last other working day on or before it (加排)."""
    if due < first_day:
        return batch + [d for d in working if d not in batch]
    before = [d for d in batch if d <= due][::-1]
    return before + [d for d in working if d <= due and d not in batch][::-1]


def _day_for(
    group: list[Obligation],
    owner: str,
    cap: int,
    first_day: dt.date,
    batch: list[dt.date],
    working: list[dt.date],
    days: _Days,
) -> dt.date | None:
    """The day a customer's call goes on (None: it fits nowhere): a day with room on which
    every item not yet overdue is on time (the usual choice among them: the earliest if an
    item is carried in, else the last batch day on or before the earliest due date); else the
    earliest day with room, which keeps each item as little late as the week allows."""
    earliest = min(o.due_date for o in group)  # before first_day: an item is carried in
    open_dues = [o.due_date for o in group if o.due_date >= first_day]
    tight = min(open_dues) if open_dues else working[-1] if working else first_day
    tries = [d for d in _on_time(earliest, first_day, batch, working) if d <= tight] + working
    return next((d for d in dict.fromkeys(tries) if days.room(owner, d, cap)), None)


def _in_calling_order(items: list[PlanItem], rank: dict[tuple[str, str], tuple]) -> None:
    """Each person's list by day; in a day by the customer's 方便回访时间, then the urgent
    first; a customer's items together, its most urgent first."""
    items.sort(
        key=lambda i: (
            i.owner,
            i.date,
            time_order(i.preferred_time),
            rank[(i.owner, i.customer_id)],
            i.customer_id,
            not i.escalate,
            not i.hard,
            i.due_date,
            i.rule,
        )
    )


def _caller(
    obligation: Obligation, people: dict[str, Staff], by_role: dict[str, str], manager: str
) -> tuple[str, Message | None]:
    """Whose page an item goes on, and the note when it is not the obligation's owner (W4: a
    回访人 role is the first working person with that role, by name; none: the manager)."""
    whose = obligation.owner or message("schedule.no_owner")
    if obligation.caller_role in CALLER_ROLES:
        name = by_role.get(obligation.caller_role)
        if name is not None:
            return name, message("schedule.by_role", role=obligation.caller_role, owner=whose)
        return manager, message("schedule.no_role", role=obligation.caller_role, owner=whose)
    if not obligation.owner:
        return manager, message("schedule.no_owner")
    person = people.get(obligation.owner)
    if person is not None and person.has_left:
        return manager, message("schedule.owner_left", owner=obligation.owner)
    return obligation.owner, None


def _sms(obligation: Obligation, owner: str, customer: Customer | None) -> SmsItem:
    """A line of the SMS list: the greeting, or why it goes by phone instead."""
    contact = (customer.contact or customer.name) if customer else None
    greet = contact or obligation.customer_name or obligation.customer_id
    text = message(
        "schedule.sms_birthday" if obligation.rule == "P16B" else "schedule.sms_festival",
        contact=greet,
        owner=owner,
    )
    phone = customer.phone if customer else None
    kind = phone_kind(phone) if phone else None
    instead = (
        message("schedule.sms_refused")
        if customer is not None and customer.no_sms
        else message("schedule.sms_no_phone")
        if not phone
        else None
        if kind == "mobile"
        else message("schedule.sms_landline")
    )
    return SmsItem(
        owner,
        obligation.customer_id,
        obligation.customer_name or (customer.name if customer else None),
        contact,
        phone,
        obligation.rule,
        obligation.due_date,
        text,
        instead,
    )


def _notes(notes: list[Message | None]) -> Message | None:
    """The notes that say something, joined."""
    out: Message | None = None
    for note in notes:
        if note is not None:
            out = message("schedule.note_and", note=out, more=note) if out else note
    return out


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


def _name(customers: dict[str, Customer], cid: str) -> str | None:
    customer = customers.get(cid)
    return customer.name if customer else None


def _phone(customers: dict[str, Customer], cid: str) -> str | None:
    customer = customers.get(cid)
    return customer.phone if customer else None
