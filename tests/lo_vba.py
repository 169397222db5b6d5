"""Run a workbook's VBA buttons in LibreOffice headless (through Python-UNO).

Run with a Python that has LibreOffice's `uno` module (Debian: /usr/bin/python3 with
python3-uno), not the project's venv:

    python3 tests/lo_vba.py BOOK.xlsm [BOOK2.xlsm ...]   → one JSON object on stdout

For each book (a test copy; it is never saved): which VBA modules LibreOffice's
VBA-compatible Basic compiles, then — with xlwings' RunPython replaced by a stub that
records its argument, the status bar text and the active sheet — what each public Sub of
our modules does (FollowUp.Validate and .RefreshDue; the 管理台's Manager.*). LibreOffice
reports neither compile nor run-time errors of
document macros through UNO (the call returns normally), so compiling is proven by a
probe function in the same library: LibreOffice compiles every module of a library
before running any of it, and the probe answers only if all of them compiled.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

OURS = ("FollowUp", "Manager")  # our modules; every public `Sub X()` in them is run
RESULT_SHEETS = {"zh": ["问题清单", "待回访"], "en": ["Issues", "Due"]}
HOME = {"zh": "首页", "en": "Home"}
HEADER = "Rem Attribute VBA_ModuleType=VBAModule\nOption VBASupport 1\n"
PROBE = (
    HEADER + 'Public Function FollowUpXlAlive()\n    FollowUpXlAlive = "compiled"\nEnd Function\n'
)
# Stands in for xlwings' RunPython: remembers each call with the status bar (LibreOffice reads
# it back as False) and the active sheet at that moment (what the person sees while Python runs).
STUB = (
    HEADER
    + """Public FollowUpXlCalls As String
Public FollowUpXlStatus As String

Public Function RunPython(PythonCommand As String)
    FollowUpXlCalls = FollowUpXlCalls & PythonCommand & Chr(9) & FollowUpXlStatus & Chr(9) & _
        ActiveSheet.Name & Chr(10)
End Function

Public Sub FollowUpXlSetStatusBar(value As Variant)
    If VarType(value) = vbBoolean Then
        FollowUpXlStatus = ""
    Else
        FollowUpXlStatus = value
    End If
End Sub

Public Function FollowUpXlState() As String
    FollowUpXlState = FollowUpXlCalls & "=" & Chr(9) & FollowUpXlStatus & Chr(9) & ActiveSheet.Name
    FollowUpXlCalls = ""
