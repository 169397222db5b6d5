"""The follow-up policy (REQUIREMENTS P1–P15) as obligations that explain themselves.

Each rule is a small function that reads one customer's records and yields
obligations (customer, rule, due date, why). Satisfaction is decided once, the
same way for every rule: a later successful call that names the event, or else
is of a matching 回访类型 on or after the trigger. Plain Python over a Book.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from .calendar import WorkCalendar
from .messages import both, both_as, render
from .models import Book, Call, Customer, Event
from .obligations import Obligation
from .settings import NEVER_LAPSE, Policy

RULE_NAMES = {
    "P1": both("rule.P1"),
    "P2": both("rule.P2"),
    "P3": both("rule.P3"),
    "P4": both("rule.P4"),
    "P5": both("rule.P5"),
    "P6": both("rule.P6"),
    "P7": both("rule.P7"),
    "P8": both("rule.P8"),
    "P9": both("rule.P9"),
    "P10": both("rule.P10"),
    "P11": both("rule.P11"),
    "P12": both("rule.P12"),
    "P13": both("rule.P13"),
    "P14": both("rule.P14"),
    "P15": both("rule.P15"),
}
WEEKDAYS = {"monday": 0, "saturday": 5, "sunday": 6}


@dataclass
class PolicyResult:
    obligations: list[Obligation]
    warnings: list[str]
    as_of: dt.date

    def open(self) -> list[Obligation]:
        """The call list: open and still inside its window (missed items are not called)."""
        return sorted(
            (o for o in self.obligations if o.is_open and not o.missed(self.as_of)),
            key=lambda o: (o.due_date, o.customer_id, o.rule, o.source),
        )

    def missed(self) -> list[Obligation]:
        """逾期未办: open past its window."""
        return sorted(
            (o for o in self.obligations if o.missed(self.as_of)),
            key=lambda o: (o.due_date, o.customer_id, o.rule, o.source),
        )

    def next_for(self, customer_id: str) -> Obligation | None:
        mine = [
            o
            for o in self.obligations
            if o.is_open and not o.missed(self.as_of) and o.customer_id == customer_id
        ]
        return min(mine, key=lambda o: (o.due_date, o.rule), default=None)


@dataclass
class Context:
    """What every rule needs: the policy, the calendar, the day, and a way to date things."""

    policy: Policy
    cal: WorkCalendar
    as_of: dt.date
    staff_roles: dict[str, str] = field(default_factory=dict)

    def within(self, trigger: dt.date, days: int) -> dt.date:
        """'Within N days' of a trigger, on a working day (calendar days unless the policy says)."""
        if self.policy.count_working_days:
            return self.cal.add_working_days(trigger, days)
        return self.cal.due_on_working_day(trigger + dt.timedelta(days=days), trigger)


@dataclass
class CustomerRecords:
    """One customer's records, in date order, as the rules read them."""

    customer: Customer
    calls: list[Call]
    events: list[Event]


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    return dt.date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


def _ref(call: Call) -> str:
    if call.record_id:
        return call.record_id
    return f"{call.src.sheet}!{call.src.row}" if call.src else ""


def _cust_src(c: Customer) -> str:
    return f"{c.src.sheet}!{c.src.row}" if c.src else (c.customer_id or "")


# --- satisfaction ------------------------------------------------------------


def satisfy(
    o: Obligation, calls: list[Call], window_start: dt.date, staged: bool = False
) -> Obligation:
    """The first successful call on/after ``window_start`` that names the event (and, for
    staged projects, is of the stage's type) or is of a matching type without naming another."""
    for call in calls:
        if call.call_date is None or call.call_date < window_start or not call.successful:
            continue
        named = bool(o.event_id) and call.event_id == o.event_id
        typed = call.call_type in o.call_types
        if (named and (typed or not staged)) or (
            typed and (not call.event_id or call.event_id == o.event_id)
        ):
            return replace(o, satisfied_on=call.call_date, satisfied_by=_ref(call))
    return o


# --- the rules -----------------------------------------------------------------


