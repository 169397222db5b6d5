"""Staff scores (seed 003): the points of each target, the yearly score and bonus eligibility."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import D, book, call, customer, event, staff

from followup_xl import api
from followup_xl.cli import main
from followup_xl.errors import UsageError
from followup_xl.scores import yearly_scores
from followup_xl.settings import Policy

SMALL = Policy(
    consultation_weekly_target=2, consultation_monthly_target=9, verifier_monthly_target=2
)


def _consultations(start: str, days: int, per_day: int = 1, caller="张伟"):
    first = D(start)
    return [
        call(
            "K1",
            (first + dt.timedelta(days=d)).isoformat(),
            call_type="咨询",
            caller=caller,
            row=100 + d * 5 + i,
        )
        for d in range(days)
        for i in range(per_day)
    ]


def _office():
    calls = _consultations("2026-03-01", 31)  # March: every day → every whole week ≥ 2, month 31
    calls += _consultations("2026-04-01", 8)  # April: 8 in the first week only → fails
    calls.append(
        call("K1", "2026-03-03", call_type="成交", event_id="D1")
    )  # Feb deal, called in week 1
    calls.append(call("K1", "2026-04-20", call_type="成交", event_id="D2"))  # Mar deal, called late
    calls.append(
        call("K1", "2026-03-11", call_type="出差核实", event_id="T1")
    )  # trip on 3-10, next day
    calls += [
        call("K1", f"2026-{m:02d}-15", caller="王芳") for m in range(1, 13)
    ]  # every month has calls
    customers = [
        customer("K1", verified_by="张伟", verified_on=D("2026-03-20")),
        customer("K2", verified_by="张伟", verified_on=D("2026-03-21")),
        customer("K3", verified_by="张伟", verified_on=D("2026-04-21")),
    ]
    events = [
        event("D1", "K1", "成交", "2026-02-20"),
        event("D2", "K1", "成交", "2026-03-20"),
        event("T1", "K1", "出差拜访", "2026-03-10"),
    ]
    people = [
        staff("张伟", joined=D("2025-01-01")),
        staff("王芳", joined=D("2026-10-15")),
        staff("李娜", joined=D("2025-01-01"), status="离职", left=D("2026-06-30")),
        staff("赵刚", role="公司经理"),
        staff("老周", status="离职", left=D("2025-12-31")),
    ]
    return book(customers, calls, events, people)


def test_each_target_earns_its_points_in_the_month_it_is_met():
    s = yearly_scores(_office(), SMALL, 2026)
    people = {p["name"]: p for p in s["staff"]}
    assert set(people) == {
        "张伟",
        "王芳",
        "李娜",
    }  # managers and last year's leavers are not scored
    by_month = {m["month"]: m for m in people["张伟"]["monthly"]}
    assert by_month[3]["met"] == {
        "deal": True,
        "consultation": True,
        "verification": True,
        "trip": True,
    }
    assert by_month[3]["points"] == 3 + 3 + 5 + 4 and by_month[3]["score"] == 115
    assert by_month[4]["met"] == {
        "deal": False,
        "consultation": False,
        "verification": False,
        "trip": None,
    }
    assert by_month[4]["score"] == 100 and by_month[4]["consultation_followups"] == 8
    assert by_month[5]["met"]["deal"] is None  # no deal in April: nothing to check, no points
    assert people["张伟"]["months_worked"] == 12
    assert people["张伟"]["yearly_score"] == round((115 + 11 * 100) / 12, 2)


def test_bonus_eligibility_as_the_seed_says():
    people = {
        p["name"]: p for p in yearly_scores(_office(), Policy(bonus_threshold=101), 2026)["staff"]
    }
    assert (
        people["王芳"]["months_worked"] == 3
        and people["王芳"]["not_eligible_reason"] == "入职不满3个月"
    )
    assert (
        people["李娜"]["months_worked"] == 6 and people["李娜"]["not_eligible_reason"] == "年中离职"
    )
    assert not people["张伟"]["bonus_eligible"]  # 101.25 ≥ 101 but the default targets are high
    rich = {
        p["name"]: p
        for p in yearly_scores(_office(), SMALL.model_copy(update={"bonus_threshold": 101}), 2026)[
            "staff"
        ]
    }
    assert rich["张伟"]["bonus_eligible"] and rich["张伟"]["not_eligible_reason"] == ""
    assert not rich["王芳"]["bonus_eligible"] and not rich["李娜"]["bonus_eligible"]


def test_only_whole_months_with_records_are_scored():
    b = _office()
    b.calls[:] = [k for k in b.calls if k.call_date >= D("2026-03-01")]
    s = yearly_scores(b, SMALL, 2026, as_of=D("2026-11-22"))
    assert s["months_scored"] == list(range(1, 11)) and s["months_without_calls"] == [1, 2]
    zhang = next(p for p in s["staff"] if p["name"] == "张伟")
    assert [m["month"] for m in zhang["monthly"]] == list(range(3, 11))
    with pytest.raises(UsageError):
        yearly_scores(b, SMALL, 2027, as_of=D("2026-11-22"))


def test_a_book_without_a_staff_sheet_scores_its_callers_and_owners():
    b = _office()
    b.staff.clear()
    assert {p["name"] for p in yearly_scores(b, SMALL, 2026)["staff"]} == {"张伟", "王芳"}


def test_cli_scores_the_example_office(tmp_path, office_dir):
    master = tmp_path / "master.xlsx"
    assert api.merge([str(office_dir)], str(master)).exit_code == 0
    out = tmp_path / "考核.xlsx"
    r = CliRunner().invoke(
        main,
        [
            "scores",
            str(master),
            "--year",
            "2026",
            "--as-of",
            "2026-11-22",
            "-o",
            str(out),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["months_scored"] == list(range(1, 11)) and s["months_without_calls"] == [1, 2, 3, 4]
    assert len(s["staff"]) == 6 and all(p["months_worked"] == 6 for p in s["staff"])
    for p in s["staff"]:
        assert p["yearly_score"] == round(sum(m["score"] for m in p["monthly"]) / 6, 2)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["年度考核", "月度明细"]
    names = [wb["年度考核"].cell(row=r, column=1).value for r in range(6, 12)]
    assert sorted(map(str, names)) == sorted(p["name"] for p in s["staff"])
    r = CliRunner().invoke(main, ["scores", str(master), "--year", "2030", "--as-of", "2026-11-22"])
    assert r.exit_code == 3 and "2030" in r.output
