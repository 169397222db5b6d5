"""Run the 管理台's buttons (module Manager) in LibreOffice headless, RunPython stubbed.

The harness of tests/lo_vba.py (same LibreOffice start-up, stub, compile probe), with
the manager workbook's eight macros instead of the staff book's two. Run with a Python
that has LibreOffice's `uno` module:

    python3 tests/lo_vba_manager.py DESK.xlsm   → one JSON object on stdout

Each macro runs in a fresh load of the workbook: headless LibreOffice 7.4 here crashed
now and then once a document's VBA had set Application.StatusBar a dozen times or so
(eight buttons in one load), never with one or two per load as in lo_vba.py. A close that
fails after the results are read is ignored; the test retries a crashed soffice once.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lo_vba

MACROS = [
    "Manager.MergeBooks",
    "Manager.ValidateAll",
    "Manager.DueList",
    "Manager.WeekSchedule",
    "Manager.WeekSummary",
    "Manager.MonthReport",
    "Manager.Handover",
    "Manager.SplitBooks",
    "Manager.CheckSetup",
]
ACTIONS = {"zh": "操作", "en": "Actions"}


def _open(desktop, path: str):
    url = lo_vba.uno.systemPathToFileUrl(os.path.abspath(path))
    return desktop.loadComponentFromURL(
        url, "_blank", 0, (lo_vba._pv("Hidden", True), lo_vba._pv("MacroExecutionMode", 4))
    )


def _close(doc) -> None:
    try:
        doc.close(True)
    except Exception:
        pass


def run_desk(desktop, path: str) -> dict:
    """Compile check once, then each macro in a fresh load of the workbook (module docstring)."""
    doc = _open(desktop, path)
    if doc is None:
        return {"path": path, "error": "LibreOffice could not open the file"}
    try:
        out: dict = {"path": path}
        lib = doc.BasicLibraries.getByName("VBAProject")
        modules = list(lib.getElementNames())
        out["modules"] = modules
        out["compiles"] = {
            m: lo_vba._compiles(doc, i, m, lib.getByName(m))
            for i, m in enumerate(modules)
            if m in ("Manager", "xlwings", "Dictionary")
        }
        out["manager_source"] = lib.getByName("Manager") if "Manager" in modules else None
        out["left_out"] = [
            m for m, ok in out["compiles"].items() if not ok and m not in ("Manager", "xlwings")
        ]
        names = list(doc.Sheets.getElementNames())
        out["lang"] = "en" if ACTIONS["en"] in names else "zh"
    finally:
        _close(doc)
    out["runs"] = []
    for macro in MACROS:
        doc = _open(desktop, path)
        try:
            lib = doc.BasicLibraries.getByName("VBAProject")
            lib.replaceByName("xlwings", lo_vba.STUB) if lib.hasByName(
                "xlwings"
            ) else lib.insertByName("xlwings", lo_vba.STUB)
            for m in out["left_out"]:
                lib.removeByName(m)
            lib.insertByName("FollowUpXlProbe", lo_vba.PROBE)
            alive, _ = lo_vba._call(doc, "VBAProject", "FollowUpXlProbe.FollowUpXlAlive")
            out["library_compiles"] = out.get("library_compiles", True) and alive == "compiled"
            active = doc.getCurrentController().getActiveSheet().getName()
            _, error = lo_vba._call(doc, "VBAProject", macro)
            state, _ = lo_vba._call(doc, "VBAProject", "xlwings.FollowUpXlState")
            out["runs"].append(
                {"macro": macro, "error": error, "opened_on": active, **lo_vba._parse_state(state)}
            )
        finally:
            _close(doc)
    return out


if __name__ == "__main__":
    lo_vba.run_book = run_desk  # the harness's start-up and JSON output, our books
    sys.exit(lo_vba.main(sys.argv[1:]))
