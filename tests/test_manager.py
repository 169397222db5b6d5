"""The 回访管理台: each button against the fake xlwings book gives what the CLI gives on the same inputs."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner
from fake_xlwings import FakeBook

from followup_xl.cli import main
from followup_xl.cli.jsonout import to_json
from followup_xl.io.filekind import read_kind
from followup_xl.io.write.manager import BUTTONS, SETTINGS, result_row
from followup_xl.xl import manager

AS_OF = dt.date(2026, 11, 22)  # the example office's Sunday
ROOT = Path(__file__).resolve().parent.parent


def cli(*args) -> tuple[int, dict]:
    r = CliRunner().invoke(main, [*map(str, args), "--json"])
    return r.exit_code, json.loads(r.stdout) if r.stdout.strip() else {}


LINEAGE = {"版本记录", "Lineage"}  # each master names its own file, day and generation id there


def values(path, lineage: bool = False) -> dict:
    """Every sheet's cell values (what a person reads), to hold two outputs to each other."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: [list(r) for r in ws.iter_rows(values_only=True)]
        for ws in wb.worksheets
        if lineage or ws.title not in LINEAGE
    }


def row_of(key: str) -> int:
    return 4 + [s.key for s in SETTINGS].index(key)


def set_setting(xl, key, value):
    xl.sheets["操作"][f"B{row_of(key)}"].value = value


def log_rows(xl):
    return xl.sheets["运行记录"].used_range.options(ndim=2).value[1:]


def figures(xl) -> dict:
    grid = xl.sheets["操作"][f"A{result_row() + 1}:B{result_row() + 12}"].options(ndim=2).value
    return {r[0]: r[1] for r in grid if r[0] is not None}


@pytest.fixture(scope="module")
def desk(tmp_path_factory, office_dir):
    """A manager's folder made by `init --manager`, the office's books in its 收件箱, merged once."""
    folder = tmp_path_factory.mktemp("desk")
    code, out = cli("init", folder, "--manager")
    assert code == 0
    for f in office_dir.glob("*.xlsx"):
        shutil.copy(f, folder / "收件箱" / f.name)
    xl = FakeBook(out["written"][0])
    set_setting(xl, "as_of", dt.datetime(2026, 11, 22))
    result = manager.merge_button(xl)
    assert result["ok"], result
    return folder, xl, result


def test_init_manager_writes_the_desk(tmp_path):
    code, out = cli("init", tmp_path, "--manager")
    path = Path(out["written"][0])
    assert code == 0 and path.name == "回访管理台.xlsm"
    assert read_kind(path) == "manager"
    assert (tmp_path / "收件箱").is_dir() and (tmp_path / "输出").is_dir()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["操作", "运行记录"] and wb["列表"].sheet_state == "hidden"
    ws = wb["操作"]
    assert [ws[f"A{row_of(s.key)}"].value for s in SETTINGS] == [s.zh for s in SETTINGS]
    lists = {
        str(c): dv.formula1 for dv in ws.data_validations.dataValidation for c in dv.sqref.ranges
    }
    for key in ("as_of", "month", "leaver", "receiver1", "receiver2", "receiver3", "mask_phones"):
        assert f"B{row_of(key)}" in lists, key
    assert "列表" in lists[f"B{row_of('leaver')}"]
    assert wb["列表"]["A2"].value.weekday() == 6  # Sundays to pick
    code, out = cli("init", tmp_path / "en", "--manager", "--lang", "en")
    assert Path(out["written"][0]).name == "followup-manager.xlsm"
    assert openpyxl.load_workbook(out["written"][0]).sheetnames[:2] == ["Actions", "Run log"]


