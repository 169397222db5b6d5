"""Merge benchmark: followup-xl merge vs the naive route vs the floor, in one run.

    python -m benchmarks.bench_merge [OWNERS CUSTOMERS CALLS] [--skip-naive] [--onefile]
                                     [--week [--baseline DIR]]
                                                                   (default 50 1000 10000)

Each variant runs in a fresh child process that reports its wall time, CPU time
(its own and its children's: the merge forks writers for the closed years) and
peak resident memory, so the numbers are comparable within the run (on a
busy machine compare CPU seconds: wall time then measures the neighbours):
  naive  pandas.read_excel(engine="openpyxl") of every sheet, concat, to_excel
  floor  python-calamine read of every sheet + one XlsxWriter constant_memory write of the same rows
         (values plus source file and row, as the master holds them)
  merge  followup_xl.api.merge (what `followup-xl merge` runs); past 100,000 calls the closed
         years go to 回访历史档案/ beside the master
  weekly last week's master + one staff book with this week's new calls, merged into a new master in
         the same folder: the unchanged closed years are not written again
  onefile the same merge with every call inside the master (no history store: the ceiling the store
         avoids; with more than 1,048,575 calls they are split into one sheet per year)
  first  the week's first command on the new master (`due`, `schedule`… all read it the same way):
         reads it and its history files and writes the master cache (.followup-xl-cache/ beside it)
  cached the weekly re-merge again, now that last week's master has its cache: a Parquet read instead
         of parsing the workbooks (the default configuration: history store, cache)
  week1% last week's master + every staff book back with 1 % of its records changed (phones, call
         contents): the weekly routine with the field-by-field comparison, change log and 校验码
  base1% the same inputs through the code in BASELINE (``--baseline DIR``: a checkout of an earlier
         commit, e.g. ``git worktree add /tmp/base <commit>``), measured in the same run
  week1%s / base1%s  the same with the books `split` sends (stamped, the rows as sent on a hidden
         sheet: the three-way merge), each back with 1 % changed — the week as an office runs it
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .large_office import build

CHILD = r"""
import json, resource, sys, time
t = time.perf_counter()
{body}
ru, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"seconds": time.perf_counter() - t,
                  "cpu": ru.ru_utime + ru.ru_stime + kids.ru_utime + kids.ru_stime,
                  "peak_mib": ru.ru_maxrss / 1024, "child_peak_mib": kids.ru_maxrss / 1024}}))
"""

NAIVE = """
import pandas as pd, glob
frames = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.xlsx")):
    for name, df in pd.read_excel(f, sheet_name=None, engine="openpyxl").items():
        frames.setdefault(name, []).append(df)
with pd.ExcelWriter(sys.argv[2], engine="openpyxl") as xw:
    for name, dfs in frames.items():
        pd.concat(dfs, ignore_index=True).to_excel(xw, sheet_name=name, index=False)
"""

FLOOR = """
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
"""

OURS = """
from followup_xl import api
res = api.merge([sys.argv[1]], sys.argv[2])
assert res.exit_code == 0, res.exit_code
"""

WEEKLY = """
from followup_xl import api
res = api.merge([sys.argv[1], sys.argv[3]], sys.argv[2])
assert res.exit_code == 0, res.exit_code
"""

FIRST = """
try:
    from followup_xl.io.master.cache import read_cached
except ImportError:  # a baseline from before the master was read once (a status global)
    try:
        from followup_xl.io.master import cache as master_cache
    except ImportError:  # a baseline from before io/ was split by role
        from followup_xl.io import master_cache
    master_cache.cached_read(sys.argv[1])
    status = master_cache.last_status
else:
    status = read_cached(sys.argv[1])[1]
