"""Trust boundaries (issue 13): what a hostile or merely odd staff book must not be able to do
to the manager's outputs, terminal or PC — each through the CLI, on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl import example_office
from followup_xl.cli import main
from followup_xl.io.template import write_staff_workbook

DAY = "2026-11-22"


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and result.exit_code != 70, result.output
    return result


def office_of(owners: list[str], per_owner: int = 6):
    return example_office.generate(customers_per_owner=per_owner, owners=owners, plant_mistakes=False)


def one_book(tmp_path: Path, owners: list[str], name: str = "book.xlsx", per_owner: int = 6) -> Path:
    """Every owner's customers and calls in one staff book (what a small office keeps)."""
    office = office_of(owners, per_owner)
    books = list(office.books.values())
    book = books[0]
    for other in books[1:]:
        book.customers += other.customers
        book.calls += other.calls
        book.events += other.events
    return Path(write_staff_workbook(tmp_path / name, book=book))


# --- handover: the SMS template -------------------------------------------------------------

@pytest.mark.parametrize("template", ["{customer:>300000000}", "{customer!r}", "{customer.__class__}",
                                      "{customer[0]}", "{}", "{0}"])
def test_the_sms_template_takes_only_plain_placeholders(tmp_path, template):
    book = one_book(tmp_path, ["张伟", "王芳"])
    policy = tmp_path / "policy.toml"
    policy.write_text(f'sms_template = "{template}"\n', encoding="utf-8")
    out = tmp_path / "新总表.xlsx"
    result = run("handover", book, "--from", "张伟", "--to", "王芳", "-o", out, "--policy", policy, "--as-of", DAY)
    assert result.exit_code == 3, result.output
    assert "交接短信模板" in result.output
    assert not out.exists()


def test_a_plain_sms_template_still_works(tmp_path):
    book = one_book(tmp_path, ["张伟", "王芳"])
    policy = tmp_path / "policy.toml"
    policy.write_text('sms_template = "{customer}您好，{new_owner}接替{old_owner}"\n', encoding="utf-8")
    out = tmp_path / "新总表.xlsx"
    result = run("handover", book, "--from", "张伟", "--to", "王芳", "-o", out, "--policy", policy, "--as-of", DAY)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "新总表_交接单.xlsx").worksheets[0]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "接替张伟" in c.value]
    assert texts and all(t.endswith("王芳接替张伟") for t in texts)


# --- schedule: owners Excel cannot tell apart -------------------------------------------------

def test_schedule_with_owners_differing_only_by_case_or_quoted(tmp_path):
    owners = ["Tom", "tom", "'Ann", "Ann'", "History"]
    book = one_book(tmp_path, owners, per_owner=4)
    out = tmp_path / "排期.xlsx"
    result = run("schedule", book, "--as-of", DAY, "-o", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    names = wb.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    # every owner has a sheet of their own, headed by their real name
    subtitles = [ws["A2"].value or "" for ws in wb.worksheets[1:-1]]
    for owner in owners:
        assert sum(s.startswith(f"{owner}：") for s in subtitles) == 1, (owner, subtitles)
