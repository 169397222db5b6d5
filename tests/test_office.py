"""The Python API as a user reaches for it: ``Office.open`` reads once, every call keyword-only
after its paths, every result a table (``rows``, ``to_pandas``) in the language asked for."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fake_xlwings import FakeBook
from test_no_pandas import BLOCK_PANDAS

import followup_xl
from followup_xl import api
from followup_xl.api import office as office_module
from followup_xl.cli.jsonout import to_json
from followup_xl.messages import catalog, localize
from followup_xl.results import SAID_ELSEWHERE

AS_OF = dt.date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def opened(master):
    return api.Office.open(master)


OPENED: list[
    str
] = []  # every path Python opened since the hook below was added (one hook a session)


def _count_opens(event, args):
    if event == "open" and args and isinstance(args[0], str | Path):
        OPENED.append(str(args[0]))


sys.addaudithook(_count_opens)


CALLS: list[tuple[str, dict]] = [
    ("due", {}),
    ("schedule", {}),
    ("weekly", {}),
    ("report", {"month": "2026-10"}),
    ("scores", {"year": 2026}),
    ("due", {"owner": "王芳"}),
]


def test_office_reads_the_master_once_and_answers_as_the_functions_do(master, monkeypatch):
    import python_calamine as pc

    reads: list[tuple] = []
    by_calamine: list[str] = []
    real_load, real_from_path = office_module.load, pc.CalamineWorkbook.from_path

    def load(*a):
        reads.append(a)
        return real_load(*a)

    def from_path(p, *a, **k):
        by_calamine.append(str(p))
        return real_from_path(p, *a, **k)

    monkeypatch.setattr(office_module, "load", load)
    # calamine opens files in Rust, unseen by the audit hook
    monkeypatch.setattr(pc.CalamineWorkbook, "from_path", from_path)
    office = api.Office.open(master)
    OPENED.clear()
    by_calamine.clear()
    got = [getattr(office, call)(as_of=AS_OF, **kw) for call, kw in CALLS]
    assert str(master) not in OPENED + by_calamine, "a report opened the master again"
    assert len(reads) == 1
    monkeypatch.undo()
    expected = [getattr(api, call)(str(master), as_of=AS_OF, **kw) for call, kw in CALLS]
    assert [to_json(r) for r in got] == [to_json(r) for r in expected]


def test_another_day_reads_a_yearless_date_again_as_a_fresh_read_would(tmp_path, office_dir):
    """A date typed without a year is read in its latest year not after ``as_of``: asked for an
    earlier day, the same Office answers as a fresh read for that day."""
    import openpyxl

    book = tmp_path / "张伟_客户回访.xlsx"
    wb = openpyxl.load_workbook(office_dir / book.name)
    ws = wb["回访记录表"]
    ws.cell(row=5, column=3).value = "11月20日"  # 日期 without a year
    wb.save(book)
    office = api.Office.open(book)
    late, early = dt.date(2026, 11, 22), dt.date(2026, 11, 19)
    first = office.due(as_of=late)
    assert any("11月20日" in localize(w, "zh") for w in first.warnings)
    for day in (early, late, late):
        assert to_json(office.due(as_of=day)) == to_json(api.due(str(book), as_of=day))
    split = office.split(str(tmp_path / "split"), as_of=late)
    again = api.split(str(book), str(tmp_path / "split2"), as_of=late)
    assert [b.calls for b in split.books] == [b.calls for b in again.books]


PATHS = {"path", "out", "master", "out_dir", "masters", "folder", "inputs", "annotate_to"}


def _calls():
    for name in api.__all__:
        fn = getattr(api, name)
        if inspect.isfunction(fn):
            yield name, fn
    for name, fn in vars(api.Office).items():
        if inspect.isfunction(fn) and not name.startswith("_"):
            yield f"Office.{name}", fn


@pytest.mark.parametrize(("name", "fn"), list(_calls()), ids=[n for n, _ in _calls()])
def test_paths_positional_everything_else_by_keyword_lang_last(name, fn):
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    positional = [p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert set(positional) <= PATHS, (name, positional)
    if any(p.name == "lang" for p in params):
        assert params[-1].name == "lang", name
    for p in params:
        if p.name in ("as_of", "month", "year", "week_of"):
            assert p.kind is inspect.Parameter.KEYWORD_ONLY, (name, p.name)


def test_the_package_exports_the_public_names_and_ships_py_typed():
    assert set(followup_xl.__all__) - {"__version__"} <= set(api.__all__)
    for name in followup_xl.__all__:
        assert getattr(followup_xl, name) is getattr(api, name, followup_xl.__version__)
    assert followup_xl.Office is api.Office
    assert (ROOT / "followup_xl" / "py.typed").exists()
    assert '"py.typed"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_every_public_name_is_in_the_python_api_guide():
    guide = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    names = set(api.__all__) | set(followup_xl.__all__) - {"__version__"}
    names |= {f"{m}(" for m, f in vars(api.Office).items() if not m.startswith("_")}
    missing = sorted(n for n in names if n not in guide)
    assert not missing, missing


PLAIN = (str, int, float, bool, dt.date, type(None))


def _check_table(result, columns_en: set[str], columns_zh: set[str]) -> None:
    for lang, names in (("zh", columns_zh), ("en", columns_en)):
        rows = result.rows(lang)
        assert rows, type(result).__name__
        for row in rows:
            bad = {k: v for k, v in row.items() if not isinstance(v, PLAIN)}
            assert not bad, (type(result).__name__, bad)
            unnamed = {k for k in row if k.split("·")[0] not in names}
            assert not unnamed, (type(result).__name__, lang, unnamed)
            assert list(row) == list(rows[0])
        frame = result.to_pandas(lang)
        assert len(frame) == len(rows) and list(frame.columns) == list(rows[0])


def test_every_result_is_a_table_in_the_language_asked_for(
    master, office_dir, opened, tmp_path, cli
):
    columns = {k[len("column.") :]: v for k, v in catalog().items() if k.startswith("column.")}
    columns |= {k: catalog()[i] for k, i in SAID_ELSEWHERE.items()}
    zh = {v["zh"] for v in columns.values()} | {"A", "B", "C", "未分类", "废除"}
    en = {v["en"] for v in columns.values()} | {"A", "B", "C", "未分类", "废除"}
    staff = str(office_dir / "张伟_客户回访.xlsx")
    export = opened.export(str(tmp_path / "export"), as_of=AS_OF)
    results = [
        opened.due(as_of=AS_OF),
        opened.schedule(as_of=AS_OF),
        opened.weekly(as_of=AS_OF),
        opened.report(month="2026-10", as_of=AS_OF),
        opened.scores(year=2026, as_of=AS_OF),
        opened.split(str(tmp_path / "split"), as_of=AS_OF),
        export,
        api.rollup(str(tmp_path / "export"), month="2026-10"),
        api.validate(staff, as_of=AS_OF),
        api.ValidationRun([api.validate(staff, as_of=AS_OF)]),
        api.verify(str(master)),
        api.merge([str(office_dir)], str(tmp_path / "总表.xlsx")),
        api.handover(
            str(master),
            str(tmp_path / "plan.xlsx"),
            leaver="杨磊",
            receivers=["张伟", "王芳"],
            plan_only=True,
        ),
        api.import_tracker([staff], str(tmp_path / "imported.xlsx")),
    ]
    for result in results:
        if isinstance(result, api.Verification):  # an untouched master: nothing to list
            assert result.rows() == [] and result.to_pandas().empty
            continue
        if isinstance(result, api.ImportResult):  # ``rows`` is its field: the table is to_pandas
            assert len(result.to_pandas("en")) == len(result.rows)
            continue
        _check_table(result, en, zh)
    due = results[0]
    first = due.rows("en")[0]
    assert isinstance(first["Due date"], dt.date)
    reason = due.items[0].reason
    assert first["Reason"] == localize(reason, "en") and due.rows()[0]["原因"] == localize(
        reason, "zh"
    )


def test_a_due_list_goes_into_a_sheet_as_xlwings_writes_a_dataframe(opened, master):
    xl = FakeBook(master)
    sheet = xl.sheets.add("待回访表")
    frame = opened.due(as_of=AS_OF).to_pandas()
    sheet["A1"].value = frame
    grid = sheet.used_range.options(ndim=2).value
    assert grid[0][1:] == list(frame.columns) and len(grid) == len(frame) + 1
    assert grid[1][list(frame.columns).index("客户编号") + 1] == frame.iloc[0]["客户编号"]


NO_PANDAS = (
    BLOCK_PANDAS
    + r"""
