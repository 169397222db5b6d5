"""Hostile shapes stay linear: `python -m benchmarks.bench_reader [N]` (default 6000).

Reads, in one run, the bad-input corpus's error-cell and merged-range books at N
and 4N (a linear reader takes about 4x as long for 4x the cells; the quadratic
one took 16x: 24,000 self-closing error cells were 115 s), and the far-cell book
(one value at XFD1048576, which python-calamine alone would abort on). The
baseline is the same reader on a plain book with the same number of rows.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import badfiles

from followup_xl.io.read.workbook import read_book


def best_of(path: Path, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        read_book(path)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv else 6000
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        for sub in ("errors-1", "errors-4", "merged-1", "merged-4", "far", "plain"):
            (tmp / sub).mkdir()
        for name, key, build in (
            ("error cells", "errors", badfiles.many_error_cells),
            ("merged ranges", "merged", badfiles.many_merged_ranges),
        ):
            small, large = build(tmp / f"{key}-1", n), build(tmp / f"{key}-4", 4 * n)
            a, b = best_of(small), best_of(large)
            print(
                f"{name:14s} {n:>7,d}: {a:6.2f} s   {4 * n:>7,d}: {b:6.2f} s   ratio {b / a:4.1f} (linear ≈ 4, quadratic ≈ 16)"
            )
        far = badfiles.far_cell(tmp / "far")
        plain = badfiles._plain_sheet_book(tmp / "plain")
        print(
            f"far cell (XFD1048576): {best_of(far):.3f} s   the same book without it: {best_of(plain):.3f} s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
