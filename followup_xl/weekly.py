"""The Monday summary (周报, REQUIREMENTS W2, W3, P6, P12): last week per person.

Pure over a Book. Definitions (so the numbers can be checked by hand):
* deals (成交量): deals dated in the week — 成交 events (for the event's owner,
  else the customer's owner) and customers' 最近成交日期 (for the customer's
  owner); a customer with both on the same day counts once;
* new customers (新增客户): customers whose 建档日期 is in the week, by owner;
* calls: call records dated in the week, by 回访人; successful = 结果 成功 or blank;
* appointment visits (P12): successful 约访 calls in the Saturday–Friday week that
  ends in the summarised week; met when ≥ the policy's weekly number (asked of
  salespeople — 员工 — only; None for managers);
* consultation follow-ups (P6): 咨询 calls in the week vs the weekly target;
* overdue: open obligations of the person overdue at the end of the week.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .dating import Place
from .messages import Message, message
from .models import Book
from .policy import PolicyResult, compute_obligations
from .report import NO_OWNER, group_order
from .schedule import appointment_week, week_bounds
from .settings import Policy

NO_CALLER = message("weekly.no_caller")  # shown in the reader's language, like NO_OWNER


@dataclass
class Weekly:
    week_start: dt.date
    week_end: dt.date
    report_day: dt.date
    report_moved: bool
    by_owner: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    # what the week could not count (dating.date_book): the notes, the cells
    notes: list[Message] = field(default_factory=list)
    excluded: list[Place] = field(default_factory=list)


def last_complete_week(as_of: dt.date, week_start: str = "monday") -> dt.date:
    """A day of the latest week that has ended by ``as_of`` (Sunday: this week; Monday: last week)."""
    start, end = week_bounds(as_of, week_start)
    return as_of if end == as_of else start - dt.timedelta(days=1)


def summarise_week(
    book: Book,
    policy: Policy,
    cal: WorkCalendar,
    week_of: dt.date,
    compute: Callable[..., PolicyResult] = compute_obligations,
) -> Weekly:
    start, end = week_bounds(week_of, policy.week_start)
    monday = end + dt.timedelta(days=7 - end.weekday())  # the first Monday after the week
    moved = not cal.is_working_day(monday)
    report_day = monday - dt.timedelta(days=1) if moved else monday
    owner_of = {
        customer.customer_id: customer.owner for customer in book.customers if customer.customer_id
    }

    def in_week(d):
        return d is not None and start <= d <= end

    # the P12 week (Saturday–Friday by default) that ends inside the summarised week
    ap_start, ap_end = appointment_week(start, end, policy.appointment_week_start)
    sales = {person.name for person in book.staff if person.name and person.role in (None, "员工")}

    people = [
        person.name
        for person in book.staff
        if person.name and not (person.has_left and person.left and person.left < start)
    ]
    rows: dict[str | Message, dict] = {}

    def row(name: str | Message) -> dict:
        if name not in rows:
            rows[name] = {
                "owner": name,
                "deals": 0,
                "new_customers": 0,
                "calls": 0,
                "successful_calls": 0,
                "outcomes": Counter(),
                "appointments": 0,
                "appointments_met": False,
                "consultation_followups": 0,
                "consultation_target": policy.consultation_weekly_target,
                "overdue": 0,
            }
        return rows[name]

    for name in people:
        row(name)
    deals: dict[tuple, str | Message] = {}
    for ev in book.events:
        if ev.event_type == "成交" and in_week(ev.event_date):
            key = (ev.customer_id, ev.event_date) if ev.customer_id else ("", id(ev))
            deals[key] = ev.owner or owner_of.get(ev.customer_id or "") or NO_OWNER
    for customer in book.customers:
        if in_week(customer.last_deal) and customer.customer_id and not customer.is_void:
            deals.setdefault((customer.customer_id, customer.last_deal), customer.owner or NO_OWNER)
    for dealer in deals.values():
        row(dealer)["deals"] += 1
    for customer in book.customers:
        if in_week(customer.created):
            row(customer.owner or NO_OWNER)["new_customers"] += 1
    for call in book.calls:
        who = call.caller or NO_CALLER
        if in_week(call.call_date):
            r = row(who)
            r["calls"] += 1
            r["successful_calls"] += call.successful
            r["outcomes"][call.result or "成功"] += 1
            if call.call_type == "咨询":
                r["consultation_followups"] += 1
        if (
            call.call_type == "约访"
            and call.successful
            and call.call_date
            and ap_start <= call.call_date <= ap_end
        ):
            row(who)["appointments"] += 1
    result = compute(book, policy, end, cal)
    for obligation in result.open():
        if obligation.due_date < end and obligation.customer_id:
            row(obligation.owner or NO_OWNER)["overdue"] += 1
    for r in rows.values():
        # P12 binds salespeople; managers (and everyone, with no 人员 sheet) only when they visited
        bound = r["owner"] in sales or (not book.staff and r["owner"] != NO_OWNER)
        r["appointments_met"] = r["appointments"] >= policy.appointments_per_week if bound else None
        r["outcomes"] = dict(r["outcomes"])
    weekly = Weekly(
        start, end, report_day, moved, sorted(rows.values(), key=lambda r: group_order(r["owner"]))
    )
    weekly.projects = _projects(book, start, end)
    return weekly


def _projects(book: Book, start: dt.date, end: dt.date) -> list[dict]:
    """W3: projects in progress during the week and those completed in it, with this week's calls."""
    calls_by_event: dict[str, list] = {}
    for call in book.calls:
        if call.event_id and call.call_date and start <= call.call_date <= end:
            calls_by_event.setdefault(call.event_id, []).append(call)
    names = {customer.customer_id: customer.name for customer in book.customers}
    out = []
    for ev in book.events:
        if ev.event_type != "工程" or ev.event_date is None or ev.event_date > end:
            continue
        done = ev.actual_end
        if done is not None and done < start:
            continue
        status = (
            "本周竣工"
            if done and start <= done <= end
            else "超期在施"
            if ev.planned_end and ev.planned_end < end and not (done and done <= end)
            else "在施"
        )
        calls = calls_by_event.get(ev.event_id or "", [])
        out.append(
            {
                "event_id": ev.event_id,
                "customer_id": ev.customer_id,
                "customer_name": names.get(ev.customer_id),
                "owner": ev.owner,
                "start": ev.event_date,
                "planned_end": ev.planned_end,
                "actual_end": done,
                "status": status,
                "calls_this_week": len(calls),
                "call_types": "、".join(sorted({call.call_type or "" for call in calls})),
            }
        )
    return out