def rule_routine(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P1 (+P11): every N days by class from the last successful call; 未接通 → retry next working
    day; 改约 → the agreed date; 拒访 → pause; a typed 下次回访日期 wins over the cadence."""
    c = cr.customer
    klass = c.klass or ctx.policy.default_class
    every = ctx.policy.cadence_days[klass]
    anchor = c.created or (cr.calls[0].call_date if cr.calls else None)
    if anchor is None:
        yield Obligation(
            c.customer_id,
            "P1",
            ctx.cal.on_or_after(ctx.as_of),
            "新客户，无建档日期和回访记录，请尽快首次回访",
            "new customer without filing date or calls: call soon",
            c.name,
            c.owner,
            None,
            _cust_src(c),
            call_types=(),
            hard=False,
        )
        return
    state = {
        "due": None,
        "why": "",
        "why_en": "",
        "typed": None,
        "src": _cust_src(c),
        "trigger": anchor,
        "flags": (),
    }

    def start(trigger, due, why, why_en, src, typed=None, flags=()):
        state.update(
            trigger=trigger, due=due, why=why, why_en=why_en, src=src, typed=typed, flags=flags
        )

    first_why = f"{klass}类客户每{every}天例行回访，建档日期{anchor}"
    start(
        anchor,
        anchor + dt.timedelta(days=every),
        first_why,
        f"class {klass}: every {every} days, filed {anchor}",
        _cust_src(c),
    )
    for call in cr.calls:
        if call.call_date is None or call.call_date < state["trigger"]:
            continue
        if call.successful:
            yield _routine(ctx, c, state, call)
            if call.next_date and call.next_date > call.call_date:
                start(
                    call.call_date,
                    call.next_date,
                    f"员工约定下次回访日期{call.next_date}（上次成功回访{call.call_date}）",
                    f"next call date typed by staff: {call.next_date}",
                    _ref(call),
                    typed=call.next_date,
                )
            else:
                start(
                    call.call_date,
                    call.call_date + dt.timedelta(days=every),
                    f"{klass}类客户每{every}天例行回访，上次成功回访{call.call_date}",
                    f"class {klass}: every {every} days, last reached {call.call_date}",
                    _ref(call),
                )
        elif call.result == "未接通":
            retry = ctx.cal.add_working_days(
                call.call_date, ctx.policy.retry_no_answer_workdays or 1
            )
            if state["due"] is None or retry < state["due"]:
                state.update(
                    due=retry,
                    **both_as("why", "reason.no_answer", call_date=call.call_date),
                    src=_ref(call),
                )
        elif call.result == "改约" and call.next_date:
            state.update(
                due=call.next_date,
                **both_as(
                    "why", "reason.rescheduled", next_date=call.next_date, call_date=call.call_date
                ),
                src=_ref(call),
                typed=call.next_date,
            )
        elif call.result == "拒访":
            yield _routine(ctx, c, state, call, ("refused",))
            pause = ctx.policy.refusal_pause_days
            start(
                call.call_date,
                call.call_date + dt.timedelta(days=pause),
                f"客户{call.call_date}拒访，暂停例行回访{pause}天",
                f"refused on {call.call_date}: paused {pause} days",
                _ref(call),
            )
    yield _routine(ctx, c, state)


def _routine(
    ctx: Context, c: Customer, state: dict, by: Call | None = None, flags=()
) -> Obligation:
    """The current P1 obligation; closed by ``by`` when given (built once: this is the hot path)."""
    due = state["due"]
    typed = state["typed"]
    moved = (
        ctx.cal.due_on_working_day(due, state["trigger"])
        if typed is None
        else ctx.cal.on_or_after(due)
    )
    return Obligation(
        c.customer_id,
        "P1",
        moved,
        state["why"],
        state["why_en"],
        c.name,
        c.owner,
        state["trigger"],
        state["src"],
        None,
        ("例行",),
        False,
        by.call_date if by else None,
        _ref(by) if by else None,
        typed_date=typed,
        flags=state["flags"] + flags,
    )


# event type → (rule, the 回访类型 values that satisfy it)
EVENT_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "投诉": ("P2", ("投诉",)),
    "维修": ("P3", ("维修",)),
    "活动": ("P4", ("活动",)),
    "成交": ("P5", ("成交",)),
    "咨询": ("P6", ("咨询",)),
    "工程": ("P7", ("工程开工", "工程中期", "工程竣工")),
    "提案": ("P13", ("提案反馈",)),
    "出差拜访": ("P14", ("出差核实",)),
}


def rule_events(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P2–P7, P13, P14: one obligation per event (three or four for a project); P10 for anonymity.
    A closed or withdrawn event (已办结/已撤销) keeps the follow-ups already made and makes no more."""
    for ev in cr.events:
        if ev.event_date is None or ev.event_type not in EVENT_RULES or ev.anonymous:
            continue
        for o in _for_event(ctx, cr, ev):
            if not (ev.is_closed and o.is_open):
                yield o


def _for_event(ctx: Context, cr: CustomerRecords, ev: Event) -> Iterator[Obligation]:
    c = cr.customer
    p = ctx.policy
    rule, types = EVENT_RULES[ev.event_type]
    d = ev.event_date
    owner = ev.owner or c.owner
    base = dict(
        customer_id=c.customer_id,
        rule=rule,
        customer_name=c.name,
        owner=owner,
        trigger_date=d,
        source=ev.event_id or _cust_src(c),
        event_id=ev.event_id,
        call_types=types,
        hard=True,
    )
    eid = ev.event_id or ""
    if rule == "P2":
        due = ctx.within(d, p.complaint_days)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as(
                    "reason",
                    "reason.complaint",
                    eid=eid,
                    level=ev.complaint_level or "一般",
                    d=d,
                    complaint_days=p.complaint_days,
                ),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P3":
        due = ctx.within(d, p.repair_days)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as("reason", "reason.repair", eid=eid, d=d, repair_days=p.repair_days),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P4":
        due = ctx.within(d, p.activity_days)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as("reason", "reason.event", eid=eid, d=d, activity_days=p.activity_days),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P5":
        first = add_months(d.replace(day=1), 1)
        due = ctx.cal.due_on_working_day(first + dt.timedelta(days=p.deal_first_week_days - 1), d)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as(
                    "reason",
                    "reason.deal",
                    d=d,
                    first=first,
                    deal_first_week_days=p.deal_first_week_days,
                ),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P6":
        monday = d + dt.timedelta(days=7 - d.weekday())
        due = ctx.cal.due_on_working_day(monday, d)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as("reason", "reason.consultation", d=d, monday=monday),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P7":
        yield from _project(ctx, cr, ev, base)
    elif rule == "P13":
        days = {"副总审批": p.proposal_vp_days, "重大": p.proposal_major_days}.get(
            ev.proposal_level or "", p.proposal_days
        )
        due = ctx.within(d, days)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as("reason", "reason.proposal", eid=eid, d=d, days=days),
                **base,
            ),
            cr.calls,
            d,
        )
    elif rule == "P14":
        due = ctx.cal.add_working_days(d, p.trip_verify_workdays or 1)
        yield satisfy(
            Obligation(
                due_date=due,
                **both_as("reason", "reason.trip", owner=owner or "", d=d),
                **base,
            ),
            cr.calls,
            d,
        )