def test_init_manager_never_overwrites_a_desk_in_use(tmp_path):
    """The 管理台 holds the manager's settings and run log: a second init refuses (exit 3) and
    leaves it byte for byte; --force replaces it."""
    code, out = cli("init", tmp_path, "--manager")
    path = Path(out["written"][0])
    before = path.read_bytes()
    code, out = cli("init", tmp_path, "--manager")
    assert code == 3 and "--force" in out["error"] and out["file"] == str(path)
    assert path.read_bytes() == before
    code, out = cli("init", tmp_path, "--manager", "--force")
    assert code == 0 and read_kind(path) == "manager"


def test_workbook_carries_the_manager_module_and_eight_buttons(tmp_path):
    from oletools.olevba import VBA_Parser

    _, out = cli("init", tmp_path, "--manager")
    parser = VBA_Parser(out["written"][0])
    modules = {name: code for (_f, _s, name, code) in parser.extract_macros()}
    parser.close()
    assert {"xlwings.bas", "Manager.bas"} <= set(modules)
    with zipfile.ZipFile(out["written"][0]) as zf:
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode()
    for caption, macro in BUTTONS["zh"]:
        sub = macro.split(".")[1]
        assert f"Sub {sub}()" in modules["Manager.bas"]
        assert macro in vml and caption in vml
    assert len(BUTTONS["zh"]) == 9  # the eight jobs and 检查环境 (doctor)


def test_macro_source_is_the_one_in_macros_folder():
    assert (ROOT / "macros" / "Manager.bas").read_text() == (
        ROOT / "followup_xl" / "data" / "Manager.bas"
    ).read_text()
    source = (ROOT / "macros" / "Manager.bas").read_text()
    assert source.isascii()
    entries = re.findall(r'"import followup_xl\.xl\.manager as m; m\.(\w+)\(\)"', source)
    assert len(entries) == len(BUTTONS["zh"])  # every button names an entry point that exists
    for entry in entries:
        assert callable(getattr(manager, entry)), entry


@pytest.mark.slow
def test_merge_button_gives_the_cli_master(desk, tmp_path):
    folder, xl, result = desk
    code, out = cli(
        "merge", folder / "收件箱", "-o", tmp_path / "总表_2026-11-22.xlsx", "--as-of", AS_OF
    )
    assert code == result["raw"].exit_code
    for k in ("customers", "calls", "events", "duplicates_dropped"):
        assert getattr(result["raw"], k) == out[k], k
    assert len(result["raw"].conflicts) == len(out["conflicts"]) > 0
    written = folder / "输出" / "总表_2026-11-22.xlsx"
    assert values(written) == values(tmp_path / "总表_2026-11-22.xlsx")
    assert values(written, lineage=True)["版本记录"][1][3] == "总表_2026-11-22.xlsx"
    ops = xl.sheets["操作"]
    assert ops[f"B{row_of('master')}"].value == str(Path("输出") / "总表_2026-11-22.xlsx")
    assert figures(xl)["冲突"] == len(out["conflicts"]) and figures(xl)["客户"] == out["customers"]
    row = log_rows(xl)[0]
    assert row[1] == "合并汇总" and row[2] == "成功" and f"冲突 {len(out['conflicts'])}" in row[3]
    assert xl.sheets["运行记录"].links[(2, 6)] == str(Path("输出") / "总表_2026-11-22.xlsx")
    staff = [r[0] for r in xl.sheets["列表"]["C2:C20"].options(ndim=2).value if r[0]]
    assert "杨磊" in staff and "张伟" in staff  # the 交接 pickers know the master's people
    assert any(isinstance(s, str) and "读取文件" in s for s in xl.app.statuses)
    assert xl.app.statuses[-1] is False  # Excel's own status bar is back


def master_of(desk) -> Path:
    folder, xl, _ = desk
    return folder / xl.sheets["操作"][f"B{row_of('master')}"].value


