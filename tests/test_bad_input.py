"""Every command against the corpus of bad workbooks: a sentence, an exit code, nothing lost.

The matrix grows with the CLI: each command in ``ARGS`` that exists is held to
every file of ``badfiles.CORPUS``.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from pathlib import Path

import badfiles
import pytest
from click.testing import CliRunner

from followup_xl.cli import main

# How a manager would call each command on one input file, writing into OUT.
ARGS = {
    # --annotate is held to the corpus separately: openpyxl needs ~30 s for a million styled rows
    "validate": lambda f, out: ["validate", f, "--as-of", "2026-11-22"],
    "due": lambda f, out: ["due", f, "--as-of", "2026-11-22", "-o", str(out / "due.xlsx")],
    "merge": lambda f, out: ["merge", f, "-o", str(out / "master.xlsx")],
    "schedule": lambda f, out: [
        "schedule",
        f,
        "--week-of",
        "2026-11-23",
        "--as-of",
        "2026-11-22",
        "-o",
        str(out / "schedule.xlsx"),
    ],
    "weekly": lambda f, out: [
        "weekly",
        f,
        "--week-of",
        "2026-11-22",
        "-o",
        str(out / "weekly.xlsx"),
    ],
    "report": lambda f, out: ["report", f, "--month", "2026-10", "-o", str(out / "report.xlsx")],
    "scores": lambda f, out: ["scores", f, "--year", "2026", "-o", str(out / "scores.xlsx")],
    "handover": lambda f, out: [
        "handover",
        f,
        "--from",
        "张伟",
        "--to",
        "王芳",
        "-o",
        str(out / "handover.xlsx"),
    ],
    "split": lambda f, out: ["split", f, "-o", str(out / "split")],
    "import": lambda f, out: ["import", f, "-o", str(out / "imported.xlsx")],
    "export": lambda f, out: ["export", f, "-o", str(out / "parquet"), "--as-of", "2026-11-22"],
    "verify": lambda f, out: ["verify", f],
}
COMMANDS = [c for c in ARGS if c in main.commands]


# Files every command takes seconds over: held to the corpus by make test, not make test-fast.
HEAVY = {"million_styled_rows", "many_merged_ranges", "many_error_cells"}


def names(leave_out: tuple[str, ...] = ()) -> list:
    return [
        pytest.param(name, marks=pytest.mark.slow) if name in HEAVY else name
        for name in badfiles.CORPUS
        if name not in leave_out
    ]


class _Built(dict):
    """The corpus, each file built the first time a selected test asks for it."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def __missing__(self, name: str) -> Path:
        self[name] = path = badfiles.build(name, self.root / name)
        return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _Built(tmp_path_factory.mktemp("bad"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_matrix_covers_the_cli():
    """A new command that reads a workbook must be added to ARGS (and so held to the corpus)."""
    assert set(main.commands) - set(ARGS) == {
        "demo",
        "init",
        "rules",
        "rollup",
        "doctor",
    }  # rollup reads Parquet; doctor reads a book's xlwings.conf sheet only (below)
    assert set(COMMANDS) == set(ARGS)


@pytest.mark.parametrize("name", list(badfiles.CORPUS))
def test_doctor_reads_only_the_conf_sheet_of_a_bad_file(corpus, tmp_path, monkeypatch, name):
    """doctor looks at a book's xlwings.conf sheet alone (a 管理台 has none of our data sheets):
    a file whose data cannot be read is "no conf sheet" to it, one that is no workbook gets the
    reader's sentence (exit 2); never a traceback, and the file stays as it was."""
    from followup_xl.io import environment

    monkeypatch.setattr(environment, "user_conf_path", lambda: str(tmp_path / "xlwings.conf"))
    src = corpus[name]
    before = digest(src)
    result = CliRunner().invoke(main, ["doctor", str(src)])
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and result.exit_code in (1, 2), (result.exit_code, text)
    if result.exit_code == 2:
        assert src.name in text, text
    assert digest(src) == before


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", names())
def test_bad_input_gets_a_sentence(corpus, tmp_path, command, name):
    src = corpus[name]
    before = digest(src)
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(main, ARGS[command](str(src), out))
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and result.exit_code != 70, text
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    expectation, keyword = badfiles.CORPUS[name][1], badfiles.CORPUS[name][2]
    if expectation == "unreadable":
        assert result.exit_code == 2, (result.exit_code, text)
        assert src.name in text, text
        if keyword:
            assert keyword in text, text
        assert list(out.iterdir()) == [], "no partial output for an unreadable input"
    else:
        assert result.exit_code in (0, 1, 3), (result.exit_code, text)
    assert digest(src) == before, "the input was modified"
    leftovers = [p for p in out.rglob("*") if ".partial" in p.name]
    assert leftovers == []


@pytest.mark.parametrize(
    "name", ["xml_bomb", "zip_bomb", "zip_bomb_325", "million_styled_rows", "far_cell"]
)
def test_memory_stays_bounded(corpus, name):
    """The hostile files are refused (or read) inside a 1.5 GiB address-space limit."""
    limit = int(1.5 * 1024**3)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = (
        "import sys\nfrom followup_xl.io.read.workbook import read_book\nfrom followup_xl.errors import FollowupError\n"
        "try:\n    b = read_book(sys.argv[1]); print('read', len(b.customers))\n"
        "except FollowupError as e:\n    print('refused', e.message('en'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(corpus[name])],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith(
        "read" if badfiles.CORPUS[name][1] == "readable" else "refused"
    ), proc.stdout


@pytest.mark.parametrize("name", names(leave_out=("million_styled_rows",)))
def test_annotate_gets_a_sentence_too(corpus, tmp_path, name):
    out = tmp_path / "annotated.xlsx"
    result = CliRunner().invoke(
        main, ["validate", str(corpus[name]), "--as-of", "2026-11-22", "--annotate", str(out)]
    )
    assert result.exit_code in ((2,) if badfiles.CORPUS[name][1] == "unreadable" else (0, 1, 2)), (
        result.output
    )
    assert "Traceback" not in result.output and result.exit_code != 70
    if result.exit_code != 2:
        assert out.exists()


def test_output_equal_to_input_is_refused(tmp_path):
    from followup_xl.errors import UsageError
    from followup_xl.io.atomic import atomic_output

    src = badfiles.open_in_excel(tmp_path)
    before = digest(src)
    with pytest.raises(UsageError) as err, atomic_output(src, inputs=[src]):
        pass
    assert "相同" in err.value.message("zh") and digest(src) == before


def test_read_only_output_folder_is_a_sentence(tmp_path):
    from followup_xl.errors import UsageError
    from followup_xl.io.atomic import atomic_output

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    immutable = subprocess.run(["chattr", "+i", str(ro)], capture_output=True).returncode == 0
    try:
        if os.geteuid() == 0 and not immutable:
            pytest.fail("cannot make a read-only folder for root here (chattr +i failed)")
        with pytest.raises(UsageError) as err, atomic_output(ro / "out.xlsx") as tmp:
            Path(tmp).write_bytes(b"x")
        assert "写入" in err.value.message("zh")
        assert list(ro.iterdir()) == []
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(ro)])
        ro.chmod(0o755)


@pytest.mark.slow
def test_a_50_megabyte_sheet_is_read_and_checked_within_bounds(tmp_path):
    """A call log whose sheet XML is 50 MB: validate answers (no traceback) in bounded memory."""
    src = badfiles.big_sheet(tmp_path)
    limit = 3 * 1024**3

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "followup_xl",
            "validate",
            str(src),
            "--as-of",
            "2026-11-22",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=cap,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json

    out = json.loads(proc.stdout)
    assert out["summary"] == {"errors": 0, "warnings": 1}  # only: there is no customer book (V15)
    assert out["findings"][0]["code"] == "V15" and "Traceback" not in proc.stderr
