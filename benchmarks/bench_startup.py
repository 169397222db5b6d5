"""How fast the button and the everyday commands answer: `python -m benchmarks.bench_startup`.

Every figure is a whole process (interpreter start, imports, work), the median of ``--repeat``
runs (default 7) with a warm disk cache, measured in the same run as its comparison, so a busy
machine slows both alike:

- ``followup-xl --help`` against ``sqlite-utils --help`` (a click CLI of the same kind);
- validate of a 41-call staff book against ``frictionless validate`` of the same 41 call rows
  as CSV;
- ``import followup_xl.xl.button`` (what RunPython loads for 校验) against Python starting;
- the button's Python side on the example staff book (张伟, ~990 rows), after import, in one
  process against the faithful xlwings fake of tests/fake_xlwings.py: read the open workbook,
  check, write the marks (the fake's own cost included, Excel's COM round trips not);
- validate of 5,000 customers + 50,000 calls against python-calamine reading the same book;
- with ``--large``: ``due`` and ``export --month`` on the 550,000-row office
  (benchmarks/large_office.py, merged into one master, cached under benchmarks/data/), their
  time and peak memory (the child's maximum resident set).

sqlite-utils and frictionless come with the ``bench`` extra. The table printed at the end is the
one docs/performance.md shows.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AS_OF = "2026-11-22"


def _tool(name: str) -> str:
    """A console script of this environment (the benchmark's Python's own bin first)."""
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


# Each child runs as an installed package does on a PC: its bytecode kept (pip compiles an
# installed package's; an editable checkout writes it on first import). This machine kind sets
# PYTHONDONTWRITEBYTECODE=1, which would make every run compile followup_xl from source while
# the comparisons, installed by pip, load theirs compiled; --no-bytecode keeps that setting.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str], check: bool = False) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak resident memory (bytes) of one child:
    on a shared machine the CPU time is the steadier figure (wall time waits for the cores)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


class Paired:
    """Ours and the comparison run alternately, so a load that comes and goes slows both alike;
    the median wall and CPU seconds of each."""

    def __init__(self, ours: list[str], theirs: list[str], repeat: int) -> None:
        run_once(ours), run_once(theirs)  # warm: bytecode compiled, files in the disk cache
        a, b = [], []
        for _ in range(repeat):
            a.append(run_once(ours))
            b.append(run_once(theirs))
        self.ours = tuple(statistics.median(r[i] for r in a) for i in (0, 1))
        self.theirs = tuple(statistics.median(r[i] for r in b) for i in (0, 1))

    @staticmethod
    def text(wall_cpu: tuple[float, ...]) -> str:
        return f"{wall_cpu[0]:.2f} s ({wall_cpu[1]:.2f} s CPU)"


def small_book(folder: Path) -> tuple[Path, Path]:
    """A staff book of 5 customers and 41 calls, and the same 41 call rows as CSV."""
    from followup_xl.io.write.template import write_staff_workbook
    from followup_xl.models import Call

    from .large_office import owner_book

    book = owner_book(0, 5, 41, random.Random(41))
    path = folder / "员工00_客户回访.xlsx"
    write_staff_workbook(path, book=book)
    heads = [c.key for c in Call.SHEET.columns]
    with (folder / "calls.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(heads)
        for call in book.calls:
            out.writerow(["" if call.raw(k) is None else call.raw(k) for k in heads])
    return path, folder / "calls.csv"


def big_book(folder: Path, customers: int = 5000, calls: int = 50000) -> Path:
    from followup_xl.io.write.template import write_staff_workbook

    from .large_office import owner_book

    path = folder / "book.xlsx"
    write_staff_workbook(path, book=owner_book(0, customers, calls, random.Random(1)))
    return path


CALAMINE_READ = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "for name in wb.sheet_names:\n"
    "    wb.get_sheet_by_name(name).to_python()\n"
)

BUTTON = """
import datetime as dt, statistics, sys, time
sys.path.insert(0, {tests!r})
from fake_xlwings import FakeBook
from followup_xl.xl import button
runs = []
for _ in range({repeat}):
    xl = FakeBook({book!r})
    t, c = time.perf_counter(), time.process_time()
    button.validate_button(xl, as_of=dt.date(2026, 11, 22))
    runs.append((time.perf_counter() - t, time.process_time() - c))
