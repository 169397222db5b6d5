"""The follow-up policy (REQUIREMENTS P1–P15) as obligations that explain themselves.

Each rule is a small function that reads one customer's records and yields
obligations (customer, rule, due date, why). Satisfaction is decided once, the
same way for every rule: a later successful call that names the event, or else
is of a matching 回访类型 on or after the trigger. Plain Python over a Book.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter

from . import duties
from .calendar import WorkCalendar, add_months
from .call_duties import (
    CALL_DUTY_RULES,
    complaint_role,
    reply_only,
    role_word,
    rule_problem_reports,
    rule_visit_reports,
)
from .messages import Message, message
from .models import Book, Call, Customer, Event
from .obligations import Obligation, _Unfrozen, evolve
from .obligations import call_ref as _ref
from .obligations import customer_ref as _cust_src
from .obligations import obligation as _obligation
from .ruletable import EVENT as EVENT_TRIGGER
from .ruletable import LETTER, REPORT, RuleTable
from .settings import NEVER_LAPSE, Policy

RULE_NAMES = {
    "P1": message("rule.P1"),
    "P2": message("rule.P2"),
    "P3": message("rule.P3"),
    "P4": message("rule.P4"),
    "P5": message("rule.P5"),
    "P6": message("rule.P6"),
    "P7": message("rule.P7"),
    "P8": message("rule.P8"),
    "P9": message("rule.P9"),
    "P10": message("rule.P10"),
    "P11": message("rule.P11"),
    "P12": message("rule.P12"),
    "P13": message("rule.P13"),
    "P14": message("rule.P14"),
    "P15": message("rule.P15"),
    "P16": message("rule.P16"),
    "P16S": message("rule.P16S"),
    "P16B": message("rule.P16B"),
    "P17": message("rule.P17"),
    "P18": message("rule.P18"),
    "P19": message("rule.P19"),
    "P20": message("rule.P20"),
    "P21": message("rule.P21"),
    "P22": message("rule.P22"),
    "P23": message("rule.P23"),
    "P24": message("rule.P24"),
}
WEEKDAYS = {"monday": 0, "saturday": 5, "sunday": 6}


@dataclass
class PolicyResult:
    obligations: list[Obligation]
    warnings: list[Message]  # the calendar's
    as_of: dt.date

    def open(self) -> list[Obligation]:
        """The call list: open and still inside its window (missed items are not called)."""
        return sorted(
            (
                obligation
                for obligation in self.obligations
                if obligation.is_open and not obligation.missed(self.as_of)
            ),
            key=lambda obligation: (
                obligation.due_date,
                obligation.customer_id,
                obligation.rule,
                obligation.source,
            ),
        )

    def missed(self) -> list[Obligation]:
        """逾期未办: open past its window."""
        return sorted(
            (obligation for obligation in self.obligations if obligation.missed(self.as_of)),
            key=lambda obligation: (
                obligation.due_date,
                obligation.customer_id,
                obligation.rule,
                obligation.source,
            ),
        )

    def next_for(self, customer_id: str) -> Obligation | None:
        mine = [
            obligation
            for obligation in self.obligations
            if obligation.is_open
            and not obligation.missed(self.as_of)
            and obligation.customer_id == customer_id
        ]
        return min(
            mine, key=lambda obligation: (obligation.due_date, obligation.rule), default=None
        )


@dataclass
class Context:
    """What every rule needs: the policy, the calendar, the day, and a way to date things."""

    policy: Policy
    cal: WorkCalendar
    as_of: dt.date
    staff_roles: dict[str, str] = field(default_factory=dict)
    rules: RuleTable | None = None  # the 回访规则 table; compute_obligations always sets it
    # P19/P20 count, for each caller, from their first call whose 回访报告日期 / 上报主管日期 they
    # filled: someone who has never kept them (an old book without the columns, a history from
    # before they existed) is named in one warning, not shown every past visit as missed
    recorded_since: dict[str, dict[str, dt.date]] = field(default_factory=dict)

    @property
    def table(self) -> RuleTable:
        if self.rules is None:
            self.rules = RuleTable.for_policy(self.policy)
        return self.rules

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
    customer_id: str  # the customer's id (customers without one make no obligations)


# --- satisfaction ------------------------------------------------------------


def satisfy(
    obligation: Obligation,
    calls: list[Call],
    window_start: dt.date,
    staged: bool = False,
    others: frozenset[str] = frozenset(),
) -> Obligation:
    """The first successful call on/after ``window_start`` that names the event (and, for
    staged projects, is of the stage's type) or is of a matching type without naming another.
    ``others``: the 回访类型 of the event's other follow-ups (a deal's 成交确认 for P23): a call
    of one of those names the event but makes that other follow-up, not this one."""
    for call in calls:
        if call.call_date is None or call.call_date < window_start or not call.successful:
            continue
        named = bool(obligation.event_id) and call.event_id == obligation.event_id
        typed = call.call_type in obligation.call_types
        if named and not typed and call.call_type in others:
            continue
        if (named and (typed or not staged)) or (
            typed and (not call.event_id or call.event_id == obligation.event_id)
        ):
            return evolve(obligation, satisfied_on=call.call_date, satisfied_by=_ref(call))
    return obligation


# --- the rules -----------------------------------------------------------------


def rule_routine(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P1 (+P11): every N days by class from the last successful call; 未接通 → retry next working
    day; 改约 → the agreed date; 拒访 → pause; a typed 下次回访日期 wins over the cadence.

    The hot path of a large office (one obligation per successful call, ~460,000 on the
    550,000-row master): one pass over the customer's calls, the cadence held in locals, each
    obligation built once, the fast way (``obligations.obligation``)."""
    customer = cr.customer
    policy = ctx.policy
    klass = customer.klass or policy.default_class
    every = policy.cadence_days[klass]
    calls = cr.calls
    anchor = customer.created or (calls[0].call_date if calls else None)
    if anchor is None:
        yield Obligation(
            cr.customer_id,
            "P1",
            ctx.cal.on_or_after(ctx.as_of),
            message("reason.new_customer"),
            customer.name,
            customer.owner,
            None,
            _cust_src(customer),
            call_types=(),
            hard=False,
        )
        return
    cal = ctx.cal
    cid, name, owner = cr.customer_id, customer.name, customer.owner
    step = dt.timedelta(days=every)

    def made(
        trigger: dt.date,
        due: dt.date,
        why: Message,
        src: str,
        typed: dt.date | None,
        flags: tuple[str, ...],
        by: Call | None,
    ) -> Obligation:
        """The P1 obligation of the cadence as it stands; closed by ``by`` when given (built as
        ``obligations.obligation`` builds one, without its argument packing: the hot path)."""
        one = _Unfrozen(
            cid,
            "P1",
            cal.due_on_working_day(due, trigger) if typed is None else cal.on_or_after(due),
            why,
            name,
            owner,
            trigger,
            src,
            None,
            _ROUTINE_TYPES,
            False,
            None if by is None else by.call_date,
            None if by is None else _ref(by),
            typed,
            flags,
        )
        one.__class__ = Obligation
        return one

    # the cadence: counted from ``trigger``, next call due ``due`` for the reason ``why`` given by
    # ``src``; ``typed``: staff's 下次回访日期 when it set ``due``
    trigger, due = anchor, anchor + step
    why, src = _said("reason.routine_filed", klass, every, anchor), _cust_src(customer)
    typed: dt.date | None = None
    for call in calls:
        day = call.call_date
        if day is None or day < trigger:
            continue
        result = call.result
        if result in _SUCCESS and "result" not in call.bad:  # Call.successful
            yield made(trigger, due, why, src, typed, (), call)
            nxt = call.next_date
            src, trigger, typed = _ref(call), day, None
            if nxt and nxt > day:
                due, why, typed = nxt, _said("reason.typed_next", nxt, day), nxt
            else:
                due, why = day + step, _said("reason.routine_reached", klass, every, day)
        elif result == "未接通":
            retry = cal.add_working_days(day, policy.retry_no_answer_workdays or 1)
            if retry < due:
                due, why, src = retry, _said("reason.no_answer", day), _ref(call)
        elif result == "改约" and call.next_date:
            nxt = call.next_date
            due, why, src, typed = nxt, _said("reason.rescheduled", nxt, day), _ref(call), nxt
        elif result == "拒访":
            yield made(trigger, due, why, src, typed, ("refused",), call)
            pause = policy.refusal_pause_days
            trigger, due = day, day + dt.timedelta(days=pause)
            why, src, typed = _said("reason.refused", day, pause), _ref(call), None
    yield made(trigger, due, why, src, typed, (), None)


