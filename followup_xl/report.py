"""The monthly report (客户回访月报, REQUIREMENTS M1): pure arithmetic over plain records.

Definitions (the report's 说明 sheet repeats them; the reconciliation test recomputes them):
* planned 应回访 — follow-ups of one customer (every rule but P12, a person's weekly visits, and
  P15, record checks) still open on the 1st that fall due by the month's end (due in the month,
  or carried in overdue), plus those satisfied in the month ahead of a later due date: work done
  early counts in the month it was done, so every satisfied follow-up is counted exactly once.
* done 实施 — planned and worked on in the month: satisfied by a call in the month, or attempted:
  a call to that customer in the month, on or after the item's trigger, that would have satisfied
  it had it got through (未接通 / 改约 / 拒访 of a matching 回访类型, or naming the event).
* missed 逾期未办 — planned items whose window (规则: 回访有效期工作日) ended in the month with no
  satisfying call by the month's end: planned and not done; not carried into later months.
* successful 成功 — satisfied in the month by a call whose 结果 is 成功 (or blank). A 拒访 ends
  the routine cadence (the engine flags that item "refused"), so it is done but not successful.
* planned/done/successful are counted per item's owner (客户负责人, the event's for events);
  calls and satisfaction per 回访人.
* the rules counted as calls (``CALL_RULES``): P1–P9, P13, P14 and the new call rules P16 (festival
  visits), P17 (入伙), P18 (突发事件), P21 (warranty spot checks), P22 (反馈表), P23 (24 小时). Not
  calls, so not in planned/done: P10/P11 (they make nothing of their own), P12 (a person's weekly
  visits), P15 (record checks), P16S/P16B (SMS greetings), P19/P20 (reports), P24 (reply letters).
* coverage P2–P4 — complaints closed / repairs done / activities held in the month that make a
  follow-up (not anonymous, not withdrawn, not closed without a call — V17 asks for its 办结说明 —,
  not answered by letter only — 复函=是, P24 —, customer neither void nor 停止回访), and how many
  of them were followed up by the month's end.
* coverage per rule (``coverage_by_rule``) — every rule of the 回访规则 table with a target
  (``RuleTable.targets()``): for a rule that makes one follow-up per event (P2–P4, an office's
  事项 rules) as above, the events of the month followed up by its end (P2–P4 are the rows of
  ``coverage``); for every other rule (P7's stages, cadence, dates, calls) its follow-ups due in the
  month, and how many were satisfied by the month's end. Met: the rate reaches the target.
* 回访处理率 (M3, 001 §1.11, target 100 %) — issues raised: the month's calls with 客户反映问题
  filled, except a call repeating the words of an issue of the same customer not yet settled (a
  follow-up of that issue, not a new one); settled by the month's end: that call's 问题状态 is
  已解决, or a later call of the same customer up to the month's end says 已解决 with the same
  words — or with none, which settles every open issue of that customer. A P9 follow-up call
  alone does not settle an issue (it may say 未解决 again); a call without 问题状态 leaves it
  open. Per person: the customer's 负责人; the unsettled ones are listed (customer, date, issue,
  status, caller, owner).
* overdue at month end — planned kinds of follow-up still open on the last day, due before it, and
  still inside their window (not missed).
* percentages to 0.1 and averages to 0.01, the exact ratio rounded half to even (rollup's SQL
  computes the same figures: followup_xl/data/sql/rollup_month.sql).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from .calendar import WorkCalendar
from .errors import BadMonth
from .messages import Message, message
from .models import Book, Call, Customer, Event, Staff
from .obligations import Obligation
from .policy import RULE_NAMES, PolicyResult, compute_obligations
from .ruletable import EVENT, RuleTable
from .settings import Policy

# The rules whose follow-ups are calls (or visits) counted in planned/done — see the docstring.
CALL_RULES = frozenset(
    {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P13", "P14"}
    | {"P16", "P17", "P18", "P21", "P22", "P23"}  # seed duties that are calls or visits
)
STAGED_RULES = frozenset({"P7"})  # several follow-ups per event: coverage counts them by due date
PROCESSING_TARGET_PCT = 100  # 001 §1.11 回访处理率达100%
ISSUE_SOLVED = "已解决"
ANY_CALL_RULES = frozenset({"P1", "P8", "P9"})  # closed by any successful call, whatever its type
COVERAGE = (
    ("P2", "投诉", "complaint_coverage_pct"),
    ("P3", "维修", "repair_coverage_pct"),
    ("P4", "活动", "activity_coverage_pct"),
)
# groups of rows without a name: bilingual, so each edge (workbook, JSON) shows its language
NO_OWNER = message("report.no_owner")
NO_PARTY = message("report.no_party")
NO_CALL_TYPE = message("report.no_call_type")
TOP_N = 10
LIST_N = 30


def group_order(name: str | Message) -> str:
    """Sort key of a group: a placeholder sorts where its Chinese label always did."""
    return name.render("zh") if isinstance(name, Message) else name


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``; a sentence, not a traceback, for anything else."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", month or "")
    if not m or not 1 <= int(m[2]) <= 12 or int(m[1]) < 1900:
        raise BadMonth("option.bad_month_value", month=month)
    y, mo = int(m[1]), int(m[2])
    return dt.date(y, mo, 1), dt.date(y, mo, _cal.monthrange(y, mo)[1])


def shift_month(month: str, delta: int) -> str:
    y, m = (int(x) for x in month.split("-"))
    y, m = divmod(y * 12 + m - 1 + delta, 12)
    return f"{y:04d}-{m + 1:02d}"


def pct(a: int, b: int) -> float | None:
    """a/b in %, to 0.1, rounding the exact ratio half to even — integer arithmetic that any SQL
    engine reproduces (rollup's SQL does), unlike rounding a float that is already off by a hair."""
    return float(round(Fraction(100 * a, b), 1)) if b else None


def avg(xs: list[int]) -> float | None:
    """The mean to 0.01, rounded like ``pct``."""
    return float(round(Fraction(sum(xs), len(xs)), 2)) if xs else None


@dataclass(frozen=True)
class Item:
    """One planned follow-up of the month and what became of it."""

    obligation: Obligation
    done: bool
    successful: bool
    missed: bool = False  # its window ended in the month with no call: planned and not done


def _ref(call: Call) -> str:
    """The same reference the policy engine puts in ``source``/``satisfied_by``."""
    if call.record_id:
        return call.record_id
    return f"{call.src.sheet}!{call.src.row}" if call.src else ""


def _could_satisfy(obligation: Obligation, call: Call) -> bool:
    if obligation.rule in ANY_CALL_RULES:
        return True
    if obligation.event_id and call.event_id == obligation.event_id:
        return True
    return (
        call.call_type in obligation.call_types and not call.event_id
    )  # a typed call naming another event is not it


def month_items(
    obligations: Iterable[Obligation], calls: Iterable[Call], start: dt.date, end: dt.date
) -> list[Item]:
    """The month's planned follow-ups with their done / successful flags (definitions above)."""
    obligations = list(obligations)
    month_calls: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.customer_id and call.call_date and start <= call.call_date <= end:
            month_calls[call.customer_id].append(call)
    items = []
    for obligation in obligations:
        if obligation.rule not in CALL_RULES or not obligation.customer_id:
            continue
        sat = obligation.satisfied_on
        in_month = sat is not None and start <= sat <= end
        gone = (
            obligation.lapse_date + dt.timedelta(days=1) if obligation.lapse_date else None
        )  # the first day it is missed
        lapsed_before = gone is not None and gone < start
        if not (
            in_month
            or (obligation.due_date <= end and (sat is None or sat >= start) and not lapsed_before)
        ):
            continue
        ok = (
            in_month and "refused" not in obligation.flags
        )  # the engine closes the cadence on a 拒访 too
        missed = gone is not None and start <= gone <= end and (sat is None or sat > end)
        since = max(start, obligation.trigger_date or start)
        tried = in_month or (
            not missed
            and any(
                call.call_date is not None  # month_calls holds dated calls only
                and call.call_date >= since
                and _ref(call) != obligation.source
                and _could_satisfy(obligation, call)
                for call in month_calls.get(obligation.customer_id, ())
            )
        )
        items.append(Item(obligation, tried, ok, missed))
    return items


def overdue_at(obligations: Iterable[Obligation], end: dt.date) -> int:
    """Follow-ups (the planned kinds) still open at the month's last day, due before it and not yet
    missed (an item past its window is 逾期未办, no longer overdue)."""
    return sum(
        1
        for obligation in obligations
        if obligation.rule in CALL_RULES
        and obligation.customer_id
        and obligation.is_open
        and obligation.due_date < end
        and not obligation.missed(end)
    )


def headline(items: list[Item], calls: list[Call]) -> dict:
    """The figures every comparison uses: ``calls`` are the month's calls."""
    planned = len(items)
    done = sum(i.done for i in items)
    ok = sum(i.successful for i in items)
    sats = [call.satisfaction for call in calls if call.satisfaction]
    return {
        "planned": planned,
        "done": done,
        "done_pct": pct(done, planned),
        "successful": ok,
        "successful_pct": pct(ok, planned),
        "missed": sum(i.missed for i in items),
        "calls": len(calls),
        "successful_calls": sum(1 for call in calls if call.successful),
        "satisfaction_avg": avg(sats),
    }


def _calls_in(calls: list[Call], start: dt.date, end: dt.date) -> list[Call]:
    return [call for call in calls if call.call_date and start <= call.call_date <= end]


def _people(
    staff: list[Staff], customers: list[Customer], start: dt.date, end: dt.date
) -> list[str]:
    """Staff (员工) employed some time in the month; the customers' owners when there is no 人员 sheet."""
    names = {
        person.name
        for person in staff
        if person.name
        and person.role in (None, "员工")
        and not (person.joined and person.joined > end)
        and not (person.left and person.left < start)
        and not (person.has_left and not person.left)
    }
    return sorted(names or {customer.owner for customer in customers if customer.owner})


def _open_issues(calls: list[Call], end: dt.date, customers: dict[str, Customer]) -> list[dict]:
    """Customers whose latest call with a 问题状态 up to ``end`` still says 未解决."""
    latest: dict[str, tuple[dt.date, Call]] = {}
    for cid, day, call in sorted(
        (
            (call.customer_id, call.call_date, call)
            for call in calls
            if call.customer_id and call.call_date and call.call_date <= end and call.issue_status
        ),
        key=lambda item: (item[1], item[2].call_time or dt.time()),
    ):
        latest[cid] = (day, call)
    out = [
        {
            "customer_id": cid,
            "customer_name": customers[cid].name if cid in customers else None,
            "owner": customers[cid].owner if cid in customers else None,
            "issue": call.issue,
            "since": day,
            "days_open": (end - day).days,
        }
        for cid, (day, call) in latest.items()
        if call.issue_status == "未解决"
    ]
    return sorted(out, key=lambda item: (item["since"], item["customer_id"]))


def report_from(
    month: str,
    obligations_for: Callable[[str], list[Obligation]],
    customers: list[Customer],
    calls: list[Call],
    events: list[Event],
    staff: list[Staff],
    policy: Policy,
    mask: Callable[[str | None], str | None] | None = None,
) -> dict:
    """Every number of ``month``, JSON-able. ``obligations_for(m)`` gives the obligations computed
    as of month ``m``'s last day (the comparisons and the trend need other months)."""
    start, end = month_bounds(month)
    by_id = {customer.customer_id: customer for customer in customers if customer.customer_id}
    obligations = obligations_for(month)
    items = month_items(obligations, calls, start, end)
    mc = _calls_in(calls, start, end)
    out: dict = {
        "month": month,
        "start": start,
        "end": end,
        **headline(items, mc),
    }
    out["satisfaction_distribution"] = {
        str(i): sum(1 for call in mc if call.satisfaction == i) for i in range(1, 6)
    }
    out["satisfaction_count"] = sum(out["satisfaction_distribution"].values())
    out["by_owner"] = _by_owner(items, mc)
    out["by_type"] = _by_rule(items)
    out["satisfaction_by_type"] = _satisfaction_by_type(mc)
    out["lowest_scored"] = _lowest_scored(mc, by_id, mask or (lambda phone: phone))
    issues = Counter(call.issue for call in mc if call.issue)
    out["top_issues"] = [
        {"issue": i, "count": n}
        for i, n in sorted(issues.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    ]
    out["overdue_at_month_end"] = overdue_at(obligations, end)
    open_issues = _open_issues(calls, end, by_id)
    out["open_issues_at_month_end"] = len(open_issues)
    out["open_issues"] = open_issues[:LIST_N]
    by_rule = coverage_by_rule(obligations, start, end, RuleTable.for_policy(policy))
    out["coverage"] = _coverage(by_rule, policy)
    out["coverage_by_rule"] = by_rule
    out["processing"] = processing_rate(calls, start, end, by_id)
    consult = Counter(call.caller for call in mc if call.call_type == "咨询" and call.caller)
    target = policy.consultation_monthly_target
    out["consultation"] = [
        {
            "owner": n,
            "followups": consult.get(n, 0),
            "target": target,
            "met": consult.get(n, 0) >= target,
        }
        for n in _people(staff, customers, start, end)
    ]
    out["complaints_by_party"] = _complaints_by_party(events, start, end)

    def other(m: str) -> dict:
        s, e = month_bounds(m)
        oc = _calls_in(calls, s, e)
        if not oc:
            return {"month": m, "data": False}
        return {
            "month": m,
            "data": True,
            **headline(month_items(obligations_for(m), calls, s, e), oc),
        }

    out["comparison"] = {
        "previous_month": other(shift_month(month, -1)),
        "same_month_last_year": other(shift_month(month, -12)),
    }
    out["trend"] = [other(shift_month(month, -i)) for i in range(11, 0, -1)] + [
        {"month": month, "data": bool(mc), **headline(items, mc)}
    ]
    return out


def _by_owner(items: list[Item], mc: list[Call]) -> list[dict]:
    """The headline per person: the items on their list, the calls they made."""
    per_owner: dict[str | Message, list[Item]] = defaultdict(list)
    for i in items:
        per_owner[i.obligation.owner or NO_OWNER].append(i)
    per_caller: dict[str | Message, list[Call]] = defaultdict(list)
    for call in mc:
        per_caller[call.caller or NO_OWNER].append(call)
    return [
        {"owner": n, **headline(per_owner.get(n, []), per_caller.get(n, []))}
        for n in sorted(set(per_owner) | set(per_caller), key=group_order)
    ]


def _by_rule(items: list[Item]) -> list[dict]:
    """Planned, done and missed per rule, in rule order."""
    per_rule: dict[str, list[Item]] = defaultdict(list)
    for i in items:
        per_rule[i.obligation.rule].append(i)
    shown = ("planned", "done", "done_pct", "successful", "successful_pct", "missed")
    return [
        {
            "rule": r,
            "name": RULE_NAMES[r].render("zh"),  # the JSON and the sheet keep both languages
            "name_en": RULE_NAMES[r].render("en"),
            **{k: v for k, v in headline(per_rule[r], []).items() if k in shown},
        }
        for r in sorted(per_rule, key=rule_order)
    ]


def _satisfaction_by_type(mc: list[Call]) -> list[dict]:
    """The average score per call type, lowest first."""
    per_type: dict[str | Message, list[int]] = defaultdict(list)
    for call in mc:
        if call.satisfaction:
            per_type[call.call_type or NO_CALL_TYPE].append(call.satisfaction)
    return [
        {"call_type": t, "average": avg(v), "count": len(v)}
        for t, v in sorted(per_type.items(), key=lambda kv: (avg(kv[1]), group_order(kv[0])))
    ]


def _lowest_scored(
    mc: list[Call], by_id: dict[str, Customer], hide: Callable[[str | None], str | None]
) -> list[dict]:
    """The calls scored 1 or 2, worst first: the customers to call back."""
    lowest = sorted(
        (call for call in mc if call.satisfaction and call.satisfaction <= 2),
        key=lambda call: (call.satisfaction, call.call_date, call.customer_id or ""),
    )
    return [
        {
            "customer_id": call.customer_id,
            "customer_name": by_id[call.customer_id].name if call.customer_id in by_id else None,
            "phone": hide(by_id[call.customer_id].phone) if call.customer_id in by_id else None,
            "date": call.call_date,  # mc: dated calls
            "call_type": call.call_type,
            "satisfaction": call.satisfaction,
            "caller": call.caller,
            "issue": call.issue,
        }
        for call in lowest[:LIST_N]
    ]


def _coverage(by_rule: list[dict], policy: Policy) -> list[dict]:
    """Of the month's complaints, repairs and activities, the share followed up by month end,
    against the policy's target: P2–P4's rows of ``coverage_by_rule`` under the names the
    report has always used (a rule without a row there made no follow-ups)."""
    rows = {row["rule"]: row for row in by_rule}
    out = []
    for rule, etype, field_name in COVERAGE:
        row = rows.get(rule, {"planned": 0, "done": 0, "actual_pct": None})
        actual, target = row["actual_pct"], getattr(policy, field_name)
        out.append(
            {
                "rule": rule,
                "event_type": etype,
                "events": row["planned"],
                "followed_up": row["done"],
                "target_pct": target,
                "actual_pct": actual,
                "met": None if actual is None else actual >= target,
            }
        )
    return out


def rule_order(code: str) -> tuple[int, str]:
    """P2 < P9 < P16 < P16S < P17; an office's own codes (X1, 安装) after the numbered ones."""
    m = re.fullmatch(r"P(\d+)(\D*)", code)
    return (int(m[1]), m[2]) if m else (10_000, code)


def coverage_by_rule(
    obligations: list[Obligation], start: dt.date, end: dt.date, table: RuleTable
) -> list[dict]:
    """Every rule of the table with a coverage target: planned in the month, done by its end, %,
    target, met. A rule with one follow-up per event counts the month's events (P2–P4, as
    ``coverage``); any other counts its follow-ups due in the month (the module docstring)."""
    out = []
    for code, target in sorted(table.targets().items(), key=lambda kv: rule_order(kv[0])):
        rule = table.get(code)
        by_trigger = rule.trigger == EVENT and code not in STAGED_RULES
        mine = [
            obligation
            for obligation in obligations
            if obligation.rule == code
            and (
                (obligation.trigger_date is not None and start <= obligation.trigger_date <= end)
                if by_trigger
                else start <= obligation.due_date <= end
            )
        ]
        done = sum(
            1 for obligation in mine if obligation.satisfied_on and obligation.satisfied_on <= end
        )
        actual = pct(done, len(mine))
        out.append(
            {
                "rule": code,
                "name": RULE_NAMES.get(code) or rule.name,
                "counted_by": "trigger" if by_trigger else "due",
                "planned": len(mine),
                "done": done,
                "actual_pct": actual,
                "target_pct": target,
                "met": None if actual is None else actual >= target,
            }
        )
    return out


def processing_rate(
    calls: list[Call], start: dt.date, end: dt.date, customers: dict[str, Customer]
) -> dict:
    """M3 回访处理率: of the issues customers raised in the month's calls, how many were settled
    by the month's end (definition in the module docstring), per 负责人 and for the office, with
    the unsettled ones listed oldest first."""
    by_customer: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.customer_id and call.call_date and call.call_date <= end:
            by_customer[call.customer_id].append(call)
    raised: list[tuple[Call, bool]] = []
    for mine in by_customer.values():
        mine.sort(key=lambda call: (call.call_date, call.call_time or dt.time()))
        open_: dict[str, int] = {}  # an unsettled issue's words → its index in ``raised``
        for call in mine:
            words = (call.issue or "").strip()
            solved = call.issue_status == ISSUE_SOLVED
            if words in open_:  # a follow-up of an issue already raised, not a new one
                if solved:
                    i = open_.pop(words)
                    raised[i] = (raised[i][0], True)
                continue
            if not words:
                if solved:  # 已解决 about no named issue: the customer's open ones are settled
                    for i in open_.values():
                        raised[i] = (raised[i][0], True)
                    open_.clear()
                continue
            raised.append((call, solved))
            if not solved:
                open_[words] = len(raised) - 1
    raised = [(call, ok) for call, ok in raised if call.call_date and call.call_date >= start]

    def owner_of(call: Call) -> str | Message:
        customer = customers.get(call.customer_id or "")
        return (customer.owner if customer else None) or call.caller or NO_OWNER

    def figures(group: list[tuple[Call, bool]]) -> dict:
        n, ok = len(group), sum(settled for _, settled in group)
        rate = pct(ok, n)
        return {
            "raised": n,
            "settled": ok,
            "rate_pct": rate,
            "target_pct": PROCESSING_TARGET_PCT,
            "met": None if rate is None else rate >= PROCESSING_TARGET_PCT,
        }

    per_owner: dict[str | Message, list[tuple[Call, bool]]] = defaultdict(list)
    for call, settled in raised:
        per_owner[owner_of(call)].append((call, settled))
    unsettled = sorted(
        (call for call, settled in raised if not settled),
        key=lambda call: (call.call_date, call.customer_id or "", call.call_time or dt.time()),
    )
    return {
        **figures(raised),
        "by_owner": [
            {"owner": owner, **figures(per_owner[owner])}
            for owner in sorted(per_owner, key=group_order)
        ],
        "unsettled": [
            {
                "customer_id": call.customer_id,
                "customer_name": customers[call.customer_id].name
                if call.customer_id in customers
                else None,
                "date": call.call_date,
                "issue": call.issue,
                "status": call.issue_status,
                "caller": call.caller,
                "owner": owner_of(call),
            }
            for call in unsettled
        ],
    }


def _complaints_by_party(events: list[Event], start: dt.date, end: dt.date) -> list[dict]:
    """The month's complaints per responsible party, most first."""
    complaints = [
        event
        for event in events
        if event.event_type == "投诉" and event.event_date and start <= event.event_date <= end
    ]
    parties: Counter[str | Message] = Counter(event.responsible or NO_PARTY for event in complaints)
    return [
        {"party": party, "complaints": n, "ratio_pct": pct(n, len(complaints))}
        for party, n in sorted(parties.items(), key=lambda kv: (-kv[1], group_order(kv[0])))
    ]


def monthly_report(
    book: Book,
    policy: Policy,
    month: str,
    cal: WorkCalendar | None = None,
    mask: Callable[[str | None], str | None] | None = None,
    compute: Callable[..., PolicyResult] = compute_obligations,
) -> dict:
    """The report of ``month`` for a staff book or a master. ``mask`` hides listed phones;
    ``compute`` is compute_obligations or one that keeps what it computed (api.Office)."""
    month_bounds(month)
    cal = cal or WorkCalendar.from_policy(policy)
    cache: dict[str, list[Obligation]] = {}
    warnings: list[Message] = []

    def obligations_for(m: str) -> list[Obligation]:
        if m not in cache:
            result = compute(book, policy, month_bounds(m)[1], cal)
            cache[m] = result.obligations
            warnings.extend(warning for warning in result.warnings if warning not in warnings)
        return cache[m]

    r = report_from(
        month, obligations_for, book.customers, book.calls, book.events, book.staff, policy, mask
    )
    r["warnings"] = warnings
    return r
