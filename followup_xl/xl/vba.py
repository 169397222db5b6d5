"""The 校验 button in the .xlsm: xlwings' own VBA project plus our FollowUp module.

Built at template time, no Excel needed: xlwings' wheel ships
quickstart_standalone.xlsm whose vbaProject.bin holds the BSD `xlwings` module
(RunPython). pyOpenVBA removes xlwings' quickstart `Module1` (its SampleCall imports a
module named after the workbook) and adds our `FollowUp` module (macros/FollowUp.bas)
as source only, leaving the other modules byte-identical, and XlsxWriter puts that
project and two buttons bound to FollowUp.Validate / FollowUp.RefreshDue into
the workbook. Excel compiles the module from source on first open.

Every .xlsm also carries a hidden ``xlwings.conf`` sheet (keys in column A from A1
down, values in column B: what xlwings' GetConfigFromSheet reads, ahead of any
xlwings.conf file): which Python RunPython starts, the module the worksheet
functions are imported from, and the versions the workbook was built with.
"""

from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
import zipfile
from importlib import resources

BUTTONS = {
    "zh": [("校验", "FollowUp.Validate"), ("刷新待回访", "FollowUp.RefreshDue")],
    "en": [("Validate", "FollowUp.Validate"), ("Refresh due list", "FollowUp.RefreshDue")],
}


XLWINGS_VERSION = "0.37.8"  # the xlwings whose VBA module (and DLL name) the .xlsm embeds: pinned
CONF_SHEET = "xlwings.conf"  # the sheet name xlwings reads (wb.Sheets("xlwings.conf"))
# Where 安装.bat puts the office's Python environment on every PC (ASCII: the VBA project is cp1252).
# xlwings expands %VARIABLES% in a setting, so one value serves every user name.
INTERPRETER_WIN = r"%LOCALAPPDATA%\followup-xl\venv\Scripts\python.exe"
UDF_MODULES = "followup_xl.xl.functions"
CONF_VERSION_KEY = "followup-xl version"  # not an xlwings setting; xlwings ignores unknown keys
CONF_XLWINGS_KEY = "xlwings version"
QUICKSTART_MODULES = ("Module1",)  # xlwings' quickstart SampleCall: not ours, removed


def conf_rows() -> list[tuple[str, str]]:
    """The xlwings.conf sheet: (key, value) from A1 down, no header (xlwings reads A1:A<last>)."""
    from .. import __version__

    return [
        ("Interpreter_Win", INTERPRETER_WIN),
        ("UDF Modules", UDF_MODULES),
        (CONF_VERSION_KEY, __version__),
        (CONF_XLWINGS_KEY, XLWINGS_VERSION),
    ]


def add_conf_sheet(wb) -> None:
    """The hidden xlwings.conf sheet (XlsxWriter workbook); text cells, so nothing is parsed."""
    ws = wb.add_worksheet(CONF_SHEET)
    for r, (key, value) in enumerate(conf_rows()):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 60)
    ws.hide()


def read_conf(rows) -> dict[str, str]:
    """A conf sheet's rows (lists of cell values) as xlwings reads them: column A from A1 down to
    the first blank, keys upper-cased."""
    conf: dict[str, str] = {}
    for row in rows:
        key = row[0] if row else None
        if key in (None, ""):
            break
        value = row[1] if len(row) > 1 else None
        conf[str(key).upper()] = "" if value is None else str(value)
    return conf


def module_source(module: str = "FollowUp") -> str:
    return resources.files("followup_xl.data").joinpath(f"{module}.bas").read_text(encoding="ascii")


def _xlwings_standalone() -> str:
    import xlwings

    if xlwings.__version__ != XLWINGS_VERSION:  # the conf sheet and the pin say XLWINGS_VERSION
        raise RuntimeError(
            f"xlwings {xlwings.__version__} is installed; the workbooks embed {XLWINGS_VERSION}'s VBA"
        )
    path = os.path.join(os.path.dirname(xlwings.__file__), "quickstart_standalone.xlsm")
    if not os.path.exists(path):
        raise FileNotFoundError(f"xlwings {xlwings.__version__} has no quickstart_standalone.xlsm")
    return path


@functools.lru_cache(maxsize=2)
def vba_project_bin(module: str = "FollowUp") -> bytes:
    """xlwings' vbaProject.bin with our module (FollowUp, or Manager for the 管理台) added."""
    from pyopenvba import ExcelFile

    source = module_source(module)
    body = "\r\n".join(
        line for line in source.splitlines() if not line.startswith("Attribute VB_Name")
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "project.xlsm")
        shutil.copy(_xlwings_standalone(), work)
        with ExcelFile(work) as wb:
            project = wb.vba_project()
            for leftover in QUICKSTART_MODULES:
                if leftover in project.module_names():
                    project.delete_module(leftover)
            project.add_module(module, body + "\r\n")
            wb.save()
        with zipfile.ZipFile(work) as zf:
            return zf.read("xl/vbaProject.bin")


def add_validate_button(wb, home, lang: str = "zh") -> None:
    """Attach the VBA project and put the buttons on the home sheet (XlsxWriter objects)."""
    add_buttons(wb, home, BUTTONS[lang])


def add_buttons(
    wb, home, buttons, module: str = "FollowUp", row: int = 4, col: int = 3, step: int = 3
) -> None:
    """xlwings' project plus ``module``, and one button per (caption, macro) down column ``col``."""
    wb.add_vba_project(io.BytesIO(vba_project_bin(module)), is_stream=True)
    wb.set_vba_name("ThisWorkbook")
    add_conf_sheet(wb)
    home.set_vba_name("Sheet1")
    for i, (caption, macro) in enumerate(buttons):
        home.insert_button(
            row + step * i,
            col,
            {"macro": macro, "caption": caption, "width": 150, "height": 40, "x_offset": 10},
        )