def _project(ctx: Context, cr: CustomerRecords, ev: Event, base: dict) -> Iterator[Obligation]:
    """P7: ~10 days after start, at mid-project, at planned completion; again at a late real completion."""
    d = ev.event_date
    eid = ev.event_id or ""
    stages = [
        (
            "工程开工",
            d + dt.timedelta(days=ctx.policy.project_start_days),
            f"工程{eid}于{d}开工，开工后{ctx.policy.project_start_days}天左右回访",
        )
    ]
    if ev.planned_end and ev.planned_end > d:
        mid = d + (ev.planned_end - d) / 2
        stages.append(("工程中期", mid, f"工程{eid}中期（计划{d}至{ev.planned_end}）回访"))
        stages.append(
            ("工程竣工", ev.planned_end, f"工程{eid}计划于{ev.planned_end}竣工，竣工时回访")
        )
        if ev.actual_end and ev.actual_end > ev.planned_end:
            stages.append(
                ("工程竣工", ev.actual_end, f"工程{eid}延期至{ev.actual_end}实际竣工，再次回访")
            )
    used: set[str] = set()
    for call_type, due, why in stages:
        o = Obligation(
            **{**base, "call_types": (call_type,)},
            due_date=ctx.cal.due_on_working_day(due, d),
            reason=why,
            reason_en=f"project {eid}: {call_type} call due {due}",
        )
        window = (
            d if call_type != "工程竣工" else min(due, ev.planned_end or due) - dt.timedelta(days=7)
        )
        later = [x for x in cr.calls if _ref(x) not in used]
        o = satisfy(o, later, window, staged=True)
        if o.satisfied_by:
            used.add(o.satisfied_by)
        yield o


