"""`make bench`: every benchmark, each against its baseline in the same run."""

import sys

from . import bench_merge

if __name__ == "__main__":
    bench_merge.main(sys.argv[1:])
