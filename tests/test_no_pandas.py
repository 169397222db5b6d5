"""The product runs without pandas: pandas is in the test and bench extras only.

A fresh interpreter in which `import pandas` fails (as on a machine without it) runs the whole
demo, then export and rollup (the pyarrow and DuckDB paths, which would use pandas if present).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BLOCK_PANDAS = r"""
import json, sys

class NoPandas:
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("No module named 'pandas'", name=name)

sys.meta_path.insert(0, NoPandas())
"""  # a script's first lines: `import pandas` fails after them, as on a machine without it

SCRIPT = (
    BLOCK_PANDAS
    + r"""
try:
    import pandas  # noqa: F401
    blocked = False
except ModuleNotFoundError:
    blocked = True

from followup_xl.cli import main

out = sys.argv[1]
codes = []
for args in (
    ["demo", out + "/demo"],
    ["export", out + "/demo/3_汇总/客户回访总表.xlsx", "-o", out + "/parquet", "--as-of", "2026-11-22"],
    ["rollup", out + "/parquet", "--month", "2026-10", "-o", out + "/rollup.xlsx"],
):
    try:
        main(args)
        codes.append(0)
    except SystemExit as exit:
        codes.append(exit.code)
print(json.dumps({"blocked": blocked, "codes": codes,
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] == "pandas")}))
"""
)


@pytest.mark.slow
def test_demo_export_and_rollup_run_without_pandas(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {"blocked": True, "codes": [0, 0, 0], "loaded": []}
    assert (tmp_path / "rollup.xlsx").stat().st_size > 0
    assert len(list((tmp_path / "demo" / "3_汇总").glob("*.xlsx"))) == 1
