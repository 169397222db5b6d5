"""The monthly report and staff scores: every headline number reconciles with the rows."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from followup_xl import api
from followup_xl.cli import main
from followup_xl.policy import compute_obligations
from followup_xl.report import CALL_RULES, month_bounds
from followup_xl.settings import Policy

import libreoffice as lo
from helpers import D, book, call, customer, event, staff

MONTH = "2026-10"


@pytest.fixture(scope="module")
def master(tmp_path_factory, office_dir):
    out = tmp_path_factory.mktemp("m") / "master.xlsx"
    assert api.merge([str(office_dir)], str(out))["exit_code"] == 0
    return out


def test_headline_reconciles_with_plain_pandas(master):
    r = api.report(str(master), MONTH)
    start, end = month_bounds(MONTH)
    # the calls, read by pandas straight from the master's sheet
    calls = pd.read_excel(master, sheet_name="回访记录表", engine="calamine")
    calls["回访日期"] = pd.to_datetime(calls["回访日期"], errors="coerce")
    month = calls[(calls["回访日期"] >= pd.Timestamp(start)) & (calls["回访日期"] <= pd.Timestamp(end))]
    assert r["calls"] == len(month)
    ok = month["结果"].isna() | (month["结果"] == "成功")
    assert r["successful_calls"] == int(ok.sum())
    sat = pd.to_numeric(month["满意度"], errors="coerce").dropna()
    assert r["satisfaction_avg"] == round(sat.mean(), 2)
    assert r["satisfaction_distribution"] == {str(i): int((sat == i).sum()) for i in range(1, 6)}
    top = month["客户反映问题"].dropna().value_counts()
    assert {t["issue"]: t["count"] for t in r["top_issues"]} == {k: int(v) for k, v in top.head(10).items()} or \
        [t["count"] for t in r["top_issues"]] == [int(v) for v in top.head(10).values]
    per_caller = month.groupby("回访人").size()
    for o in r["by_owner"]:
        assert o["calls"] == int(per_caller.get(o["owner"], 0))
    events = pd.read_excel(master, sheet_name="回访事项", engine="calamine")
    events["事项日期"] = pd.to_datetime(events["事项日期"], errors="coerce")
    ev_month = events[(events["事项日期"] >= pd.Timestamp(start)) & (events["事项日期"] <= pd.Timestamp(end))]
    complaints = ev_month[ev_month["事项类型"] == "投诉"]
    assert sum(c["complaints"] for c in r["complaints_by_party"]) == len(complaints)
    repairs = {c["rule"]: c for c in r["coverage"]}["P3"]
    assert repairs["events"] == int((ev_month["事项类型"] == "维修").sum())
    # planned / done / successful: the same obligations, counted by pandas instead of the report's loop
    b, policy = api.load(str(master))
    obls = pd.DataFrame([o.__dict__ for o in compute_obligations(b, policy, end).obligations])
    obls = obls[obls["rule"].isin(CALL_RULES) & (obls["customer_id"] != "")]
    due = pd.to_datetime(obls["due_date"])
    sat_on = pd.to_datetime(obls["satisfied_on"])
    planned = (due.between(pd.Timestamp(start), pd.Timestamp(end))) | \
              ((due < pd.Timestamp(start)) & (sat_on.isna() | (sat_on >= pd.Timestamp(start))))
    successful = planned & sat_on.between(pd.Timestamp(start), pd.Timestamp(end))
    assert r["planned"] == int(planned.sum()) and r["successful"] == int(successful.sum())
    assert r["successful"] <= r["done"] <= r["planned"]
    assert sum(o["planned"] for o in r["by_owner"]) == r["planned"] == sum(t["planned"] for t in r["by_type"])
    assert r["done_pct"] == round(100 * r["done"] / r["planned"], 1)


def test_coverage_targets_and_comparisons():
    b = book([customer("K1"), customer("K2")],
             [call("K1", "2026-10-05", call_type="投诉", event_id="C1"), call("K1", "2026-09-10")],
             [event("C1", "K1", "投诉", "2026-10-03", responsible="施工队"),
              event("C2", "K2", "投诉", "2026-10-20", responsible="施工队"),
              event("C3", "K2", "投诉", "2026-10-21", responsible="设计师"),
              event("R1", "K2", "维修", "2026-10-02")],
             [staff("张伟")])
    from followup_xl.report import monthly_report

    r = monthly_report(b, Policy(), "2026-10")
    cov = {c["rule"]: c for c in r["coverage"]}
    assert (cov["P2"]["events"], cov["P2"]["followed_up"], cov["P2"]["met"]) == (3, 1, False)
    assert (cov["P3"]["events"], cov["P3"]["followed_up"], cov["P3"]["actual_pct"]) == (1, 0, 0.0)
    assert r["complaints_by_party"][0] == {"party": "施工队", "complaints": 2, "ratio_pct": 66.7}
    assert r["comparison"]["previous_month"]["data"] is True
    assert r["comparison"]["same_month_last_year"] == {"month": "2025-10", "data": False}
    assert len(r["trend"]) == 12 and r["trend"][-1]["month"] == "2026-10"


def test_scores_follow_the_seed():
    calls = [call("K1", (D("2026-03-02") + dt.timedelta(days=i % 28)).isoformat(), call_type="咨询", row=i)
             for i in range(130)]
    calls.append(call("K1", "2026-03-03", call_type="成交", event_id="D1"))
    b = book([customer("K1")], calls, [event("D1", "K1", "成交", "2026-02-20")],
             [staff("张伟", joined=D("2025-01-01")), staff("王芳", joined=D("2026-11-01")),
              staff("李娜", joined=D("2025-01-01"), status="离职", left=D("2026-06-30"))])
    from followup_xl.scores import yearly_scores

    s = {p["name"]: p for p in yearly_scores(b, Policy(), 2026)["staff"]}
    march = next(m for m in s["张伟"]["monthly"] if m["month"] == 3)
    assert march["met"]["deal"] and march["points"] >= 3 and march["score"] == 100 + march["points"]
    assert s["张伟"]["months_worked"] == 12
    assert s["张伟"]["yearly_score"] == round(sum(m["score"] for m in s["张伟"]["monthly"]) / 12, 2)
    assert s["王芳"]["months_worked"] == 2 and s["王芳"]["not_eligible_reason"] == "入职不满3个月"
    assert s["李娜"]["months_worked"] == 6 and s["李娜"]["not_eligible_reason"] == "年中离职"
    assert not any(p["bonus_eligible"] for p in s.values())
    rich = Policy(bonus_threshold=100)
    assert {p["name"]: p for p in yearly_scores(b, rich, 2026)["staff"]}["张伟"]["bonus_eligible"]


def test_cli_json_contract(master):
    r = CliRunner().invoke(main, ["report", str(master), "--month", MONTH, "--json"])
    out = json.loads(r.stdout)
    assert {"month", "planned", "done", "done_pct", "successful", "successful_pct", "satisfaction_avg", "by_owner",
            "by_type", "coverage", "top_issues", "complaints_by_party"} <= set(out)
    assert {"rule", "target_pct", "actual_pct", "met"} <= set(out["coverage"][0])
    r = CliRunner().invoke(main, ["report", str(master), "--month", "2026-13"])
    assert r.exit_code == 2 and "YYYY-MM" in r.output


@pytest.mark.libreoffice
def test_report_charts_render_in_libreoffice(tmp_path, master):
    out = tmp_path / "月报.xlsx"
    r = CliRunner().invoke(main, ["report", str(master), "--month", MONTH, "-o", str(out), "--mask-phones"])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    assert len(wb["按人员"]._charts) == 1 and len(wb["满意度"]._charts) == 1 and len(wb["趋势"]._charts) == 1
    text = lo.pdf_text(out, tmp_path / "pdf")
    flat = "".join(text.split())   # pdftotext spaces out mixed digits and Chinese
    for title in ("客户回访月报", "各人员应回访", "满意度分布", "近12个月回访趋势", "本月应回访数量"):
        assert title in flat, title
    pngs = lo.to_pngs(out, tmp_path / "png", dpi=40, first=2, last=2)
    assert pngs and pngs[0].stat().st_size > 5000