from followup_xl import FollowupError, Office

due = Office.open(sys.argv[1]).due(as_of=__import__("datetime").date(2026, 11, 22))
out = {"rows": len(due.rows("en"))}
try:
    due.to_pandas()
except FollowupError as exc:
    out |= {"error": exc.message("en"), "zh": exc.message("zh"), "code": exc.exit_code}
out["loaded"] = sorted(m for m in sys.modules if m.split(".")[0] == "pandas")
print(json.dumps(out, ensure_ascii=False))
"""
)


def test_without_pandas_rows_work_and_to_pandas_says_what_to_install(master):
    run = subprocess.run(
        [sys.executable, "-c", NO_PANDAS, str(master)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["rows"] > 0 and out["loaded"] == [] and out["code"] == 3
    assert "pip install pandas" in out["error"] and "pip install pandas" in out["zh"]
    assert re.search("[\u4e00-\u9fff]", out["zh"])


def test_each_day_s_obligations_are_computed_once_per_office(master, monkeypatch, tmp_path):
    """due, schedule, weekly, report, scores, split and export on one Office, each asked twice:
    the policy runs once per day it is asked for (compute_obligations calls rule_appointments
    once a run, whoever calls it), and the answers are those of a fresh read."""
    from followup_xl import policy

    computed: list[dt.date] = []
    real = policy.rule_appointments

    def counting(ctx, book):
        if book is office.book:  # not each split book's own formulas
            computed.append(ctx.as_of)
        return real(ctx, book)

    monkeypatch.setattr(policy, "rule_appointments", counting)
    office = api.Office.open(master)
    answers = []
    for n in range(2):
        answers.append(
            [
                to_json(office.due(as_of=AS_OF)),
                to_json(office.due(as_of=AS_OF, owner="王芳")),
                to_json(office.schedule(as_of=AS_OF)),
                to_json(office.weekly(as_of=AS_OF)),
                to_json(office.report(month="2026-10", as_of=AS_OF)),
                to_json(office.scores(year=2026, as_of=AS_OF)),
            ]
        )
        office.split(str(tmp_path / f"split{n}"), as_of=AS_OF)
        office.export(str(tmp_path / f"wh{n}"), as_of=AS_OF, months=("2026-10",))
        if n == 0:
            first = list(computed)
    assert computed == first  # the second round computed nothing
    # the first, each day once for each reading of the dates typed without a year (the example
    # master has some). Read for 2026-11-22, a Sunday: due, schedule, scores and weekly (the week
    # Mon 11-16 … Sun 11-22 ends that day) share 11-22; report 2026-10 adds its last day 10-31,
    # the month before (09-30) and its trend's earlier months. Split and export read the dates as
    # typed: 11-22 and, for export's --month 2026-10, October's last day, once each.
    read_for_day, as_typed = computed[:-2], computed[-2:]
    assert as_typed == [AS_OF, dt.date(2026, 10, 31)]
    assert len(set(read_for_day)) == len(read_for_day)
    assert {AS_OF, dt.date(2026, 10, 31), dt.date(2026, 9, 30)} <= set(read_for_day)
    assert answers[0] == answers[1]
    fresh = api.Office.open(master)
    assert answers[0][0] == to_json(fresh.due(as_of=AS_OF))
    assert answers[0][3] == to_json(fresh.weekly(as_of=AS_OF))
