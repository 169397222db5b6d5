"""The 管理台's VBA, run: LibreOffice compiles Manager and each of the eight buttons calls Python once
with its own command (xlwings' RunPython stubbed, tests/lo_vba_manager.py over tests/lo_vba.py's harness).
A desk with a planted syntax error must fail the same assertions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_vba_libreoffice import uno_python

from followup_xl.io.write.manager import BUTTONS, write_manager_workbook
from followup_xl.xl import manager, vba

pytestmark = pytest.mark.libreoffice
HERE = Path(__file__).resolve().parent
ENTRY = {
    "Manager.MergeBooks": "merge_button",
    "Manager.ValidateAll": "validate_all_button",
    "Manager.DueList": "due_button",
    "Manager.WeekSchedule": "schedule_button",
    "Manager.WeekSummary": "weekly_button",
    "Manager.MonthReport": "report_button",
    "Manager.Handover": "handover_button",
    "Manager.SplitBooks": "split_button",
    "Manager.CheckSetup": "doctor_button",
}


def run_in_libreoffice(paths: list[Path]) -> dict[str, dict]:
    """One soffice per workbook (tests/lo_vba_manager.py says why); a crash is retried once."""
    exe = uno_python()
    results = {}
    for path in paths:
        for _attempt in range(2):  # a compile error is not a crash: it comes back as a result
            proc = subprocess.run(
                [exe, str(HERE / "lo_vba_manager.py"), str(path)],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if proc.returncode == 0 and "runs" in proc.stdout:
                results[path.name] = json.loads(proc.stdout)[0]
                break
        else:
            raise AssertionError(
                f"lo_vba_manager.py failed on {path.name}: {proc.stdout[-500:]} {proc.stderr[-2000:]}"
            )
    return results


def assert_buttons_run(result: dict, lang: str) -> None:
    """Each button: Python called once, with the entry point of the same job, from the 操作 sheet."""
    assert result["compiles"]["Manager"], "Manager does not compile in LibreOffice"
    assert result["library_compiles"], (
        f"VBAProject does not compile (left out: {result['left_out']})"
    )
    assert result["lang"] == lang
    assert [r["macro"] for r in result["runs"]] == [m for _c, m in BUTTONS[lang]]
    for run in result["runs"]:
        assert run["error"] is None, run
        entry = ENTRY[run["macro"]]
        assert [c["command"] for c in run["calls"]] == [
            f"import followup_xl.xl.manager as m; m.{entry}()"
        ], run
        assert callable(getattr(manager, entry))
        assert (
            run["calls"][0]["active_sheet"]
            == run["opened_on"]
            == ("操作" if lang == "zh" else "Actions")
        )


@pytest.fixture(scope="module")
def lo_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desk-vba")
    good = {lang: write_manager_workbook(folder / f"{lang}.xlsm", lang) for lang in ("zh", "en")}
    real = vba.module_source
    broken_source = real("Manager").replace("End Sub", "End Sbu", 1)  # the planted syntax error
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(
            vba,
            "module_source",
            lambda module="FollowUp": broken_source if module == "Manager" else real(module),
        )
        vba.vba_project_bin.cache_clear()
        broken = write_manager_workbook(folder / "broken.xlsm", "zh")
    finally:
        mp.undo()
        vba.vba_project_bin.cache_clear()
    return run_in_libreoffice([Path(good["zh"]), Path(good["en"]), Path(broken)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_button_compiles_and_calls_its_python_in_libreoffice(lo_results, lang):
    assert_buttons_run(lo_results[f"{lang}.xlsm"], lang)


def test_planted_syntax_error_fails_the_test(lo_results):
    result = lo_results["broken.xlsm"]
    assert "End Sbu" in result["manager_source"]
    assert result["compiles"]["Manager"] is False
    with pytest.raises(AssertionError):
        assert_buttons_run(result, "zh")
    assert all(run["calls"] == [] for run in result["runs"])