@functools.lru_cache(maxsize=16384)
def _shared(msg_id: str, **params) -> Message:
    """A reason every customer of a kind gives in the same words (P8, P15: a date and a number):
    equal ones one frozen Message, as ``_said`` does for the routine's."""
    return message(msg_id, **params)


# the same day N months on: asked once per customer (P8), for a few hundred distinct days
_months_after = functools.lru_cache(maxsize=16384)(add_months)

_SUCCESS = (None, "成功")  # Call.successful's results
_ROUTINE_TYPES = ("例行",)

# the routine's reasons and their parameters, in order
_ROUTINE_REASONS = {
    "reason.routine_filed": ("klass", "every", "anchor"),
    "reason.typed_next": ("next_date", "call_date"),
    "reason.routine_reached": ("klass", "every", "call_date"),
    "reason.no_answer": ("call_date",),
    "reason.rescheduled": ("next_date", "call_date"),
    "reason.refused": ("call_date", "pause"),
}


@functools.lru_cache(maxsize=16384)
def _said(msg_id: str, *values) -> Message:
    """One of the routine's reasons. A large office's routine says a few thousand distinct
    sentences (class, cadence, a day) hundreds of thousands of times: equal ones are one frozen
    Message, made once (and kept once in memory)."""
    return message(msg_id, **dict(zip(_ROUTINE_REASONS[msg_id], values, strict=True)))


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
    A closed or withdrawn event (已办结/已撤销) keeps the follow-ups already made and makes no more.
    A complaint answered by letter only (复函=是) is not called: P24 (call_duties) tracks its letter."""
    for ev in cr.events:
        if ev.event_date is None or ev.event_type not in EVENT_RULES or ev.anonymous:
            continue
        if reply_only(ev):
            continue
        for obligation in _for_event(ctx, cr, ev):
            if not (ev.is_closed and obligation.is_open):
                yield obligation


def _for_event(ctx: Context, cr: CustomerRecords, ev: Event) -> Iterator[Obligation]:
    """An event's follow-ups (a project's stages, else one), each closed by the call that made it."""
    customer = cr.customer
    d = ev.event_date
    if d is None or ev.event_type is None:  # rule_events passes only dated events of a known type
        return
    rule, types = EVENT_RULES[ev.event_type]
    owner = ev.owner or customer.owner
    role = complaint_role(ctx, ev) if rule == "P2" else None  # W4: by the complaint's grade

    def make(due_date: dt.date, reason: Message, call_types: tuple[str, ...] = types) -> Obligation:
        """The event's obligation due ``due_date``, for the reason given."""
        return Obligation(
            customer_id=cr.customer_id,
            rule=rule,
            due_date=due_date,
            reason=reason,
            customer_name=customer.name,
            owner=owner,
            trigger_date=d,
            source=ev.event_id or _cust_src(customer),
            event_id=ev.event_id,
            call_types=call_types,
            hard=True,
            caller_role=role,
        )

    if rule == "P7":
        yield from _project(ctx, ev, d, cr.calls, make)
    else:
        due, why = _event_deadline(ctx, rule, ev, d, owner)
        yield satisfy(make(due, why), cr.calls, d, others=_other_types(ctx, rule, ev.event_type))


