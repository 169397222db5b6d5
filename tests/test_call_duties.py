"""P19 visit reports, P20 same-day problem reports, P24 reply-only complaints, W4 complaint grades.

Dates worked out by hand from `holidays.China(years=2026)` (asked while writing this test):
2026 中秋节 is Fri 09-25 (off); 国庆 is Thu 10-01 to Wed 10-07 (10-01, 10-02, 10-03 National Day,
10-05 observed, 10-06 and 10-07 days off swapped for the make-up working days Sun 09-20 and
Sat 10-10). So Sun 2026-09-20 and Sat 2026-10-10 are working days; 09-25..09-27 and 10-01..10-07
and Sun 10-11 are not.
"""

from __future__ import annotations

import datetime as dt

from helpers import D, book, call, customer, event
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.call_duties import (
    due_after,
    rule_problem_reports,
    rule_reply_letters,
    rule_visit_reports,
)
from followup_xl.obligations import Obligation
from followup_xl.policy import Context, CustomerRecords, compute_obligations
from followup_xl.ruletable import OWNER, WORKDAYS, RuleTable, default_rules
from followup_xl.settings import Policy

CAL = WorkCalendar()


# P19/P20 count, for each caller, from their first call whose 回访报告日期 / 上报主管日期 they
# filled (someone who never kept them is named in a warning instead): 张伟, the caller of the
# books below, keeps both since 2025-12-01, through customer K0's phone call of that day.
KEEPER = customer("K0")
KEPT = call(
    cid="K0", date="2025-12-01", row=90, report_date=D("2025-12-01"), escalated_on=D("2025-12-01")
)


def items(b, as_of: str, rules=("P19", "P20", "P24", "P2", "P3"), **policy) -> list[Obligation]:
    kept = book([*b.customers, KEEPER], [*b.calls, KEPT], b.events, b.staff)
    r = compute_obligations(kept, Policy(**policy), D(as_of))
    return [o for o in r.obligations if o.rule in rules and o.customer_id != "K0"]


def when(o: Obligation) -> dt.date:
    return o.trigger_date or dt.date.min


def visit(date: str, row: int = 2, **kw):
    return call(date=date, row=row, method="上门", signature="甲经理", **kw)


def ctx_with(as_of: str, **changes) -> Context:
    """A policy context whose 回访规则 rows are changed: {"P19": {"enabled": False}}."""
    policy = Policy()
    rows = tuple(rule.with_(**changes.get(rule.code, {})) for rule in default_rules(policy))
    since = {"P19": {"张伟": D("2025-12-01")}, "P20": {"张伟": D("2025-12-01")}}
    return Context(policy, CAL, D(as_of), rules=RuleTable(rows), recorded_since=since)


# --- P19 -----------------------------------------------------------------------------------


def test_the_visit_report_is_due_the_next_working_day_across_mid_autumn_and_national_day():
    b = book(
        [customer()],
        [
            visit("2026-09-18", 2),  # Fri → Sun 09-20, a make-up working day for 国庆
            visit("2026-09-24", 3),  # Thu → Mon 09-28 (Fri 09-25 中秋, then the weekend)
            visit("2026-09-30", 4),  # Wed, the day before 国庆 → Thu 10-08, the first day back
            visit("2026-10-09", 5),  # Fri → Sat 10-10, the second make-up day
        ],
    )
    got = sorted(items(b, "2026-10-20", ("P19",)), key=when)
    assert [(o.trigger_date, o.due_date) for o in got] == [
        (D("2026-09-18"), D("2026-09-20")),
        (D("2026-09-24"), D("2026-09-28")),
        (D("2026-09-30"), D("2026-10-08")),
        (D("2026-10-09"), D("2026-10-10")),
    ]
    for o in got:
        assert o.method == "报告" and o.caller_role is None and not o.hard and o.is_open
        assert o.call_types == ()  # not a call: nothing of the call sheet's types closes it
    # the window (5 working days after the due date): 10-08 → 10-09, 10-10, 10-12, 10-13, 10-14
    assert got[2].lapse_date == D("2026-10-14") and got[2].missed(D("2026-10-15"))
    assert got[2].status(D("2026-10-14")) == "overdue"


