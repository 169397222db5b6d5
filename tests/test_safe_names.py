"""Names from cells become file names: split writes every person's book under a name every
system accepts, says the name it chose, and the next merge reads every one of those books.

The attack review: a 负责人 of 300 characters made split exit 70 after one book; ``~$张伟``
made it exit 3 (it looked like Excel's lock file of 张伟's book) and 张伟 got no book; books
named ``~$x…`` or ``a.partial.b…`` were written and then skipped by the merge, their edits
dropped; zero-width and right-to-left override characters stayed in the names.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl import api
from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.write.template import write_staff_workbook

HOSTILE = [
    "张伟",
    "~$张伟",  # Excel's lock file of 张伟's book, by its name
    "~$x",
    "a.partial.b",  # an output being written, to the merge
    "CON",  # a Windows device, with any extension
    "nul.txt",
    "王\u200b芳",  # zero-width space: looks like 王芳
    "李\u202eanx.exe",  # right-to-left override: the name reads backwards
    "\ufeff赵敏\u2066",  # BOM and a bidi isolate
    "负" * 300,  # 900 bytes of UTF-8: past every system's limit
    "x" * 300,
    "\U00020000" * 100,  # 𠀀: 4 bytes in UTF-8, 2 units in UTF-16
    "周 杰.",  # trailing dot: Windows drops it
    "钱:七?",
    ".隐藏",  # a hidden file
    "Tom",
    "tom",  # the same file as Tom's on Windows and macOS
]


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """A master whose customers' 负责人 are the hostile names, one customer each."""
    folder = tmp_path_factory.mktemp("hostile")
    office = example_office.generate(
        customers_per_owner=len(HOSTILE), owners=["张伟"], plant_mistakes=False
    )
    book = office.books["张伟"]
    book.customers = [
        c.model_copy(update={"owner": HOSTILE[i]}) for i, c in enumerate(book.customers)
    ]
    assert len(book.customers) == len(HOSTILE)
    src = folder / "source.xlsx"
    write_staff_workbook(src, "zh", book=book)
    master = folder / "总表.xlsx"
    assert api.merge([str(src)], str(master)).written
    return master


def _owners_of(path: Path) -> set[str]:
    from followup_xl.io.read.workbook import read_book

    return {c.owner or "" for c in read_book(path).customers}


@pytest.mark.skipif(sys.platform == "win32", reason="names Linux accepts and Windows does not")
def test_split_writes_every_book_and_the_merge_reads_every_one(master, tmp_path):
    out = tmp_path / "books"
    result = CliRunner().invoke(
        main, ["split", str(master), "-o", str(out), "--xlsx", "--as-of", "2026-11-22", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    books = data["books"]
    assert sorted(b["owner"] for b in books) == sorted(HOSTILE)
    files = sorted(out.iterdir())
    assert len(files) == len(HOSTILE), [f.name for f in files]
    for f in files:
        name = f.name
        assert len(name.encode("utf-8")) < 200 and len(name) < 100, name
        assert not name.startswith(("~", ".", " ")) and ".partial" not in name.lower(), name
        assert not any(
            ch in name for ch in "\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\u2069\ufeff"
        ), name
        assert not any(ch in name for ch in '<>:"/\\|?*'), name
        assert name.split(".")[0].split("_")[0].upper() not in ("CON", "NUL"), name
    # the person's name and the file chosen for it, where they differ (JSON and terminal)
    notes = " ".join(data["notes"])
    for who in ("~$张伟", "~$x", "a.partial.b", "CON", "王\u200b芳", "负" * 300):
        assert who in notes, who
    by_owner = {b["owner"]: Path(b["path"]).name for b in books}
    assert by_owner["张伟"] == "张伟_客户回访.xlsx"
    assert by_owner["~$张伟"] != by_owner["张伟"]
    assert by_owner["Tom"].casefold() != by_owner["tom"].casefold()

    # each person edits their book; the next merge reads every one of them
    for who in ("~$x", "a.partial.b", "~$张伟", "负" * 300):
        wb = openpyxl.load_workbook(out / by_owner[who])
        ws = wb["客户名录簿"]
        assert ws["K1"].value == "备注" and ws["G2"].value == who
        ws["K2"] = f"{who} 改过"
        wb.save(out / by_owner[who])
    merged = CliRunner().invoke(
        main, ["merge", str(out), "-o", str(tmp_path / "again.xlsx"), "--json"]
    )
    assert merged.exit_code == 0, merged.output
    inputs = json.loads(merged.stdout)["inputs"]
    assert len(inputs) == len(HOSTILE)
    assert {i["status"] for i in inputs} == {"merged"}, [
        (i["path"], i.get("note")) for i in inputs if i["status"] != "merged"
    ]
    assert _owners_of(tmp_path / "again.xlsx") == set(HOSTILE)
    from followup_xl.io.read.workbook import read_book

    again = read_book(tmp_path / "again.xlsx")
    edited = {c.owner for c in again.customers if c.note == f"{c.owner} 改过"}
    assert edited == {"~$x", "a.partial.b", "~$张伟", "负" * 300}


def test_split_names_every_book_before_writing_any(master, tmp_path):
    """An output refused (here: an Excel lock file beside one book) stops split before the first
    book is written, not halfway through the office."""
    out = tmp_path / "books"
    out.mkdir()
    (out / "~$Tom_客户回访.xlsx").write_bytes(b"lock")  # Tom's book is open in Excel
    result = CliRunner().invoke(
        main, ["split", str(master), "-o", str(out), "--xlsx", "--as-of", "2026-11-22"]
    )
    assert result.exit_code == 3, result.output
    assert "Tom_客户回访.xlsx" in result.output
    assert os.listdir(out) == ["~$Tom_客户回访.xlsx"], os.listdir(out)
