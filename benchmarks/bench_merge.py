"""Merge benchmark: followup-xl merge vs the naive route vs the floor, in one run.

    python -m benchmarks.bench_merge [OWNERS CUSTOMERS CALLS]     (default 50 1000 10000)

Each variant runs in a fresh child process that reports its wall time and peak
resident memory, so the numbers are comparable within the run:
  naive  pandas.read_excel(engine="openpyxl") of every sheet, concat, to_excel
  floor  python-calamine read of every sheet + one XlsxWriter constant_memory write of the same rows
         (values plus source file and row, as the master holds them)
  merge  followup_xl.api.merge (what `followup-xl merge` runs)
  weekly the master + one changed staff book merged again (a weekly re-merge)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .large_office import build

CHILD = r'''
import json, resource, sys, time
t = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
'''

NAIVE = '''
import pandas as pd, glob
frames = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.xlsx")):
    for name, df in pd.read_excel(f, sheet_name=None, engine="openpyxl").items():
        frames.setdefault(name, []).append(df)
with pd.ExcelWriter(sys.argv[2], engine="openpyxl") as xw:
    for name, dfs in frames.items():
        pd.concat(dfs, ignore_index=True).to_excel(xw, sheet_name=name, index=False)
'''

FLOOR = '''
import python_calamine as pc, glob, xlsxwriter
sheets = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.xlsx")):
    wb = pc.CalamineWorkbook.from_path(f)
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        sheets.setdefault(name, []).append((f.rsplit("/", 1)[-1], rows))
wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
for name, books in sheets.items():
    ws = wb.add_worksheet(name)
    row = 0
    for file, rows in books:
        for i, values in enumerate(rows if row == 0 else rows[1:], start=1 if row == 0 else 2):
            # the same rows the master holds: the values plus where they came from (file, row)
            ws.write_row(row, 0, values + ([file, i] if row else ["来源文件", "来源行"])); row += 1
wb.close()
'''

OURS = '''
from followup_xl import api
res = api.merge([sys.argv[1]], sys.argv[2])
assert res["exit_code"] == 0, res["exit_code"]
'''

WEEKLY = '''
from followup_xl import api
res = api.merge([sys.argv[1], sys.argv[3]], sys.argv[2])
assert res["exit_code"] == 0, res["exit_code"]
'''


def child(body: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(body=body), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv[:3]] or [50, 1000, 10000]
    t = time.perf_counter()
    folder = build(owners=sizes[0], customers=sizes[1], calls=sizes[2])
    print(f"office: {sizes[0]} books x ({sizes[1]} customers + {sizes[2]} calls) "
          f"[{time.perf_counter() - t:.0f} s to generate or find]")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results = {}
        for name, body, out in (("floor", FLOOR, "floor.xlsx"), ("merge", OURS, "master.xlsx"),
                                ("naive", NAIVE, "naive.xlsx")):
            if name == "naive" and "--skip-naive" in argv:
                continue
            results[name] = child(body, str(folder), str(tmp / out))
            print(f"{name:7s} {results[name]['seconds']:7.1f} s   peak {results[name]['peak_mib']:7.0f} MiB")
        changed = sorted(folder.glob("*.xlsx"))[0]
        results["weekly"] = child(WEEKLY, str(tmp / "master.xlsx"), str(tmp / "master2.xlsx"), str(changed))
        print(f"weekly  {results['weekly']['seconds']:7.1f} s   peak {results['weekly']['peak_mib']:7.0f} MiB")
        m, f = results["merge"]["seconds"], results["floor"]["seconds"]
        print(f"merge / floor = {m / f:.2f}  (goal ≤ 1.3)")
        if "naive" in results:
            print(f"naive / merge = {results['naive']['seconds'] / m:.1f}x  (goal ≥ 5)")


if __name__ == "__main__":
    main(sys.argv[1:])