def test_the_report_date_closes_it_on_time_or_late_and_a_date_before_the_visit_does_not():
    b = book(
        [customer()],
        [
            visit("2026-09-30", 2, report_date=D("2026-10-08"), caller="李娜"),  # on its day
            visit("2026-10-09", 3, report_date=D("2026-10-12")),  # due Sat 10-10: late
            visit("2026-10-12", 4, report_date=D("2026-10-09")),  # before the visit: V19b
            visit("2026-10-13", 5, result="未接通"),  # nobody met: no report
            call(date="2026-10-13", row=6),  # a phone call: no report
        ],
    )
    on_time, late, wrong = sorted(items(b, "2026-10-20", ("P19",)), key=when)
    # on the customer's owner's list (a hand-over moves it), whoever made the visit
    assert (on_time.satisfied_on, on_time.flags, on_time.owner) == (D("2026-10-08"), (), "张伟")
    assert on_time.source == "回访记录表!2" and on_time.event_id is None
    assert on_time.reason.msg_id == "reason.visit_report"
    assert (late.satisfied_on, late.flags) == (D("2026-10-12"), ("late",))
    assert late.reason.msg_id == "reason.visit_report_late" and late.owner == "张伟"
    assert wrong.is_open and wrong.due_date == D("2026-10-13")


def test_a_disabled_row_makes_no_visit_report_and_the_row_sets_the_days():
    cr = CustomerRecords(customer(), [visit("2026-09-30")], [], "K1")
    assert list(rule_visit_reports(ctx_with("2026-10-20", P19={"enabled": False}), cr)) == []
    # 2 working days after Wed 09-30: Thu 10-08, Fri 10-09
    (o,) = rule_visit_reports(ctx_with("2026-10-20", P19={"offset": 2}), cr)
    assert o.due_date == D("2026-10-09")


@settings(max_examples=60, deadline=None)
@given(st.dates(D("2026-01-01"), D("2026-12-20")))
def test_a_visit_report_is_due_on_the_first_working_day_after_the_visit(day):
    b = book([customer()], [visit(day.isoformat())])
    (o,) = items(b, "2026-12-31", ("P19",))
    assert o.due_date > day and CAL.is_working_day(o.due_date)
    assert all(
        not CAL.is_working_day(day + dt.timedelta(days=k))
        for k in range(1, (o.due_date - day).days)
    )


# --- P20 -----------------------------------------------------------------------------------


def test_a_problem_is_reported_to_the_head_the_same_day_and_escalated_while_open():
    b = book(
        [customer()],
        [
            call(date="2026-09-18", row=2, issue="漏水", issue_status="已解决"),
            call(date="2026-10-03", row=3, issue="噪音", issue_status="未解决"),  # 国庆 Saturday
            call(date="2026-10-09", row=4, issue="门锁", escalated_on=D("2026-10-09")),
            call(date="2026-10-12", row=5, issue="停车", escalated_on=D("2026-10-13")),
        ],
    )
    solved, holiday, told, late = sorted(items(b, "2026-10-12", ("P20",)), key=when)
    # solved on the spot is still reported: the seed asks for every problem raised (003 #5.5)
    assert solved.is_open and solved.due_date == D("2026-09-18") and solved.hard
    assert solved.method == "报告" and solved.caller_role is None and solved.owner == "张伟"
    # a call made on a holiday: reported the first working day, Thu 10-08
    assert holiday.due_date == D("2026-10-08") and holiday.escalate_on == D("2026-10-08")
    assert holiday.escalate(D("2026-10-12"))  # open: on the manager's view from its due day
    # the window: 5 working days after 10-08 is 10-14; past it, missed and no longer escalated
    assert holiday.lapse_date == D("2026-10-14") and not holiday.escalate(D("2026-10-15"))
    assert (told.satisfied_on, told.flags, told.escalate(D("2026-10-12"))) == (
        D("2026-10-09"),
        (),
        False,
    )
    assert (late.satisfied_on, late.flags) == (D("2026-10-13"), ("late",))
    assert late.reason.msg_id == "reason.problem_report_late"


