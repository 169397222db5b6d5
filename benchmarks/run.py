"""`make bench`: every benchmark, each against its baseline in the same run.

BENCH_ARGS go to the merge benchmark (e.g. ``--skip-naive``, ``--onefile``, sizes); ROLLUP_ARGS
(environment) to the roll-up's (e.g. ``ROLLUP_ARGS="100 300"``; default 10, 100, 300, 1,000 offices);
STARTUP_ARGS to the start-up one (default ``--large``: due and export on the 550,000-row office;
``--baseline DIR`` adds the code in DIR beside them).
"""

import os
import sys

from . import bench_handover_split, bench_merge, bench_rollup, bench_startup, bench_validate

if __name__ == "__main__":
    bench_merge.main(sys.argv[1:])
    bench_validate.main([])
    bench_handover_split.main()
    bench_startup.main(os.environ.get("STARTUP_ARGS", "--large").split())
    bench_rollup.main(os.environ.get("ROLLUP_ARGS", "").split())
