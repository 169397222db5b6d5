"""The files offices really have: .xls and .ods (saved by LibreOffice, the real client), CSV, and the refused ones."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import badfiles
import libreoffice
import openpyxl
import pytest
from click.testing import CliRunner

from followup_xl.cli import main
from followup_xl.io.read.workbook import read_book

pytestmark = pytest.mark.libreoffice
AS_OF = "2026-11-22"


def _convert_all(books: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """One LibreOffice run converts every book (as an office would "Save as" each)."""
    exe = libreoffice.soffice()
    profile = libreoffice._profile()
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                *map(str, books),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = [outdir / f"{b.stem}.{fmt}" for b in books]
    assert all(p.exists() for p in out), list(outdir.iterdir())
    return out


@pytest.fixture(scope="module")
def saved_as(office_dir, tmp_path_factory):
    books = sorted(office_dir.glob("*.xlsx"))
    root = tmp_path_factory.mktemp("formats")
    return {"xlsx": books, **{fmt: _convert_all(books, fmt, root / fmt) for fmt in ("xls", "ods")}}


def cli(*args) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def findings(path) -> tuple[int, list]:
    code, out = cli("validate", str(path), "--as-of", AS_OF)
    assert all(f.pop("file") == str(path) for f in out["findings"])  # each names the file it is in
    return code, sorted(json.dumps(f, ensure_ascii=False, sort_keys=True) for f in out["findings"])


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_book_saved_as_xls_or_ods_validates_with_the_same_findings(saved_as, fmt):
    for xlsx, other in zip(saved_as["xlsx"], saved_as[fmt]):
        code, base = findings(xlsx)
        assert base, "the example office has planted mistakes in every book"
        assert findings(other) == (code, base), other.name


def _records(master: Path) -> dict:
    book = read_book(master)

    def strip(f):
        return f.rsplit(".", 1)[0] if f else f  # 张伟_客户回访.xls → 张伟_客户回访

    return {
        key: sorted(
            json.dumps(
                [r.values(), strip(r.src.file), r.src.sheet, r.src.row],
                default=str,
                ensure_ascii=False,
            )
            for r in book.records(key)
        )
        for key in ("customers", "calls", "events", "staff")
    }


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_the_same_office_as_xls_or_ods_merges_to_the_same_master(saved_as, fmt, tmp_path):
    masters = {}
    for kind in ("xlsx", fmt):
        inbox = tmp_path / kind
        inbox.mkdir()
        for p in saved_as[kind]:
            shutil.copy(p, inbox / p.name)
        code, out = cli("merge", str(inbox), "-o", str(tmp_path / f"master_{kind}.xlsx"))
        assert code == 0 and {i["status"] for i in out["inputs"]} == {"merged"}, out["inputs"]
        masters[kind] = (out, _records(tmp_path / f"master_{kind}.xlsx"))
    (a, ra), (b, rb) = masters["xlsx"], masters[fmt]
    assert (a["customers"], a["calls"], a["events"]) == (b["customers"], b["calls"], b["events"])
    assert len(a["conflicts"]) == len(b["conflicts"])
    assert ra == rb


def test_annotating_an_xls_writes_an_xlsx_copy_and_says_so(saved_as, tmp_path):
    src = saved_as["xls"][0]
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(src),
            "--as-of",
            AS_OF,
            "--annotate",
            str(tmp_path / "marked.xls"),
            "--json",
        ],
    )
    out = json.loads(result.stdout)
    assert out["annotated"] == str(tmp_path / "marked.xlsx") and ".xlsx" in out["annotate_notes"][0]
    assert not (tmp_path / "marked.xls").exists()
    wb = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    marked = [f for f in out["findings"] if f["cell"]]
    assert marked and all(wb[f["sheet"]][f["cell"]].comment is not None for f in marked)
    # the copy holds the book's own values at the same cells: reading it gives the same records
    original, copy = read_book(src), read_book(tmp_path / "marked.xlsx")
    assert [c.values() for c in copy.customers] == [c.values() for c in original.customers]
    assert [c.values() for c in copy.calls] == [c.values() for c in original.calls]


def test_an_xls_under_an_xlsx_name_is_read_by_its_content(saved_as, tmp_path):
    renamed = tmp_path / "张伟.xlsx"
    shutil.copy(saved_as["xls"][0], renamed)
    assert findings(renamed) == findings(saved_as["xls"][0])


CSV_TEXT = (
    "客户编号,客户名称,联系电话,客户等级,负责人,建档日期\n"
    "K1,华兴建材,13800138002,A,张伟,2026/3/5\n"
    "K2,𠀾鑫商贸,138 0013 8004,B,张伟,2026年3月5日\n"  # 𠀾: four bytes in GB18030, none in GBK
    "K3,李四,+86 138-0013-8006,C,张伟,2026-03-05\n"
)


@pytest.mark.parametrize(
    "encoding,sep",
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("utf-8", "\t"),
        ("gb18030", ","),
        ("gb18030", "\t"),
        ("gbk", ","),
        ("utf-16", "\t"),
    ],
)
def test_csv_exports_are_read_in_every_encoding_offices_use(tmp_path, encoding, sep):
    text = CSV_TEXT if encoding != "gbk" else CSV_TEXT.replace("𠀾", "金")
    p = tmp_path / "客户名录簿.csv"
    p.write_bytes(text.replace(",", sep).encode(encoding))
    book = read_book(p)
    assert [
        (c.customer_id, c.name, c.phone, c.klass, c.created.isoformat()) for c in book.customers
    ] == [
        ("K1", "华兴建材", "13800138002", "A", "2026-03-05"),
        ("K2", "金鑫商贸" if encoding == "gbk" else "𠀾鑫商贸", "13800138004", "B", "2026-03-05"),
        ("K3", "李四", "13800138006", "C", "2026-03-05"),
    ]
    code, out = cli("validate", str(p), "--as-of", AS_OF)
    assert code == 0 and [f["code"] for f in out["findings"]] == [
        "V15"
    ]  # only: no call log in a customer list


def test_a_csv_whose_encoding_cannot_be_told_gets_a_sentence(tmp_path):
    p = tmp_path / "export.csv"
    p.write_bytes(
        "客户编号,客户名称\nK1,Müller Köln\n".encode().replace(
            "Müller Köln".encode(), "Müller Köln".encode("cp1252")
        )
    )
    result = CliRunner().invoke(main, ["validate", str(p), "--as-of", AS_OF])
    assert result.exit_code == 2 and "export.csv" in result.output and "编码" in result.output


def test_a_csv_export_merges_with_the_books(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    badfiles._good(inbox, "张伟.xlsx", badfiles.small_book())
    (inbox / "新客户.csv").write_bytes(
        CSV_TEXT.replace("K1,", "N1,").replace("K2,", "N2,").replace("K3,", "N3,").encode("gb18030")
    )
    code, out = cli("merge", str(inbox), "-o", str(tmp_path / "master.xlsx"))
    status = {Path(i["path"]).name: i for i in out["inputs"]}
    assert (
        code == 0
        and status["新客户.csv"]["status"] == "merged"
        and status["新客户.csv"]["customers"] == 3
    )
    assert {"N1", "N2", "N3"} <= {
        c.customer_id for c in read_book(tmp_path / "master.xlsx").customers
    }


def test_wps_and_numbers_files_in_the_inbox_are_named_not_skipped(tmp_path):
    """Each gets its own sentence (exit 1: that person's data is not in the master); the rest is merged."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    badfiles._good(inbox, "张伟.xlsx", badfiles.small_book())
    badfiles.wps_et(inbox)
    badfiles.apple_numbers(inbox)
    badfiles.numbers_package(inbox)
    code, out = cli("merge", str(inbox), "-o", str(tmp_path / "master.xlsx"))
    status = {Path(i["path"]).name: i for i in out["inputs"]}
    assert code == 1 and out["written"] and status["张伟.xlsx"]["status"] == "merged"
    assert set(status) == {"张伟.xlsx", "客户台账.et", "客户名录.numbers", "回访记录.numbers"}
    assert "WPS" in status["客户台账.et"]["error"] and ".xlsx" in status["客户台账.et"]["error"]
    for name in ("客户名录.numbers", "回访记录.numbers"):
        assert status[name]["status"] == "error" and "Numbers" in status[name]["error"]