def _other_types(ctx: Context, code: str, event_type: str) -> frozenset[str]:
    """The 回访类型 of the other 回访规则 rows an event of ``event_type`` starts (成交: P23's
    成交确认 beside P5's 成交), so a call made for one is not taken for the other."""
    own = set(ctx.table.get(code).call_types) if code in ctx.table.codes() else set()
    return frozenset(
        t
        for rule in ctx.table
        if rule.code != code and rule.trigger == EVENT_TRIGGER and rule.trigger_value == event_type
        for t in rule.call_types
        if t not in own
    )


def _event_deadline(
    ctx: Context, rule: str, ev: Event, d: dt.date, owner: str | None
) -> tuple[dt.date, Message]:
    """When the follow-up of an event on ``d`` is due, and the reason the list gives for it
    (P2–P6, P13, P14: the policy's days for each kind)."""
    policy = ctx.policy
    eid = ev.event_id or ""
    if rule == "P2":
        days = policy.complaint_days
        level = ev.complaint_level or "一般"
        role = complaint_role(ctx, ev)
        why = (
            message("reason.complaint", eid=eid, level=level, d=d, complaint_days=days)
            if role is None
            else message(
                "reason.complaint_by_role",
                eid=eid,
                level=level,
                d=d,
                complaint_days=days,
                role=role_word(role),
            )
        )
        return ctx.within(d, days), why
    if rule == "P3":
        days = policy.repair_days
        return ctx.within(d, days), message("reason.repair", eid=eid, d=d, repair_days=days)
    if rule == "P4":
        days = policy.activity_days
        return ctx.within(d, days), message("reason.event", eid=eid, d=d, activity_days=days)
    if rule == "P5":  # in the first days of the month after the deal
        first = add_months(d.replace(day=1), 1)
        days = policy.deal_first_week_days
        due = ctx.cal.due_on_working_day(first + dt.timedelta(days=days - 1), d)
        return due, message("reason.deal", d=d, first=first, deal_first_week_days=days)
    if rule == "P6":  # the Monday after the consultation
        monday = d + dt.timedelta(days=7 - d.weekday())
        return ctx.cal.due_on_working_day(monday, d), message(
            "reason.consultation", d=d, monday=monday
        )
    if rule == "P13":  # a proposal: sooner the higher it went
        days = {"副总审批": policy.proposal_vp_days, "重大": policy.proposal_major_days}.get(
            ev.proposal_level or "", policy.proposal_days
        )
        return ctx.within(d, days), message("reason.proposal", eid=eid, d=d, days=days)
    # P14: a business trip is verified the next working day(s)
    due = ctx.cal.add_working_days(d, policy.trip_verify_workdays or 1)
    return due, message("reason.trip", owner=owner or "", d=d)