@pytest.mark.parametrize(
    "job,argv,name",
    [
        ("due", ["due", "{master}", "--as-of", "2026-11-22"], "待回访_2026-11-22.xlsx"),
        (
            "schedule",
            ["schedule", "{master}", "--as-of", "2026-11-22"],
            "回访排期表_2026-11-22.xlsx",
        ),
        ("weekly", ["weekly", "{master}", "--as-of", "2026-11-22"], "周报_2026-11-22.xlsx"),
        ("report", ["report", "{master}", "--month", "2026-10"], "月报_2026-10.xlsx"),
    ],
)
def test_button_gives_the_cli_file_and_counts(desk, tmp_path, job, argv, name):
    folder, xl, _ = desk
    master = master_of(desk)
    before = len(log_rows(xl))
    result = getattr(manager, f"{job}_button")(xl)
    assert result["ok"], result.get("error")
    code, out = cli(*[a.format(master=master) for a in argv], "-o", tmp_path / name)
    assert code == 0
    assert values(folder / "输出" / name) == values(tmp_path / name)
    out.pop("output", None)
    raw = to_json(result["raw"])  # the API's object as the CLI prints it
    raw.pop("output", None)
    assert json.loads(json.dumps(raw)) == out
    rows = log_rows(xl)
    assert len(rows) == before + 1 and rows[-1][2] == "成功"
    shown = figures(xl)
    assert shown["操作"] == manager.JOBS[job].render("zh")
    if job == "due":
        assert shown["逾期"] == sum(1 for i in out["items"] if i["status"] == "overdue") > 0
        assert shown["逾期未办"] == sum(1 for i in out["items"] if i["status"] == "missed") > 0
        assert shown["须上报"] == sum(1 for i in out["items"] if i["escalate"])
    if job == "schedule":
        assert shown["已排"] == len(out["items"]) > 0 and shown["排不下"] == len(out["unscheduled"])
    if job == "report":
        assert shown["应回访"] == out["planned"]


@pytest.mark.slow
def test_validate_all_gives_each_books_cli_findings(desk, tmp_path):
    folder, xl, _ = desk
    result = manager.validate_all_button(xl)
    assert result["ok"]
    books = sorted((folder / "收件箱").glob("*.xlsx"))
    assert len(result["raw"]["books"]) == len(books)
    errors = 0
    for book in books:
        mine = tmp_path / (book.stem + "_校验.xlsx")
        _code, out = cli("validate", book, "--as-of", AS_OF, "--annotate", mine)
        errors += out["summary"]["errors"]
        theirs = next(b for b in result["raw"]["books"] if Path(b["path"]).name == book.name)
        assert (theirs["errors"], theirs["warnings"]) == (
            out["summary"]["errors"],
            out["summary"]["warnings"],
        )
        assert values(theirs["annotated"]) == values(mine)
    assert figures(xl)["错误"] == errors > 0


@pytest.mark.slow
def test_handover_and_split_buttons_give_the_cli_files(desk, tmp_path):
    folder, xl, _ = desk
    master = master_of(desk)
    set_setting(xl, "leaver", "杨磊")
    set_setting(xl, "receiver1", "张伟")
    set_setting(xl, "receiver2", "王芳")
    set_setting(xl, "by", "赵刚")
    result = manager.handover_button(xl)
    assert result["ok"], result.get("error")
    new = folder / "输出" / f"{master.stem}_交接_杨磊.xlsx"
    code, out = cli(
        "handover",
        master,
        "--from",
        "杨磊",
        "--to",
        "张伟",
        "--to",
        "王芳",
        "--by",
        "赵刚",
        "--as-of",
        AS_OF,
        "-o",
        tmp_path / new.name,
    )
    assert code == 0
    assert (result["raw"].moved, result["raw"].sms) == (out["moved"], out["sms"])
    assert values(new) == values(tmp_path / new.name)
    assert values(result["raw"].record) == values(out["record"])
    assert xl.sheets["操作"][f"B{row_of('master')}"].value == str(
        Path("输出") / new.name
    )  # split reads it
    result = manager.split_button(xl)
    assert result["ok"], result.get("error")
    code, out = cli("split", new, "--as-of", AS_OF, "-o", tmp_path / "分发")
    assert [(Path(b.path).name, b.customers, b.open_items) for b in result["raw"].books] == [
        (Path(b["path"]).name, b["customers"], b["open_items"]) for b in out["books"]
    ]
    for b in out["books"]:
        assert values(folder / "输出" / "分发_2026-11-22" / Path(b["path"]).name) == values(
            b["path"]
        )
    assert "杨磊" not in [b["owner"] for b in out["books"]]
    # restore the desk's master for any test that runs after
    xl.sheets["操作"][f"B{row_of('master')}"].value = str(master.relative_to(folder))


