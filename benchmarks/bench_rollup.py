"""Headquarters scale: `rollup` over N offices, time and peak memory.

    python -m benchmarks.bench_rollup [N ...] [--baseline DIR] [--spark N]

One real office is generated (benchmarks/large_office.py: 50 staff, 550,000 rows), merged into
its master and exported once with the 2025-06 snapshot (all cached under benchmarks/data/,
never committed). A region of N offices is that export's files hard-linked under N ``office=``
folders (no disk space), and ``rollup --month 2025-06`` runs over it in a fresh child process
that reports its wall time, CPU time and peak resident memory (ru_maxrss, DuckDB included).

Sizes default to 10, 100, 300 and 1,000 offices; the 10-office run is the in-run baseline the
others are compared with (memory should stay flat, time grow with the calls). ``--baseline DIR``
also runs an older checkout's code (e.g. ``git worktree add /tmp/base <rev>``) at 10 and 30 offices
(the code before streaming held every office's files in memory: 100 offices took 14 GB);
``--spark N`` runs ``--engine spark`` (local[*]) over N offices (Spark's JVM is a child process:
its memory is reported apart, as the children's peak).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .large_office import DATA, build

MONTH = "2025-06"
AS_OF = "2025-07-01"  # export writes the snapshot of the month before: 2025-06-30
OFFICE = "单位0000"
TABLES = ("calls", "obligations", "offices", "customers", "events", "staff")

CHILD = """
import json, resource, sys, time
from followup_xl import api
kw = json.loads(sys.argv[3])
t, c = time.perf_counter(), time.process_time()
r = api.rollup(sys.argv[1], month=sys.argv[2], **kw)
seconds, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({
    "seconds": seconds, "cpu": cpu,
    "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "child_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "offices": len(r.offices), "calls": sum(o["calls"] for o in r.offices),
}))
"""


def run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])


def one_export() -> Path:
    """The large office merged and exported once (cached): benchmarks/data/rollup/export."""
    root = DATA / "rollup"
    export = root / "export"
    if (root / ".complete").exists():
        return export
    books = build()
    root.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "followup_xl"]
    print("merging the 550,000-row office…", file=sys.stderr, flush=True)
    run([*cli, "merge", str(books), "-o", str(root / "master.xlsx"), "--as-of", "2026-11-22"])
    print("exporting it (about 2 minutes)…", file=sys.stderr, flush=True)
    shutil.rmtree(export, ignore_errors=True)
    master = str(root / "master.xlsx")
    run([*cli, "export", master, "-o", str(export), "--office", OFFICE, "--as-of", AS_OF])
    (root / ".complete").touch()
    return export


def region(export: Path, n: int) -> Path:
    """``n`` offices, each the one export's files hard-linked (cached per size)."""
    folder = DATA / "rollup" / f"region-{n}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for table in TABLES:
        source = export / table / f"office={OFFICE}"
        for i in range(n if source.is_dir() else 0):  # the generated office has no events
            target = folder / table / f"office=单位{i:04d}"
            shutil.copytree(source, target, copy_function=os.link)
    stamp.touch()
    return folder


def measure(folder: Path, code_dir: str | None = None, **kw) -> dict:
    env = dict(os.environ, PYTHONPATH=code_dir) if code_dir else None
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), MONTH, json.dumps(kw)],
        capture_output=True,
        text=True,
        env=env,
        cwd=code_dir,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def region_calls(export: Path, n: int) -> int:
    """Every year's calls in a region of ``n`` copies of the export (what the region holds)."""
    import pyarrow.parquet as pq

    files = (export / "calls" / f"office={OFFICE}").rglob("*.parquet")
    return n * sum(pq.read_metadata(f).num_rows for f in files)


def show(name: str, r: dict, base: dict | None = None) -> None:
    vs = (
        f"   ×{r['seconds'] / base['seconds']:5.1f} time, ×{r['peak_mib'] / base['peak_mib']:4.2f} peak"
        if base
        else ""
    )
    jvm = f"  (JVM {r['child_peak_mib']:.0f} MiB)" if r.get("child_peak_mib", 0) > 1 else ""
    print(
        f"{name:24s} {r['region_calls'] / 1e6:5.0f} M calls, {r['calls'] / 1e6:5.1f} M in the month"
        f"  {r['seconds']:6.1f} s wall"
        f"  {r['cpu']:7.1f} s cpu  peak {r['peak_mib']:6.0f} MiB{jvm}{vs}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    base = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
    spark = int(argv[argv.index("--spark") + 1]) if "--spark" in argv else None
    skip = {base, str(spark)} - {None}
    sizes = [int(a) for a in argv if not a.startswith("--") and a not in skip] or [
        10,
        100,
        300,
        1000,
    ]
    free = shutil.disk_usage(DATA.parent if not DATA.exists() else DATA).free
    print(f"rollup --month {MONTH}; disk free {free / 2**30:.0f} GiB (hard links)", flush=True)
    export = one_export()
    floor = None
    for n in sizes:
        r = measure(region(export, n)) | {"region_calls": region_calls(export, n)}
        show(f"{n} offices (duckdb)", r, floor)
        floor = floor or r
    if base:
        r = measure(region(export, 100), code_dir=base) | {
            "region_calls": region_calls(export, 100)
        }
        show("100 offices (baseline)", r, floor)
    if spark:
        r = measure(region(export, spark), engine="spark")
        show(f"{spark} offices (spark)", r | {"region_calls": region_calls(export, spark)}, floor)


if __name__ == "__main__":
    main(sys.argv[1:])