later = runs[1:] or runs
print(*runs[0], statistics.median(r[0] for r in later), statistics.median(r[1] for r in later))
"""


def button_side(book: Path, repeat: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """The 校验 button's Python side, after import, as (wall, CPU) seconds: the first click
    (phonenumbers' and holidays' tables loaded then) and the median of the later ones."""
    code = BUTTON.format(tests=str(ROOT / "tests"), book=str(book), repeat=max(repeat, 2))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=CHILD_ENV
    )
    wall, cpu, later_wall, later_cpu = (float(x) for x in out.stdout.split())
    return (wall, cpu), (later_wall, later_cpu)


def large(
    repeat: int, baseline: str | None = None, only: str | None = None
) -> list[tuple[str, tuple[float, float, int], tuple[float, float, int] | None]]:
    """due and export --month on the 550,000-row office's master: (what, ours, the baseline's),
    each (median wall seconds, median CPU seconds, peak bytes). ``baseline`` is a source tree of
    the code to compare with (``git archive COMMIT | tar -x -C DIR``), run with this
    environment's packages, alternating with ours."""
    from followup_xl import api

    from .large_office import DATA, build

    master = DATA / "master-50x1000x10000.xlsx"
    if not master.exists():  # the staff books are generated only to merge a missing master
        api.merge([str(build())], str(master))
    fx = [_tool("followup-xl")]
    base = (
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {baseline!r}); "
            "from followup_xl.cli import main; main()",
        ]
        if baseline
        else None
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # the baseline reads its own copy of the master (and its history files): the cache beside
        # a master is the code's that wrote it, so sharing one would make every run a miss
        base_master = master
        if base:
            base_master = Path(tmp) / "base" / master.name
            base_master.parent.mkdir()
            shutil.copy2(master, base_master)
            from followup_xl.io.master.history import HISTORY_DIR

            if (master.parent / HISTORY_DIR).is_dir():
                shutil.copytree(master.parent / HISTORY_DIR, base_master.parent / HISTORY_DIR)
        for n, (what, args) in enumerate(
            (
                ("due", ["due", str(master), "--as-of", AS_OF]),
                ("export --month", ["export", str(master), "--month", "2026-10", "--as-of", AS_OF]),
            )
        ):
            if only and not what.startswith(only):
                continue
            base_args = [str(base_master) if a == str(master) else a for a in args]
            out, base_out = (
                (f"{tmp}/due{n}.xlsx", f"{tmp}/base_due{n}.xlsx")
                if what == "due"
                else (f"{tmp}/wh{n}", f"{tmp}/base_wh{n}")
            )
            run_once([*fx, *args, "-o", out], True)  # the master's cache written, files warm
            if base:
                run_once([*base, *base_args, "-o", base_out], True)
            ours, theirs = [], []
            for _ in range(repeat):
                ours.append(run_once([*fx, *args, "-o", out], True))
                if base:
                    theirs.append(run_once([*base, *base_args, "-o", base_out], True))

            def summary(runs):
                wall, cpu = (statistics.median(r[i] for r in runs) for i in (0, 1))
                return wall, cpu, max(r[2] for r in runs)

            rows.append((what, summary(ours), summary(theirs) if theirs else None))
    return rows


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--large", action="store_true", help="also the 550,000-row office")
    parser.add_argument(
        "--baseline", metavar="DIR", help="with --large: also run the code in DIR (a source tree)"
    )
    parser.add_argument("--large-only", action="store_true", help="only the 550,000-row office")
    parser.add_argument("--only", choices=("due", "export"), help="with --large: only this command")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE for the children"
    )
    args = parser.parse_args(argv or [])
    if args.no_bytecode and "PYTHONDONTWRITEBYTECODE" in os.environ:
        CHILD_ENV["PYTHONDONTWRITEBYTECODE"] = os.environ["PYTHONDONTWRITEBYTECODE"]
    n = args.repeat
    py, fx = sys.executable, _tool("followup-xl")
    table = ["| what | followup-xl | comparison, same run |", "|---|---|---|"]

    def row(what: str, ours: str, theirs: str) -> None:
        table.append(f"| {what} | {ours} | {theirs} |")
        print(table[-1], flush=True)

    if not args.large_only:
        p = Paired([fx, "--help"], [_tool("sqlite-utils"), "--help"], n)
        ratio = p.ours[0] / p.theirs[0]
        row(
            "`--help`",
            f"{p.text(p.ours)}, {ratio:.2f}×",
            f"sqlite-utils `--help` {p.text(p.theirs)}",
        )
        with tempfile.TemporaryDirectory() as tmp:
            book, calls_csv = small_book(Path(tmp))
            p = Paired(
                [fx, "validate", str(book), "--as-of", AS_OF],
                [_tool("frictionless"), "validate", str(calls_csv)],
                n,
            )
            row(
                "validate a 41-call staff book",
                p.text(p.ours),
                f"frictionless `validate` of the 41 call rows as CSV {p.text(p.theirs)}",
            )
            p = Paired([py, "-c", "import followup_xl.xl.button"], [py, "-c", "pass"], n)
            row(
                "`import followup_xl.xl.button` (what 校验 loads)",
                p.text(p.ours),
                f"Python itself starts in {p.text(p.theirs)}",
            )
            from followup_xl.demo import office as example_office

            example_office.write_office(example_office.generate(), f"{tmp}/office")
            first, later = button_side(Path(tmp) / "office" / "张伟_客户回访.xlsx", n)
            row(
                "the 校验 button's Python side on 张伟's book, after import (xlwings fake)",
                f"first click {Paired.text(first)}, later {Paired.text(later)}",
                "—",
            )
            big = big_book(Path(tmp))
            p = Paired(
                [fx, "validate", str(big), "--as-of", AS_OF],
                [py, "-c", CALAMINE_READ, str(big)],
                max(3, n // 2),
            )
            row(
                "validate 5,000 customers + 50,000 calls",
                p.text(p.ours),
                f"python-calamine reading the same book {p.text(p.theirs)}",
            )
    if args.large or args.large_only:

        def said(wall_cpu_peak):
            wall, cpu, peak = wall_cpu_peak
            return f"{wall:.1f} s ({cpu:.1f} s CPU), peak {peak / 2**20:,.0f} MiB"

        for what, ours, theirs in large(max(1, n // 7), args.baseline, args.only):
            than = f", {ours[1] / theirs[1]:.2f}× its CPU" if theirs else ""
            row(
                f"`{what}`, 550,000-row office",
                said(ours) + than,
                f"the code in {args.baseline}: {said(theirs)}" if theirs else "—",
            )
    kept = "not kept" if "PYTHONDONTWRITEBYTECODE" in CHILD_ENV else "kept"
    print(
        f"(median of {n} runs, bytecode {kept}; load average {os.getloadavg()[0]:.2f} at the end)"
    )
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
