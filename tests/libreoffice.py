"""LibreOffice headless as the real spreadsheet client in tests.

Each call gets a private profile whose registrymodifications.xcu sets
OOXMLRecalcMode/ODFRecalcMode to 0 ("always recalculate on load"), because by
default LibreOffice keeps the cached values stored in the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-calc-nogui)")
    pytest.skip(
        "LibreOffice not installed (apt-get install -y libreoffice-calc-nogui fonts-wqy-microhei)"
    )


def _profile() -> Path:
    root = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    user = root / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
    return root


def convert(
    src: str | os.PathLike, fmt: str, outdir: str | os.PathLike, timeout: int = 120
) -> Path:
    """soffice --convert-to FMT; returns the produced file (recalculated on load)."""
    exe = soffice()
    profile = _profile()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = fmt.split(":")[0]
    out = outdir / (Path(src).stem + "." + ext)
    assert out.exists(), f"LibreOffice produced no {ext}: {proc.stdout} {proc.stderr}"
    return out


def recalc(src, outdir) -> Path:
    """Open in LibreOffice, recalculate everything, save as .xlsx (to read values back)."""
    return convert(src, "xlsx:Calc MS Excel 2007 XML", outdir)


def to_pngs(src, outdir, dpi: int = 60, first: int = 1, last: int = 1) -> list[Path]:
    """What a person sees: LibreOffice → PDF → PNG pages (pdftoppm)."""
    pdf = convert(src, "pdf", outdir)
    exe = shutil.which("pdftoppm")
    if not exe:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is required in CI (.ci/run installs poppler-utils)")
        pytest.skip("pdftoppm not installed")
    prefix = Path(outdir) / Path(src).stem
    subprocess.run(
        [exe, "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    return sorted(Path(outdir).glob(Path(src).stem + "*.png"))


def pdf_text(src, outdir) -> str:
    """The text of the PDF LibreOffice renders (pdftotext), to check Chinese text is there."""
    pdf = convert(src, "pdf", outdir)
    exe = shutil.which("pdftotext")
    if not exe:
        pytest.fail("pdftotext is required (.ci/run installs poppler-utils)")
    out = subprocess.run(
        [exe, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120
    )
    return out.stdout
