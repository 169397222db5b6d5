"""The staff workbook template: structure on the file we write, values through LibreOffice."""

import datetime as dt
from pathlib import Path

import libreoffice as lo
import openpyxl
import openpyxl.utils
import pytest
from xlsx_compare import compare

from followup_xl import formulas, schema
from followup_xl.calendar import WorkCalendar
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.template import (
    home_formulas,
    template_name,
    write_staff_workbook,
    write_templates,
)
from followup_xl.settings import Policy, policy_for_book

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_sheet_is_a_table_with_dropdowns_and_frozen_header(tmp_path, lang):
    path = write_staff_workbook(tmp_path / "t.xlsx", lang)
    wb = openpyxl.load_workbook(path)
    for sheet in schema.SHEETS:
        ws = wb[sheet.title(lang)]
        assert ws.freeze_panes == "A2", sheet.key
        (table,) = ws.tables.values()
        assert table.name == sheet.table
        assert [c.name for c in table.tableColumns] == [
            c.header(lang) for c in (*sheet.columns, *sheet.computed)
        ]
        lists = {
            str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
        }
        for j, col in enumerate(sheet.columns):
            if col.choices:
                letter = openpyxl.utils.get_column_letter(j + 1)
                assert f"{letter}2" in lists, (sheet.key, col.key)
                for label in col.choice_labels(lang):
                    assert label in lists[f"{letter}2"]
    calls = wb[schema.CALLS.title(lang)]
    rules = [r.formula[0] for cf in calls.conditional_formatting for r in cf.rules]
    assert any("TODAY()" in f and "<" in f for f in rules) and any(
        f.endswith("=TODAY()") for f in rules
    )


def test_committed_templates_match_the_code(tmp_path):
    """Part by part, so a new XlsxWriter's version stamp or zip timestamps do not count."""
    fresh = write_templates(tmp_path)
    assert len(fresh) == 4
    for path in fresh:
        committed = ROOT / "workbook_templates" / Path(path).name
        assert committed.exists(), f"{committed} missing: run `python -m tests.make_reference`"
        diff = compare(Path(path), committed)
        assert diff is None, (
            f"{committed.name} drifted from the code ({diff}): run `python -m tests.make_reference`"
        )


def test_blank_template_reads_back_with_default_policy(tmp_path):
    book = read_book(write_staff_workbook(tmp_path / "t.xlsx"))
    assert book.customers == [] and book.calls == []
    assert policy_for_book(book) == Policy()


def _status_figures(book, today: dt.date) -> dict[str, int]:
    """The 首页's two counts over the formula columns' statuses, from the policy in Python."""
    policy = policy_for_book(book)
    done = formulas.cached(book, policy, WorkCalendar.from_policy(policy), today, "zh")
    said = [r["routine_status"] for r in done.customers] + [
        r["follow_up_status"] for r in done.events
    ]
    return {
        "逾期未回访（例行与事项）": said.count("逾期"),
        "本周内应回访（含今日）": said.count("今日") + said.count("本周"),
    }


@pytest.mark.libreoffice
def test_libreoffice_recalculates_home_figures_and_keeps_rules(tmp_path, office):
    book = office.books["张伟"]
    src = write_staff_workbook(tmp_path / template_name("zh"), "zh", book=book, owner="张伟")
    out = lo.recalc(src, tmp_path / "lo")
    wb = openpyxl.load_workbook(out, data_only=True)
    home = wb["首页"]
    got = {
        label: home.cell(row=5 + i, column=2).value
        for i, (_k, label, _f) in enumerate(home_formulas("zh"))
    }
    today = dt.date.today()
    month_start = today.replace(day=1)
    expected = {
        "客户总数": len(book.customers),
        "A类客户": sum(c.klass == "A" for c in book.customers),
        "已废除客户": sum(c.status == "废除" for c in book.customers),
        "回访记录条数": sum(c.customer_id is not None for c in book.calls),
        "本月回访次数": sum(
            1 for c in book.calls if c.call_date and month_start <= c.call_date <= today
        ),
        "下次回访日期已过的记录": sum(1 for c in book.calls if c.next_date and c.next_date < today),
        "今天应回访的记录": sum(1 for c in book.calls if c.next_date == today),
        **_status_figures(book, today),
    }
    assert got == expected
    assert expected["客户总数"] > 0 and expected["下次回访日期已过的记录"] > 0
    # validation lists and conditional formats survive LibreOffice's re-save
    lo_wb = openpyxl.load_workbook(out)
    calls = lo_wb["回访记录表"]
    assert any("电话" in (dv.formula1 or "") for dv in calls.data_validations.dataValidation)
    assert any("TODAY()" in r.formula[0] for cf in calls.conditional_formatting for r in cf.rules)
    assert {t.name for t in lo_wb["客户名录簿"].tables.values()} == {"tblCustomers"}


@pytest.mark.libreoffice
def test_template_renders_chinese_text(tmp_path):
    src = write_staff_workbook(tmp_path / "blank.xlsx", "zh")
    text = lo.pdf_text(src, tmp_path / "pdf")
    assert "客户回访助手" in text and "客户总数" in text
