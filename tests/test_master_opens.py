"""How often one command opens last week's master (issue 30: it was 15 times per merge).

Every way a file is opened is counted: Python's ``open``/``os.open``/``io.open`` and
``zipfile.ZipFile(path)`` (the audit hook's "open" event, by path), and python-calamine, which
opens files in Rust where the hook cannot see it (its ``from_path`` is wrapped).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
import python_calamine

from followup_xl import api

_recording: list[Counter] = []  # the counter of the test running now (a hook cannot be removed)


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _recording and isinstance(args[0], (str, bytes, os.PathLike)):
        _recording[-1][os.path.realpath(os.fsdecode(args[0]))] += 1


sys.addaudithook(_audit)


@pytest.fixture
def opens(monkeypatch):
    """A Counter: real path → times opened, while the test runs."""
    real = python_calamine.CalamineWorkbook
    counts: Counter = Counter()

    class Counting:
        @staticmethod
        def from_path(path, *args, **kwargs):
            if _recording:
                _recording[-1][os.path.realpath(os.fspath(path))] += 1
            return real.from_path(path, *args, **kwargs)

        from_filelike = staticmethod(real.from_filelike)  # a file object already counted

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Counting)
    _recording.append(counts)
    yield counts
    _recording.remove(counts)


def _of(counts: Counter, path: Path) -> int:
    return counts[os.path.realpath(path)]


@pytest.fixture
def week(tmp_path, master, office_dir):
    """Last week's master and a copy of the office's staff books, in a folder of their own."""
    folder = tmp_path / "汇总"
    folder.mkdir()
    base = folder / "上周总表.xlsx"
    shutil.copy(master, base)
    key = master.parent / ".followup-xl"
    if key.is_dir():  # the key its stamp was signed with: the base is a verified master
        shutil.copytree(key, folder / ".followup-xl")
    books = tmp_path / "收件箱"
    shutil.copytree(office_dir, books)
    return base, books, folder


def test_merge_opens_the_master_at_most_twice(week, opens, as_of):
    base, books, folder = week
    res = api.merge([str(books)], str(folder / "总表.xlsx"), masters=[str(base)], as_of=as_of)
    assert res.written and res.exit_code == 0, res
    assert _of(opens, base) <= 2, opens
    for book in books.iterdir():  # each staff book: one file handle and one calamine workbook
        assert _of(opens, book) <= 2, (book.name, opens[os.path.realpath(book)])


def test_handover_opens_the_master_at_most_twice(week, opens, as_of):
    base, _books, folder = week
    res = api.handover(
        str(base),
        str(folder / "新总表.xlsx"),
        leaver="杨磊",
        receivers=["张伟"],
        by="赵刚",
        as_of=as_of,
    )
    assert res.output
    assert _of(opens, base) <= 2, opens


def test_a_master_with_closed_years_beside_it_is_opened_at_most_twice(tmp_path, opens):
    """Its archive files too; the new master's pruning of the folder does not open it again."""
    from followup_xl.demo import office as example_office
    from followup_xl.io.master.history import HISTORY_DIR
    from followup_xl.io.write.template import write_staff_workbook

    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    for k in book.calls[: len(book.calls) // 2]:
        object.__setattr__(k, "call_date", k.call_date.replace(year=2025))
    staff = tmp_path / "收件箱" / "张伟_客户回访.xlsx"
    staff.parent.mkdir()
    write_staff_workbook(staff, book=book)
    base = tmp_path / "汇总" / "上周总表.xlsx"
    base.parent.mkdir()
    assert api.merge([str(staff)], str(base), archive_over=20).exit_code == 0
    archives = list((base.parent / HISTORY_DIR).iterdir())
    assert archives
    opens.clear()
    res = api.merge(
        [str(staff)], str(base.with_name("总表.xlsx")), masters=[str(base)], archive_over=20
    )
    assert res.exit_code == 0, res
    assert _of(opens, base) <= 2 and _of(opens, staff) <= 2, opens
    assert all(_of(opens, f) <= 2 for f in archives), opens


def test_verify_opens_the_master_at_most_twice(week, opens, as_of):
    """verify reads the cells, the stamp and the check sheet from one open file."""
    base, books, folder = week
    out = folder / "总表.xlsx"
    api.merge([str(books)], str(out), masters=[str(base)], as_of=as_of)
    opens.clear()
    res = api.verify(str(out))
    assert res.whole_master, res  # the stamp verified: the check sheet was read too
    assert _of(opens, out) <= 2, opens


def test_office_open_opens_the_master_at_most_twice(master, opens):
    """Office.open (every report command's read) asks the kind, the cache and the cells of one open file."""
    from followup_xl.api import Office

    Office.open(str(master))
    assert _of(opens, master) <= 2, opens