def event_first_due(ctx: Context, ev: Event, klass: str | None = None) -> dt.date | None:
    """The due date of an event's first follow-up (a project's 开工 stage), as rule_events
    dates it; None for an event that makes none (no date, unknown type, anonymous: P10, a
    complaint answered by letter only, a rule the 回访规则 table turns off). An office's own
    事项类型 (安装) is dated by its first 回访规则 row for the customer's class ``klass``.
    The staff book's formula column says the same (followup_xl/formulas.py)."""
    return event_first(ctx, ev, klass)[0]


def event_first(ctx: Context, ev: Event, klass: str | None = None) -> tuple[dt.date | None, str]:
    """(event_first_due, the code of the rule that dates it: "" when none does)."""
    from .custom_rules import due_after, first_event_rule

    d = ev.event_date
    if ev.event_type in duties.EVENT_DUTIES:  # 入伙, 突发事件 (P17, P18)
        return duties.event_due(ctx, ev), duties.EVENT_DUTIES[ev.event_type][0]
    if d is None or ev.anonymous or reply_only(ev):
        return None, ""
    if ev.event_type not in EVENT_RULES:
        row = first_event_rule(ctx, ev, klass or ctx.policy.default_class)
        return (due_after(ctx, row, d), row.code) if row else (None, "")
    rule = EVENT_RULES[ev.event_type][0]
    if not ctx.table.enabled(rule):
        return None, ""
    if rule == "P7":
        start = d + dt.timedelta(days=ctx.policy.project_start_days)
        return ctx.cal.due_on_working_day(start, d), rule
    return _event_deadline(ctx, rule, ev, d, ev.owner)[0], rule


