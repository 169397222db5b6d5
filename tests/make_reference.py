"""Regenerate every reference file the part-by-part comparison checks against.

    python -m tests.make_reference

Writes the example office's due list, schedule, weekly summary and October
report into tests/reference/ and the blank templates into workbook_templates/.
Whoever changes an output on purpose runs this and commits what it wrote; the
test (tests/test_reference_files.py) then says which part of which file moved.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner

from followup_xl.cli import main as cli_main
from followup_xl.demo import office as example_office
from followup_xl.io.write.template import write_templates

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "reference"
TEMPLATES = ROOT / "workbook_templates"
AS_OF = example_office.AS_OF.isoformat()
MONTH = "2026-10"

# reference file → the command that writes it from the example office's master
COMMANDS: dict[str, list[str]] = {
    "待回访清单.xlsx": ["due", "--as-of", AS_OF],
    "回访排期表.xlsx": ["schedule", "--as-of", AS_OF],
    "客户回访周报.xlsx": ["weekly", "--as-of", AS_OF],
    f"客户回访月报_{MONTH}.xlsx": ["report", "--month", MONTH],
}


def _run(*args) -> None:
    result = CliRunner().invoke(cli_main, [str(a) for a in args])
    if result.exit_code != 0:
        raise SystemExit(f"followup-xl {' '.join(map(str, args))} failed: {result.output}")


def example_master(folder: Path) -> Path:
    """The example office's staff books merged by `followup-xl merge`, as the tests' master fixture does."""
    office = folder / "office"
    example_office.write_office(example_office.generate(), str(office))
    master = folder / "总表.xlsx"
    _run("merge", office, "-o", master)
    return master


def write_outputs(master: Path, folder: Path) -> dict[str, Path]:
    """Each reference file's fresh counterpart, written from ``master`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (command, *options) in COMMANDS.items():
        out[name] = folder / name
        _run(command, master, *options, "-o", out[name])
    return out


def main() -> None:
    REFERENCE.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_outputs(example_master(Path(tmp)), Path(tmp) / "out")
        for name, made in fresh.items():
            shutil.copyfile(made, REFERENCE / name)
            print(REFERENCE / name)
    for path in write_templates(TEMPLATES):
        print(path)


if __name__ == "__main__":
    main()