def rule_dormant(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P8: no deal for N months → a follow-up call (any successful call after that day)."""
    c = cr.customer
    deals = [e.event_date for e in cr.events if e.event_type == "成交" and e.event_date]
    last = max([d for d in (c.last_deal, *deals) if d], default=None) or c.created
    if last is None:
        return
    n = ctx.policy.no_deal_months
    due_raw = add_months(last, n)
    if due_raw > ctx.as_of + dt.timedelta(days=31):
        return  # not yet relevant: keeps the list to what the next month needs
    o = Obligation(
        c.customer_id,
        "P8",
        ctx.cal.due_on_working_day(due_raw, last),
        f"最近成交{last}，已{n}个月无成交，需回访",
        f"no deal since {last} ({n} months)",
        c.name,
        c.owner,
        last,
        _cust_src(c),
        None,
        ("例行", "无成交回访"),
        False,
    )
    reached = next(
        (x for x in cr.calls if x.call_date and x.call_date >= due_raw and x.successful), None
    )
    if reached:
        o = replace(o, satisfied_on=reached.call_date, satisfied_by=_ref(reached))
    yield o


def rule_open_issues(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P9: an issue left 未解决 → call again within N working days, until resolved."""
    c = cr.customer
    n = ctx.policy.unresolved_issue_workdays
    for i, call in enumerate(cr.calls):
        if call.issue_status != "未解决" or call.call_date is None:
            continue
        due = ctx.cal.add_working_days(call.call_date, n)
        what = call.issue or "客户反映的问题"
        o = Obligation(
            c.customer_id,
            "P9",
            due,
            f"{call.call_date}客户反映「{what}」未解决，{n}个工作日内再回访",
            f"issue '{what}' open since {call.call_date}: call again within {n} working days",
            c.name,
            c.owner,
            call.call_date,
            _ref(call),
            call.event_id,
            (),
            True,
        )
        nxt = next(
            (
                x
                for x in cr.calls[i + 1 :]
                if x.call_date and x.call_date >= call.call_date and x.successful and x is not call
            ),
            None,
        )
        if nxt:
            o = replace(o, satisfied_on=nxt.call_date, satisfied_by=_ref(nxt))
        yield o


def rule_verification(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P15: a record not verified within the policy's period is due for verification."""
    c = cr.customer
    period = ctx.policy.verification_period_days
    last = c.verified_on or c.created
    if last is None:
        due, why = ctx.cal.on_or_after(ctx.as_of), "客户资料从未核实"
    else:
        due = ctx.cal.due_on_working_day(last + dt.timedelta(days=period), last)
        why = f"客户资料上次核实{last}，每{period}天须重新核实"
    if due > ctx.as_of + dt.timedelta(days=31):
        return
    yield Obligation(
        c.customer_id,
        "P15",
        due,
        why,
        f"record verification due ({period}-day period)",
        c.name,
        c.verified_by or c.owner,
        last,
        _cust_src(c),
        None,
        (),
        False,
    )


CUSTOMER_RULES: list[Callable[[Context, CustomerRecords], Iterable[Obligation]]] = [
    rule_routine,
    rule_events,
    rule_dormant,
    rule_open_issues,
    rule_verification,
]


def rule_appointments(ctx: Context, book: Book) -> Iterator[Obligation]:
    """P12: each salesperson at least N 约访 a week (Saturday–Friday by default)."""
    p = ctx.policy
    if p.appointments_per_week <= 0:
        return
    start_wd = WEEKDAYS[p.appointment_week_start]
    start = ctx.as_of - dt.timedelta(days=(ctx.as_of.weekday() - start_wd) % 7)
    end = start + dt.timedelta(days=6)
    people = [s.name for s in book.staff if s.name and not s.has_left and s.role in (None, "员工")]
    if not people:
        people = sorted({c.owner for c in book.customers if c.owner})
    done: dict[str, list[Call]] = defaultdict(list)
    for call in book.calls:
        if (
            call.call_type == "约访"
            and call.call_date
            and start <= call.call_date <= end
            and call.successful
        ):
            done[call.caller or ""].append(call)
    for name in people:
        made = sorted(done.get(name, []), key=lambda x: x.call_date)
        due = ctx.cal.on_or_before(end)
        o = Obligation(
            "",
            "P12",
            due,
            f"{name}本周（{start}至{end}）须约访至少{p.appointments_per_week}位客户",
            f"{name}: at least {p.appointments_per_week} appointment visit(s) {start}..{end}",
            None,
            name,
            start,
            f"人员!{name}",
            None,
            ("约访",),
            False,
        )
        if len(made) >= p.appointments_per_week:
            last = made[p.appointments_per_week - 1]
            o = replace(o, satisfied_on=last.call_date, satisfied_by=_ref(last))
        yield o


def compute_obligations(
    book: Book, policy: Policy, as_of: dt.date, calendar: WorkCalendar | None = None
) -> PolicyResult:
    """Every obligation the records give rise to up to ``as_of``, satisfied or open."""
    cal = calendar or WorkCalendar.from_policy(policy)
    ctx = Context(policy, cal, as_of)
    calls: dict[str, list[Call]] = defaultdict(list)
    for call in book.calls:
        if call.customer_id and call.call_date and call.call_date <= as_of:
            calls[call.customer_id].append(call)
    events: dict[str, list[Event]] = defaultdict(list)
    for ev in book.events:
        if ev.customer_id and ev.event_date and ev.event_date <= as_of:
            events[ev.customer_id].append(ev)
    out: list[Obligation] = []
    seen: set[str] = set()
    for c in book.customers:
        if not c.customer_id or c.is_void or c.do_not_call or c.customer_id in seen:
            # P10 and 停止回访: never called; a duplicate id is a V3 finding
            continue
        seen.add(c.customer_id)
        mine = sorted(
            calls.get(c.customer_id, []),
            key=lambda x: (x.call_date, x.call_time or dt.time(), _ref(x)),
        )
        evs = sorted(events.get(c.customer_id, []), key=lambda e: (e.event_date, e.event_id or ""))
        cr = CustomerRecords(c, mine, evs)
        for rule in CUSTOMER_RULES:
            out.extend(
                rule(ctx, cr)
                if rule is rule_routine
                else (_bounded(ctx, o, mine) for o in rule(ctx, cr))
            )
    out.extend(rule_appointments(ctx, book))
    _flag_typed_after_deadline(out)
    out.sort(
        key=lambda o: (o.due_date, o.customer_id, o.rule, o.source, o.satisfied_on or dt.date.min)
    )
    return PolicyResult(out, list(cal.warnings), as_of)


def _bounded(ctx: Context, o: Obligation, calls: list[Call]) -> Obligation:
    """The obligation's end: a window after which it is missed (event rules), or an escalation
    day (P2, P9: they never lapse); and, while open, a call of another type that may have done it."""
    p = ctx.policy
    if o.rule in p.lapse_workdays:
        o = replace(o, lapse_date=ctx.cal.add_working_days(o.due_date, p.lapse_workdays[o.rule]))
    elif o.rule in NEVER_LAPSE:
        o = replace(o, escalate_on=ctx.cal.add_working_days(o.due_date, p.escalate_workdays))
    if o.is_open and o.call_types and o.trigger_date:
        last = min(o.lapse_date or ctx.as_of, ctx.as_of)
        other = next(
            (
                k
                for k in calls
                if k.successful
                and k.call_date
                and o.trigger_date <= k.call_date <= last
                and k.call_type not in o.call_types
                and k.event_id in (None, o.event_id)
            ),
            None,
        )
        if other is not None:
            o = replace(o, maybe_done_on=other.call_date, maybe_done_by=_ref(other))
    return o


def _flag_typed_after_deadline(obls: list[Obligation]) -> None:
    """P11: a typed date that lands after an open hard deadline of the same customer is flagged."""
    hard_due: dict[str, dt.date] = {}
    for o in obls:
        if o.is_open and o.hard and o.customer_id:
            hard_due[o.customer_id] = min(o.due_date, hard_due.get(o.customer_id, o.due_date))
    for i, o in enumerate(obls):
        if (
            o.is_open
            and o.typed_date
            and o.customer_id in hard_due
            and o.typed_date > hard_due[o.customer_id]
        ):
            due = hard_due[o.customer_id]
            obls[i] = replace(
                o,
                flags=(*o.flags, "typed_after_deadline"),
                reason=o.reason + render("policy.after_hard_deadline", "zh", due=due),
                reason_en=o.reason_en + render("policy.after_hard_deadline", "en", due=due),
            )
