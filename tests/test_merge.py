"""merge: every unique call once, clashes listed, broken files named, inputs untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import badfiles
import openpyxl
import pytest

from followup_xl import api
from followup_xl.demo import office as example_office
from followup_xl.io.master import writer as master_io
from followup_xl.io.read.workbook import read_book


def key(c):
    """A call's identity as text (unreadable values included, as typed)."""
    return tuple(
        str(c.raw(k))
        for k in (
            "customer_id",
            "call_date",
            "call_time",
            "method",
            "call_type",
            "caller",
            "content",
        )
    )


def digest(folder: Path) -> dict:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def content(path) -> tuple:
    b = read_book(path)
    return (
        [c.values() for c in b.customers],
        sorted(key(c) for c in b.calls),
        [e.values() for e in b.events],
        [(c.src.file, c.src.sheet, c.src.row) for c in b.calls],
    )


@pytest.fixture
def unseen(tmp_path, office, office_dir):
    """Staff books + a colleague's copy + an id clash + a phone clash + a truncated file + a lock file."""
    folder = tmp_path / "inbox"
    shutil.copytree(office_dir, folder)
    (folder / "王芳的电脑").mkdir()
    shutil.copy(folder / "张伟_客户回访.xlsx", folder / "王芳的电脑" / "张伟_客户回访 - 副本.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录簿"
    first = office.books["刘洋"].customers[0]
    ws.append(["客户编号", "客户名称", "联系电话", "负责人"])
    ws.append(
        [first.customer_id, "改过名字的客户", first.phone, "刘洋"]
    )  # same id, different details
    ws.append(
        ["K8888", "另一家公司", office.books["张伟"].customers[0].phone, "刘洋"]
    )  # same phone, new id
    wb.save(folder / "刘洋_补充.xlsx")
    (tmp_path / "src").mkdir()
    bad = badfiles.truncated(tmp_path / "src")
    shutil.copy(bad, folder / "孙丽_客户回访.xlsx")
    (folder / "~$刘洋_客户回访.xlsx").write_bytes(b"\x05liuyang" + b"\0" * 100)
    return folder


def test_unseen_set(cli, tmp_path, office, unseen):
    before = digest(unseen)
    out = tmp_path / "master.xlsx"
    code, res = cli.json("merge", unseen, "-o", out)
    assert code == 1 and res["written"]
    status = {Path(i["path"]).name: i for i in res["inputs"]}
    assert (
        status["孙丽_客户回访.xlsx"]["status"] == "error"
        and "损坏" in status["孙丽_客户回访.xlsx"]["error"]
    )
    assert status["~$刘洋_客户回访.xlsx"]["status"] == "ignored"
    copy = status["张伟_客户回访 - 副本.xlsx"]  # the very same bytes twice: merged once, said
    assert copy["status"] == "ignored" and "张伟_客户回访.xlsx" in copy["note"]
    book = read_book(out)
    every = {key(c) for b in office.books.values() for c in b.calls}
    assert sorted(key(c) for c in book.calls) == sorted(every)  # each unique call exactly once
    kinds = {(c["kind"], c["customer_id"]) for c in res["conflicts"]}
    first = office.books["刘洋"].customers[0]
    assert ("customer_id", first.customer_id) in kinds
    assert any(k == "phone" and "K8888" in cid for k, cid in kinds)
    clash = next(c for c in res["conflicts"] if c["customer_id"] == first.customer_id)
    assert (
        "刘洋_客户回访.xlsx" in clash["kept"] and "本人" in clash["why"]
    )  # the owner's own book wins
    assert digest(unseen) == before  # inputs untouched
    wb = openpyxl.load_workbook(out, read_only=True)
    assert {"冲突", "来源", "客户名录簿", "回访记录表"} <= set(wb.sheetnames)


def test_rerun_is_identical_and_master_plus_inputs_adds_nothing(cli, tmp_path, office_dir):
    a, b, c = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    assert cli.json("merge", office_dir, "-o", a)[0] == 0
    assert cli.json("merge", office_dir, "-o", b)[0] == 0
    assert content(a) == content(b)
    code, res = cli.json("merge", a, office_dir, "-o", c)
    assert code == 0
    ca, cc = content(a), content(c)
    assert ca[1] == cc[1] and ca[2] == cc[2] and len(ca[0]) == len(cc[0])
    assert ca[3] == cc[3]  # the original provenance survives a second merge
    master_in = next(i for i in res["inputs"] if i["path"].endswith("a.xlsx"))
    assert master_in["status"] == "merged"


def test_provenance_points_at_the_staff_book(master, office_dir):
    """Every call of the master names the staff book and row it came from, and that row holds it."""
    calls = read_book(master).calls
    books = {name: read_book(office_dir / name) for name in {c.src.file for c in calls}}
    assert len(books) == 6
    rows = {(name, c.src.row): key(c) for name, b in books.items() for c in b.calls}
    assert all(rows.get((c.src.file, c.src.row)) == key(c) for c in calls)


def test_strict_writes_nothing_and_nothing_readable_is_2(cli, tmp_path, office_dir):
    folder = tmp_path / "in"
    shutil.copytree(office_dir, folder)
    bad = badfiles.not_a_workbook(tmp_path)
    shutil.copy(bad, folder / "broken.xlsx")
    out = tmp_path / "m.xlsx"
    code, res = cli.json("merge", folder, "-o", out, "--strict")
    assert code == 1 and not res["written"] and not out.exists()
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    shutil.copy(bad, only_bad / "x.xlsx")
    code, res = cli.json("merge", only_bad, "-o", out)
    assert code == 2 and not out.exists()


def test_crash_midway_leaves_the_previous_master(cli, tmp_path, office_dir, monkeypatch):
    out = tmp_path / "m.xlsx"
    cli.json("merge", office_dir, "-o", out)
    before = out.read_bytes()
    calls = {"n": 0}
    real = master_io._write_records

    def explode(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(master_io, "_write_records", explode)
    with pytest.raises(KeyboardInterrupt):
        api.merge([str(office_dir)], str(out))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_history_longer_than_a_sheet_is_split_by_year(tmp_path):
    office = example_office.generate(customers_per_owner=8, owners=["张伟"], plant_mistakes=False)
    b = office.books["张伟"]
    for k in b.calls[: len(b.calls) // 2]:  # half of the history a year earlier
        object.__setattr__(k, "call_date", k.call_date.replace(year=2025))
    src = tmp_path / "zw.xlsx"
    from followup_xl.io.write.template import write_staff_workbook

    write_staff_workbook(src, book=b)
    out = tmp_path / "m.xlsx"
    res = api.merge([str(src)], str(out), row_limit=10)
    assert res.exit_code == 0
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "回访记录表" in names and "回访记录表2025" in names and "回访记录表2025-2" in names
    back = read_book(out)
    assert sorted(key(c) for c in back.calls) == sorted(key(c) for c in b.calls)
    assert len(back.sheets["calls"]) == len([n for n in names if n.startswith("回访记录表")])


@pytest.mark.slow
def test_every_other_command_reads_the_master(cli, master, tmp_path):
    """Each command that takes a master reads all of it: the same record counts, or a real result."""
    day = ("--as-of", "2026-11-22")
    code, merged = cli.json("merge", master, "-o", tmp_path / "again.xlsx")
    (read,) = merged["inputs"]
    assert code == 0 and read["master"] and read["status"] == "merged"
    counts = {k: read[k] for k in ("customers", "calls", "events")}
    assert counts == {k: merged[k] for k in counts} and min(counts.values()) > 100
    total = sum(counts.values())

    _, exported = cli.json("export", master, "-o", tmp_path / "pq", "--office", "示例", ok=(0,))
    (office,) = exported["offices"]
    assert {k: office["tables"][k]["rows"] for k in counts} == counts
    _, split = cli.json("split", master, "-o", tmp_path / "split", *day, ok=(0,))
    assert {k: sum(b[k] for b in split["books"]) for k in counts} == counts
    _, verified = cli.json("verify", master, ok=(0,))
    assert verified["checked"] == total and verified["mismatches"] == []
    handed = tmp_path / "handed.xlsx"
    cli.json("handover", master, "--from", "杨磊", "--to", "张伟", "-o", handed, *day, ok=(0,))
    assert cli.json("verify", handed, ok=(0,))[1]["checked"] == total

    _, checked = cli.json("validate", master, *day, ok=(1,))
    assert checked["summary"]["errors"] > 0 and checked["findings"]
    _, due = cli.json("due", master, *day, ok=(0,))
    assert len(due["items"]) == sum(
        due["counts"][k] for k in ("overdue", "due", "upcoming", "missed")
    )
    _, plan = cli.json("schedule", master, *day, "-o", tmp_path / "s.xlsx", ok=(0,))
    assert plan["items"]
    _, week = cli.json("weekly", master, *day, "-o", tmp_path / "w.xlsx", ok=(0,))
    assert week["by_owner"]
    _, month = cli.json("report", master, "--month", "2026-10", "-o", tmp_path / "r.xlsx", ok=(0,))
    assert month["calls"] > 0 and len(month["by_owner"]) == 6
    _, scores = cli.json("scores", master, "--year", "2026", "-o", tmp_path / "sc.xlsx", ok=(0,))
    assert len(scores["staff"]) >= 6


@pytest.mark.libreoffice
def test_libreoffice_opens_the_master_with_every_row(cli, tmp_path, office_dir):
    import libreoffice as lo

    out = tmp_path / "总表.xlsx"
    cli.json("merge", office_dir, "-o", out)
    back = read_book(lo.recalc(out, tmp_path / "lo"))  # LibreOffice's own re-save, read by us
    mine = read_book(out)
    assert sorted(key(c) for c in back.calls) == sorted(key(c) for c in mine.calls)
    assert [c.values() for c in back.customers] == [c.values() for c in mine.customers]
    text = lo.pdf_text(out, tmp_path / "pdf")
    assert "冲突" in text or "客户编号重复" in text
