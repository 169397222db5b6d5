"""The monthly report (客户回访月报, REQUIREMENTS M1): pure arithmetic over a Book.

Definitions (the reconciliation test recomputes the headline figures from them):
* planned (本月应回访): customer follow-up obligations (P1–P11, P13, P14) whose due
  date falls in the month, plus those carried in overdue — due before the month
  and not satisfied before it. P12 (per-person visits) and P15 (record checks)
  are not customer calls and are reported apart.
* done (实施回访): planned obligations of a customer who was called in the month
  (any result) on or after the obligation's trigger.
* successful (成功回访): planned obligations satisfied by a successful call made in
  the month.
* Coverage P2–P4: triggers (complaint closed / repair done / activity) dated in
  the month whose follow-up obligation was satisfied by the month's end.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from .calendar import WorkCalendar
from .models import Book
from .policy import RULE_NAMES, compute_obligations
from .settings import Policy

CALL_RULES = {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P11", "P13", "P14"}
COVERAGE = (("P2", "投诉", "complaint_coverage_pct"), ("P3", "维修", "repair_coverage_pct"),
            ("P4", "活动", "activity_coverage_pct"))


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    y, m = (int(x) for x in month.split("-"))
    return dt.date(y, m, 1), dt.date(y, m, _cal.monthrange(y, m)[1])


def shift_month(month: str, delta: int) -> str:
    y, m = (int(x) for x in month.split("-"))
    y, m = divmod(y * 12 + m - 1 + delta, 12)
    return f"{y:04d}-{m + 1:02d}"


def pct(a: int, b: int) -> float | None:
    return round(100.0 * a / b, 1) if b else None


@dataclass
class Headline:
    planned: int
    done: int
    successful: int
    satisfaction_avg: float | None
    calls: int


def _headline_rows(book: Book, obligations, start: dt.date, end: dt.date):
    """The planned obligations of a month with (done, successful) flags."""
    called: dict[str, list[dt.date]] = defaultdict(list)
    for k in book.calls:
        if k.customer_id and k.call_date and start <= k.call_date <= end:
            called[k.customer_id].append(k.call_date)
    rows = []
    for o in obligations:
        if o.rule not in CALL_RULES or not o.customer_id:
            continue
        in_month = start <= o.due_date <= end
        carried = o.due_date < start and (o.satisfied_on is None or o.satisfied_on >= start)
        if not (in_month or carried):
            continue
        since = max(start, o.trigger_date or start)
        done = any(d >= since for d in called.get(o.customer_id, ()))
        ok = o.satisfied_on is not None and start <= o.satisfied_on <= end
        rows.append((o, done or ok, ok))
    return rows


def headline(book: Book, policy: Policy, month: str, cal: WorkCalendar | None = None) -> tuple:
    start, end = month_bounds(month)
    result = compute_obligations(book, policy, end, cal)
    rows = _headline_rows(book, result.obligations, start, end)
    sats = [k.satisfaction for k in book.calls if k.call_date and start <= k.call_date <= end and k.satisfaction]
    calls = sum(1 for k in book.calls if k.call_date and start <= k.call_date <= end)
    h = Headline(len(rows), sum(d for _o, d, _s in rows), sum(s for _o, _d, s in rows),
                 round(sum(sats) / len(sats), 2) if sats else None, calls)
    return h, rows, result


def monthly_report(book: Book, policy: Policy, month: str, cal: WorkCalendar | None = None,
                   mask=None) -> dict:
    """Every number of the month, JSON-able. ``mask`` hides phones in the listed items."""
    cal = cal or WorkCalendar.from_policy(policy)
    start, end = month_bounds(month)
    h, rows, result = headline(book, policy, month, cal)
    month_calls = [k for k in book.calls if k.call_date and start <= k.call_date <= end]
    customers = {c.customer_id: c for c in book.customers}

    by_owner: dict[str, Counter] = defaultdict(Counter)
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for o, done, ok in rows:
        for bucket in (by_owner[o.owner or "（无负责人）"], by_rule[o.rule]):
            bucket["planned"] += 1
            bucket["done"] += done
            bucket["successful"] += ok
    sat_by_owner: dict[str, list[int]] = defaultdict(list)
    sat_by_type: dict[str, list[int]] = defaultdict(list)
    for k in month_calls:
        if k.satisfaction:
            sat_by_owner[k.caller or "（无回访人）"].append(k.satisfaction)
            sat_by_type[k.call_type or "（未填）"].append(k.satisfaction)
    avg = lambda xs: round(sum(xs) / len(xs), 2) if xs else None  # noqa: E731

    out: dict = {
        "month": month, "start": start.isoformat(), "end": end.isoformat(),
        "planned": h.planned, "done": h.done, "done_pct": pct(h.done, h.planned),
        "successful": h.successful, "successful_pct": pct(h.successful, h.planned),
        "calls": h.calls, "successful_calls": sum(1 for k in month_calls if k.successful),
        "satisfaction_avg": h.satisfaction_avg,
        "satisfaction_distribution": {str(i): sum(1 for k in month_calls if k.satisfaction == i) for i in range(1, 6)},
    }
    owners = sorted(set(by_owner) | set(sat_by_owner))
    out["by_owner"] = [{"owner": n, "planned": by_owner[n]["planned"], "done": by_owner[n]["done"],
                        "successful": by_owner[n]["successful"],
                        "done_pct": pct(by_owner[n]["done"], by_owner[n]["planned"]),
                        "calls": sum(1 for k in month_calls if (k.caller or "（无回访人）") == n),
                        "satisfaction_avg": avg(sat_by_owner.get(n, []))} for n in owners]
    out["by_type"] = [{"rule": r, "name": RULE_NAMES[r][0], "planned": c["planned"], "done": c["done"],
                       "successful": c["successful"], "done_pct": pct(c["done"], c["planned"])}
                      for r, c in sorted(by_rule.items(), key=lambda kv: int(kv[0][1:]))]
    out["satisfaction_by_type"] = [{"call_type": t, "average": avg(v), "count": len(v)}
                                   for t, v in sorted(sat_by_type.items(), key=lambda kv: (avg(kv[1]), kv[0]))]
    lowest = sorted((k for k in month_calls if k.satisfaction and k.satisfaction <= 2),
                    key=lambda k: (k.satisfaction, k.call_date, k.customer_id or ""))
    out["lowest_scored"] = [{"customer_id": k.customer_id,
                             "customer_name": customers[k.customer_id].name if k.customer_id in customers else None,
                             "phone": (mask or (lambda p: p))(customers[k.customer_id].phone)
                             if k.customer_id in customers else None,
                             "date": k.call_date.isoformat(), "call_type": k.call_type, "satisfaction": k.satisfaction,
                             "caller": k.caller, "issue": k.issue} for k in lowest[:30]]
    issues = Counter(k.issue for k in month_calls if k.issue)
    out["top_issues"] = [{"issue": i, "count": n} for i, n in sorted(issues.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]
    open_p9 = [o for o in result.open() if o.rule == "P9"]
    out["open_issues_at_month_end"] = len(open_p9)
    out["coverage"] = []
    for rule, etype, field_name in COVERAGE:
        mine = [o for o in result.obligations if o.rule == rule and o.trigger_date and start <= o.trigger_date <= end]
        ok = sum(1 for o in mine if o.satisfied_on and o.satisfied_on <= end)
        target = getattr(policy, field_name)
        actual = pct(ok, len(mine))
        out["coverage"].append({"rule": rule, "event_type": etype, "events": len(mine), "followed_up": ok,
                                "target_pct": target, "actual_pct": actual,
                                "met": None if actual is None else actual >= target})
    consult = Counter(k.caller for k in month_calls if k.call_type == "咨询" and k.caller)
    sales = [s.name for s in book.staff if s.name and s.role in (None, "员工") and not s.has_left] or \
        sorted({c.owner for c in book.customers if c.owner})
    out["consultation"] = [{"owner": n, "followups": consult.get(n, 0), "target": policy.consultation_monthly_target,
                            "met": consult.get(n, 0) >= policy.consultation_monthly_target} for n in sorted(set(sales))]
    complaints = [e for e in book.events if e.event_type == "投诉" and e.event_date and start <= e.event_date <= end]
    parties = Counter(e.responsible or "（未注明）" for e in complaints)
    out["complaints_by_party"] = [{"party": p, "complaints": n, "ratio_pct": pct(n, len(complaints))}
                                  for p, n in sorted(parties.items(), key=lambda kv: (-kv[1], kv[0]))]
    out["comparison"] = {}
    for label, other in (("previous_month", shift_month(month, -1)), ("same_month_last_year", shift_month(month, -12))):
        o_start, o_end = month_bounds(other)
        if not any(k.call_date and o_start <= k.call_date <= o_end for k in book.calls):
            out["comparison"][label] = {"month": other, "data": False}
            continue
        oh, _rows, _res = headline(book, policy, other, cal)
        out["comparison"][label] = {"month": other, "data": True, "planned": oh.planned, "done": oh.done,
                                    "successful": oh.successful, "calls": oh.calls,
                                    "done_pct": pct(oh.done, oh.planned), "satisfaction_avg": oh.satisfaction_avg}
    out["trend"] = []
    for i in range(11, -1, -1):
        m = shift_month(month, -i)
        m_start, m_end = month_bounds(m)
        mc = [k for k in book.calls if k.call_date and m_start <= k.call_date <= m_end]
        s = [k.satisfaction for k in mc if k.satisfaction]
        out["trend"].append({"month": m, "calls": len(mc), "successful_calls": sum(1 for k in mc if k.successful),
                             "satisfaction_avg": avg(s)})
    out["warnings"] = result.warnings
    return out