def test_pickers_follow_a_master_typed_in(desk, tmp_path):
    """Week two: the manager types last week's master into 当前总表 and presses 待回访 — the 交接
    pickers then list that master's people without a merge."""
    _folder, _, _ = desk
    _, out = cli("init", tmp_path, "--manager")
    xl = FakeBook(out["written"][0])
    assert xl.sheets["列表"]["C2"].value is None
    set_setting(xl, "master", str(master_of(desk)))
    set_setting(xl, "as_of", dt.datetime(2026, 11, 22))
    assert manager.due_button(xl)["ok"]
    staff = [r[0] for r in xl.sheets["列表"]["C2:C20"].options(ndim=2).value if r[0]]
    assert staff == manager.staff_names(str(master_of(desk))) and "杨磊" in staff
    assert (tmp_path / "输出" / "待回访_2026-11-22.xlsx").exists()


def test_names_and_messages_are_written_as_text_never_as_formulas(desk, tmp_path):
    """The desk writes what staff chose (people's names, file names in warnings) through xlwings
    ``.value``, which Excel parses as if typed: each string goes in as text (Excel's leading
    apostrophe), so ``=1+2`` in a 人员 name stays words in the pickers, the log and the result."""
    from fake_xlwings import FakeFormula

    master = tmp_path / "总表.xlsx"
    wb = openpyxl.load_workbook(master_of(desk))
    ws = wb["人员"]
    ws.cell(row=2, column=1).value = "=1+2"
    ws.cell(row=2, column=1).data_type = "s"
    wb.save(master)
    _, out = cli("init", tmp_path / "台", "--manager")
    xl = FakeBook(out["written"][0])
    set_setting(xl, "master", str(master))
    set_setting(xl, "as_of", dt.datetime(2026, 11, 22))
    assert manager.due_button(xl)["ok"]
    pickers = [r[0] for r in xl.sheets["列表"]["C2:C20"].options(ndim=2).value if r[0]]
    assert "=1+2" in pickers
    written = [
        v
        for name in ("列表", "运行记录", "操作")
        for v in xl.sheets[name].cells.values()
        if isinstance(v, str)
    ]
    assert written and not [v for v in written if isinstance(v, FakeFormula)]


def test_a_failure_is_a_sentence_in_the_sheet(tmp_path):
    _, out = cli("init", tmp_path, "--manager")
    xl = FakeBook(out["written"][0])
    result = manager.due_button(xl)  # no master yet
    assert not result["ok"]
    assert (
        result["error"].startswith(f"操作 › B{row_of('master')}") and "合并汇总" in result["error"]
    )
    row = log_rows(xl)[-1]
    assert row[1:3] == ["待回访", "失败"] and "Traceback" not in row[3]
    assert figures(xl)["失败"] == result["error"]
    (tmp_path / "坏.xlsx").write_text("not a workbook")
    set_setting(xl, "master", "坏.xlsx")
    code, cli_out = cli("schedule", tmp_path / "坏.xlsx")
    result = manager.schedule_button(xl)
    assert not result["ok"] and code == 2 and result["error"] == cli_out["error"]
    set_setting(xl, "month", "十月")
    result = manager.report_button(xl)
    assert not result["ok"] and f"B{row_of('month')}" in result["error"]
    assert xl.app.statuses[-1] is False and len(log_rows(xl)) == 3
    xl.sheets["运行记录"].delete()  # removed by hand: the next run starts a new log
    assert not manager.due_button(xl)["ok"]
    assert [s.name for s in xl.sheets][:2] == ["操作", "运行记录"] and log_rows(xl)[0][
        1
    ] == "待回访"
    xl.sheets["操作"].name = "设置"  # renamed by hand: a sentence, not a KeyError
    result = manager.due_button(xl)
    assert (
        not result["ok"]
        and "找不到「操作」表" in result["error"]
        and "内部错误" not in result["error"]
    )
    assert "找不到「操作」表" in log_rows(xl)[-1][3] and "找不到「操作」表" in xl.app.alerts[-1][1]


