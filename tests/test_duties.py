"""The seed duties dated from events, customer dates and festivals (P16–P18, P21–P23: duties.py).

Every date below was worked out by hand from the mainland calendar holidays.China gives
(asked when the test was written): 2026 — 春节 off Sun 02-15 (除夕 02-16) … 02-23 with Sat 02-14
and Sat 02-28 make-up working days; 中秋节 Fri 09-25 (then the weekend); 国庆节 Thu 10-01 … Wed
10-07 with Sun 09-20 and Sat 10-10 make-up working days. 2027 — no official schedule yet (the
calendar warns): 元旦 Fri 01-01, 除夕 Fri 02-05 then 春节 02-06 … 02-10, no make-up days known.
2025 — 中秋节 Mon 10-06 falls inside the 国庆节 days off (10-01 … 10-08), Sun 09-28 a make-up day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import D, book, call, customer, event
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl import duties, policy
from followup_xl.calendar import WorkCalendar
from followup_xl.policy import Context, compute_obligations, event_first_due
from followup_xl.ruletable import RuleTable, default_rules
from followup_xl.settings import Policy

CAL = WorkCalendar()
SEED = ("P16", "P16S", "P16B", "P17", "P18", "P21", "P22", "P23")


def items(b, as_of, *rules):
    """The obligations of ``rules`` (default: every seed duty) on ``as_of``, in due order."""
    r = compute_obligations(b, Policy(), D(as_of))
    return [o for o in r.obligations if o.rule in (rules or SEED)]


def with_rows(monkeypatch, **changes):
    """compute_obligations with some rows of the 回访规则 table changed (code → field changes)."""
    rows = tuple(
        row.with_(**changes[row.code]) if row.code in changes else row
        for row in default_rules(Policy())
    )
    monkeypatch.setattr(policy.RuleTable, "for_policy", classmethod(lambda cls, p: RuleTable(rows)))


# --- the festivals of the calendar --------------------------------------------------------


def test_the_calendar_names_the_festivals_and_their_first_day_off():
    got = [(f.name, f.day, f.first_off) for f in CAL.festivals(D("2026-01-01"), D("2026-12-31"))]
    assert got == [
        ("元旦", D("2026-01-01"), D("2026-01-01")),  # Thu; 01-02 off too, Sun 01-04 a make-up day
        ("春节", D("2026-02-16"), D("2026-02-15")),  # 除夕 Mon 02-16 off; Sun 02-15 before it
        ("清明节", D("2026-04-05"), D("2026-04-04")),  # Sun 04-05, the Saturday before is off
        ("劳动节", D("2026-05-01"), D("2026-05-01")),  # Fri
        ("端午节", D("2026-06-19"), D("2026-06-19")),  # Fri
        ("中秋节", D("2026-09-25"), D("2026-09-25")),  # Fri
        ("国庆节", D("2026-10-01"), D("2026-10-01")),  # Thu; Wed 09-30 is a working day
    ]
    # 2025: 中秋节 (Mon 10-06) is inside the National Day days off, which began Wed 10-01
    mid = CAL.festivals(D("2025-09-01"), D("2025-10-31"), names=("中秋节",))
    assert [(f.day, f.first_off) for f in mid] == [(D("2025-10-06"), D("2025-10-01"))]


def test_office_days_off_move_the_first_day_off():
    # the office also closes Thu 09-24 2026: 中秋 days off now begin 09-24, due Wed 09-23
    cal = WorkCalendar(extra_holidays=[D("2026-09-24")])
    (mid,) = cal.festivals(D("2026-09-01"), D("2026-09-30"), names=("中秋节",))
    assert mid.first_off == D("2026-09-24")
    row = RuleTable.for_policy(Policy()).get("P16")
    assert duties.festival_due(cal, row, mid.first_off) == D("2026-09-23")


# --- P16: festival visits and greetings ------------------------------------------------------


def test_mid_autumn_2026_visit_for_class_a_and_greetings_for_everyone():
    b = book(
        [
            customer("K1", klass="A", preferred_time="上午"),
            customer("K2", klass="B"),
            customer("K3", klass="C", no_sms=True),  # 不接受短信=是: left out of the SMS list
        ]
    )
    got = items(b, "2026-09-01")
    # as_of 09-01: due dates up to 10-02 are planned. 中秋 Fri 09-25 → due Thu 09-24;
    # 国庆 Thu 10-01 → due Wed 09-30; 元旦 2027 (due 12-31) is too far; P16 names no 国庆.
    assert [(o.customer_id, o.rule, o.due_date) for o in got] == [
        ("K1", "P16", D("2026-09-24")),
        ("K1", "P16S", D("2026-09-24")),
        ("K2", "P16S", D("2026-09-24")),
        ("K1", "P16S", D("2026-09-30")),
        ("K2", "P16S", D("2026-09-30")),
    ]
    visit = got[0]
    assert visit.caller_role == "公司经理" and visit.method == "上门" and visit.owner == "张伟"
    assert visit.trigger_date == D("2026-09-25") and visit.lapse_date == D("2026-09-24")
    assert visit.preferred_time == "上午" and not visit.hard
    assert visit.reason.msg_id == "reason.festival_visit" and visit.reason.params["festival"] == (
        "中秋节"
    )
    assert all(o.method == "短信" and o.caller_role is None for o in got[1:])
    # window 0: the day after the due date the visit is missed
    assert visit.status(D("2026-09-24")) == "due" and visit.status(D("2026-09-25")) == "missed"


def test_a_festival_call_counts_for_that_festival_only():
    b = book(
        [customer("K1", klass="A")],
        [call(date="2026-09-22", call_type="节日", method="上门", signature="王")],
    )
    got = {(o.rule, o.due_date): o.satisfied_on for o in items(b, "2026-09-22")}
    # the 09-22 call closes the 中秋 visit and greeting; the 国庆 greeting counts calls from the
    # day after 中秋's days off began (09-26), so it stays open
    assert got == {
        ("P16", D("2026-09-24")): D("2026-09-22"),
        ("P16S", D("2026-09-24")): D("2026-09-22"),
        ("P16S", D("2026-09-30")): None,
    }


def test_a_greeting_sms_is_not_the_festival_visit():
    b = book(
        [customer("K1", klass="A")], [call(date="2026-09-22", call_type="节日", method="短信")]
    )
    got = {o.rule: o.satisfied_on for o in items(b, "2026-09-22") if o.due_date == D("2026-09-24")}
    assert got == {"P16": None, "P16S": D("2026-09-22")}


def test_spring_festival_2026_is_due_on_the_make_up_saturday():
    b = book([customer("K1", klass="A")])
    got = items(b, "2026-02-01", "P16")
    # 春节 days off begin Sun 02-15 (除夕 02-16 is off); the day before, Sat 02-14, is a working day
    assert [(o.due_date, o.trigger_date) for o in got] == [(D("2026-02-14"), D("2026-02-16"))]


def test_spring_festival_2027_and_new_year_greetings_with_the_calendar_warning():
    b = book([customer("K1", klass="A")])
    r = compute_obligations(b, Policy(), D("2027-01-10"))
    got = [
        (o.rule, o.due_date, o.status(D("2027-01-10")))
        for o in r.obligations
        if o.rule[:3] == "P16"
    ]
    # 元旦 Fri 2027-01-01 → due Thu 2026-12-31 (10 days back: inside the month looked back on,
    # missed); 除夕 Fri 2027-02-05 is off → 春节 due Thu 02-04 (no 2027 make-up days known yet)
    assert got == [
        ("P16S", D("2026-12-31"), "missed"),
        ("P16", D("2027-02-04"), "upcoming"),
        ("P16S", D("2027-02-04"), "upcoming"),
    ]
    assert any(w.msg_id == "calendar.year_unknown" and w.params["year"] == 2027 for w in r.warnings)


def test_national_day_and_mid_autumn_2025_share_one_greeting():
    b = book([customer("K1", klass="B", created="2025-01-02")])
    (sms,) = items(b, "2025-09-15", "P16S")
    # both festivals' days off begin Wed 10-01: one SMS, due Tue 09-30
    assert sms.due_date == D("2025-09-30") and sms.reason.params["festival"] == "国庆节、中秋节"


def test_a_customer_filed_after_the_festival_is_not_counted_for_it():
    b = book([customer("K1", klass="A", created="2026-09-25")])
    got = items(b, "2026-09-28", "P16", "P16S")
    # the 中秋 items were due 09-24, before the customer was filed; 国庆 (09-30) is theirs
    assert [(o.rule, o.due_date) for o in got] == [("P16S", D("2026-09-30"))]


# --- P16B: birthdays ---------------------------------------------------------------------------


def test_birthday_on_a_holiday_moves_to_the_working_day_before():
    b = book([customer("K1", birthday=D("1980-10-03"))])
    (o,) = items(b, "2026-09-15", "P16B")
    # 10-03 is in the National Day days off → the last working day before it, Wed 09-30
    assert (o.due_date, o.trigger_date, o.method) == (D("2026-09-30"), D("2026-10-03"), "短信")
    assert o.lapse_date == D("2026-09-30")
    b2 = book(
        [customer("K1", birthday=D("1980-10-03"))], [call(date="2026-09-29", call_type="生日问候")]
    )
    (done,) = items(b2, "2026-09-30", "P16B")
    assert done.satisfied_on == D("2026-09-29")


def test_29_february_birthdays():
    b = book([customer("K1", birthday=D("1988-02-29"), created="2020-01-02")])
    # 2027 is a common year: 28 Feb, a Sunday → Fri 02-26 (a working day; 2027's make-up days
    # are not known, and none is a Friday in the statutory schedule)
    (common,) = items(b, "2027-02-20", "P16B")
    assert (common.trigger_date, common.due_date) == (D("2027-02-28"), D("2027-02-26"))
    # 2028 is a leap year: Tue 02-29 itself
    (leap,) = items(b, "2028-02-10", "P16B")
    assert (leap.trigger_date, leap.due_date) == (D("2028-02-29"), D("2028-02-29"))


def test_no_sms_customers_get_no_greeting_but_still_a_visit():
    b = book([customer("K1", klass="A", birthday=D("1980-09-10"), no_sms=True)])
    assert [o.rule for o in items(b, "2026-09-01")] == ["P16"]


# --- P17: move-in ----------------------------------------------------------------------------


def test_move_in_event_within_seven_days_and_its_window():
    b = book([customer("K1")], [], [event("R1", etype="入伙", date="2026-09-23")])
    (o,) = items(b, "2026-10-09", "P17")
    # Wed 09-23 + 7 = Wed 09-30, a working day. Window 10 working days: 10-08 10-09 10-10 (make-up
    # Saturday) 10-12 … 10-16, 10-19, 10-20 → missed from 10-21
    assert (o.due_date, o.lapse_date, o.hard, o.event_id) == (
        D("2026-09-30"),
        D("2026-10-20"),
        True,
        "R1",
    )
    assert o.status(D("2026-10-20")) == "overdue" and o.status(D("2026-10-21")) == "missed"


def test_move_in_on_a_holiday_week():
    b = book([customer("K1")], [], [event("R1", etype="入伙", date="2026-09-25")])
    (o,) = items(b, "2026-09-28", "P17")
    # Fri 09-25 + 7 = Fri 10-02 (National Day) → the working day before, Wed 09-30
    assert o.due_date == D("2026-09-30")
    assert event_first_due(Context(Policy(), CAL, D("2026-09-28")), b.events[0]) == o.due_date


def test_move_in_date_makes_one_obligation_when_there_is_no_move_in_event():
    # K1 has both a 入伙 event and a 入伙日期: one obligation (the event's); K2 only the date
    b = book(
        [
            customer("K1", move_in=D("2026-09-23")),
            customer("K2", move_in=D("2026-09-23")),
            customer("K3", move_in=D("2026-11-02")),  # after as_of: not yet
        ],
        [call("K2", date="2026-09-28", call_type="入伙")],
        [event("R1", cid="K1", etype="入伙", date="2026-09-22")],
    )
    got = items(b, "2026-10-09", "P17")
    assert [(o.customer_id, o.source, o.due_date, o.satisfied_on) for o in got] == [
        ("K1", "R1", D("2026-09-29"), None),  # Tue 09-22 + 7 = Tue 09-29
        ("K2", "客户名录簿!2", D("2026-09-30"), D("2026-09-28")),
    ]
    assert got[1].reason.msg_id == "reason.move_in_date"


def test_closed_move_in_event_makes_nothing_open():
    b = book([customer("K1")], [], [event("R1", etype="入伙", date="2026-09-23", status="已办结")])
    assert items(b, "2026-10-09", "P17") == []


# --- P18: emergencies --------------------------------------------------------------------------


def test_emergency_is_followed_up_the_next_working_day():
    b = book([customer("K1")], [], [event("S1", etype="突发事件", date="2026-09-30")])
    (o,) = items(b, "2026-10-08", "P18")
    # handled Wed 09-30; 10-01 … 10-07 off → Thu 10-08; window 5: 10-09 10-10 10-12 10-13 10-14
    assert (o.due_date, o.lapse_date, o.hard) == (D("2026-10-08"), D("2026-10-14"), True)
    b2 = book(
        [customer("K1")],
        [call(date="2026-10-08", call_type="突发事件")],
        [event("S1", etype="突发事件", date="2026-09-30")],
    )
    (done,) = items(b2, "2026-10-08", "P18")
    assert done.satisfied_on == D("2026-10-08")


# --- P21: warranty spot checks -------------------------------------------------------------


def test_warranty_spot_check_every_three_months():
    c = customer("K1", move_in=D("2026-06-10"), warranty_end=D("2027-06-30"))
    (o,) = items(book([c]), "2026-09-01", "P21")
    # counted from the move-in Wed 06-10 (later than 建档 01-05): + 3 months = Thu 09-10
    assert (o.due_date, o.trigger_date, o.hard, o.lapse_date) == (
        D("2026-09-10"),
        D("2026-06-10"),
        False,
        None,
    )
    checked = book([c], [call(date="2026-09-08", call_type="保修抽查")])
    # the 09-08 check counts: next one 12-08 (Tue) — beyond 09-10 + 31 days, not planned yet
    assert items(checked, "2026-09-10", "P21") == []
    (later,) = items(checked, "2026-11-20", "P21")
    assert later.due_date == D("2026-12-08") and later.reason.msg_id == "reason.warranty_check"


def test_no_spot_check_after_the_warranty_ends():
    ends = customer("K1", move_in=D("2026-06-10"), warranty_end=D("2026-09-09"))
    assert items(book([ends]), "2026-09-01", "P21") == []  # due 09-10 is after the end
    ended = customer("K1", move_in=D("2026-06-10"), warranty_end=D("2026-08-31"))
    assert items(book([ended]), "2026-09-01", "P21") == []  # not under warranty on as_of


# --- P22: warranty done, no feedback form ------------------------------------------------------


def project(eid="G1", **kw):
    return event(eid, etype="工程", date="2025-03-03", **{"actual_end": "2025-06-30", **kw})


def test_feedback_form_call_the_next_working_day_after_the_warranty():
    c = customer("K1", warranty_end=D("2026-09-30"))
    (o,) = items(book([c], [], [project()]), "2026-10-09", "P22")
    # warranty ends Wed 09-30 → next working day Thu 10-08; window 10: … 10-21
    assert (o.due_date, o.trigger_date, o.lapse_date, o.hard, o.source) == (
        D("2026-10-08"),
        D("2026-09-30"),
        D("2026-10-21"),
        True,
        "G1",
    )
    assert o.reason.msg_id == "reason.feedback_form"
    assert "总经办" in o.reason.render("zh")
    # a 反馈表回访 call closes it; a form on file (意见反馈表=是) means no call at all
    b = book([c], [call(date="2026-10-09", call_type="反馈表回访", event_id="G1")], [project()])
    assert items(b, "2026-10-09", "P22")[0].satisfied_on == D("2026-10-09")
    assert items(book([c], [], [project(feedback_form=True)]), "2026-10-09", "P22") == []


def test_feedback_form_needs_a_finished_project_and_a_passed_warranty():
    c = customer("K1", warranty_end=D("2026-09-30"))
    running = event("G2", etype="工程", date="2026-03-02", planned_end="2026-12-01")
    assert items(book([c], [], [running]), "2026-10-09", "P22") == []  # not completed
    assert items(book([c], [], [project()]), "2026-09-30", "P22") == []  # ends today: not passed
    closed = event("G3", etype="工程", date="2025-05-06", status="已办结")
    assert [o.source for o in items(book([c], [], [closed]), "2026-10-09", "P22")] == ["G3"]


def test_a_warranty_that_ended_long_ago_is_missed_once():
    c = customer("K1", warranty_end=D("2025-01-10"), created="2024-01-02")
    (o,) = items(book([c], [], [project(actual_end="2024-12-31")]), "2026-10-09", "P22")
    # Fri 2025-01-10 → Mon 01-13; its 10 working days ended long before 2026-10-09
    assert o.due_date == D("2025-01-13") and o.status(D("2026-10-09")) == "missed"


# --- P23: 24 hours after a purchase ----------------------------------------------------------


def test_deal_before_national_day_is_confirmed_the_first_working_day_after():
    b = book([customer("K1")], [], [event("D1", etype="成交", date="2026-09-30")])
    got = items(b, "2026-10-09", "P23", "P5")
    # 24 小时 → the next working day: Wed 09-30 → Thu 10-08; window 2: 10-09, Sat 10-10 (make-up)
    # P5 (次月第一周: 10-01 + 6 = 10-07, off → back to 09-30, never before the deal) stays too,
    # with its own window (5 working days: 10-08 10-09 10-10 10-12 10-13)
    assert [(o.rule, o.due_date, o.lapse_date) for o in got] == [
        ("P5", D("2026-09-30"), D("2026-10-13")),
        ("P23", D("2026-10-08"), D("2026-10-10")),
    ]
    assert got[1].event_id is None and got[1].source == "D1" and got[1].hard


def test_deal_on_friday_before_a_make_up_sunday():
    b = book([customer("K1")], [], [event("D1", etype="成交", date="2026-09-18")])
    (o,) = items(b, "2026-09-18", "P23")
    assert o.due_date == D("2026-09-20")  # Fri 09-18 → Sun 09-20, a make-up working day


def test_a_deal_call_inside_the_window_confirms_the_order_too():
    # deal Thu 09-24; Fri 09-25 is 中秋 → due Mon 09-28; window 2 working days → 09-30
    ev = [event("D1", etype="成交", date="2026-09-24")]
    made = book([customer("K1")], [call(date="2026-09-29", call_type="成交")], ev)
    (o,) = items(made, "2026-10-09", "P23")
    assert (o.due_date, o.lapse_date, o.satisfied_on) == (
        D("2026-09-28"),
        D("2026-09-30"),
        D("2026-09-29"),
    )
    late = book([customer("K1")], [call(date="2026-10-08", call_type="成交")], ev)
    (missed,) = items(late, "2026-10-09", "P23")
    assert missed.is_open and missed.status(D("2026-10-09")) == "missed"
    confirm = book([customer("K1")], [call(date="2026-10-08", call_type="成交确认")], ev)
    assert items(confirm, "2026-10-09", "P23")[0].satisfied_on == D("2026-10-08")  # late but made


# --- the rows decide ---------------------------------------------------------------------------


def test_a_disabled_row_makes_nothing(monkeypatch):
    with_rows(monkeypatch, P23={"enabled": False}, P16S={"enabled": False})
    b = book([customer("K1", klass="A")], [], [event("D1", etype="成交", date="2026-09-18")])
    assert [o.rule for o in items(b, "2026-09-18")] == ["P16"]  # the 中秋 visit only


def test_the_row_sets_classes_festivals_offset_and_window(monkeypatch):
    with_rows(
        monkeypatch,
        P16={"classes": ("A", "B"), "trigger_value": "国庆节", "window_workdays": 2},
        P17={"offset": 3, "unit": "工作日", "hard": False},
    )
    b = book(
        [customer("K1", klass="B"), customer("K2", klass="C")],
        [],
        [event("R1", cid="K2", etype="入伙", date="2026-09-30")],
    )
    got = items(b, "2026-09-15", "P16", "P17")
    assert [(o.customer_id, o.rule, o.due_date, o.lapse_date, o.hard) for o in got] == [
        # 国庆 → due Wed 09-30; 2 working days on: 10-08, 10-09
        ("K1", "P16", D("2026-09-30"), D("2026-10-09"), False),
    ]
    got = items(b, "2026-10-09", "P17")
    # 3 working days after Wed 09-30: 10-08, 10-09, 10-10 (make-up Saturday)
    assert [(o.due_date, o.hard) for o in got] == [(D("2026-10-10"), False)]


# --- the property ------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    st.dates(D("2025-01-01"), D("2027-12-31")),
    st.integers(0, 120),
    st.sampled_from(["入伙", "突发事件", "成交", "工程"]),
    st.dates(D("1960-01-01"), D("2004-12-31")),
    st.integers(-200, 400),
)
def test_every_seed_duty_is_due_on_a_working_day_and_never_before_its_trigger(
    day, later, etype, birthday, warranty
):
    """Every P16–P23 due date is a working day. P17, P18, P21, P22, P23 are due on or after
    their trigger; festival and birthday items (P16, P16S, P16B) are due before the festival or
    birthday by design: on or before it, with no working day between the due date and it."""
    as_of = day + dt.timedelta(days=later)
    c = customer(
        "K1",
        created="2024-06-03",
        birthday=birthday,
        move_in=day,
        warranty_end=day + dt.timedelta(days=warranty),
    )
    ev = event("E1", etype=etype, date=day.isoformat(), actual_end=day.isoformat())
    got = items(book([c], [], [ev]), as_of.isoformat())
    for o in got:
        assert CAL.is_working_day(o.due_date), o
        assert o.trigger_date is not None
        if o.rule in ("P16", "P16S", "P16B"):
            assert o.due_date <= o.trigger_date
            assert not CAL.working_days(o.due_date + dt.timedelta(days=1), o.trigger_date)
        else:
            assert o.due_date >= o.trigger_date, o
        if o.lapse_date is not None:
            assert o.lapse_date >= o.due_date


@pytest.mark.parametrize("etype", ["入伙", "突发事件"])
def test_the_staff_book_date_is_the_obligation_date(etype):
    b = book([customer("K1")], [], [event("E1", etype=etype, date="2026-09-24")])
    (o,) = items(b, "2026-10-09", "P17", "P18")
    assert event_first_due(Context(Policy(), CAL, D("2026-10-09")), b.events[0]) == o.due_date


def test_the_24_hour_confirmation_does_not_close_the_first_week_call():
    """A deal on Fri 2026-10-09: P23 (24 小时) is due Sat 10-10 (a make-up working day for National
    Day), made within its 2 working days by the call of Mon 10-12; P5 is due in the first week of
    November (11-01 + 6 days = Sat 11-07 → Fri 11-06). The 成交确认 call of 10-12 names the deal —
    it makes P23, not P5 (before, any call naming the deal closed P5 too). A 成交 call on 11-03
    closes P5."""
    deal = event("E1", etype="成交", date="2026-10-09")
    confirm = call(date="2026-10-12", call_type="成交确认", event_id="E1")
    r = compute_obligations(book([customer()], [confirm], [deal]), Policy(), D("2026-10-20"))
    got = {o.rule: o for o in r.obligations if o.rule in ("P5", "P23")}
    assert got["P23"].due_date == D("2026-10-10") and got["P23"].satisfied_on == D("2026-10-12")
    assert got["P5"].is_open and got["P5"].due_date == D("2026-11-06")
    first_week = call(date="2026-11-03", call_type="成交", event_id="E1", row=3)
    r = compute_obligations(
        book([customer()], [confirm, first_week], [deal]), Policy(), D("2026-11-10")
    )
    (p5,) = [o for o in r.obligations if o.rule == "P5"]
    assert p5.satisfied_on == D("2026-11-03")
