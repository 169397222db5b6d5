"""The API's objects: a validation report in the manner of frictionless, the due list with real dates."""

import datetime as dt

import openpyxl
from office_master import write_master

from followup_xl import api
from followup_xl.cli.jsonout import to_json
from followup_xl.messages import message
from followup_xl.results import DueItem, DueList, ValidationRun

AS_OF = dt.date(2026, 11, 22)


def test_validation_report_is_valid_only_without_errors(office_dir):
    bad = api.validate(str(office_dir / "张伟_客户回访.xlsx"), as_of=AS_OF)
    good = api.validate(str(office_dir / "刘洋_客户回访.xlsx"), as_of=AS_OF)
    assert not bad.valid and bad.exit_code == 1 and bad.errors
    assert good.valid and good.exit_code == 0 and not good.errors
    assert all(f.severity == "error" for f in bad.errors)
    assert all(f.severity == "warning" for f in bad.warnings)
    assert len(bad.errors) + len(bad.warnings) == len(bad.findings)


def test_flatten_gives_the_asked_fields_in_the_asked_language(office_dir):
    report = api.validate(str(office_dir / "张伟_客户回访.xlsx"), as_of=AS_OF)
    rows = report.flatten(["code", "sheet", "cell", "message"])
    assert [r[0] for r in rows] == [f.code for f in report.findings]
    assert [r[2] for r in rows] == [f.cell for f in report.findings]
    assert [r[3] for r in rows] == [f.message("zh") for f in report.findings]
    assert [r[0] for r in report.flatten(["message"], lang="en")] == [
        f.message("en") for f in report.findings
    ]


def test_a_run_over_several_books_holds_one_task_per_book(office_dir):
    paths = [office_dir / "张伟_客户回访.xlsx", office_dir / "刘洋_客户回访.xlsx"]
    run = ValidationRun([api.validate(str(p), as_of=AS_OF) for p in paths])
    assert not run.valid  # 张伟's book has errors
    assert len(run.findings) == sum(len(t.findings) for t in run.tasks)
    assert [row[0] for row in run.flatten()] == [t.file for t in run.tasks for _f in t.findings]
    assert run.tasks[1].warnings  # 刘洋's book: warnings only, so valid
    assert ValidationRun(run.tasks[1:]).valid
    assert not ValidationRun(run.tasks[1:], unreadable=[message("read.not_found")]).valid


def test_due_items_carry_dates_and_both_languages(office_dir):
    due = api.due(str(office_dir / "王芳_客户回访.xlsx"), as_of=AS_OF)
    assert due.items and all(isinstance(i.due_date, dt.date) for i in due.items)
    assert sum(due.counts[s] for s in ("overdue", "due", "upcoming", "missed")) == len(due.items)
    assert [i.sort_key() for i in due.items] == sorted(i.sort_key() for i in due.items)
    hinted = [i for i in due.items if i.maybe_done_on]
    for i in hinted:
        day = i.maybe_done_on.isoformat()
        assert day in i.hint.render("zh") and day in i.hint.render("en")
    assert all(i.reason.render("zh") and i.reason.render("en") for i in due.items)


def test_json_renders_dates_and_text_in_the_chosen_language():
    item = DueItem(
        customer_id="K1",
        customer_name="甲",
        owner="张伟",
        rule="P2",
        due_date=dt.date(2026, 11, 20),
        status="overdue",
        escalate=True,
        days_overdue=2,
        lapse_date=None,
        reason=message("reason.complaint", eid="E1", level="一般", d=AS_OF, complaint_days=1),
        source=None,
        maybe_done_on=dt.date(2026, 11, 19),
        maybe_done_by="王芳",
        contact=None,
        phone=None,
    )
    due = DueList(AS_OF, [item])
    zh, en = to_json(due, "zh"), to_json(due, "en")
    assert zh["as_of"] == "2026-11-22" and "output" not in zh  # no output key without -o
    assert zh["items"][0]["due_date"] == "2026-11-20"
    assert zh["items"][0]["reason"] == "投诉E1（一般）2026-11-22处理完毕，1天内回访"
    assert en["items"][0]["reason"] == "complaint E1 closed 2026-11-22: call within 1 days"
    assert "2026-11-19" in en["items"][0]["hint"]
    assert zh["counts"] == {"overdue": 1, "due": 0, "upcoming": 0, "missed": 0, "escalate": 1}
    due.output = "待回访.xlsx"
    assert list(to_json(due))[-1] == "output"


def test_the_schedules_escalation_dates_are_date_cells(office_dir, tmp_path):
    master = write_master(office_dir, tmp_path / "总表.xlsx")
    out = tmp_path / "排期.xlsx"
    plan = api.schedule(str(master), as_of=AS_OF, out=str(out)).plan
    assert plan.escalations
    ws = openpyxl.load_workbook(out)["汇总"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("须上报主管"))
    dues = [r[5] for r in rows[head + 2 : head + 2 + len(plan.escalations)]]
    assert dues == [dt.datetime.combine(e.due_date, dt.time()) for e in plan.escalations]
