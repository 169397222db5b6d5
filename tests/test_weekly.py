"""The Monday summary: numbers checked by hand on small books and against the example
office's raw records, the holiday-Monday title line, the CLI contract, live totals."""

from __future__ import annotations

import json

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import D, book, call, customer, event, staff
from office_master import combined, write_master

from followup_xl.calendar import WorkCalendar
from followup_xl.cli import main
from followup_xl.settings import Policy
from followup_xl.weekly import last_complete_week, summarise_week


def small_book():
    return book(
        [
            customer("K1", created="2026-11-17"),
            customer("K2", created="2026-11-01", last_deal=D("2026-11-19")),
            customer("K3", created="2026-11-16", owner="王芳", last_deal=D("2026-11-18")),
        ],
        [
            call("K1", "2026-11-17"),
            call("K2", "2026-11-18", result="未接通"),
            call("K2", "2026-11-20", call_type="约访"),
            call("K1", "2026-11-19", call_type="咨询"),
            call("K1", "2026-11-23"),
            call("K3", "2026-11-14", call_type="约访", caller="王芳"),
        ],
        [
            event("D1", "K1", "成交", "2026-11-18"),
            event("D3", "K3", "成交", "2026-11-18", owner="王芳"),
            event(
                "W1", "K2", "工程", "2026-10-01", planned_end="2026-11-20", actual_end="2026-11-20"
            ),
            event("W2", "K1", "工程", "2026-09-01", planned_end="2026-11-01"),
            event("W3", "K3", "工程", "2026-09-01", actual_end="2026-11-02"),
        ],
        [staff("张伟"), staff("王芳"), staff("赵刚", "公司经理")],
    )


def test_numbers_by_hand():
    w = summarise_week(small_book(), Policy(), WorkCalendar(), D("2026-11-22"))
    assert (w.week_start, w.week_end) == (D("2026-11-16"), D("2026-11-22"))
    rows = {r["owner"]: r for r in w.by_owner}
    zw, wf, zg = rows["张伟"], rows["王芳"], rows["赵刚"]
    # deals: D1 (event) + K2's 最近成交日期; K3's event and 最近成交日期 are the same deal → once
    assert (zw["deals"], wf["deals"]) == (2, 1)
    assert (zw["new_customers"], wf["new_customers"]) == (1, 1)
    assert (zw["calls"], zw["successful_calls"], zw["outcomes"]) == (
        4,
        3,
        {"成功": 3, "未接通": 1},
    )  # 11-23 is next week
    assert zw["appointments"] == 1 and zw["appointments_met"] and zw["consultation_followups"] == 1
    # 王芳's 约访 on Saturday 11-14 belongs to the Saturday–Friday week 11-14..11-20, which ends in this week
    assert wf["appointments"] == 1 and wf["appointments_met"]
    assert zg["appointments_met"] is None  # P12 is asked of salespeople only
    status = {p["event_id"]: p["status"] for p in w.projects}
    assert status == {"W1": "本周竣工", "W2": "超期在施"}  # W3 finished before the week
    assert w.report_day == D("2026-11-23") and not w.report_moved


def test_holiday_monday_moves_the_summary_to_sunday(tmp_path):
    w = summarise_week(
        small_book(), Policy(), WorkCalendar(), D("2026-09-30")
    )  # Monday 10-05 is a holiday
    assert w.report_moved and w.report_day == D("2026-10-04")
    from followup_xl.io.write.weekly import write_weekly

    out = write_weekly(tmp_path / "w.xlsx", w)
    title = openpyxl.load_workbook(out)["周报"]["A1"].value
    assert title.startswith("客户回访周报 2026-09-28 至 2026-10-04") and title.endswith(
        "（周一放假，提前至周日 10-04 报送）"
    )
    sat = summarise_week(
        small_book(), Policy(week_start="saturday"), WorkCalendar(), D("2026-11-20")
    )
    assert (sat.week_start, sat.week_end, sat.report_day) == (
        D("2026-11-14"),
        D("2026-11-20"),
        D("2026-11-23"),
    )


def test_default_week_is_the_last_one_ended():
    assert last_complete_week(D("2026-11-22")) == D("2026-11-22")  # Sunday: this week
    assert last_complete_week(D("2026-11-23")) == D("2026-11-22")  # Monday: last week
    assert last_complete_week(D("2026-11-20"), "saturday") == D("2026-11-20")


def test_example_office_counts_match_raw_records(office):
    b = combined(office)
    w = summarise_week(b, Policy(), WorkCalendar(), D("2026-11-22"))
    in_week = [
        k for k in b.calls if k.call_date and D("2026-11-16") <= k.call_date <= D("2026-11-22")
    ]
    assert sum(r["calls"] for r in w.by_owner) == len(in_week) > 50
    assert sum(r["successful_calls"] for r in w.by_owner) == sum(
        1 for k in in_week if k.result in (None, "成功")
    )
    for r in w.by_owner:
        assert r["calls"] == sum(1 for k in in_week if k.caller == r["owner"])
        assert r["overdue"] >= 0 and r["successful_calls"] <= r["calls"]


def test_cli_json_contract(tmp_path, office_dir):
    src = office_dir / "张伟_客户回访.xlsx"
    r = CliRunner().invoke(main, ["weekly", str(src), "--as-of", "2026-11-23", "--json"])
    w = json.loads(r.stdout)
    assert (w["week_start"], w["week_end"]) == ("2026-11-16", "2026-11-22")
    assert {
        "owner",
        "deals",
        "new_customers",
        "calls",
        "successful_calls",
        "appointments",
        "consultation_followups",
        "overdue",
    } <= set(w["by_owner"][0])
    r = CliRunner().invoke(main, ["weekly", str(src), "--week-of", "2026-11-22", "--lang", "en"])
    assert r.exit_code == 0 and "deals" in r.output


@pytest.mark.libreoffice
def test_weekly_totals_recalculate(tmp_path, office_dir):
    master = write_master(office_dir, tmp_path / "master.xlsx")
    out = tmp_path / "周报.xlsx"
    r = CliRunner().invoke(
        main, ["weekly", str(master), "--week-of", "2026-11-22", "-o", str(out), "--json"]
    )
    expected = sum(x["calls"] for x in json.loads(r.stdout)["by_owner"])
    ws = openpyxl.load_workbook(lo.recalc(out, tmp_path / "lo"), data_only=True)["周报"]
    total = next(row for row in ws.iter_rows(min_row=5) if row[0].value == "合计")
    assert total[3].value == expected > 0
    assert openpyxl.load_workbook(out).sheetnames == ["周报", "在施工程"]