End Function
"""
)
# Application.StatusBar reads back False in LibreOffice, and setting it on a hidden document
# now and then crashes soffice 7.4 headless: in the test copy (after the compile check of the
# original), our modules set the status bar through the stub, which remembers the text.
STATUS_BAR = re.compile(r"\bApplication\.StatusBar\s*=\s*")
XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def _pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _call(doc, library: str, name: str, args=()):
    """Invoke a document macro; returns (value, error text or None)."""
    try:
        script = doc.getScriptProvider().getScript(
            f"vnd.sun.star.script:{library}.{name}?language=Basic&location=document"
        )
        return script.invoke(tuple(args), (), ())[0], None
    except Exception as e:
        return None, f"{type(e).__name__}: {getattr(e, 'Message', e)}".strip()


def _compiles(doc, n: int, name: str, source: str) -> bool:
    """Does this module compile on its own? (a fresh library holding it and the probe)."""
    lib_name = f"FollowUpXlProbe{n}"
    lib = doc.BasicLibraries.createLibrary(lib_name)
    lib.insertByName(name, source if source.startswith("Rem Attribute") else HEADER + source)
    lib.insertByName("FollowUpXlProbe", PROBE)
    value, _ = _call(doc, lib_name, "FollowUpXlProbe.FollowUpXlAlive")
    doc.BasicLibraries.removeLibrary(lib_name)
    return value == "compiled"


def _parse_state(text: str) -> dict:
    calls_part, _, now = (text or "").rpartition("=\t")
    calls = []
    for line in calls_part.splitlines():
        command, status, sheet = ([*line.split("\t"), "", "", ""])[:3]
        calls.append({"command": command, "status_bar": status, "active_sheet": sheet})
    status, _, sheet = now.partition("\t")
    return {"calls": calls, "status_bar_after": status, "active_sheet_after": sheet}


def run_book(desktop, path: str) -> dict:
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc = desktop.loadComponentFromURL(
        url, "_blank", 0, (_pv("Hidden", True), _pv("MacroExecutionMode", 4))
    )
    if doc is None:
        return {"path": path, "error": "LibreOffice could not open the file"}
    try:
        out: dict = {"path": path, "libraries": list(doc.BasicLibraries.getElementNames())}
        if not doc.BasicLibraries.hasByName("VBAProject"):
            out["error"] = "no VBAProject library"
            return out
        lib = doc.BasicLibraries.getByName("VBAProject")
        modules = list(lib.getElementNames())
        out["modules"] = modules
        ours = [m for m in OURS if m in modules]
        out["compiles"] = {
            m: _compiles(doc, i, m, lib.getByName(m))
            for i, m in enumerate(modules)
            if m in (*OURS, "xlwings", "Dictionary")
        }
        out["sources"] = {m: lib.getByName(m) for m in ours}
        # The test copy: RunPython becomes the stub; modules LibreOffice cannot compile
        # (conditional compilation, see docs/workbooks.md's release check) are left out.
        lib.replaceByName("xlwings", STUB) if "xlwings" in modules else lib.insertByName(
            "xlwings", STUB
        )
        out["left_out"] = [
            m for m, ok in out["compiles"].items() if not ok and m not in (*OURS, "xlwings")
        ]
        for m in out["left_out"]:
            lib.removeByName(m)
        out["status_bar_rewritten"] = 0
        for m in ours:
            source, n = STATUS_BAR.subn("FollowUpXlSetStatusBar ", out["sources"][m])
            lib.replaceByName(m, source)
            out["status_bar_rewritten"] += n
        lib.insertByName("FollowUpXlProbe", PROBE)
        alive, _ = _call(doc, "VBAProject", "FollowUpXlProbe.FollowUpXlAlive")
        out["library_compiles"] = alive == "compiled"
        names = list(doc.Sheets.getElementNames())
        lang = "en" if "Customers" in names and "客户名录簿" not in names else "zh"
        out["lang"] = lang
        if "FollowUp" in ours:
            for i, sheet in enumerate(
                RESULT_SHEETS[lang]
            ):  # what the Python side would have created
                if sheet not in names:
                    doc.Sheets.insertNewByName(sheet, i)
        controller = doc.getCurrentController()
        first = controller.getActiveSheet().getName()
        home = HOME[lang] if "FollowUp" in ours else first
        macros = [
            f"{m}.{sub}"
            for m in ours
            for sub in re.findall(r"^Sub (\w+)\(\)", out["sources"][m], re.M)
        ]
        runs = []
        for macro in macros:
            if doc.Sheets.hasByName(home):
                controller.setActiveSheet(doc.Sheets.getByName(home))
            _, error = _call(doc, "VBAProject", macro)
            state, _ = _call(doc, "VBAProject", "xlwings.FollowUpXlState")
            runs.append(
                {
                    "macro": macro,
                    "error": error,
                    **_parse_state(state),
                    "active_sheet_uno": controller.getActiveSheet().getName(),
                }
            )
        out["runs"] = runs
        return out
    finally:
        doc.close(True)


def _in_fresh_soffice(path: str, n: int) -> dict:
    """One book in its own soffice (private profile that allows macros): a crash or a stuck
    document cannot spoil the next book."""
    profile = tempfile.mkdtemp(prefix="lo-vba-")
    os.makedirs(os.path.join(profile, "user"))
    with open(
        os.path.join(profile, "user", "registrymodifications.xcu"), "w", encoding="utf-8"
    ) as f:
        f.write(XCU)
    pipe = f"followupxl{os.getpid()}n{n}"
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice is not installed"
    proc = subprocess.Popen(
        [
            exe,
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            "--headless",
            "--norestore",
            "--invisible",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 120
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        copy = os.path.join(
            profile, os.path.basename(path)
        )  # LibreOffice's lock file goes beside the copy
        shutil.copy(path, copy)
        result = run_book(desktop, copy)
        result["path"] = path
        return result
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
            proc.wait(timeout=30)
        except Exception:
            try:
                os.killpg(proc.pid, 9)
            except ProcessLookupError:
                pass
        shutil.rmtree(profile, ignore_errors=True)


def main(paths: list[str]) -> int:
    results = []
    for n, path in enumerate(paths):
        for attempt in range(
            3
        ):  # soffice 7.4 headless now and then dies mid-run: try that book again
            try:
                result = _in_fresh_soffice(path, 3 * n + attempt)
            except Exception as e:
                result = {"path": path, "error": f"soffice failed: {type(e).__name__}: {e}"}
            result["attempts"] = attempt + 1
            if not str(result.get("error", "")).startswith(
                ("soffice failed", "LibreOffice could not open")
            ):
                break
        results.append(result)
    json.dump(results, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
