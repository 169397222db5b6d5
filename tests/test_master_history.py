"""The history store: closed years beside the master, read with it, not rewritten when unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import openpyxl
import openpyxl.packaging.custom
import openpyxl.utils
import pytest

from followup_xl import api
from followup_xl.demo import office as example_office
from followup_xl.errors import BadHistory
from followup_xl.io.master.book import read_master
from followup_xl.io.master.history import HISTORY_DIR
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import Call


def key(c):
    return tuple(
        str(c.raw(k))
        for k in (
            "record_id",
            "customer_id",
            "call_date",
            "call_time",
            "method",
            "call_type",
            "caller",
            "content",
        )
    )


@pytest.fixture
def three_years(tmp_path):
    """One staff book whose calls span 2024, 2025 and 2026."""
    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    third = len(book.calls) // 3
    for i, k in enumerate(book.calls[: 2 * third]):
        object.__setattr__(k, "call_date", k.call_date.replace(year=2024 if i < third else 2025))
    staff = tmp_path / "staff"
    staff.mkdir()
    write_staff_workbook(staff / "张伟_客户回访.xlsx", book=book)
    return book, staff / "张伟_客户回访.xlsx"


def fingerprints(folder):
    return {
        p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in folder.iterdir()
    }


def test_closed_years_go_beside_the_master_and_are_read_with_it(tmp_path, three_years):
    book, src = three_years
    out = tmp_path / "汇总" / "总表.xlsx"
    out.parent.mkdir()
    assert api.merge([str(src)], str(out), archive_over=20).exit_code == 0
    archive = out.parent / HISTORY_DIR
    assert sorted(p.name[:9] for p in archive.iterdir()) == ["回访记录表2024", "回访记录表2025"]
    wb = openpyxl.load_workbook(out, read_only=True)
    own = [r[2] for r in wb["回访记录表"].iter_rows(min_row=2, values_only=True)]
    assert own and all(d.year == 2026 for d in own)  # the master itself keeps the newest year
    assert [r[0] for r in wb["历史档案"].iter_rows(min_row=2, values_only=True)] == [2024, 2025]
    back = read_master(out)
    assert sorted(map(key, back.calls)) == sorted(map(key, book.calls))
    assert {c.src.file for c in back.calls} == {
        src.name
    }  # provenance: the staff book, not the archive


def test_weekly_remerge_writes_only_the_year_that_changed(tmp_path, three_years):
    book, src = three_years
    folder = tmp_path / "汇总"
    folder.mkdir()
    last = folder / "第47周总表.xlsx"
    api.merge([str(src)], str(last), archive_over=20)
    before = fingerprints(folder / HISTORY_DIR)
    first = book.calls[-1]
    new = Call.build(
        None,
        {},
        {},
        {
            **{k: getattr(first, k) for k in first.SHEET.keys},
            "record_id": "R-NEW-1",
            "call_date": dt.date(2026, 11, 27),
        },
    )
    book.calls.append(new)
    src.unlink()
    write_staff_workbook(src, book=book)  # this week's staff book: one new call
    this = folder / "第48周总表.xlsx"
    res = api.merge([str(last), str(src)], str(this), archive_over=20)
    assert res.exit_code == 0 and res.calls == len(book.calls)
    assert fingerprints(folder / HISTORY_DIR) == before  # closed years untouched, none added
    assert sorted(map(key, read_master(this).calls)) == sorted(map(key, book.calls))
    assert sorted(map(key, read_master(last).calls)) == sorted(map(key, book.calls[:-1]))


def test_a_changed_closed_year_gets_a_new_file_and_the_unlisted_one_goes(tmp_path, three_years):
    book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    old = {p.name for p in (tmp_path / HISTORY_DIR).iterdir()}
    late = Call.build(
        None,
        {},
        {},
        {
            **{k: getattr(book.calls[0], k) for k in book.calls[0].SHEET.keys},
            "record_id": "R-LATE-1",
            "call_date": dt.date(2024, 12, 30),
        },
    )
    book.calls.append(late)  # a 2024 call entered late
    src.unlink()
    write_staff_workbook(src, book=book)
    out.unlink()  # the same master name, written again
    api.merge([str(src)], str(out), archive_over=20)
    now = {p.name for p in (tmp_path / HISTORY_DIR).iterdir()}
    assert {n[:9] for n in now} == {"回访记录表2024", "回访记录表2025"}
    assert len(now - old) == 1 and next(iter(now - old)).startswith("回访记录表2024")
    assert sorted(map(key, read_master(out).calls)) == sorted(map(key, book.calls))


def test_a_missing_history_file_is_named_not_skipped(tmp_path, three_years):
    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    victim = sorted((tmp_path / HISTORY_DIR).iterdir())[0]
    victim.unlink()
    with pytest.raises(BadHistory) as err:
        read_master(out)
    assert err.value.msg_id == "history.file_missing" and err.value.params["name"] == victim.name


def test_history_files_in_an_input_folder_are_ignored_not_merged(tmp_path, three_years):
    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    res = api.merge(  # the folder holds the master too: named as the base, it is read once
        [str(tmp_path)],
        str(tmp_path.parent / f"{tmp_path.name}-2.xlsx"),
        archive_over=20,
        masters=[str(out)],
    )
    status = {p["path"].rsplit("/", 1)[-1]: p["status"] for p in res.inputs}
    assert [s for n, s in status.items() if n.startswith("回访记录表")] == ["ignored", "ignored"]
    assert status["总表.xlsx"] == "merged"


def test_a_crash_after_the_history_leaves_the_old_master_whole(tmp_path, three_years, monkeypatch):
    from followup_xl.io.master import writer as master_io

    book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    before = out.read_bytes()
    book.calls.append(
        Call.build(
            None,
            {},
            {},
            {
                **{k: getattr(book.calls[0], k) for k in book.calls[0].SHEET.keys},
                "record_id": "R-LATE-2",
                "call_date": dt.date(2025, 12, 31),
            },
        )
    )
    src.unlink()
    write_staff_workbook(src, book=book)
    real = master_io._write_records

    def explode(wb, fmts, name, *args, **kw):
        if name == "客户名录簿":  # the master itself, after the new 2025 file
            raise KeyboardInterrupt
        return real(wb, fmts, name, *args, **kw)

    monkeypatch.setattr(master_io, "_write_records", explode)
    with pytest.raises(KeyboardInterrupt):
        api.merge([str(src)], str(tmp_path / "新总表.xlsx"), archive_over=20)
    assert len(list((tmp_path / HISTORY_DIR).iterdir())) == 3  # the new 2025 file was written first
    assert out.read_bytes() == before
    assert sorted(map(key, read_master(out).calls)) == sorted(map(key, book.calls[:-1]))


def _history_names(master) -> list:
    wb = openpyxl.load_workbook(master, read_only=True)
    return [r[1] for r in wb["历史档案"].iter_rows(min_row=2, values_only=True)]


def _rewrite_history(master, names: list[str]) -> None:
    """Replace the file names of a master's 历史档案 sheet in place (the kind stamp stays)."""
    import shutil
    import zipfile
    from xml.sax.saxutils import escape

    tmp = master.with_suffix(".tmp")
    olds = _history_names(master)
    with zipfile.ZipFile(master) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if (
                info.filename.startswith("xl/worksheets/")
                or info.filename == "xl/sharedStrings.xml"
            ):
                text = data.decode()
                for old, new in zip(olds, names):
                    text = text.replace(f">{escape(old)}<", f">{escape(new)}<")
                data = text.encode()
            zout.writestr(info, data)
    shutil.move(tmp, master)


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../总表.xlsx",
        "..",
        r"C:\x.xlsx",
        "C:x.xlsx",
        r"\\server\share\回访记录表2024.xlsx",
        "sub/回访记录表2024.xlsx",
    ],
)
def test_the_history_sheet_names_only_plain_files_in_its_folder(tmp_path, three_years, name):
    """An absolute path, .., a drive or a UNC share in 历史档案 is refused with its cell (exit 2)."""
    from click.testing import CliRunner

    from followup_xl.cli import main

    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    _rewrite_history(out, [name])
    assert _history_names(out)[0] == name
    for args in (
        ["due", str(out), "--as-of", "2026-11-22"],
        ["validate", str(out), "--as-of", "2026-11-22"],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "历史档案 › B2" in result.output and "文件名" in result.output


def test_a_staff_books_history_sheet_is_not_followed(tmp_path, three_years):
    """Only a master the tool stamped has a history: the same sheet in a staff book names nothing."""
    import zipfile

    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    unstamped = tmp_path / "像总表的员工簿.xlsx"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(unstamped, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data.replace(b"followup-xl-kind", b"something-else"))
    from followup_xl.io.filekind import read_kind

    assert read_kind(out) == "master" and read_kind(unstamped) is None
    assert len(read_master(unstamped).calls) < len(read_master(out).calls)


def test_an_old_unstamped_master_named_by_master_keeps_its_closed_years(tmp_path, three_years):
    """A master written before files were stamped: its history is followed when the manager names
    it (``merge --master``), so no closed year is lost; given as a plain input it stays a staff
    book (its archive not followed) and the merge says to name it."""
    book, src = three_years
    (tmp_path / "汇总").mkdir()
    out = tmp_path / "汇总" / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    old = tmp_path / "汇总" / "旧总表.xlsx"
    wb = openpyxl.load_workbook(out)
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()  # type: ignore[attr-defined]  # no kind stamp
    wb.save(old)
    named = api.merge(
        [], str(tmp_path / "汇总" / "新总表.xlsx"), masters=[str(old)], archive_over=20
    )
    assert named.exit_code == 0 and named.calls == len(book.calls)
    back = read_master(tmp_path / "汇总" / "新总表.xlsx")
    assert sorted(map(key, back.calls)) == sorted(map(key, book.calls))
    plain = api.merge([str(old)], str(tmp_path / "汇总" / "另一份.xlsx"), archive_over=20)
    assert plain.calls < len(book.calls)
    assert any("--master" in str(w) for w in plain.warnings)


def test_due_and_schedule_say_when_a_files_history_was_not_read(tmp_path, three_years):
    """An unstamped file listing archive files (an old master, or a staff book with such a sheet):
    due and schedule count only the file's own records, and say so in both languages."""
    from click.testing import CliRunner

    from followup_xl.cli import main

    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    old = tmp_path / "旧总表.xlsx"
    wb = openpyxl.load_workbook(out)
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()  # type: ignore[attr-defined]
    wb.save(old)
    day = dt.date(2026, 11, 22)
    said = [
        w.render("zh")
        for w in api.due(str(old), as_of=day).warnings
        if "历史档案" in w.render("zh")
    ]
    assert said and "2 个文件" in said[0] and "merge --master" in said[0]
    assert any("历史档案" in w.render("zh") for w in api.schedule(str(old), as_of=day).warnings)
    assert not any(
        "历史档案" in w.render("zh") for w in api.due(str(out), as_of=day).warnings
    )  # stamped: read
    r = CliRunner().invoke(
        main, ["due", str(old), "--as-of", "2026-11-22", "--json", "--lang", "en"]
    )
    assert any(
        "closed years it lists (2 files) were not read" in w
        for w in json.loads(r.output)["warnings"]
    )


def test_a_master_listing_itself_is_a_sentence_not_a_recursion(tmp_path):
    import badfiles
    from click.testing import CliRunner

    from followup_xl.cli import main

    master = badfiles.self_listing_history(tmp_path)
    for args in (
        ["due", str(master), "--as-of", "2026-11-22"],
        ["validate", str(master), "--as-of", "2026-11-22"],
        ["merge", str(master), "-o", str(tmp_path / "out.xlsx")],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "列出了总表自己" in result.output and master.name in result.output


def test_the_single_file_reader_reads_only_the_file(tmp_path, three_years):
    """read_book knows nothing of history: the master file alone holds only the newest year."""
    from followup_xl.io.read.workbook import read_book

    book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    own = read_book(out).calls
    assert own and {c.call_date.year for c in own} == {2026}
    assert len(read_master(out).calls) == len(book.calls) > len(own)


def test_validate_checks_the_archive_files_too(tmp_path, three_years):
    """An office expects the whole master checked: a bad date in a closed year is found, in its file."""
    import json

    from click.testing import CliRunner

    from followup_xl.cli import main

    _book, src = three_years
    out = tmp_path / "总表.xlsx"
    api.merge([str(src)], str(out), archive_over=20)
    clean = api.validate(str(out), as_of=dt.date(2026, 11, 22))
    archive = sorted((tmp_path / HISTORY_DIR).iterdir())[0]  # 2024
    wb = openpyxl.load_workbook(archive)
    ws = wb.worksheets[0]
    col = next(c.column for c in ws[1] if c.value == "回访日期")
    ws.cell(3, col).value = "2024年13月45日"
    wb.save(archive)
    found = api.validate(str(out), as_of=dt.date(2026, 11, 22))
    new = [f for f in found.findings if f not in clean.findings]
    assert new and all(f.file == str(archive) for f in new), new
    assert {(f.sheet, f.row) for f in new} == {(ws.title, 3)}
    assert new[0].cell == f"{openpyxl.utils.get_column_letter(col)}3"
    assert found.exit_code == 1 and all(
        f.file == str(out) for f in clean.findings
    )  # the master's own findings name the master
    text = CliRunner(env={"COLUMNS": "400"}).invoke(
        main, ["validate", str(out), "--as-of", "2026-11-22"]
    )
    assert text.exit_code == 1 and f"{archive.name} › {ws.title}" in text.output
    as_json = CliRunner().invoke(main, ["validate", str(out), "--as-of", "2026-11-22", "--json"])
    assert any(f["file"] == str(archive) for f in json.loads(as_json.output)["findings"])
    annotated = tmp_path / "标注.xlsx"
    api.validate(str(out), str(annotated), as_of=dt.date(2026, 11, 22))
    assert annotated.exists()  # the archive's finding is listed, not marked on a master cell
