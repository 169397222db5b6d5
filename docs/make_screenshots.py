"""Regenerate the screenshots the README and docs/ show: python docs/make_screenshots.py

Runs the demo into a temporary folder and renders chosen pages through
LibreOffice (PDF) and pdftoppm (PNG) — what a person sees when they open them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import libreoffice as lo  # noqa: E402  (found through the sys.path line above)

from followup_xl import api  # noqa: E402
from followup_xl.demo.run import run_demo  # noqa: E402

SHOTS = [  # (file in the demo output, page, picture name)
    ("2_校验结果/张伟_客户回访_校验.xlsx", 1, "validate-issues.png"),
    ("5_排期/回访排期表.xlsx", 2, "schedule.png"),
    ("7_月报/客户回访月报_2026-10.xlsx", 1, "report-summary.png"),
    ("7_月报/客户回访月报_2026-10.xlsx", 2, "report-chart.png"),
]
TRACKERS = ROOT / "tests" / "data" / "trackers"
# (tracker in the corpus, import options, page of its preview, picture name): moving in, previewed
PREVIEWS = [
    ("03_purchase_log.xlsx", {}, 1, "import-preview-summary.png"),
    ("07_local_landlines.xlsx", {"area_code": "0951"}, 3, "import-preview-rows.png"),
]


def main() -> None:
    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run_demo(tmp)
        for rel, page, name in SHOTS:
            pngs = lo.to_pngs(
                Path(tmp) / rel, Path(tmp) / "png" / name, dpi=70, first=page, last=page
            )
            shutil.copy(pngs[0], out / name)
            print(out / name)
        for tracker, options, page, name in PREVIEWS:
            preview = Path(tmp) / "preview" / name.replace(".png", ".xlsx")
            preview.parent.mkdir(exist_ok=True)
            api.import_tracker([str(TRACKERS / tracker)], str(preview), preview=True, **options)
            pngs = lo.to_pngs(preview, Path(tmp) / "png" / name, dpi=70, first=page, last=page)
            shutil.copy(pngs[0], out / name)
            print(out / name)


if __name__ == "__main__":
    main()