def test_an_open_problem_report_does_not_flag_a_typed_next_call_date():
    """P11 flags a typed date after an open *call* deadline; a report to the head is not one."""
    b = book(
        [customer(), KEEPER],
        [
            call(date="2026-10-12", issue="漏水", issue_status="已解决", next_date="2026-10-26"),
            KEPT,
        ],
    )
    r = compute_obligations(b, Policy(), D("2026-10-13"))
    (routine,) = [
        o for o in r.obligations if o.rule == "P1" and o.is_open and o.customer_id == "K1"
    ]
    assert routine.typed_date == D("2026-10-26") and "typed_after_deadline" not in routine.flags
    assert [o.rule for o in r.obligations if o.rule == "P20" and o.is_open] == ["P20"]


def test_a_disabled_problem_report_row_makes_nothing():
    cr = CustomerRecords(customer(), [call(date="2026-10-12", issue="漏水")], [], "K1")
    assert list(rule_problem_reports(ctx_with("2026-10-20", P20={"enabled": False}), cr)) == []


# --- P24 -----------------------------------------------------------------------------------


def test_a_reply_only_complaint_is_not_called_but_its_letter_is_due_in_the_complaint_days():
    b = book(
        [customer()],
        [],
        [
            # Mon 09-28 + 3 days = Thu 10-01 (国庆) → moved back to Wed 09-30
            event("E1", date="2026-09-28", reply_only=True),
            event("E2", date="2026-09-28", reply_only=True, reply_date=D("2026-10-09")),
            event("E3", date="2026-09-28", reply_only=True, anonymous=True),  # nobody to answer
            event("E4", date="2026-09-28"),  # an ordinary complaint: a P2 call
            event("E5", etype="维修", date="2026-09-28", reply_only=True),  # V20; P3 still due
        ],
    )
    got = {(o.rule, o.event_id): o for o in items(b, "2026-10-12")}
    assert sorted(got) == [("P2", "E4"), ("P24", "E1"), ("P24", "E2"), ("P3", "E5")]
    letter = got[("P24", "E1")]
    assert (letter.due_date, letter.method, letter.is_open, letter.hard) == (
        D("2026-09-30"),
        "复函",
        True,
        True,
    )
    assert letter.call_types == () and letter.reason.msg_id == "reason.reply_letter"
    sent = got[("P24", "E2")]
    assert (sent.satisfied_on, sent.satisfied_by, sent.flags) == (D("2026-10-09"), "E2", ("late",))
    assert got[("P2", "E4")].due_date == D("2026-09-30")  # the same days as the call would have


def test_the_letter_counts_working_days_when_the_policy_does_and_closing_ends_it():
    # working days from Mon 09-28: Tue 09-29, Wed 09-30, Thu 10-08
    b = book([customer()], [], [event("E1", date="2026-09-28", reply_only=True)])
    (o,) = items(b, "2026-10-12", ("P24",), count_working_days=True)
    assert o.due_date == D("2026-10-08")
    closed = book(
        [customer()],
        [],
        [
            event("E1", date="2026-09-28", reply_only=True, status="已撤销"),
            event(
                "E2",
                date="2026-09-28",
                reply_only=True,
                status="已办结",
                reply_date=D("2026-09-29"),
            ),
        ],
    )
    assert [(o.event_id, o.satisfied_on) for o in items(closed, "2026-10-12", ("P24", "P2"))] == [
        ("E2", D("2026-09-29"))
    ]


def test_the_p24_row_days_win_over_the_complaint_days_and_a_disabled_row_makes_no_letter():
    cr = CustomerRecords(customer(), [], [event("E1", date="2026-09-28", reply_only=True)], "K1")
    # 5 working days from Mon 09-28: 09-29, 09-30, 10-08, 10-09, Sat 10-10 (make-up)
    (o,) = rule_reply_letters(ctx_with("2026-10-20", P24={"offset": 5, "unit": WORKDAYS}), cr)
    assert o.due_date == D("2026-10-10")
    assert list(rule_reply_letters(ctx_with("2026-10-20", P24={"enabled": False}), cr)) == []


