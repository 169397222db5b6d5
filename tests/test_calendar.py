import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.calendar import WorkCalendar, last_official_year

D = dt.date.fromisoformat


def test_make_up_saturdays_and_holidays_2026():
    cal = WorkCalendar()
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"):
        assert cal.is_working_day(D(day)), day
    for day in ("2026-02-16", "2026-02-20", "2026-02-23", "2026-10-01", "2026-10-07", "2026-01-01"):
        assert not cal.is_working_day(D(day)), day
    assert len(cal.working_days(D("2026-01-01"), D("2026-12-31"))) == 248
    assert cal.warnings == []


def test_previous_working_day_before_spring_festival():
    cal = WorkCalendar()
    assert cal.on_or_before(D("2026-02-18")) == D("2026-02-14")  # the make-up Saturday
    assert cal.on_or_after(D("2026-02-18")) == D("2026-02-24")
    assert cal.add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
    assert cal.add_working_days(D("2026-02-14"), 1) == D("2026-02-24")


def test_year_without_official_data_warns_once_and_does_not_crash():
    year = last_official_year() + 1
    cal = WorkCalendar()
    assert not cal.known(year)
    assert not cal.is_working_day(dt.date(year, 1, 1))  # New Year is fixed by law
    assert cal.is_working_day(dt.date(year, 1, 4)) == (dt.date(year, 1, 4).weekday() < 5)
    cal.working_days(dt.date(year, 1, 1), dt.date(year, 3, 1))
    assert len(cal.warnings) == 1 and str(year) in cal.warnings[0].render("zh")
    assert cal.warnings[0].render("en").startswith(f"official {year} make-up working days unknown")


def test_office_additions_win():
    year = last_official_year() + 1
    extra_work = dt.date(year, 2, 6) if dt.date(year, 2, 6).weekday() >= 5 else dt.date(year, 2, 7)
    cal = WorkCalendar(
        extra_holidays=[D("2026-11-24")], extra_workdays=[extra_work, D("2026-10-01")]
    )
    assert not cal.is_working_day(D("2026-11-24"))
    assert cal.is_working_day(extra_work) and cal.is_working_day(D("2026-10-01"))


days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 6, 30))


@settings(max_examples=300, deadline=None)
@given(trigger=days, offset=st.integers(0, 45))
def test_due_dates_are_working_days_never_before_the_trigger(trigger, offset):
    cal = WorkCalendar()
    due = trigger + dt.timedelta(days=offset)
    moved = cal.due_on_working_day(due, trigger)
    assert cal.is_working_day(moved)
    assert moved >= trigger
    if moved > due:  # only when no working day between trigger and due
        assert not cal.working_days(trigger, due)
    else:  # the latest working day that still meets the due date
        assert not cal.working_days(moved + dt.timedelta(days=1), due)


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(-20, 20))
def test_add_working_days_counts_working_days(start, n):
    cal = WorkCalendar()
    end = cal.add_working_days(start, n)
    assert cal.is_working_day(end)
    if n > 0:
        assert len(cal.working_days(start + dt.timedelta(days=1), end)) == n
    elif n < 0:
        assert len(cal.working_days(end, start - dt.timedelta(days=1))) == -n
