"""One test per rule, with dates around weekends, holidays and make-up Saturdays."""

import datetime as dt
import random

import pytest
from helpers import D, book, call, customer, event, staff
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar
from followup_xl.policy import compute_obligations
from followup_xl.settings import Policy


def run(b, as_of="2026-11-22", **policy):
    return compute_obligations(b, Policy(**policy), D(as_of))


def only(result, rule, open_=None):
    out = [
        o for o in result.obligations if o.rule == rule and (open_ is None or o.is_open == open_)
    ]
    return out


def test_p1_cadence_from_the_last_successful_call():
    r = run(
        book(
            [customer(klass="A")],
            [call(date="2026-11-10"), call(date="2026-11-13", result="未接通")],
        )
    )
    (o,) = only(r, "P1", open_=True)
    # 未接通 on Fri 11-13 → retry Mon 11-16, earlier than 11-10 + 7 = 11-17
    assert o.due_date == D("2026-11-16") and "未接通" in o.reason.render("zh")
    closed = only(r, "P1", open_=False)
    assert [x.satisfied_on for x in closed] == [D("2026-11-10")]


def test_p1_counts_from_filing_when_no_call_and_by_class():
    r = run(
        book([customer("K1", "B", created="2026-11-02"), customer("K2", "C", created="2026-11-02")])
    )
    due = {o.customer_id: o.due_date for o in only(r, "P1")}
    assert due == {"K1": D("2026-11-16"), "K2": D("2026-12-02")}


def test_p1_due_on_holiday_moves_before_it():
    # last call Fri 2026-09-25, A class: 10-02 is in National Day → previous working day 09-30
    r = run(book([customer()], [call(date="2026-09-25")]), as_of="2026-09-26")
    assert only(r, "P1", True)[0].due_date == D("2026-09-30")


def test_p1_can_land_on_a_make_up_saturday():
    # B class, last call Sat 2026-09-26? use 2026-09-26 + 14 = 10-10, a make-up working Saturday
    r = run(book([customer(klass="B")], [call(date="2026-09-26")]), as_of="2026-09-27")
    assert only(r, "P1", True)[0].due_date == D("2026-10-10")


def test_p11_typed_date_wins_over_cadence_and_p1_refusal_pauses():
    r = run(book([customer()], [call(date="2026-11-02", next_date="2026-11-20")]))
    o = only(r, "P1", True)[0]
    assert o.due_date == D("2026-11-20") and o.typed_date == D("2026-11-20")
    r = run(book([customer()], [call(date="2026-11-02", result="拒访")]), refusal_pause_days=60)
    assert only(r, "P1", True)[0].due_date == D("2026-12-31")


def test_p11_typed_date_after_a_hard_deadline_is_flagged():
    b = book(
        [customer()],
        [call(date="2026-11-02", next_date="2026-11-30")],
        [event("E1", etype="投诉", date="2026-11-16")],
    )
    o = only(run(b), "P1", True)[0]
    assert "typed_after_deadline" in o.flags


def test_p2_complaint_within_3_days_and_satisfaction():
    b = book(
        [customer()],
        [call(date="2026-11-18", call_type="投诉", event_id="E1")],
        [
            event("E1", date="2026-11-13"),
            event("E2", date="2026-11-13"),
            event("E3", date="2026-11-13", anonymous=True),
        ],
    )
    p2 = {o.event_id: o for o in only(run(b), "P2")}
    assert set(p2) == {"E1", "E2"}  # P10: anonymous complaints never
    assert p2["E1"].satisfied_on == D("2026-11-18")
    # E2: the typed call names E1, so it does not satisfy E2; due Fri 11-13 + 3 = Mon 11-16
    assert p2["E2"].is_open and p2["E2"].due_date == D("2026-11-16")


def test_p3_p4_p13_p14_windows():
    b = book(
        [customer()],
        [],
        [
            event("R", etype="维修", date="2026-09-10"),
            event("A", etype="活动", date="2026-11-02"),
            event("P", etype="提案", date="2026-11-02", proposal_level="重大"),
            event("T", etype="出差拜访", date="2026-11-20"),
        ],
    )
    due = {o.event_id: o.due_date for o in run(b).obligations if o.event_id}
    assert due["R"] == D("2026-10-10")  # 09-10 + 30 = 10-10: a make-up Saturday, a working day
    assert due["A"] == D("2026-12-02")
    assert due["P"] == D("2026-12-02")  # 30 days for a major proposal
    assert due["T"] == D("2026-11-23")  # next working day after Fri 11-20


def test_p5_first_week_of_next_month_and_p6_next_monday():
    b = book(
        [customer()],
        [],
        [event("D", etype="成交", date="2026-09-15"), event("C", etype="咨询", date="2026-11-18")],
    )
    due = {o.event_id: o.due_date for o in run(b).obligations if o.event_id}
    assert due["D"] == D("2026-09-30")  # 10-07 is a holiday → back to 09-30 (still after the deal)
    assert due["C"] == D("2026-11-23")