# --- W4 ------------------------------------------------------------------------------------


def test_a_complaint_is_planned_for_the_level_its_grade_needs():
    b = book(
        [customer()],
        [],
        [
            event("E1", date="2026-10-12", complaint_level="一般"),
            event("E2", date="2026-10-12", complaint_level="重要"),
            event("E3", date="2026-10-12", complaint_level="重大"),
            event("E4", date="2026-10-12"),  # no grade: 一般
        ],
    )
    got = {o.event_id: o for o in items(b, "2026-10-12", ("P2",))}
    assert {e: o.caller_role for e, o in got.items()} == {
        "E1": None,
        "E2": "部门主管",
        "E3": "公司经理",
        "E4": None,
    }
    assert got["E1"].reason.msg_id == "reason.complaint" and got["E1"].owner == "张伟"
    assert got["E3"].reason.render("zh").endswith("3天内由公司经理回访")
    assert "the company manager calls" in got["E3"].reason.render("en")
    # an office whose department heads take the minor ones too (投诉等级对应回访角色)
    roles = {"一般": "部门主管", "重要": "部门主管", "重大": "公司经理"}
    office = {
        o.event_id: o.caller_role for o in items(b, "2026-10-12", ("P2",), complaint_roles=roles)
    }
    assert office == {"E1": "部门主管", "E2": "部门主管", "E3": "公司经理", "E4": "部门主管"}


def test_the_p2_row_caller_decides_over_the_grade():
    cr = CustomerRecords(
        customer(), [], [event("E1", date="2026-10-12", complaint_level="重大")], "K1"
    )
    from followup_xl.policy import rule_events

    (owner,) = rule_events(ctx_with("2026-10-12", P2={"caller": OWNER}), cr)
    (head,) = rule_events(ctx_with("2026-10-12", P2={"caller": "部门主管"}), cr)
    assert (owner.caller_role, head.caller_role) == (None, "部门主管")


def test_due_after_dates_each_unit_like_the_built_in_rules():
    fri = D("2026-09-18")
    assert due_after(CAL, fri, 1, "工作日") == D("2026-09-20")  # the make-up Sunday
    assert due_after(CAL, fri, 0, "工作日") == fri
    assert due_after(CAL, D("2026-10-03"), 0, "工作日") == D("2026-10-08")
    assert due_after(CAL, fri, 24, "小时") == D("2026-09-20")  # 24 hours: the next working day
    # 7 calendar days from Fri 09-25 (中秋) → Fri 10-02 (国庆) → back to Wed 09-30
    assert due_after(CAL, D("2026-09-25"), 7, "天") == D("2026-09-30")
    # a month from 08-31 → 09-30 (the month's last day), a working day
    assert due_after(CAL, D("2026-08-31"), 1, "月") == D("2026-09-30")


def test_v19a_asks_for_a_visit_report_while_it_is_worth_writing():
    from followup_xl.checks import run_checks

    b = book(
        [customer()],
        [
            visit("2026-09-30", 2),  # due Thu 10-08, window to Wed 10-14
            visit("2026-10-09", 3, report_date=D("2026-10-12")),  # filled (late): nothing to ask
            visit("2026-10-12", 4, report_date=D("2026-10-09")),  # before the visit: V19b
        ],
    )

    def codes(as_of: str) -> list[tuple[str, int | None]]:
        found = run_checks(b, Policy(), D(as_of)).findings
        return [(f.code, f.row) for f in found if f.code.startswith("V19")]

    assert codes("2026-10-08") == [("V19b", 4)]  # on its due day: not yet
    assert codes("2026-10-09") == [("V19a", 2), ("V19b", 4)]
    assert codes("2026-10-14") == [("V19a", 2), ("V19b", 4)]
    assert codes("2026-10-15") == [("V19b", 4)]  # past its window: the due list counts it missed


