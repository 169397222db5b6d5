"""One read of one workbook opens its zip once (the sniff, the 1904 flag, the sheet scan and the
stamps used to open it three times per read_book and six times per merge input)."""

from __future__ import annotations

import zipfile

import pytest

from followup_xl import api
from followup_xl.demo import office as example_office
from followup_xl.errors import UnreadableWorkbook
from followup_xl.io.master.book import read_master
from followup_xl.io.master.history import HISTORY_DIR
from followup_xl.io.package import Package
from followup_xl.io.read.batch import Input, read_input
from followup_xl.io.read.workbook import read_book


@pytest.fixture
def zip_opens(monkeypatch):
    """How many times ``zipfile.ZipFile(...)`` is called, by path (the count is reset on each use)."""
    opened: list[str] = []

    class Counting(zipfile.ZipFile):
        def __init__(self, file, *args, **kwargs):
            opened.append(str(getattr(file, "name", file)))  # a path, or the file opened once
            super().__init__(file, *args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", Counting)
    return opened


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("package")
    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    staff = example_office.write_office(office, str(folder / "staff"))[0]
    master = folder / "总表.xlsx"
    assert api.merge([staff], str(master)).exit_code == 0
    return folder, staff, master


def test_read_book_opens_the_zip_once(books, zip_opens):
    _folder, staff, master = books
    for path in (staff, master):
        zip_opens.clear()
        assert read_book(path).customers
        assert zip_opens == [str(path)]


def test_a_merge_input_opens_its_zip_once(books, zip_opens):
    """read_stamp, refuse_output, sniff, the master cache's kind check and the read share one archive."""
    _folder, staff, master = books
    for path, is_master in ((staff, False), (master, True)):
        zip_opens.clear()
        item = read_input(Input(str(path), master=is_master))
        assert item.status == "merged", item.reason
        assert zip_opens == [str(path)]


def test_a_master_and_each_archive_file_are_opened_once(tmp_path, zip_opens):
    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    for k in book.calls[: len(book.calls) // 2]:
        object.__setattr__(k, "call_date", k.call_date.replace(year=2025))
    staff = example_office.write_office(office, str(tmp_path / "staff"))[0]
    master = tmp_path / "总表.xlsx"
    assert api.merge([staff], str(master), archive_over=20).exit_code == 0
    archives = sorted((tmp_path / HISTORY_DIR).iterdir())
    assert archives
    zip_opens.clear()
    assert len(read_master(master).calls) == len(book.calls)
    assert sorted(zip_opens) == sorted([str(master)] + [str(a) for a in archives])


def test_a_damaged_zip_gets_the_same_sentence_through_a_package(tmp_path):
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(UnreadableWorkbook, match="damaged"):
        read_book(bad)
    with Package(bad) as package:
        with pytest.raises(zipfile.BadZipFile):
            _ = package.zip
        assert package.custom_xml() is None  # the stamps read as "not marked", as before
        with pytest.raises(UnreadableWorkbook, match="damaged"):
            read_book(bad, package=package)


def test_a_whole_merge_opens_a_staff_books_zip_once(books, zip_opens, tmp_path):
    """Whether an input is a master is read from the same opened zip as the rest (not before it)."""
    _folder, staff, master = books
    zip_opens.clear()
    res = api.merge([str(master), staff], str(tmp_path / "新总表.xlsx"))
    assert res.exit_code == 0
    assert {i["path"]: i["master"] for i in res.inputs} == {str(master): True, str(staff): False}
    assert zip_opens.count(str(staff)) == 1
