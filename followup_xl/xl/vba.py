"""The 校验 button in the .xlsm: xlwings' own VBA project plus our FollowUp module.

Built at template time, no Excel needed: xlwings' wheel ships
quickstart_standalone.xlsm whose vbaProject.bin holds the BSD `xlwings` module
(RunPython). pyOpenVBA adds our `FollowUp` module (macros/FollowUp.bas) as source
only, leaving the other modules byte-identical, and XlsxWriter puts that
project and two buttons bound to FollowUp.Validate / FollowUp.RefreshDue into
the workbook. Excel compiles the module from source on first open.
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


def module_source(module: str = "FollowUp") -> str:
    return resources.files("followup_xl.data").joinpath(f"{module}.bas").read_text(encoding="ascii")


def _xlwings_standalone() -> str:
    import xlwings

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
            wb.vba_project().add_module(module, body + "\r\n")
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
    home.set_vba_name("Sheet1")
    for i, (caption, macro) in enumerate(buttons):
        home.insert_button(
            row + step * i,
            col,
            {"macro": macro, "caption": caption, "width": 150, "height": 40, "x_offset": 10},
        )