@settings(max_examples=60, deadline=None)
@given(st.dates(D("2026-01-01"), D("2026-12-20")))
def test_a_problem_report_is_due_the_call_day_or_the_first_working_day_after(day):
    b = book([customer()], [call(date=day.isoformat(), issue="漏水")])
    (o,) = items(b, "2026-12-31", ("P20",))
    assert o.due_date == o.escalate_on and o.due_date >= day and CAL.is_working_day(o.due_date)
    assert all(
        not CAL.is_working_day(day + dt.timedelta(days=k)) for k in range((o.due_date - day).days)
    )


@settings(max_examples=60, deadline=None)
@given(st.dates(D("2026-01-01"), D("2026-12-20")), st.booleans())
def test_a_reply_letter_is_due_when_the_complaint_call_would_have_been(day, working):
    letter = book([customer()], [], [event(date=day.isoformat(), reply_only=True)])
    called = book([customer()], [], [event(date=day.isoformat())])
    (o,) = items(letter, "2026-12-31", ("P24", "P2"), count_working_days=working)
    (p2,) = items(called, "2026-12-31", ("P24", "P2"), count_working_days=working)
    assert (o.rule, p2.rule, o.due_date) == ("P24", "P2", p2.due_date)


def test_a_book_that_never_kept_the_dates_gets_one_warning_not_its_history_as_missed():
    """An office upgrading: years of visits and problems, never a 回访报告日期 or 上报主管日期 (the
    columns are new). No P19/P20 items at all — every past visit would otherwise be missed — and
    the due list says why, once for each rule. Once a date is filled, the rule counts from that
    call's day: visits before it make nothing, visits on and after it are checked."""
    history = [visit(f"2026-0{m}-0{m}", m, issue="漏水") for m in range(2, 9)]
    b = book([customer()], history)
    r = compute_obligations(b, Policy(), D("2026-10-20"))
    assert [o for o in r.obligations if o.rule in ("P19", "P20")] == []
    said = [w.render("zh") for w in r.warnings]
    assert any("张伟" in w and "回访报告日期" in w and "P19" in w for w in said)
    assert any("张伟" in w and "上报主管日期" in w and "P20" in w for w in said)
    # the office starts on 06-06's visit: P19 from then on (06-06 filed, 07-07 and 08-08 open)
    history[4] = visit("2026-06-06", 6, issue="漏水", report_date=D("2026-06-08"))
    r = compute_obligations(book([customer()], history), Policy(), D("2026-10-20"))
    p19 = sorted((o.trigger_date, o.is_open) for o in r.obligations if o.rule == "P19")
    assert p19 == [(D("2026-06-06"), False), (D("2026-07-07"), True), (D("2026-08-08"), True)]
    assert not any("P19" in w.render("zh") for w in r.warnings)
    assert any("P20" in w.render("zh") for w in r.warnings)  # still never kept
    # a book without visits or problems is told nothing
    quiet = compute_obligations(book([customer()], [call()]), Policy(), D("2026-10-20"))
    assert not any("never_recorded" in w.msg_id for w in quiet.warnings)


def test_who_keeps_the_dates_is_decided_per_caller():
    """张伟 keeps visit reports since March; 李娜 (an old book without the column) never has: 张伟's
    later visits are checked, 李娜's are not, and the warning names her — not him."""
    b = book(
        [customer("K1"), customer("K2", owner="李娜")],
        [
            visit("2026-03-02", 2, report_date=D("2026-03-03")),
            visit("2026-04-01", 3),
            visit("2026-04-01", 4, cid="K2", caller="李娜"),
        ],
    )
    r = compute_obligations(b, Policy(), D("2026-04-20"))
    assert sorted((o.customer_id, o.trigger_date) for o in r.obligations if o.rule == "P19") == [
        ("K1", D("2026-03-02")),
        ("K1", D("2026-04-01")),
    ]
    (said,) = [w.render("zh") for w in r.warnings if w.msg_id == "policy.never_recorded_P19"]
    assert "李娜" in said and "张伟" not in said
