"""The China calendar kept between runs (calendar.py + kept.py): what the holidays library says,
asked once per installed version of it, so a click of 校验 does not import its country tables."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import holidays
import pytest

from followup_xl import calendar

CHILD = """
import json, sys
from pathlib import Path
from followup_xl import calendar
calendar.DATA = Path({folder!r})
cal = calendar.WorkCalendar()
days = [d.isoformat() for d in cal.working_days(calendar.dt.date(2026, 9, 18), calendar.dt.date(2026, 10, 12))]
fest = [(n, d.isoformat()) for n, d in calendar.festival_days(2027)]
print(json.dumps({{"days": days, "fest": fest, "official": calendar.last_official_year(),
                  "holidays": "holidays" in sys.modules}}))
"""


def _child(folder, write: bool = True) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(folder=str(folder))],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout)


def _library_answer() -> dict:
    cn = holidays.China(years=2026)
    days, d = [], dt.date(2026, 9, 18)
    while d <= dt.date(2026, 10, 12):
        if cn.is_working_day(d):
            days.append(d.isoformat())
        d += dt.timedelta(days=1)
    return {"days": days}


def test_the_second_run_answers_from_the_kept_copy_without_the_library(tmp_path):
    first = _child(tmp_path)
    assert first["holidays"] is True  # asked the library
    kept = list((tmp_path / "__pycache__").glob("china-calendar.*.marshal"))
    assert len(kept) == 1
    second = _child(tmp_path)
    assert second["holidays"] is False  # answered from the copy
    assert second == {**first, "holidays": False}
    # and it is what the library says: 中秋 Friday 25 Sep off; National Day 2026 off 1–7 Oct
    # (a Thursday to a Wednesday); Sunday 20 Sep and Saturday 10 Oct worked (调休)
    assert second["days"] == _library_answer()["days"]
    assert "2026-09-20" in second["days"] and "2026-10-10" in second["days"]
    assert "2026-09-25" not in second["days"]
    assert not any("2026-10-0" + str(n) in second["days"] for n in range(1, 8))
    assert second["official"] >= 2026


def test_nothing_is_kept_where_python_writes_no_bytecode(tmp_path):
    _child(tmp_path, write=False)
    assert not (tmp_path / "__pycache__").exists()


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The calendar's in-process caches emptied, its copy kept in tmp_path."""
    monkeypatch.setattr(calendar, "DATA", tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    _forget()
    yield tmp_path
    _forget()


def _forget() -> None:
    for f in (
        calendar._tables,
        calendar._year,
        calendar.festival_days,
        calendar.last_official_year,
    ):
        f.cache_clear()


def test_a_damaged_copy_is_asked_again_of_the_library(fresh):
    expected = calendar._library_year(2026)
    calendar._year(2026)
    (copy,) = (fresh / "__pycache__").glob("china-calendar.*.marshal")
    copy.write_bytes(copy.read_bytes()[:20])  # cut short
    calendar._tables.cache_clear()
    calendar._year.cache_clear()
    off, working = calendar._year(2026)
    assert sorted(d.toordinal() for d in off) == list(expected[0])
    assert sorted(d.toordinal() for d in working) == list(expected[1])


def test_another_version_of_the_library_does_not_read_the_old_copy(fresh, monkeypatch):
    where = calendar._library()
    assert where is not None
    calendar._year(2026)
    tables = calendar._tables()
    tables[("year", 2026)] = ((), ())  # what an old version would have said, say
    calendar.kept.keep(fresh, calendar._KEPT, where[1], tables)
    calendar._tables.cache_clear()
    calendar._year.cache_clear()
    monkeypatch.setattr(calendar, "_library", lambda: (where[0], where[1] + "-upgraded"))
    off, _ = calendar._year(2026)
    assert dt.date(2026, 10, 1) in off  # asked again, not the old copy's empty answer
