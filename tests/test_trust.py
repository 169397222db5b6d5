"""Trust boundaries (issue 13): what a hostile or merely odd staff book must not be able to do
to the manager's outputs, terminal or PC — each through the CLI, on real files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.write.template import write_staff_workbook

DAY = "2026-11-22"


def office_of(owners: list[str], per_owner: int = 6):
    return example_office.generate(
        customers_per_owner=per_owner, owners=owners, plant_mistakes=False
    )


def one_book(
    tmp_path: Path, owners: list[str], name: str = "book.xlsx", per_owner: int = 6
) -> Path:
    """Every owner's customers and calls in one staff book (what a small office keeps)."""
    office = office_of(owners, per_owner)
    books = list(office.books.values())
    book = books[0]
    for other in books[1:]:
        book.customers += other.customers
        book.calls += other.calls
        book.events += other.events
    return Path(write_staff_workbook(tmp_path / name, book=book))


# --- handover: the SMS template -------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    ["{customer:>300000000}", "{customer!r}", "{customer.__class__}", "{customer[0]}", "{}", "{0}"],
)
def test_the_sms_template_takes_only_plain_placeholders(cli, tmp_path, template):
    book = one_book(tmp_path, ["张伟", "王芳"])
    policy = tmp_path / "policy.toml"
    policy.write_text(f'sms_template = "{template}"\n', encoding="utf-8")
    out = tmp_path / "新总表.xlsx"
    result = cli(
        "handover",
        book,
        "--from",
        "张伟",
        "--to",
        "王芳",
        "-o",
        out,
        "--policy",
        policy,
        "--as-of",
        DAY,
    )
    assert result.exit_code == 3, result.output
    assert "交接短信模板" in result.output
    assert not out.exists()


def test_a_plain_sms_template_still_works(cli, tmp_path):
    book = one_book(tmp_path, ["张伟", "王芳"])
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'sms_template = "{customer}您好，{new_owner}接替{old_owner}"\n', encoding="utf-8"
    )
    out = tmp_path / "新总表.xlsx"
    result = cli(
        "handover",
        book,
        "--from",
        "张伟",
        "--to",
        "王芳",
        "-o",
        out,
        "--policy",
        policy,
        "--as-of",
        DAY,
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "新总表_交接单.xlsx").worksheets[0]
    texts = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and "接替张伟" in c.value
    ]
    assert texts and all(t.endswith("王芳接替张伟") for t in texts)


# --- schedule: owners Excel cannot tell apart -------------------------------------------------


