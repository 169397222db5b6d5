"""The xlwings Lite script (workbook_templates/xlwings_lite/main.py) against a fake of the
book object Lite hands a script. Pyodide itself cannot run here (its packages come from a
CDN this machine cannot reach); the core it needs is imported in a minimal environment in
tests/test_minimal_env.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_xlwings_lite import LiteBook

from followup_xl import api
from followup_xl.cli import main as cli
from followup_xl.xl import button

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "workbook_templates" / "xlwings_lite"
TODAY = dt.date.today()  # the Lite scripts, like the button, check against today


def load_main():
    spec = importlib.util.spec_from_file_location("followup_lite_main", LITE / "main.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli_summary(path):
    r = CliRunner().invoke(cli, ["validate", str(path), "--as-of", TODAY.isoformat(), "--json"])
    return json.loads(r.stdout)


@pytest.mark.parametrize("notes", [True, False])
def test_validate_script_marks_what_the_cli_finds(office_dir, notes, capsys):
    path = office_dir / "张伟_客户回访.xlsx"
    cli = cli_summary(path)
    assert (
        cli["summary"]["errors"] + cli["summary"]["warnings"] > 0
    )  # the book has planted mistakes
    book = LiteBook(path, notes_supported=notes)
    load_main().validate(book)
    out = capsys.readouterr().out
    assert f"错误 {cli['summary']['errors']} 处，提醒 {cli['summary']['warnings']} 处" in out
    marked = {(f["sheet"], f["cell"]) for f in cli["findings"] if f["cell"]}
    for sheet, cell in marked:
        rng = book.sheets[sheet][cell]
        assert book.sheets[sheet].colors[(rng.row, rng.column)] in (button.RED, button.AMBER)
        assert ((rng.row, rng.column) in book.sheets[sheet].notes) is notes
    assert book.active_sheet is book.sheets["问题清单"] is book.sheets[0]
    rows = book.sheets["问题清单"].used_range.options(ndim=2).value
    assert len(rows) == len(cli["findings"]) + 1


def test_second_run_clears_marks_it_cannot_read(office_dir):
    """Lite cannot read a note's text: the notes on cells the last run listed are still cleared."""
    book = LiteBook(office_dir / "张伟_客户回访.xlsx")
    main = load_main()
    main.validate(book)
    first = {s.name: dict(s.notes) for s in book.sheets if s.name != "问题清单"}
    main.validate(book)
    second = {s.name: dict(s.notes) for s in book.sheets if s.name != "问题清单"}
    assert first == second and any(first.values())
    assert [s.name for s in book.sheets].count("问题清单") == 1


def test_refresh_due_script_lists_what_the_due_command_lists(office_dir, capsys):
    path = office_dir / "王芳_客户回访.xlsx"
    book = LiteBook(path)
    load_main().refresh_due(book)
    # the button lists what is still to call; `due` also lists the missed ones (逾期未办) last
    expected = [i for i in api.due(str(path), as_of=TODAY).items if i.status != "missed"]
    rows = book.sheets["待回访"].used_range.options(ndim=2).value
    assert len(rows) - 1 == len(expected) > 0
    assert sorted(str(r[3] or "") for r in rows[1:]) == sorted(
        str(i.customer_id or "") for i in expected
    )
    assert book.active_sheet is book.sheets["待回访"]
    assert f"待回访 {len(expected)} 项" in capsys.readouterr().out


def test_worksheet_functions_know_make_up_days():
    main = load_main()
    assert main.FOLLOWUP_IS_WORKDAY(dt.datetime(2026, 2, 14)) is True  # 调休 Saturday
    assert main.FOLLOWUP_IS_WORKDAY(dt.date(2026, 2, 16)) is False  # Spring Festival
    assert main.FOLLOWUP_WORKDAY(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert main.FOLLOWUP_WORKDAY(46066, 1) == dt.date(2026, 2, 14)  # an Excel serial number
    with pytest.raises(ValueError):
        main.FOLLOWUP_WORKDAY("下周", 1)


def test_requirements_are_the_core_only():
    """What Lite installs (micropip in Pyodide): the core's three libraries and the package,
    none of the desktop-only ones that have no Pyodide build or are not needed there."""
    lines = [
        ln.split("#")[0].strip() for ln in (LITE / "requirements.txt").read_text().splitlines()
    ]
    names = {
        re.split(r"[<>=!~ ]", ln)[0].lower() for ln in lines if ln and not ln.startswith("http")
    }
    assert {"pydantic", "holidays", "phonenumbers", "xlwings"} <= names
    assert not names & {
        "python-calamine",
        "xlsxwriter",
        "pyopenvba",
        "msoffcrypto-tool",
        "rich",
        "pandas",
    }