def test_p7_project_three_calls_and_late_completion():
    b = book(
        [customer()],
        [call(date="2026-06-11", call_type="工程开工", event_id="W")],
        [
            event(
                "W",
                etype="工程",
                date="2026-06-01",
                planned_end="2026-07-31",
                actual_end="2026-08-20",
            )
        ],
    )
    p7 = only(run(b), "P7")
    assert [o.call_types[0] for o in p7] == ["工程开工", "工程中期", "工程竣工", "工程竣工"]
    assert [o.due_date for o in p7] == [
        D("2026-06-11"),
        D("2026-07-01"),
        D("2026-07-31"),
        D("2026-08-20"),
    ]
    assert p7[0].satisfied_on == D("2026-06-11") and all(o.is_open for o in p7[1:])


def test_p8_no_deal_for_six_months():
    b = book([customer(last_deal=D("2026-05-10"))])
    (o,) = only(run(b), "P8")
    assert o.due_date == D("2026-11-10") and o.is_open


def test_p9_open_issue_repeats_until_resolved():
    b = book(
        [customer()],
        [
            call(date="2026-11-02", issue="漏水", issue_status="未解决", next_date="2026-11-04"),
            call(
                date="2026-11-04",
                issue="漏水",
                issue_status="未解决",
                next_date="2026-11-06",
                row=3,
            ),
        ],
    )
    p9 = only(run(b), "P9")
    assert [(o.due_date, o.is_open) for o in p9] == [
        (D("2026-11-05"), False),
        (D("2026-11-09"), True),
    ]


def test_p10_void_customers_never_scheduled():
    r = run(book([customer(status="废除")], [call()], [event()]))
    assert r.obligations == [] or all(o.rule == "P12" for o in r.obligations)


def test_p12_weekly_appointment_per_person():
    b = book(
        [customer()],
        [call(date="2026-11-21", call_type="约访")],
        [],
        [staff("张伟"), staff("王芳")],
    )
    p12 = {o.owner: o for o in only(run(b), "P12")}
    assert not p12["张伟"].is_open and p12["王芳"].is_open
    assert p12["王芳"].due_date == D("2026-11-27")  # week Sat 11-21 .. Fri 11-27


def test_p15_verification_period():
    b = book([customer(verified_on=D("2025-11-01"))])
    (o,) = only(run(b), "P15")
    # 2025-11-01 + 365 = Sunday 2026-11-01 → the Friday before
    assert o.due_date == D("2026-10-30") and o.status(D("2026-11-22")) == "overdue"


def test_policy_numbers_come_from_the_policy():
    b = book([customer(klass="A", created="2026-11-02")])
    assert only(run(b, cadence_days={"A": 3, "B": 14, "C": 30}), "P1")[0].due_date == D(
        "2026-11-05"
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_results_do_not_depend_on_row_order(seed, office):
    b = office.books["王芳"]
    shuffled = book(b.customers, b.calls, b.events, b.staff)
    rng = random.Random(seed)
    for lst in (shuffled.customers, shuffled.calls, shuffled.events):
        rng.shuffle(lst)

    def key(r):
        return sorted(
            (o.customer_id, o.rule, o.due_date, o.satisfied_on or D("1900-01-01"), o.source)
            for o in r.obligations
        )

    assert key(run(shuffled)) == key(run(book(b.customers, b.calls, b.events, b.staff)))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_due_dates_are_working_days_and_never_before_their_trigger(seed):
    from followup_xl.demo import office as example_office

    office = example_office.generate(
        seed=seed, customers_per_owner=5, owners=["张伟"], plant_mistakes=False
    )
    b = office.books["张伟"]
    cal = WorkCalendar()
    for o in run(b).obligations:
        if o.typed_date:
            continue  # the agreed date is the staff's choice (moved forward to a working day)
        assert cal.is_working_day(o.due_date), o
        # festival and birthday greetings are due before the day by design (test_duties' property)
        if o.trigger_date and o.rule not in ("P16", "P16S", "P16B"):
            assert o.due_date >= o.trigger_date, o


def test_new_year_into_a_year_without_official_data():
    # A class, last call Fri 2026-12-25: +7 = 2027-01-01, New Year (fixed by law) → Thu 2026-12-31
    r = run(book([customer()], [call(date="2026-12-25")]), as_of="2026-12-28")
    assert only(r, "P1", True)[0].due_date == D("2026-12-31")
    assert len(r.warnings) == 1 and "2027" in r.warnings[0].render("zh")
    assert "2027" in r.warnings[0].render("en")
    # the office's own 节假日 list wins: 12-31 declared a day off → 12-30
    r = compute_obligations(
        book([customer()], [call(date="2026-12-25")]),
        Policy(extra_holidays=[D("2026-12-31")]),
        D("2026-12-28"),
    )
    assert only(r, "P1", True)[0].due_date == D("2026-12-30")


def test_policy_settings_are_checked_with_sentences():
    from followup_xl.errors import UsageError
    from followup_xl.settings import policy_from_rows

    assert policy_from_rows([("例行回访间隔天数", "A=5", "规则!B2")]).cadence_days == {
        "A": 5,
        "B": 14,
        "C": 30,
    }
    for key, value, words in [
        ("例行回访间隔天数", "A=-5", "大于 0"),
        ("例行回访间隔天数", "D=7", "未知客户类别"),
        ("成交次月第一周天数", "40", "28"),
        ("投诉处理后回访天数", "-1", "complaint_days"),
    ]:
        with pytest.raises(UsageError) as exc:
            policy_from_rows([(key, value, "规则!B2")])
        assert words in exc.value.message("zh"), (key, value)
    with pytest.raises(UsageError):
        policy_from_rows([("增加休息日", "2026-12-31", None), ("增加工作日", "2026-12-31", None)])


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(min_value=D("2025-12-01"), max_value=D("2027-03-31")),
    kind=st.sampled_from(["投诉", "维修", "提案"]),
)
def test_hard_deadlines_are_met_whenever_a_working_day_allows(day, kind):
    """A hard due date is a working day, never before the event, and never after the deadline
    when some working day between the event and the deadline could meet it."""
    r = run(
        book([customer(created="2025-01-02")], [], [event("E", etype=kind, date=day.isoformat())]),
        as_of="2027-06-30",
    )
    (o,) = [x for x in r.obligations if x.event_id == "E"]
    deadline = day + dt.timedelta(days={"投诉": 3, "维修": 30, "提案": 15}[kind])
    cal = WorkCalendar()
    assert cal.is_working_day(o.due_date) and o.due_date >= day
    if cal.working_days(day, deadline):
        assert o.due_date <= deadline