@pytest.mark.libreoffice
def test_libreoffice_opens_the_desk_with_dropdowns_and_buttons(tmp_path):
    _, out = cli("init", tmp_path, "--manager")
    ods = lo.convert(out["written"][0], "ods", tmp_path / "ods")
    with zipfile.ZipFile(ods) as zf:
        module = zf.read("Basic/VBAProject/Manager.xml").decode()
        content = zf.read("content.xml").decode()
        assert "Basic/VBAProject/xlwings.xml" in zf.namelist()
    for caption, macro in BUTTONS["zh"]:
        assert f"Sub {macro.split('.')[1]}()" in module
        button = content.split(f'form:label="{caption}"', 1)[1].split("</form:button>", 1)[0]
        assert f"vnd.sun.star.script:VBAProject.{macro}?" in button
    validations = content.split("<table:content-validations>", 1)[1].split(
        "</table:content-validations>", 1
    )[0]
    assert validations.count("<table:content-validation ") >= 5 and "列表" in validations
    assert "回访管理台" in content


def test_english_desk_says_it_in_english(tmp_path):
    _, out = cli("init", tmp_path, "--manager", "--lang", "en")
    xl = FakeBook(out["written"][0])
    result = manager.due_button(xl)
    assert not result["ok"] and result["error"].startswith(
        f"Actions › B{row_of('master')}: Current master"
    )
    row = xl.sheets["Run log"].used_range.options(ndim=2).value[-1]
    assert row[1:3] == ["Due list", "failed"]
    xl.sheets["Actions"]["A4"].value = "收件箱"  # a renamed label is named, not guessed
    result = manager.merge_button(xl)
    assert not result["ok"] and "Inbox folder" in result["error"]


def test_english_desk_runs_the_week_in_english(tmp_path, office_dir):
    _, out = cli("init", tmp_path, "--manager", "--lang", "en")
    for f in sorted(office_dir.glob("*.xlsx"))[:2]:
        shutil.copy(f, tmp_path / "inbox" / f.name)
    xl = FakeBook(out["written"][0])
    xl.sheets["Actions"][f"B{row_of('as_of')}"].value = dt.datetime(2026, 11, 22)
    assert manager.merge_button(xl)["ok"]
    _ = cli("merge", tmp_path / "inbox", "-o", tmp_path / "m.xlsx", "--lang", "en")
    assert values(tmp_path / "output" / "master_2026-11-22.xlsx") == values(tmp_path / "m.xlsx")
    assert manager.due_button(xl)["ok"]
    _, due = cli(
        "due",
        tmp_path / "output" / "master_2026-11-22.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
        "-o",
        tmp_path / "d.xlsx",
    )
    assert values(tmp_path / "output" / "due_2026-11-22.xlsx") == values(tmp_path / "d.xlsx")
    shown = {
        r[0]: r[1]
        for r in xl.sheets["Actions"][f"A{result_row() + 1}:B{result_row() + 6}"]
        .options(ndim=2)
        .value
        if r[0]
    }
    assert shown["Job"] == "Due list" and shown["Overdue"] == sum(
        i["status"] == "overdue" for i in due["items"]
    )
    assert xl.sheets["Run log"].used_range.options(ndim=2).value[-1][2] == "done"
