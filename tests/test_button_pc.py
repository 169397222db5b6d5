"""The button on a real staff PC (issue 34): the workbook knows its Python (the xlwings.conf
sheet), no quickstart leftovers, `doctor` over a made-up PC, and the strict fake."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fake_xlwings import COM_ERROR_BASE, ComError, FakeBook

from followup_xl import api, schema
from followup_xl import doctor as dr
from followup_xl.cli import main
from followup_xl.io import environment
from followup_xl.io.write.manager import write_manager_workbook
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.xl import button, functions, manager, vba

AS_OF = dt.date(2026, 11, 22)


def conf_sheet(path) -> tuple[str, dict[str, str]]:
    ws = openpyxl.load_workbook(path)[vba.CONF_SHEET]
    return ws.sheet_state, vba.read_conf([list(r) for r in ws.iter_rows(values_only=True)])


def every_xlsm(tmp_path, master) -> list[Path]:
    books = [
        Path(write_staff_workbook(tmp_path / f"blank_{lang}.xlsm", lang, macro=True))
        for lang in ("zh", "en")
    ]
    books.append(Path(write_manager_workbook(tmp_path / "desk.xlsm")))
    split = api.split(str(master), str(tmp_path / "split"), as_of=AS_OF, macro=True, protect=True)
    return [*books, Path(split.books[0].path)]


# ---- 1, 2, 6: the conf sheet, the pin, no quickstart leftovers ----------------------------------


def test_every_xlsm_carries_a_hidden_conf_sheet_xlwings_reads(tmp_path, master):
    from followup_xl import __version__

    for path in every_xlsm(tmp_path, master):
        state, conf = conf_sheet(path)
        assert state == "hidden", path
        assert conf == {
            "INTERPRETER_WIN": r"%LOCALAPPDATA%\followup-xl\venv\Scripts\python.exe",
            "UDF MODULES": "followup_xl.xl.functions",
            "FOLLOWUP-XL VERSION": __version__,
            "XLWINGS VERSION": "0.37.8",
        }, path
        assert all(v.isascii() for v in conf.values())  # the VBA project reads it as cp1252
    # the staff book reads as before: the conf sheet is neither data nor a finding
    assert api.validate(str(tmp_path / "blank_zh.xlsm"), as_of=AS_OF).findings == []


def test_the_pin_is_the_version_whose_vba_is_embedded():
    import xlwings

    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
    assert f'"xlwings=={vba.XLWINGS_VERSION}"' in pyproject
    assert xlwings.__version__ == vba.XLWINGS_VERSION
    source = (Path(xlwings.__file__).parent / "xlwings.bas").read_text("utf-8", "replace")
    assert f'XLWINGS_VERSION As String = "{vba.XLWINGS_VERSION}"' in source


def test_no_quickstart_leftovers_in_the_vba_project(tmp_path):
    from oletools.olevba import VBA_Parser

    for path in (
        write_staff_workbook(tmp_path / "book.xlsm", macro=True),
        write_manager_workbook(tmp_path / "desk.xlsm"),
    ):
        parser = VBA_Parser(str(path))
        modules = {name: code for (_f, _s, name, code) in parser.extract_macros()}
        parser.close()
        assert "Module1.bas" not in modules
        assert not [n for n, code in modules.items() if "SampleCall" in code or "Hello" in code]
        assert {"xlwings.bas", "Dictionary.cls"} <= set(modules)


def test_a_workbook_built_for_another_xlwings_says_so(tmp_path, monkeypatch):
    path = write_staff_workbook(tmp_path / "book.xlsm", macro=True)
    xl = FakeBook(path)
    assert button.version_mismatch(xl, "zh") is None
    xl.sheets["XLWINGS.CONF"]["B4"].value = "0.31.0"  # Excel finds it whatever the case
    button.validate_button(xl, as_of=AS_OF)
    said = xl.app.alerts[-1][1]
    assert "xlwings 0.31.0" in said and "xlwings 0.37.8" in said and "安装.bat" in said


# ---- 5: the strict fake, and what it found --------------------------------------------------------


def test_the_fake_hands_values_over_as_excel_does(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = "Data"
    ws.append([1001, 2.5, True, "x"])
    wb.save(tmp_path / "b.xlsx")
    xl = FakeBook(tmp_path / "b.xlsx")
    assert xl.sheets["data"]["A1:D1"].value == [1001.0, 2.5, True, "x"]
    assert type(xl.sheets["DATA"]["A1"].value) is float
    with pytest.raises(ValueError):
        xl.sheets.add("DATA")
    sheet = xl.sheets["Data"]
    sheet.errors[(2, 1)], sheet.errors[(2, 2)] = "#N/A", "#SPILL!"
    assert sheet["A2:B2"].value == [None, COM_ERROR_BASE + 2045]
    assert sheet["A2:B2"].options(err_to_str=True).value == ["#N/A", -2146826243]


def test_a_protected_sheet_refuses_formats_and_notes_unless_allowed(tmp_path):
    wb = openpyxl.Workbook()
    locked = wb.worksheets[0]
    locked.title = "Locked"
    locked.protection.sheet = True
    locked.protection.objects = True  # Excel's defaults: neither formats nor objects
    free = wb.create_sheet("Open")
    free.protection.sheet = True
    free.protection.formatCells = False  # allowed
    free.protection.objects = False
    wb.save(tmp_path / "p.xlsx")
    xl = FakeBook(tmp_path / "p.xlsx")
    with pytest.raises(ComError):
        xl.sheets["Locked"]["A1"].color = (255, 0, 0)
    with pytest.raises(ComError):
        xl.sheets["Locked"]["A1"].add_note("x")
    xl.sheets["Open"]["A1"].color = (255, 0, 0)
    xl.sheets["Open"]["A1"].add_note("x")
    assert xl.sheets["Open"].notes == {(1, 1): "x"}


def test_the_button_marks_a_protected_split_book(tmp_path, master):
    split = api.split(str(master), str(tmp_path / "s"), as_of=AS_OF, macro=True, protect=True)
    path = next(b.path for b in split.books if b.customers)
    xl = FakeBook(path)
    assert xl.sheets["客户名录簿"].protection == {"format_cells": True, "objects": True}
    sheet = xl.sheets["客户名录簿"]
    sheet["B2"].value = None  # a customer without a name: an error to mark
    summary = button.validate_button(xl, as_of=AS_OF)
    assert summary["refused"] == [] and summary["errors"] >= 1
    assert sheet["B2"].color == button.RED and button.NOTE_TAG in sheet["B2"].note.text


def test_a_sheet_protected_by_hand_is_named_not_a_crash(tmp_path, office_dir):
    wb = openpyxl.load_workbook(office_dir / "张伟_客户回访.xlsx")
    lock = wb["客户名录簿"].protection
    lock.sheet = lock.objects = lock.scenarios = True  # Excel's defaults: no formats, no objects
    wb["客户名录簿"]["B2"].value = None
    wb.save(tmp_path / "locked.xlsx")
    xl = FakeBook(tmp_path / "locked.xlsx")
    summary = button.validate_button(xl, as_of=AS_OF)
    assert summary["refused"] == ["客户名录簿"]
    assert "客户名录簿" in xl.app.alerts[-1][1] and "撤销工作表保护" in xl.app.alerts[-1][1]
    assert xl.sheets["客户名录簿"].colors == {}
    listed = xl.sheets["问题清单"].used_range.options(ndim=2).value[1:]
    assert ("客户名录簿", "B2") in [(r[3], r[4]) for r in listed]  # still listed


def test_newer_error_values_are_findings_not_numbers(tmp_path, office_dir):
    xl = FakeBook(office_dir / "张伟_客户回访.xlsx")
    sheet = xl.sheets["客户名录簿"]
    sheet.cells.pop((2, 2), None)
    sheet.errors[(2, 2)] = "#SPILL!"  # xlwings hands it over as -2146826243
    button.validate_button(xl, as_of=AS_OF)
    listed = xl.sheets["问题清单"].used_range.options(ndim=2).value[1:]
    v12 = [r for r in listed if (r[2], r[3], r[4]) == ("V12", "客户名录簿", "B2")]
    assert v12 and "#SPILL!" in v12[0][6]


def test_worksheet_functions_take_a_numeric_id_as_excel_hands_it(tmp_path):
    cust, calls = schema.CUSTOMERS, schema.CALLS
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws.title = cust.zh
    ws.append([cust.column(k).header("zh") for k in ("customer_id", "name", "phone")])
    ws.append([1001, "测试公司", "13800138000"])
    ws = wb.create_sheet(calls.zh)
    keys = ("record_id", "customer_id", "call_date", "method", "call_type", "caller", "content")
    ws.append([calls.column(k).header("zh") for k in (*keys, "next_date")])
    soon = dt.date.today() + dt.timedelta(days=5)
    ws.append(["R1", 1001, dt.date.today(), "电话", "例行", "张伟", "询问近况", soon])
    path = str(tmp_path / "numeric.xlsx")
    wb.save(path)
    nxt = functions.FOLLOWUP_NEXT_CALL("1001", path)
    assert isinstance(nxt, dt.date) and nxt <= soon
    assert functions.FOLLOWUP_NEXT_CALL(1001.0, path) == nxt  # what Excel passes for 1001
    assert functions.FOLLOWUP_OVERDUE(1001.0, path) == functions.FOLLOWUP_OVERDUE("1001", path)


# ---- 3: doctor, over a made-up PC ---------------------------------------------------------------

HERE = "c:\\users\\zhang\\appdata\\local\\followup-xl\\venv\\scripts\\python.exe"
OTHER = "c:\\python311\\python.exe"


BOOK_CONF = {
    "INTERPRETER_WIN": vba.INTERPRETER_WIN,
    "UDF MODULES": "followup_xl.xl.functions",
    "FOLLOWUP-XL VERSION": "0.1.0",
    "XLWINGS VERSION": "0.37.8",
}


def pc(**changes) -> dr.Environment:
    """A staff PC set up by 安装.bat: everything right."""
    env = dr.Environment(
        python=(3, 11, 9),
        executable=HERE,
        platform="win32",
        followup_version="0.1.0",
        xlwings_version="0.37.8",
        xlwings_pinned="0.37.8",
        user_conf_path="C:\\Users\\zhang\\.xlwings\\xlwings.conf",
        user_conf={"INTERPRETER_WIN": HERE, "UDF MODULES": "followup_xl.xl.functions"},
        user_interpreter=dr.Interpreter(HERE, HERE),
        path_python=dr.Interpreter("python", OTHER),
        book="张伟.xlsm",
        book_conf=BOOK_CONF,
        book_interpreter=dr.Interpreter(vba.INTERPRETER_WIN, HERE),
    )
    return dataclasses.replace(env, **changes)


def status(env) -> dict[str, str]:
    return {c.key: c.status for c in dr.diagnose(env)}


def test_doctor_passes_a_pc_set_up_by_the_installer():
    got = status(pc())
    assert {k: v for k, v in got.items() if v != dr.MANUAL} == {
        "python": "ok",
        "xlwings": "ok",
        "runpython": "ok",
        "user_conf": "ok",
        "book": "ok",
    }
    assert dr.DoctorResult(checks=dr.diagnose(pc())).exit_code == 0


def test_doctor_lists_what_only_a_person_in_excel_can_check():
    manual = [c for c in dr.diagnose(pc()) if c.status == dr.MANUAL]
    assert [c.key for c in manual] == ["trust_vba", "macros", "unblock", "functions"]
    wheres = {c.key: c.fix.render("zh") for c in manual if c.fix}
    assert "信任对 VBA 工程对象模型的访问" in wheres["trust_vba"]
    assert "信任中心" in wheres["macros"] and "解除锁定" in wheres["unblock"]
    assert "Import Functions" in wheres["functions"]


@pytest.mark.parametrize(
    ("changes", "key", "fixable"),
    [
        ({"python": (3, 10, 11)}, "python", False),
        ({"python": (3, 14, 0)}, "python", False),
        ({"xlwings_version": "0.33.1"}, "xlwings", False),
        ({"xlwings_version": None}, "xlwings", False),
        # the workbook names the installer's place, but nothing was installed there
        ({"book_interpreter": dr.Interpreter(vba.INTERPRETER_WIN, None)}, "runpython", False),
        ({"book_interpreter": dr.Interpreter("python", OTHER)}, "runpython", False),
        ({"user_conf": None, "user_interpreter": None}, "user_conf", True),
        ({"user_conf": {"INTERPRETER_WIN": HERE}}, "user_conf", True),
        ({"book_conf": {**BOOK_CONF, "XLWINGS VERSION": "0.35.0"}}, "book", False),
        ({"book_conf": {**BOOK_CONF, "FOLLOWUP-XL VERSION": "0.0.9"}}, "book", False),
    ],
)
def test_doctor_names_what_is_wrong(changes, key, fixable):
    checks = {c.key: c for c in dr.diagnose(pc(**changes))}
    assert checks[key].status == dr.FAIL, checks[key]
    assert checks[key].fix is not None and checks[key].fixable is fixable
    assert dr.DoctorResult(checks=list(checks.values())).exit_code == 1


def test_without_a_conf_sheet_runpython_goes_by_the_user_file_then_path():
    old_book = {"book_conf": None, "book_interpreter": None}
    assert dr.runpython_interpreter(pc(**old_book))[0] == "user"
    assert status(pc(**old_book))["book"] == dr.WARN
    bare = pc(**old_book, user_conf=None, user_interpreter=None)
    assert dr.runpython_interpreter(bare) == ("path", dr.Interpreter("python", OTHER))
    check = next(c for c in dr.diagnose(bare) if c.key == "runpython")
    assert check.status == dr.FAIL and check.fixable  # --fix writes the user's xlwings.conf
    assert OTHER in check.said.render("zh")


def test_the_user_conf_is_written_as_xlwings_writes_it():
    text = dr.user_conf_lines(
        '"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n',
        {"INTERPRETER_WIN": "C:\\new\\python.exe", "UDF MODULES": "followup_xl.xl.functions"},
    )
    assert text.splitlines() == [
        '"LICENSE_KEY","abc"',
        '"INTERPRETER_WIN","C:\\new\\python.exe"',
        '"UDF MODULES","followup_xl.xl.functions"',
    ]
    assert dr.parse_user_conf(text)["INTERPRETER_WIN"] == "C:\\new\\python.exe"


def doctor_cli(*args) -> tuple[int, dict]:
    r = CliRunner().invoke(main, ["doctor", *map(str, args), "--json"])
    return r.exit_code, json.loads(r.stdout)


def test_doctor_fix_writes_the_user_conf_and_passes_here(tmp_path, monkeypatch):
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    monkeypatch.setattr(environment, "user_conf_path", lambda: str(conf))
    code, before = doctor_cli()
    assert code == 1 and not before["ready"]
    assert {c["check"]: c["status"] for c in before["checks"]}["user_conf"] == "fail"
    code, after = doctor_cli("--fix")
    assert code == 0 and after["ready"] and after["fixed"] == str(conf)
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    written = dr.parse_user_conf(conf.read_text())
    assert written == {key: sys.executable, "UDF MODULES": "followup_xl.xl.functions"}
    text = CliRunner().invoke(main, ["doctor"]).output
    assert "本机已准备好" in text and "信任中心" in text


def test_doctor_reads_the_workbook_and_refuses_a_missing_one(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "user_conf_path", lambda: str(tmp_path / "none.conf"))
    book = write_staff_workbook(tmp_path / "book.xlsm", macro=True)
    code, out = doctor_cli(book)
    checks = {c["check"]: c for c in out["checks"]}
    assert checks["book"]["status"] == "ok"
    # on this PC nothing lives where the workbook's Interpreter_Win points
    assert checks["runpython"]["status"] == "fail" and code == 1
    assert "安装.bat" in checks["runpython"]["fix"]
    r = CliRunner().invoke(main, ["doctor", str(tmp_path / "missing.xlsm")])
    assert r.exit_code == 2 and "missing.xlsm" in r.output


def test_the_desk_has_a_check_setup_button(tmp_path, monkeypatch):
    monkeypatch.setattr(environment, "user_conf_path", lambda: str(tmp_path / "none.conf"))
    from followup_xl.io.write.manager import BUTTONS

    assert ("检查环境", "Manager.CheckSetup") in BUTTONS["zh"]
    assert "Sub CheckSetup()" in vba.module_source("Manager")
    path = write_manager_workbook(tmp_path / "desk.xlsm")
    xl = FakeBook(path)
    outcome = manager.doctor_button(xl)
    assert outcome["ok"] and outcome["job"] == "doctor"
    figures = dict(outcome["figures"])
    assert figures["Python 版本"] == "成功" and figures["按钮启动的 Python"] == "失败"
    log = xl.sheets["运行记录"].used_range.options(ndim=2).value
    assert log[-1][1] == "检查环境"
    assert "安装.bat" in log[-1][4]