def test_the_fast_obligation_builders_make_what_the_dataclass_makes():
    """``obligations.obligation``/``evolve`` (the policy's hot paths) build the same frozen
    Obligation as ``Obligation(...)``/``dataclasses.replace``: equal, same hash and repr,
    immutable, and a field that does not exist is refused."""
    import dataclasses
    from typing import Any

    from followup_xl.obligations import Obligation, evolve, obligation

    day, later = dt.date(2026, 3, 2), dt.date(2026, 3, 9)
    args: tuple[Any, ...] = (
        "K001",
        "P1",
        day,
        "why",
        "客户",
        "张伟",
        day,
        "R0001",
        None,
        ("例行",),
        False,
    )
    kw: dict[str, Any] = {
        "satisfied_on": later,
        "satisfied_by": "R0002",
        "typed_date": later,
        "flags": ("x",),
    }
    slow, fast = Obligation(*args, **kw), obligation(*args, **kw)
    assert type(fast) is Obligation
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert obligation(*args) == Obligation(*args)  # the defaults too
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.rule = "P2"  # type: ignore[misc]
    changed: dict[str, Any] = {"satisfied_on": None, "satisfied_by": None, "lapse_date": later}
    assert evolve(slow, **changed) == dataclasses.replace(slow, **changed)
    assert repr(evolve(fast, rule="P8")) == repr(dataclasses.replace(slow, rule="P8"))
    assert slow.rule == "P1"  # the original is untouched
    with pytest.raises(TypeError):
        evolve(slow, no_such_field=1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),  # few days: several calls share one
            st.one_of(st.none(), st.sampled_from([dt.time(9), dt.time(9, 30), dt.time(0)])),
            st.one_of(st.none(), st.sampled_from(["R1", "R2", "R3"])),  # none: its sheet!row
            st.integers(2, 6),
        ),
        max_size=12,
    )
)
def test_a_customers_calls_are_put_in_the_order_the_rules_read_them(rows):
    """policy._in_call_order (by date in C, by the whole key only when two calls share a day)
    orders a customer's calls as the plain sort by (date, time or midnight, 记录编号 or
    sheet!row) does, stably: equal keys keep the book's order."""
    from followup_xl.obligations import call_ref
    from followup_xl.policy import _in_call_order

    calls = [
        call(
            date=(D("2026-03-02") + dt.timedelta(days=day)).isoformat(),
            call_time=at,
            record_id=rid,
            row=row,
        )
        for day, at, rid, row in rows
    ]
    midnight = dt.time()
    want = sorted(calls, key=lambda c: (c.call_date, c.call_time or midnight, call_ref(c)))
    got = list(calls)
    _in_call_order(got, midnight)
    assert [id(c) for c in got] == [id(c) for c in want]