def _project(
    ctx: Context,
    ev: Event,
    d: dt.date,
    calls: list[Call],
    make: Callable[..., Obligation],
) -> Iterator[Obligation]:
    """P7: ~10 days after start, at mid-project, at planned completion; again at a late real
    completion. ``d`` is the project's start, ``make`` builds its obligations."""
    eid = ev.event_id or ""
    days = ctx.policy.project_start_days
    stages = [
        (
            "工程开工",
            d + dt.timedelta(days=days),
            message("reason.project_start", eid=eid, d=d, days=days),
        )
    ]
    if ev.planned_end and ev.planned_end > d:
        end = ev.planned_end
        mid = d + (end - d) / 2
        stages.append(("工程中期", mid, message("reason.project_mid", eid=eid, d=d, end=end)))
        stages.append(("工程竣工", end, message("reason.project_end", eid=eid, end=end)))
        if ev.actual_end and ev.actual_end > end:
            late = ev.actual_end
            stages.append(("工程竣工", late, message("reason.project_late", eid=eid, end=late)))
    used: set[str] = set()
    for call_type, due, why in stages:
        obligation = make(ctx.cal.due_on_working_day(due, d), why, call_types=(call_type,))
        window = (
            d if call_type != "工程竣工" else min(due, ev.planned_end or due) - dt.timedelta(days=7)
        )
        later = [call for call in calls if _ref(call) not in used]
        obligation = satisfy(obligation, later, window, staged=True)
        if obligation.satisfied_by:
            used.add(obligation.satisfied_by)
        yield obligation


