"""The core that xlwings Lite needs runs with only pydantic, holidays and phonenumbers.

A fresh virtual environment (python -m venv, then pip with the machine's index and cache)
gets those three and the wheel Lite installs (workbook_templates/xlwings_lite/build_wheel.py,
core dependencies only); there it reads rows, runs the checks and the policy, and imports the
Lite script — without python-calamine, XlsxWriter, pyOpenVBA, msoffcrypto-tool, rich, openpyxl,
pandas, click or xlwings (a two-decorator stand-in plays xlwings). The environment is made
once per project venv and reused; what is installed in it is checked on every run.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "workbook_templates" / "xlwings_lite"
ENV = Path(sys.prefix) / "followup-minimal-env"
# the three and what they pull in themselves
ALLOWED = {
    "pydantic",
    "pydantic-core",
    "annotated-types",
    "typing-extensions",
    "typing-inspection",
    "holidays",
    "python-dateutil",
    "six",
    "phonenumbers",
    "followup-xl",
}
FORBIDDEN = (
    "python_calamine",
    "xlsxwriter",
    "pyopenvba",
    "msoffcrypto",
    "rich",
    "openpyxl",
    "pandas",
    "click",
    "xlwings",
    "numpy",
)

SCRIPT = r"""
import datetime as dt, importlib.util, json, sys
import followup_xl
assert "site-packages" in followup_xl.__file__, followup_xl.__file__   # the installed wheel, not the repo
from followup_xl import calendar, checks, models, normalize, policy, schema, settings
from followup_xl.io.read.workbook import read_rows, require_our_sheets

def sheet(defn, rows):
    keys = defn.keys
    return iter([[c.zh for c in defn.columns]] + [[r.get(k) for k in keys] for r in rows])

book = models.Book(path="内存.xlsx")
read_rows(book, "客户名录簿", sheet(schema.CUSTOMERS, [
    {"customer_id": "K1", "name": "甲公司", "phone": "13800138000", "klass": "A", "owner": "张伟"},
    {"customer_id": "K2", "name": "乙公司", "phone": "12345", "klass": "B", "owner": "张伟"}]), "内存.xlsx")
read_rows(book, "回访记录表", sheet(schema.CALLS, [
    {"customer_id": "K1", "call_date": dt.datetime(2026, 11, 2), "method": "电话", "call_type": "例行回访",
     "caller": "张伟", "content": "例行", "result": "成功"},
    {"customer_id": "K9", "call_date": dt.datetime(2026, 11, 3), "method": "电话", "call_type": "例行回访",
     "caller": "张伟", "content": "例行", "result": "成功"}]), "内存.xlsx")
require_our_sheets(book, "内存.xlsx")
pol = settings.policy_for_book(book)
report = checks.run_checks(book, pol, dt.date(2026, 11, 22), file="内存.xlsx")
result = policy.compute_obligations(book, pol, dt.date(2026, 11, 22))
core_loaded = sorted({m.split(".")[0] for m in sys.modules})

sys.path.insert(0, sys.argv[1])   # the xlwings stand-in
spec = importlib.util.spec_from_file_location("lite_main", sys.argv[2])
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
print(json.dumps({
    "findings": sorted({(f.code, f.cell) for f in report.findings}),
    "due_customers": sorted({o.customer_id for o in result.open() if o.customer_id}),
    "workday": main.FOLLOWUP_WORKDAY(dt.date(2026, 2, 13), 1).isoformat(),
    "core_loaded": core_loaded,
    "lite_loaded": sorted({m.split(".")[0] for m in sys.modules}),
    "xlwings": sys.modules["xlwings"].__file__,
}, ensure_ascii=False))
"""
XLWINGS_STANDIN = '''"""Stand-in for the xlwings that xlwings Lite provides: its two decorators and Book."""
def script(f=None, **_):
    return f if f is not None else (lambda g: g)
func = script
class Book:
    pass
'''


def _core_requirements() -> tuple[list[str], Any]:
    spec = importlib.util.spec_from_file_location("build_wheel", LITE / "build_wheel.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._core_requirements(), module


def _run(*args, **kw):
    return subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=900, **kw)


def _env_python(requirements) -> Path:
    python = ENV / "bin" / "python"
    if not python.exists():
        assert _run(sys.executable, "-m", "venv", "--without-pip", ENV).returncode == 0
        r = _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", *requirements)
        assert r.returncode == 0, r.stderr[-2000:]
    return python


def test_core_runs_with_only_pydantic_holidays_phonenumbers(tmp_path):
    requirements, build_wheel = _core_requirements()
    assert sorted(r.split(">")[0] for r in requirements) == ["holidays", "phonenumbers", "pydantic"]
    python = _env_python(requirements)
    wheel = build_wheel.build(tmp_path / "dist")
    r = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        "--force-reinstall",
        wheel,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    r = _run(sys.executable, "-m", "pip", "--python", python, "check")
    assert r.returncode == 0, r.stdout + r.stderr  # the wheel's declared dependencies are all there
    listed = _run(
        python,
        "-c",
        "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'] for d in "
        "m.distributions()))",
    )
    installed = {n.strip().lower().replace("_", "-") for n in listed.stdout.split()}
    assert installed <= ALLOWED, installed - ALLOWED

    standin = tmp_path / "standin"
    (standin / "xlwings").mkdir(parents=True)
    (standin / "xlwings" / "__init__.py").write_text(XLWINGS_STANDIN, encoding="utf-8")
    r = _run(python, "-I", "-c", SCRIPT, standin, LITE / "main.py", cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout)
    codes = {code for code, _cell in out["findings"]}
    assert {"V2", "V4a"} <= codes, out["findings"]  # the bad phone, the unknown customer
    assert "K1" in out["due_customers"]
    assert out["workday"] == "2026-02-14"  # 调休 make-up Saturday
    assert not set(out["core_loaded"]) & set(FORBIDDEN), set(out["core_loaded"]) & set(FORBIDDEN)
    assert set(out["lite_loaded"]) & set(FORBIDDEN) == {"xlwings"}  # only the stand-in
    assert out["xlwings"].startswith(str(standin))
