"""Every command is documented, and docs/cli-reference.md is what the commands say."""

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser
from openpyxl.utils import get_column_letter

from followup_xl import schema
from followup_xl.cli import main
from followup_xl.cli.reference import END, PAGE, START, splice
from followup_xl.io.filekind import read_kind

ROOT = Path(__file__).resolve().parent.parent


def test_there_are_commands():
    assert {"init", "demo"} <= set(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name):
    cmd = main.commands[name]
    assert cmd.help and len(cmd.help.strip()) > 20, f"{name} has no real help text"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    for param in cmd.params:
        if param.name not in ("help",) and getattr(param, "param_type_name", "") == "option":
            assert param.help, f"{name} {param.opts} has no help"


def test_cli_reference_is_current():
    page = PAGE.read_text(encoding="utf-8")
    assert START in page and END in page
    assert splice(page) == page, (
        "docs/cli-reference.md is stale: python -m followup_xl.cli.reference --write"
    )


def test_init_writes_a_workbook(tmp_path):
    """The blank book: stamped as a template, every sheet with its headers and dropdowns, the .xlsm with its buttons."""
    result = CliRunner().invoke(
        main, ["init", str(tmp_path), "--macro", "--owner", "张伟", "--json"]
    )
    assert result.exit_code == 0, result.output
    written = [Path(p) for p in json.loads(result.stdout)["written"]]
    assert [p.name for p in written] == ["张伟_客户回访.xlsx", "张伟_客户回访.xlsm"]
    for path in written:
        assert read_kind(path) == "template"
        wb = openpyxl.load_workbook(path)
        conf = ["xlwings.conf"] if path.suffix == ".xlsm" else []  # hidden: which Python to start
        assert wb.sheetnames == ["首页"] + [s.zh for s in schema.SHEETS] + ["工作日历"] + conf
        for sheet in schema.SHEETS:
            ws = wb[sheet.zh]
            headers = [c.zh for c in (*sheet.columns, *sheet.computed)]
            assert [c.value for c in ws[1]] == headers, sheet.key
            lists = {
                str(dv.sqref).split(":")[0]: dv.formula1
                for dv in ws.data_validations.dataValidation
            }
            for j, col in enumerate(sheet.columns):
                if col.choices:
                    assert col.choices[0].zh in lists[f"{get_column_letter(j + 1)}2"], col.key
    assert "xl/vbaProject.bin" not in zipfile.ZipFile(written[0]).namelist()
    with zipfile.ZipFile(written[1]) as zf:
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode()
    buttons = re.findall(r"<x:FmlaMacro>\[0\]!FollowUp\.(\w+)</x:FmlaMacro>", vml)
    assert buttons == ["Validate", "RefreshDue"] and "校验" in vml
    parser = VBA_Parser(str(written[1]))
    modules = {name: code for (_f, _s, name, code) in parser.extract_macros()}
    parser.close()
    for sub in buttons:
        assert f"Sub {sub}()" in modules["FollowUp.bas"]


def test_validate_says_how_many_findings_it_did_not_list_and_where_they_all_are(tmp_path):
    """The terminal lists the first 200 findings; the rest are counted in words, with where to
    see them all (once a bare "… 50")."""
    from followup_xl.io.write.template import write_staff_workbook
    from followup_xl.models import Book, Customer, Source

    customers = [
        Customer.build(
            Source(file="b.xlsx", sheet="客户名录簿", row=n + 2),
            {"phone": "123"},  # not a phone: one V2 finding a row
            {},
            {"customer_id": f"K{n:04d}", "name": f"客户{n}", "klass": "A", "owner": "张伟"},
        )
        for n in range(250)
    ]
    book = write_staff_workbook(tmp_path / "张伟.xlsx", book=Book("b", customers=customers))
    result = CliRunner().invoke(main, ["validate", str(book), "--as-of", "2026-11-22"])
    data = json.loads(
        CliRunner().invoke(main, ["validate", str(book), "--as-of", "2026-11-22", "--json"]).output
    )
    more = len(data["findings"]) - 200
    assert more >= 50
    assert f"另有 {more} 条未列出" in result.output and "--json" in result.output