def test_schedule_with_owners_differing_only_by_case_or_quoted(cli, tmp_path):
    owners = ["Tom", "tom", "'Ann", "Ann'", "History"]
    book = one_book(tmp_path, owners, per_owner=4)
    out = tmp_path / "排期.xlsx"
    # four weeks on, every customer's routine call (C: 30 days) falls due, so every owner has a list
    result = cli("schedule", book, "--as-of", DAY, "--week-of", "2026-12-14", "-o", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    names = wb.sheetnames
    assert len({n.casefold() for n in names}) == len(names)
    assert not any(n.startswith("'") or n.endswith("'") for n in names)
    # every owner has a sheet of their own, headed by their real name
    subtitles = [ws["A2"].value or "" for ws in wb.worksheets[1:-1]]
    for owner in owners:
        assert sum(s.startswith(f"{owner}：") for s in subtitles) == 1, (owner, subtitles)


# --- split: owners whose names make one file name ------------------------------------------------


def test_split_gives_owners_with_clashing_file_names_a_book_each(cli, tmp_path):
    owners = ["张伟", "张伟.", "王芳:", "王芳?", "Tom", "tom"]
    book = one_book(tmp_path, owners, per_owner=3)
    out = tmp_path / "分发"
    result = cli("split", book, "-o", out, "--as-of", DAY)
    assert result.exit_code == 0, result.output
    files = sorted(out.iterdir())
    assert len(files) == len(owners)
    assert len({f.name.casefold().rstrip(". ") for f in files}) == len(owners)
    from followup_xl.io.read.workbook import read_book

    owners_in = {f.name: {c.owner for c in read_book(f).customers} for f in files}
    assert sorted(o or "" for os_ in owners_in.values() for o in os_) == sorted(owners)
    assert all(len(os_) == 1 for os_ in owners_in.values())
    assert result.output.count("另名为") == 3  # 张伟., 王芳?, tom: said, not silent


# --- split --password: where the plain copy lives, and how the password arrives --------------------


def _encrypted(path: Path, password: str) -> bool:
    from followup_xl.io.write.protect import decrypt_bytes

    return decrypt_bytes(path, password)[:2] == b"PK"


def test_an_empty_password_is_refused(tmp_path):
    book = one_book(tmp_path, ["张伟", "王芳"])
    out = tmp_path / "分发"
    for args in (
        ["--password", ""],
        ["--password-env", "H13_EMPTY"],
        ["--password-env", "H13_NOT_SET"],
    ):
        result = CliRunner(env={"H13_EMPTY": ""}).invoke(
            main, ["split", str(book), "-o", str(out), *args]
        )
        assert result.exit_code == 3, result.output
        assert not out.exists() or list(out.iterdir()) == []


def test_the_password_from_the_environment_or_a_prompt(tmp_path):
    book = one_book(tmp_path, ["张伟", "王芳"])
    result = CliRunner(env={"H13_PW": "回访2026"}).invoke(
        main,
        ["split", str(book), "-o", str(tmp_path / "a"), "--password-env", "H13_PW", "--as-of", DAY],
    )
    assert result.exit_code == 0, result.output
    assert "回访2026" not in result.output
    assert all(_encrypted(f, "回访2026") for f in (tmp_path / "a").iterdir())
    result = CliRunner().invoke(
        main,
        ["split", str(book), "-o", str(tmp_path / "b"), "--ask-password", "--as-of", DAY],
        input="pw-秘密\npw-秘密\n",
    )
    assert result.exit_code == 0, result.output
    books = list((tmp_path / "b").iterdir())
    assert len(books) == 2 and all(_encrypted(f, "pw-秘密") for f in books)
    both = CliRunner(env={"H13_PW": "x"}).invoke(
        main,
        [
            "split",
            str(book),
            "-o",
            str(tmp_path / "c"),
            "--password",
            "y",
            "--password-env",
            "H13_PW",
        ],
    )
    assert both.exit_code == 3


def test_the_plain_copy_is_private_and_gone_when_interrupted(tmp_path, monkeypatch):
    """The plain workbook is written in a 0700 temporary folder (file 0600), never in the
    distribution folder, and removed when the run is interrupted."""
    import stat
    import tempfile

    from followup_xl.io.write import protect

    book = one_book(tmp_path, ["张伟", "王芳"])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen = []

    def interrupted(plain, target, password, inputs=()):
        seen.append(
            (
                stat.S_IMODE(os.stat(plain).st_mode),
                stat.S_IMODE(os.stat(os.path.dirname(plain)).st_mode),
                Path(plain).parent.parent == scratch,
                Path(plain).read_bytes()[:2],
            )
        )
        raise KeyboardInterrupt

    monkeypatch.setattr(protect, "encrypt_file", interrupted)
    out = tmp_path / "分发"
    result = CliRunner().invoke(
        main, ["split", str(book), "-o", str(out), "--password", "pw", "--as-of", DAY]
    )
    assert result.exit_code == 130, result.output
    assert seen == [(0o600, 0o700, True, b"PK")]
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


def test_a_killed_split_leaves_no_plain_copy(tmp_path):
    """SIGTERM in the middle of writing: exit 130 and no plain workbook anywhere."""
    import subprocess
    import sys

    book = one_book(tmp_path, ["张伟", "王芳"])
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "分发"
    code = (
        "import os, signal, sys, time\n"
        "from followup_xl.io.write import protect\n"
        "def killed(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
        "protect.encrypt_file = killed\n"
        "from followup_xl.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "split",
            str(book),
            "-o",
            str(out),
            "--password",
            "pw",
            "--as-of",
            DAY,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert proc.returncode == 130, proc.stderr
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


# --- the terminal: staff text printed, not obeyed ----------------------------------------------------


def test_validate_prints_escape_sequences_and_markup_as_text(cli, tmp_path):
    import badfiles

    src = badfiles.escape_sequence_cell(tmp_path)
    for args in ([], ["--lang", "en"]):
        result = cli("validate", src, "--as-of", DAY, *args)
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.output and "\\x1b[2J" in result.output
        assert "[bold" in result.output  # the markup is shown as typed, not applied


def test_other_commands_print_staff_text_escaped(cli, tmp_path):
    owners = ["\x1b[2J张伟", "王芳"]
    book = one_book(tmp_path, owners, per_owner=3)
    for args in (
        ["due", book, "--as-of", DAY],
        ["schedule", book, "--as-of", DAY],
        ["split", book, "-o", tmp_path / "s", "--as-of", DAY],
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output, args
        assert (
            "_[2J张伟_客户回访.xlsm" if args[0] == "split" else "\\x1b[2J张伟"
        ) in result.output, args


# --- validate --annotate: a copy the manager can open safely -------------------------------------------


def test_the_annotated_copy_writes_names_as_text_and_drops_external_links(cli, tmp_path):
    import zipfile

    import badfiles

    from followup_xl.io.filekind import read_kind

    src = badfiles.formulas_from_names(tmp_path)
    out = tmp_path / "标注.xlsx"
    result = cli("validate", src, "--as-of", DAY, "--annotate", out)
    assert result.exit_code == 1, result.output
    assert "去掉了 2 个外部链接" in result.output
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        xml = {n: zf.read(n).decode() for n in names if n.endswith(".xml") or n.endswith(".rels")}
    assert not any("externalLink" in n for n in names)
    assert not any("server" in text for text in xml.values())
    issues = openpyxl.load_workbook(out)["问题清单"]
    cells = [c for row in issues.iter_rows() for c in row if c.value is not None]
    assert "=1+2" in [c.value for c in cells]  # the sheet name, shown …
    assert all(c.data_type != "f" for c in cells)  # … as text, never a formula
    assert not any(
        "<f>" in text or "<f " in text for n, text in xml.items() if n.startswith("xl/worksheets/")
    )
    assert read_kind(out) == "annotated"


def test_the_annotated_copy_keeps_extension_and_content_type_in_agreement(cli, tmp_path):
    import zipfile

    from followup_xl import api

    xlsm = Path(api.init_workbook(str(tmp_path), macro=True)[1])
    assert xlsm.suffix == ".xlsm"

    def content(path):
        with zipfile.ZipFile(path) as zf:
            return zf.read("[Content_Types].xml").decode(), zf.namelist()

    as_xlsx = tmp_path / "标注.xlsx"
    result = cli("validate", xlsm, "--as-of", DAY, "--annotate", as_xlsx)
    assert "不含原工作簿的宏" in result.output
    types, names = content(as_xlsx)
    assert "macroEnabled" not in types and not any("vbaProject" in n for n in names)
    as_xlsm = tmp_path / "标注.xlsm"
    cli("validate", xlsm, "--as-of", DAY, "--annotate", as_xlsm)
    types, names = content(as_xlsm)
    assert "macroEnabled" in types and any("vbaProject" in n for n in names)
    (tmp_path / "p").mkdir()
    plain = Path(api.init_workbook(str(tmp_path / "p"))[0])
    refused = cli("validate", plain, "--as-of", DAY, "--annotate", tmp_path / "x.xlsm")
    assert refused.exit_code == 3 and not (tmp_path / "x.xlsm").exists()


# --- the 校验 button: names written as text through xlwings --------------------------------------------


def test_the_button_writes_names_as_text_not_formulas(tmp_path):
    """A sheet named =1+2 and a customer named =HYPERLINK(…): through xlwings ``.value`` Excel would
    make them live formulas in 问题清单 and 待回访; the fake parses strings the way Excel does."""
    import badfiles
    from fake_xlwings import FakeBook, FakeFormula

    from followup_xl.xl import button

    src = badfiles.formulas_from_names(tmp_path)
    xl = FakeBook(src)
    button.validate_button(xl, as_of=dt.date(2026, 11, 22))
    issues = xl.sheets["问题清单"]
    values = list(issues.cells.values())
    assert "=1+2" in values and not any(isinstance(v, FakeFormula) for v in values)
    assert issues.links and all(link.startswith("#'=1+2'!") for link in issues.links.values())
    book = one_book(tmp_path, ["张伟"], per_owner=4)
    wb = openpyxl.load_workbook(book)
    ws = wb["客户名录簿"]
    name_col = [c.value for c in ws[1]].index("客户名称") + 1
    ws.cell(row=2, column=name_col).value = '=HYPERLINK("http://evil.example","x")'
    ws.cell(row=2, column=name_col).data_type = "s"
    wb.save(book)
    xl = FakeBook(book)
    button.refresh_due_button(xl, as_of=dt.date(2026, 11, 22))
    due = list(xl.sheets["待回访"].cells.values())
    assert '=HYPERLINK("http://evil.example","x")' in due
    assert not any(isinstance(v, FakeFormula) for v in due)


def test_the_fake_parses_strings_like_excel():
    """So the test above can fail: without the apostrophe, =… is a formula in the fake too."""
    from fake_xlwings import FakeFormula, _as_excel_parses

    assert isinstance(_as_excel_parses("=1+2"), FakeFormula) and _as_excel_parses("'=1+2") == "=1+2"
    assert _as_excel_parses("-5") == "-5" and isinstance(_as_excel_parses("-x"), FakeFormula)