def rule_dormant(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P8: no deal for N months → a follow-up call (any successful call after that day)."""
    customer = cr.customer
    deals = [
        event.event_date for event in cr.events if event.event_type == "成交" and event.event_date
    ]
    dealt = max([d for d in (customer.last_deal, *deals) if d], default=None)
    last = dealt or customer.created  # the reason names the date it used (建档日期 without a deal)
    if last is None:
        return
    n = ctx.policy.no_deal_months
    due_raw = _months_after(last, n)
    if due_raw > ctx.as_of + dt.timedelta(days=31):
        return  # not yet relevant: keeps the list to what the next month needs
    reached = next(
        (
            call
            for call in cr.calls
            if call.call_date and call.call_date >= due_raw and call.successful
        ),
        None,
    )
    yield _obligation(  # built once, closed or not (the office's 50,000 customers each have one)
        cr.customer_id,
        "P8",
        ctx.cal.due_on_working_day(due_raw, last),
        _shared("reason.no_deal" if dealt else "reason.no_deal_since_filed", last=last, n=n),
        customer.name,
        customer.owner,
        last,
        _cust_src(customer),
        None,
        _DORMANT_TYPES,
        False,
        reached.call_date if reached else None,
        _ref(reached) if reached else None,
    )


_DORMANT_TYPES = ("例行", "无成交回访")


def rule_open_issues(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P9: an issue left 未解决 → call again within N working days, until resolved."""
    customer = cr.customer
    n = ctx.policy.unresolved_issue_workdays
    for i, call in enumerate(cr.calls):
        if call.issue_status != "未解决" or call.call_date is None:
            continue
        due = ctx.cal.add_working_days(call.call_date, n)
        what = call.issue or message("reason.unnamed_issue")
        obligation = Obligation(
            cr.customer_id,
            "P9",
            due,
            message("reason.open_issue", call_date=call.call_date, what=what, n=n),
            customer.name,
            customer.owner,
            call.call_date,
            _ref(call),
            call.event_id,
            (),
            True,
        )
        nxt = next(
            (
                later
                for later in cr.calls[i + 1 :]
                if later.call_date
                and later.call_date >= call.call_date
                and later.successful
                and later is not call
            ),
            None,
        )
        if nxt:
            obligation = evolve(obligation, satisfied_on=nxt.call_date, satisfied_by=_ref(nxt))
        yield obligation


def rule_verification(ctx: Context, cr: CustomerRecords) -> Iterator[Obligation]:
    """P15: a record not verified within the policy's period is due for verification."""
    customer = cr.customer
    period = ctx.policy.verification_period_days
    last = customer.verified_on or customer.created
    if last is None:
        due, why = ctx.cal.on_or_after(ctx.as_of), _shared("reason.never_verified", period=period)
    else:
        due = ctx.cal.due_on_working_day(last + dt.timedelta(days=period), last)
        why = _shared("reason.verification", last=last, period=period)
    if due > ctx.as_of + dt.timedelta(days=31):
        return
    yield Obligation(
        cr.customer_id,
        "P15",
        due,
        why,
        customer.name,
        customer.verified_by or customer.owner,
        last,
        _cust_src(customer),
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
    *CALL_DUTY_RULES,  # P19, P20, P24: reports and letters that follow a call or a complaint
]
CUSTOMER_RULES += duties.RULES  # P16–P18, P21–P23 (the seed duties: followup_xl/duties.py)


def rule_appointments(ctx: Context, book: Book) -> Iterator[Obligation]:
    """P12: each salesperson at least N 约访 a week (Saturday–Friday by default)."""
    policy = ctx.policy
    if policy.appointments_per_week <= 0:
        return
    start_wd = WEEKDAYS[policy.appointment_week_start]
    start = ctx.as_of - dt.timedelta(days=(ctx.as_of.weekday() - start_wd) % 7)
    end = start + dt.timedelta(days=6)
    people = [
        person.name
        for person in book.staff
        if person.name and not person.has_left and person.role in (None, "员工")
    ]
    if not people:
        people = sorted({customer.owner for customer in book.customers if customer.owner})
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
        made = sorted(
            done.get(name, []), key=lambda call: call.call_date or dt.date.min
        )  # all dated (filtered above)
        due = ctx.cal.on_or_before(end)
        obligation = Obligation(
            "",
            "P12",
            due,
            message(
                "reason.appointments",
                name=name,
                start=start,
                end=end,
                n=policy.appointments_per_week,
            ),
            None,
            name,
            start,
            f"人员!{name}",
            None,
            ("约访",),
            False,
        )
        if len(made) >= policy.appointments_per_week:
            last = made[policy.appointments_per_week - 1]
            obligation = evolve(obligation, satisfied_on=last.call_date, satisfied_by=_ref(last))
        yield obligation


# each customer rule function of P1–P15 and the codes it makes (a disabled code makes nothing)
RULE_CODES_OF: dict[Callable, tuple[str, ...]] = {
    rule_routine: ("P1",),
    rule_events: tuple(dict.fromkeys(rule for rule, _types in EVENT_RULES.values())),
    rule_dormant: ("P8",),
    rule_open_issues: ("P9",),
    rule_verification: ("P15",),
}


def compute_obligations(
    book: Book, policy: Policy, as_of: dt.date, calendar: WorkCalendar | None = None
) -> PolicyResult:
    """Every obligation the records give rise to up to ``as_of``, satisfied or open. The
    policy's 回访规则 table decides which rules run (启用) and adds the office's own rules."""
    from .custom_rules import custom_obligations

    cal = calendar or WorkCalendar.from_policy(policy)
    table = RuleTable.for_policy(policy)
    ctx = Context(policy, cal, as_of, rules=table)
    active = [
        rule
        for rule in CUSTOMER_RULES
        if any(table.enabled(code) for code in RULE_CODES_OF.get(rule, ("",)))
        or rule not in RULE_CODES_OF
    ]
    off = {code for code in RULE_CODES if code in table.codes() and not table.enabled(code)}
    tuned = _tuned(table, policy)
    custom = bool(table.custom())
    calls: dict[str, list[Call]] = defaultdict(list)
    since: dict[str, dict[str, dt.date]] = {"P19": {}, "P20": {}}
    triggered: dict[str, set[str]] = {"P19": set(), "P20": set()}  # callers with visits / problems
    since_visit, since_issue = since["P19"], since["P20"]
    visitors, raisers = triggered["P19"], triggered["P20"]
    midnight = dt.time()  # a call without a time is taken as made at the day's start
    unresolved: set[str] = set()  # customers with a call whose issue is left 未解决 (P9)
    for call in book.calls:
        cid, day = call.customer_id, call.call_date
        if cid and day and day <= as_of:
            calls[cid].append(call)
            # _note_recording, inline (it ran once per call): who has visits / problems raised,
            # and from which call on each keeps the P19/P20 date
            who = call.caller or ""
            if call.method == VISIT_METHOD:
                visitors.add(who)
            if call.report_date and (who not in since_visit or day < since_visit[who]):
                since_visit[who] = day
            if (call.issue or "").strip():
                raisers.add(who)
            if call.escalated_on and (who not in since_issue or day < since_issue[who]):
                since_issue[who] = day
            if call.issue_status == "未解决":
                unresolved.add(cid)
    ctx.recorded_since = since
    # P19/P20 make items only from a caller's first recorded date on: with none recorded by
    # anyone, they would look at every call and make nothing
    active = [
        rule
        for rule in active
        if not (
            (rule is rule_visit_reports and not since_visit)
            or (rule is rule_problem_reports and not since_issue)
        )
    ]
    # P9 looks only at calls left 未解决: a customer with none is not walked through
    quiet = [rule for rule in active if rule is not rule_open_issues]
    events: dict[str, list[Event]] = defaultdict(list)
    for ev in book.events:
        if ev.customer_id and ev.event_date and ev.event_date <= as_of:
            events[ev.customer_id].append(ev)
    out: list[Obligation] = []
    append = out.append
    seen: set[str] = set()
    for customer in book.customers:
        if (
            not customer.customer_id
            or customer.is_void
            or customer.do_not_call
            or customer.customer_id in seen
        ):
            # P10 and 停止回访: never called; a duplicate id is a V3 finding
            continue
        seen.add(customer.customer_id)
        mine = calls.pop(customer.customer_id, None) or []
        if len(mine) > 1:
            _in_call_order(mine, midnight)
        evs = sorted(
            events.get(customer.customer_id, []),
            key=lambda event: (event.event_date, event.event_id or ""),
        )
        cr = CustomerRecords(customer, mine, evs, customer.customer_id)
        start = len(out)
        for rule in active if customer.customer_id in unresolved else quiet:
            if rule is rule_routine:
                out.extend(rule(ctx, cr))
            else:
                for obligation in rule(ctx, cr):
                    append(_bounded(ctx, obligation, mine))
        if off or tuned:
            out[start:] = _as_tuned(table, customer, out[start:], off, tuned, ctx)
        if custom:
            out.extend(custom_obligations(ctx, cr))
    if table.enabled("P12"):
        out.extend(rule_appointments(ctx, book))
    if table.enabled("P11"):
        _flag_typed_after_deadline(out, as_of)
    out.sort(
        key=lambda obligation: (
            obligation.due_date,
            obligation.customer_id,
            obligation.rule,
            obligation.source,
            obligation.satisfied_on or dt.date.min,
        )
    )
    return PolicyResult(out, list(cal.warnings) + _never_recorded(ctx, triggered), as_of)


VISIT_METHOD = "上门"
_CALL_DATE = attrgetter("call_date")


def _in_call_order(calls: list[Call], midnight: dt.time) -> None:
    """Sort one customer's (dated) calls by (date, time, ref) in place, stably, as
    ``sorted(calls, key=lambda c: (c.call_date, c.call_time or midnight, _ref(c)))`` would.

    By date alone first (the key read in C); only a customer with two calls on one day (a few
    in a hundred) needs the whole key, and sorting the date-sorted list by it gives what sorting
    the book's order would: calls with equal whole keys have equal dates, and the first sort
    kept their order."""
    calls.sort(key=_CALL_DATE)
    dates = list(map(_CALL_DATE, calls))
    if len(set(dates)) < len(dates):
        calls.sort(key=lambda call: (call.call_date, call.call_time or midnight, _ref(call)))


def _note_recording(
    call: Call, since: dict[str, dict[str, dt.date]], triggered: dict[str, set[str]]
) -> None:
    """Who has visits / problems raised, and from which call on each keeps the P19/P20 date."""
    who, day = call.caller or "", call.call_date
    if day is None:
        return
    for code, needs, kept in (
        ("P19", call.method == VISIT_METHOD, call.report_date),
        ("P20", bool((call.issue or "").strip()), call.escalated_on),
    ):
        if needs:
            triggered[code].add(who)
        if kept and (who not in since[code] or day < since[code][who]):
            since[code][who] = day


def _never_recorded(ctx: Context, triggered: dict[str, set[str]]) -> list[Message]:
    """For each of P19/P20, the callers who have visits / problems raised but have never filled its
    date: none of their items were made, and the manager must hear whose and why."""
    said = []
    for code, msg_id in (
        ("P19", "policy.never_recorded_P19"),
        ("P20", "policy.never_recorded_P20"),
    ):
        names = sorted(triggered[code] - set(ctx.recorded_since.get(code, {})))
        if names and ctx.table.enabled(code):
            said.append(message(msg_id, names=names))
    return said


RULE_CODES = tuple(f"P{i}" for i in range(1, 16))  # gated here; P16–P24 gate themselves


def _tuned(table: RuleTable, policy: Policy) -> set[str]:
    """P1–P15 whose 回访人, 方式, 硬期限 or 客户类别 the office changed in 回访规则."""
    from .ruletable import default_rules

    defaults = {rule.code: rule for rule in default_rules(policy)}
    return {
        code
        for code in RULE_CODES
        if code in table.codes()
        and any(
            getattr(table.get(code), key) != getattr(defaults[code], key)
            for key in ("caller", "method", "hard", "classes")
        )
    }


def _as_tuned(
    table: RuleTable,
    customer: Customer,
    obligations: list[Obligation],
    off: set[str],
    tuned: set[str],
    ctx: Context,
) -> list[Obligation]:
    """One customer's P1–P15 obligations as the 回访规则 rows say: none of a disabled rule nor of
    a rule whose 客户类别 leaves the customer out; its 回访人 (a role), 方式 and 硬期限."""
    from .custom_rules import ROLE_CALLERS
    from .ruletable import PHONE

    klass = customer.klass or ctx.policy.default_class
    out = []
    for obligation in obligations:
        code = obligation.rule
        if code in off:
            continue
        if code in tuned:
            rule = table.get(code)
            if rule.classes and klass not in rule.classes:
                continue
            obligation = evolve(
                obligation,
                hard=rule.hard,
                caller_role=obligation.caller_role
                or (rule.caller if rule.caller in ROLE_CALLERS else None),
                method=obligation.method or (None if rule.method == PHONE else rule.method),
            )
        out.append(obligation)
    return out


def _bounded(ctx: Context, obligation: Obligation, calls: list[Call]) -> Obligation:
    """The obligation's end: a window after which it is missed (event rules), or an escalation
    day (P2, P9: they never lapse); and, while open, a call of another type that may have done it."""
    policy = ctx.policy
    if obligation.rule in policy.lapse_workdays:
        obligation = evolve(
            obligation,
            lapse_date=ctx.cal.add_working_days(
                obligation.due_date, policy.lapse_workdays[obligation.rule]
            ),
        )
    elif obligation.rule in NEVER_LAPSE:
        obligation = evolve(
            obligation,
            escalate_on=ctx.cal.add_working_days(obligation.due_date, policy.escalate_workdays),
        )
    if obligation.is_open and obligation.call_types and obligation.trigger_date:
        last = min(obligation.lapse_date or ctx.as_of, ctx.as_of)
        other = next(
            (
                call
                for call in calls
                if call.successful
                and call.call_date
                and obligation.trigger_date <= call.call_date <= last
                and call.call_type not in obligation.call_types
                and call.event_id in (None, obligation.event_id)
            ),
            None,
        )
        if other is not None:
            obligation = evolve(
                obligation, maybe_done_on=other.call_date, maybe_done_by=_ref(other)
            )
    return obligation


DUTY_METHODS = (REPORT, LETTER)  # P19/P20/P24: duties, not calls


def _flag_typed_after_deadline(obls: list[Obligation], as_of: dt.date) -> None:
    """P11: a typed date that lands after an open hard deadline of the same customer is flagged
    (one still worth a call: a deadline past its window is missed, and moving a call cannot save it)."""
    hard_due: dict[str, dt.date] = {}
    for obligation in obls:
        if (
            obligation.hard  # first: most obligations are not (the routine's never are)
            and obligation.is_open
            and not obligation.missed(as_of)
            and obligation.customer_id
            and obligation.method not in DUTY_METHODS  # a report or a letter is not a call
        ):
            hard_due[obligation.customer_id] = min(
                obligation.due_date, hard_due.get(obligation.customer_id, obligation.due_date)
            )
    if not hard_due:
        return  # nothing to land after
    for i, obligation in enumerate(obls):
        if (
            obligation.is_open
            and obligation.typed_date
            and obligation.customer_id in hard_due
            and obligation.typed_date > hard_due[obligation.customer_id]
        ):
            due = hard_due[obligation.customer_id]
            obls[i] = evolve(
                obligation,
                flags=(*obligation.flags, "typed_after_deadline"),
                reason=message("policy.after_hard_deadline", reason=obligation.reason, due=due),
            )
