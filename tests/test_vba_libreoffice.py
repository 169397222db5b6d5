"""The buttons' VBA, run: LibreOffice compiles FollowUp and runs Validate / RefreshDue.

xlwings' RunPython is replaced in the test copy by a stub that records the Python
command (tests/lo_vba.py, run with the system Python that has LibreOffice's `uno`).
A copy with a planted syntax error must fail the same assertions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import libreoffice as lo
import pytest

from followup_xl.io.write.manager import BUTTONS as MANAGER_BUTTONS
from followup_xl.io.write.manager import write_manager_workbook
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.xl import button, manager, vba

pytestmark = pytest.mark.libreoffice
HERE = Path(__file__).resolve().parent
COMMANDS = {
    "FollowUp.Validate": "import followup_xl.xl.button as b; b.validate_button()",
    "FollowUp.RefreshDue": "import followup_xl.xl.button as b; b.refresh_due_button()",
}
SHOWS = {
    "zh": {"FollowUp.Validate": "问题清单", "FollowUp.RefreshDue": "待回访"},
    "en": {"FollowUp.Validate": "Issues", "FollowUp.RefreshDue": "Due"},
}
HOME = {"zh": "首页", "en": "Home"}
BUSY = {
    "zh": {"FollowUp.Validate": "正在校验…", "FollowUp.RefreshDue": "正在刷新待回访…"},
    "en": {
        "FollowUp.Validate": "Checking this workbook...",
        "FollowUp.RefreshDue": "Refreshing the due list...",
    },
}


def uno_python() -> str:
    """A Python that can `import uno` (Debian: /usr/bin/python3 with python3-uno)."""
    lo.soffice()
    for exe in ("/usr/bin/python3", shutil.which("python3")):
        if exe and subprocess.run([exe, "-c", "import uno"], capture_output=True).returncode == 0:
            return exe
    if os.environ.get("CI"):
        pytest.fail("Python-UNO is required in CI (.ci/run installs python3-uno)")
    pytest.skip("no Python with LibreOffice's uno module (apt-get install -y python3-uno)")


def run_in_libreoffice(paths: list[Path]) -> dict[str, dict]:
    exe = uno_python()
    proc = subprocess.run(
        [exe, str(HERE / "lo_vba.py"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, f"lo_vba.py failed: {proc.stderr[-2000:]}"
    results = {Path(r["path"]).name: r for r in json.loads(proc.stdout)}
    for name, r in results.items():
        assert "error" not in r, (name, r["error"])
    return results


def assert_buttons_run(result: dict, lang: str) -> None:
    """What a click does in LibreOffice: the module compiles, Python is called once with the
    right command while the home sheet is showing, then the sheet Python wrote is shown."""
    assert result["compiles"]["FollowUp"], "FollowUp does not compile in LibreOffice"
    assert result["library_compiles"], (
        f"VBAProject does not compile (left out: {result['left_out']})"
    )
    assert result["lang"] == lang
    for run in result["runs"]:
        macro = run["macro"]
        assert run["error"] is None, run
        assert [c["command"] for c in run["calls"]] == [COMMANDS[macro]], run
        assert run["calls"][0]["active_sheet"] == HOME[lang]
        assert run["calls"][0]["status_bar"] == BUSY[lang][macro], run  # while Python runs…
        assert run["status_bar_after"] == "", run  # …then handed back
        assert run["active_sheet_after"] == run["active_sheet_uno"] == SHOWS[lang][macro], run


@pytest.fixture(scope="module")
def lo_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vba")
    good = {
        lang: write_staff_workbook(folder / f"{lang}.xlsm", lang, macro=True)
        for lang in ("zh", "en")
    }
    source = vba.module_source()
    assert "End Sub" in source
    broken_source = source.replace("End Sub", "End Sbu", 1)  # the planted syntax error
    mp = pytest.MonkeyPatch()
    try:
        real = vba.module_source
        mp.setattr(
            vba,
            "module_source",
            lambda module="FollowUp": broken_source if module == "FollowUp" else real(module),
        )
        vba.vba_project_bin.cache_clear()
        broken = write_staff_workbook(folder / "broken.xlsm", "zh", macro=True)
    finally:
        mp.undo()
        vba.vba_project_bin.cache_clear()
    manager = write_manager_workbook(folder / "manager.xlsm", "zh")
    return run_in_libreoffice([Path(good["zh"]), Path(good["en"]), Path(broken), Path(manager)])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_buttons_compile_and_call_python_in_libreoffice(lo_results, lang):
    result = lo_results[f"{lang}.xlsm"]
    assert_buttons_run(result, lang)
    assert (
        result["sources"]["FollowUp"]
        .replace("\r\n", "\n")
        .strip()
        .endswith(
            vba.module_source().replace("\r\n", "\n").strip().split("Option Explicit", 1)[1].strip()
        )
    )


def test_planted_syntax_error_fails_the_test(lo_results):
    result = lo_results["broken.xlsm"]
    assert "End Sbu" in result["sources"]["FollowUp"]  # the copy really carries the error
    assert result["compiles"]["FollowUp"] is False
    with pytest.raises(AssertionError):
        assert_buttons_run(result, "zh")
    assert all(run["calls"] == [] for run in result["runs"])  # nothing reached Python


def test_every_command_names_a_python_function_that_exists():
    for command in COMMANDS.values():
        assert callable(getattr(button, command.rsplit("b.", 1)[1].rstrip("()")))


def test_manager_buttons_compile_and_call_python_in_libreoffice(lo_results):
    """The 管理台 (macros/Manager.bas): compiles, and each button's Sub passes one command that
    imports followup_xl.xl.manager and calls a function that exists there."""
    result = lo_results["manager.xlsm"]
    assert result["compiles"]["Manager"] and result["library_compiles"], result["left_out"]
    runs = {run["macro"]: run for run in result["runs"]}
    for _caption, macro in MANAGER_BUTTONS["zh"]:
        run = runs[macro]
        assert run["error"] is None and len(run["calls"]) == 1, run
        m = re.fullmatch(
            r"import followup_xl\.xl\.manager as m; m\.(\w+)\(\)", run["calls"][0]["command"]
        )
        assert m and callable(getattr(manager, m.group(1), None)), run
        assert run["calls"][0]["status_bar"].startswith("正在") and run["status_bar_after"] == "", (
            run
        )


def test_libreoffice_cannot_compile_xlwings_own_modules(lo_results):
    """Recorded for docs/workbooks.md's release check: LibreOffice Basic has no conditional
    compilation (#Const/#If), so xlwings' module and its Dictionary class only compile in Excel."""
    compiles = lo_results["zh.xlsm"]["compiles"]
    assert "Module1" not in lo_results["zh.xlsm"]["modules"]  # xlwings' quickstart: removed
    assert (compiles["xlwings"], compiles["Dictionary"]) == (False, False)


def test_chinese_texts_in_the_ascii_module():
    """The module is ASCII (code page 1252); its Chinese comes from code points — check them."""
    source = vba.module_source()
    assert source.isascii()
    texts = [
        "".join(chr(int(h, 16)) for h in re.findall(r"&H([0-9A-F]+)", args))
        for args in re.findall(r"Zh\(([^()]*)\)", source)
    ]
    assert {"正在校验", "问题清单", "正在刷新待回访", "待回访", "客户名录簿", "…"} <= set(texts)