assert status.get("written"), status
"""

CACHED = """
from followup_xl import api
res = api.merge([sys.argv[1], sys.argv[3]], sys.argv[2])
assert res.exit_code == 0, res.exit_code
assert [i.get("cache") for i in res.inputs if i.get("cache")] == ["hit"], res.inputs
"""

WEEK_CHANGED = """
from followup_xl import api
import followup_xl, glob
res = api.merge([sys.argv[1], sys.argv[3]], sys.argv[2])
res = res if isinstance(res, dict) else vars(res)  # the baseline's API returned a dict
assert res["exit_code"] == 0, res["exit_code"]
print("code:", followup_xl.__file__, "changes:", len(res.get("changes") or []), file=sys.stderr)
"""

ONEFILE = """
from followup_xl import api
res = api.merge([sys.argv[1]], sys.argv[2], archive_over=10**9)
assert res.exit_code == 0, res.exit_code
"""


def this_week(book_path: Path, out: Path, new_calls: int = 50) -> Path:
    """A staff book as it comes in next week: everything it had plus ``new_calls`` calls after the last one."""
    from followup_xl.io.read.workbook import read_book
    from followup_xl.io.write.template import write_staff_workbook
    from followup_xl.models import Call

    book = read_book(book_path)
    last = max(book.calls, key=lambda k: k.call_date or dt.date.min)
    assert last.call_date  # the generated books date every call
    for i in range(new_calls):
        values = {k: getattr(last, k) for k in last.SHEET.keys}
        values.update(
            record_id=f"{last.record_id}-W{i}",
            call_date=last.call_date + dt.timedelta(days=1 + i % 5),
        )
        book.calls.append(Call.build(None, {}, {}, values))
    out.mkdir(parents=True, exist_ok=True)
    write_staff_workbook(out / book_path.name, book=book)
    return out / book_path.name


def changed_week(folder: Path, out: Path, pct: float = 1.0) -> Path:
    """Every staff book as it comes back: ``pct`` % of its customers get a new phone, ``pct`` % of its
    calls a corrected content (the rest unchanged). Cached beside the office."""
    import random

    from followup_xl.io.read.workbook import read_book
    from followup_xl.io.write.template import write_staff_workbook

    done = out / ".complete"
    if done.exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    for path in sorted(folder.glob("*.xlsx")):
        book = read_book(path)
        _one_percent(book, rng, pct)
        write_staff_workbook(out / path.name, book=book, owner=book.customers[0].owner)
    done.write_text("")
    return out


def _one_percent(book, rng, pct: float = 1.0) -> None:
    """``pct`` % of the customers get a new phone and ``pct`` % of the calls a corrected content."""
    for key, field, value in (
        ("customers", "phone", lambda r, n: f"139{n:08d}"),
        ("calls", "content", lambda r, n: f"{r.content}（更正{n}）"),
    ):
        records = book.records(key)
        for n in rng.sample(range(len(records)), max(1, int(len(records) * pct / 100))):
            r = records[n]
            records[n] = type(r).build(
                r.src,
                dict(r.bad),
                dict(r.extra),
                {**{k: getattr(r, k) for k in r.SHEET.keys}, field: value(r, n)},
            )


def split_week(master: Path, out: Path) -> Path:
    """The books `split` sends from ``master`` (stamped, with the rows as sent), each back with 1 %
    of its customers' phones and calls' contents changed: the weekly routine as an office runs it."""
    import datetime as dt
    import random
    import shutil

    from followup_xl import api
    from followup_xl.io.filekind import read_stamp
    from followup_xl.io.formats import open_calamine
    from followup_xl.io.master.cache import CACHE_DIR
    from followup_xl.io.read.workbook import read_book
    from followup_xl.io.write.split import BASE_SHEET, write_split_book

    sent = out.parent / (out.name + "_sent")
    api.split(str(master), str(sent), as_of=dt.date(2026, 11, 22))
    # split read the master through its cache and wrote one: the later `first` step measures that
    shutil.rmtree(master.parent / CACHE_DIR, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    for path in sorted(sent.glob("*.xlsm")) + sorted(sent.glob("*.xlsx")):
        book = read_book(path)
        with open_calamine(str(path)) as wb:
            rows = [tuple(r[:3]) for r in wb.get_sheet_by_name(BASE_SHEET).to_python()]
        _one_percent(book, rng)
        owner = (book.customers[0].owner if book.customers else None) or path.stem
        write_split_book(
            out / path.name,
            book,
            owner,
            [],
            dt.date(2026, 11, 22),
            stamp=read_stamp(path),
            base_rows=rows,
        )
    return out


def in_child(fn, *args: Path) -> Path:
    """``fn(*args)`` in a child process. Generating inputs reads every book; done here, it would grow
    this process, and the children it starts would report its size as their peak (Linux keeps a
    process's peak resident size across fork and exec)."""
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def show(name: str, r: dict) -> None:
    kids = (
        f" (history writers: {r['child_peak_mib']:.0f} MiB each at most)"
        if r["child_peak_mib"]
        else ""
    )
    print(
        f"{name:7s} {r['seconds']:7.1f} s wall  {r['cpu']:7.1f} s cpu   peak {r['peak_mib']:6.0f} MiB{kids}",
        flush=True,
    )


def child(body: str, *args: str, code_dir: str | None = None) -> dict:
    import os

    env = dict(os.environ, PYTHONPATH=code_dir) if code_dir else None
    # run from code_dir: `python -c` puts the working directory first on sys.path
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(body=body), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=code_dir,
    )
    if "code:" in proc.stderr:
        print("   ", proc.stderr.strip().splitlines()[-1], flush=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def week_against_base(
    name: str, last: str, inbox: Path, tmp: Path, base: str | None, results: dict
) -> None:
    """Last week's master + ``inbox`` merged by this code and (given ``base``) by the baseline's."""
    if base is not None:
        results[f"base{name}"] = child(
            WEEK_CHANGED,
            last,
            str(tmp / f"汇总/第48周总表_{name}_base.xlsx"),
            str(inbox),
            code_dir=base,
        )
        show(f"base{name}", results[f"base{name}"])
    results[f"week{name}"] = child(
        WEEK_CHANGED, last, str(tmp / f"汇总/第48周总表_{name}.xlsx"), str(inbox)
    )
    show(f"week{name}", results[f"week{name}"])
    if base is not None:
        for unit in ("seconds", "cpu"):
            r = results[f"week{name}"][unit] / results[f"base{name}"][unit]
            print(f"{unit:7s} week{name}/base{name} = {r:.2f} (goal ≤ 1.10)")


def main(argv: list[str]) -> None:
    flags_with_value = {argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--baseline"}
    sizes = [int(a) for a in argv if not a.startswith("--") and a not in flags_with_value] or [
        50,
        1000,
        10000,
    ]
    t = time.perf_counter()
    folder = build(owners=sizes[0], customers=sizes[1], calls=sizes[2])
    print(
        f"office: {sizes[0]} books x ({sizes[1]} customers + {sizes[2]} calls) "
        f"[{time.perf_counter() - t:.0f} s to generate or find]"
    )
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        results = {}
        for sub in ("floor", "汇总", "naive", "onefile"):
            (tmp / sub).mkdir()
        for name, body, out in (
            ("floor", FLOOR, "floor/floor.xlsx"),
            ("merge", OURS, "汇总/第47周总表.xlsx"),
            ("naive", NAIVE, "naive/naive.xlsx"),
        ):
            if name == "naive" and "--skip-naive" in argv:
                continue
            results[name] = child(body, str(folder), str(tmp / out))
            show(name, results[name])
        changed = in_child(this_week, sorted(folder.glob("*.xlsx"))[0], tmp / "this_week")
        results["weekly"] = child(
            WEEKLY,
            str(tmp / "汇总/第47周总表.xlsx"),
            str(tmp / "汇总/第48周总表.xlsx"),
            str(changed),
        )
        show("weekly", results["weekly"])
        if "--week" in argv:
            t = time.perf_counter()
            inbox = in_child(changed_week, folder, folder.parent / f"{folder.name}_changed1pct")
            print(
                f"1 % changed books: {time.perf_counter() - t:.0f} s to generate or find",
                flush=True,
            )
            last = str(tmp / "汇总/第47周总表.xlsx")
            base = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
            week_against_base("1%", last, inbox, tmp, base, results)
            # the same week as the office runs it: the books split sent (stamped, with the rows as
            # sent, compared three ways), each with 1 % changed
            t = time.perf_counter()
            split_inbox = in_child(split_week, Path(last), tmp / "split_changed1pct")
            print(f"split books, 1 % changed: {time.perf_counter() - t:.0f} s", flush=True)
            week_against_base("1%s", last, split_inbox, tmp, base, results)
        results["first"] = child(FIRST, str(tmp / "汇总/第47周总表.xlsx"))
        show("first", results["first"])
        results["cached"] = child(
            CACHED,
            str(tmp / "汇总/第47周总表.xlsx"),
            str(tmp / "汇总/第48周总表b.xlsx"),
            str(changed),
        )
        show("cached", results["cached"])
        if "--onefile" in argv:
            results["onefile"] = child(ONEFILE, str(folder), str(tmp / "onefile" / "master.xlsx"))
            show("onefile", results["onefile"])
        for unit in ("seconds", "cpu"):
            m, f = results["merge"][unit], results["floor"][unit]
            line = (
                f"{unit:7s} merge/floor = {m / f:.2f} (goal ≤ 1.3)   weekly/merge = {results['weekly'][unit] / m:.2f}"
                f"   cached weekly/merge = {results['cached'][unit] / m:.2f} (goal ≤ 0.35)"
            )
            if "naive" in results:
                line += f"   naive/merge = {results['naive'][unit] / m:.1f}x (goal ≥ 5)"
            print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
