"""Build the followup-xl wheel for xlwings Lite: the same package, declaring only the core's
dependencies (pydantic, holidays, phonenumbers), so micropip in Pyodide does not try to
install the desktop-only ones (python-calamine, XlsxWriter, pyOpenVBA, msoffcrypto-tool…),
which the Lite path never imports.

    python workbook_templates/xlwings_lite/build_wheel.py [OUTDIR]   → OUTDIR/followup_xl-<v>-py3-none-any.whl

Host the file where the workbook can fetch it (HTTPS, CORS allowed) and put its address in
requirements.txt. Standard library only: a wheel is a zip with a dist-info folder.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ("pydantic", "holidays", "phonenumbers")


def _core_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [r.split("#")[0].strip() for r in project["dependencies"]]
    return [r for r in reqs if re.split(r"[<>=!~ \[]", r)[0].lower() in CORE]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build(outdir: str | Path = "dist") -> Path:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = project["version"]
    dist_info = f"followup_xl-{version}.dist-info"
    out = Path(outdir) / f"followup_xl-{version}-py3-none-any.whl"
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(
        p
        for p in (ROOT / "followup_xl").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    metadata = (
        "\n".join(
            [
                "Metadata-Version: 2.1",
                "Name: followup-xl",
                f"Version: {version}",
                f"Summary: {project['description']} (xlwings Lite build: core dependencies only)",
                f"Requires-Python: {project['requires-python']}",
                *[f"Requires-Dist: {r}" for r in _core_requirements()],
            ]
        )
        + "\n"
    )
    wheel = "Wheel-Version: 1.0\nGenerator: followup-xl build_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            name = path.relative_to(ROOT).as_posix()
            data = path.read_bytes()
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED
            )
            record.append(_record_line(name, data))
        for name, text in ((f"{dist_info}/METADATA", metadata), (f"{dist_info}/WHEEL", wheel)):
            data = text.encode("utf-8")
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED
            )
            record.append(_record_line(name, data))
        record.append(f"{dist_info}/RECORD,,")
        zf.writestr(
            zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=(2026, 1, 1, 0, 0, 0)),
            "\n".join(record) + "\n",
            zipfile.ZIP_DEFLATED,
        )
    return out


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "dist"))
