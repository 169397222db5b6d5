"""The master cache: a hit equals reading the workbook; a stale or tampered cache is detected and ignored."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from office_master import write_master

from followup_xl import api, fingerprint
from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.master import cache as mc
from followup_xl.io.master.book import archive_digests, read_master
from followup_xl.io.master.history import HISTORY_DIR
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.models import EMPTY, MODEL_FOR


def deep(book) -> dict:
    """Everything a Book holds, with the exact type of every value (an Unreadable is not a str).

    What comparing the 校验码 found and the digests of the archive files' rows are worked out
    first (a read leaves them to be asked for; a cached book carries them): both sides must
    agree on them too."""
    fingerprint.outcome(book)
    archive_digests(book)

    def kind(x):  # a cache hit's records share one read-only {} (models.EMPTY): it is a dict {}
        return dict if x is EMPTY else type(x)

    out = {}
    for f in dataclasses.fields(book):
        if f.name == "path":
            continue
        v = getattr(book, f.name)
        if f.name in MODEL_FOR:
            v = [
                (
                    type(r),
                    {k: (kind(x), x, getattr(x, "expected", None)) for k, x in r.__dict__.items()},
                    {k: (type(x), x, getattr(x, "expected", None)) for k, x in r.bad.items()},
                )
                for r in v
            ]
        out[f.name] = v
    return out


@pytest.fixture(autouse=True)
def cache_small_masters(monkeypatch):
    """The cache is kept for masters of 50,000 records and more; these tests use small ones."""
    monkeypatch.setattr(mc, "CACHE_OVER", 0)


@pytest.fixture
def master(office_dir, tmp_path) -> Path:
    """The example office's master (planted mistakes: unreadable values, error cells, odd layouts)."""
    return write_master(office_dir, tmp_path / "总表.xlsx")


@pytest.fixture
def history_master(tmp_path) -> Path:
    """A master whose closed years live in history files beside it."""
    office = example_office.generate(customers_per_owner=10, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    half = len(book.calls) // 2
    for k in book.calls[:half]:
        object.__setattr__(k, "call_date", k.call_date.replace(year=2025))
    (tmp_path / "staff").mkdir()
    write_staff_workbook(tmp_path / "staff" / "张伟_客户回访.xlsx", book=book)
    out = tmp_path / "汇总" / "总表.xlsx"
    out.parent.mkdir()
    assert api.merge([str(tmp_path / "staff")], str(out), archive_over=20).exit_code == 0
    assert any((out.parent / HISTORY_DIR).iterdir())
    return out


@pytest.mark.parametrize("which", ["master", "history_master"])
def test_a_hit_is_what_reading_the_workbook_returns(which, request):
    path = request.getfixturevalue(which)
    plain = read_master(path)
    assert fingerprint.outcome(plain)[1] > 0  # rows with a 校验码: deep() compares the outcome
    first, status = mc.read_cached(path)
    assert status == {"status": "absent", "written": True}
    assert mc.cache_dir(path).is_dir()
    second, status = mc.read_cached(path)
    assert status == {"status": "hit"}
    assert deep(first) == deep(plain) == deep(second)
    assert any(r.bad for r in plain.calls + plain.customers) or which == "history_master"
    # the label the caller gives is applied as the reader would (merge reads by file name)
    named, status = mc.read_cached(path, label="总表.xlsx")
    assert status == {"status": "hit"}
    assert deep(named) == deep(read_master(path, label="总表.xlsx"))


def test_a_hit_shares_one_read_only_empty_dict_and_copies_stay_free(master):
    """Records read from the cache with nothing unreadable and no extra column share one empty
    ``bad``/``extra`` (models.EMPTY: 128 bytes a record less); editing it in place raises instead
    of changing every record at once, and a copy of it is an ordinary dict to edit."""
    mc.cached_read(master)
    book, status = mc.read_cached(master)
    assert status == {"status": "hit"}
    plain = [r for r in book.calls if not r.bad]
    assert plain and all(r.bad is EMPTY and r.extra is EMPTY for r in plain)
    assert any(r.bad and r.bad is not EMPTY for r in book.calls + book.customers)
    rec = plain[0]
    assert rec.bad == {} and isinstance(rec.bad, dict) and json.dumps(rec.bad) == "{}"
    for change in (
        lambda d: d.__setitem__("phone", "x"),
        lambda d: d.update(phone="x"),
        lambda d: d.setdefault("phone", "x"),
        lambda d: d.pop("phone"),
        lambda d: d.clear(),
    ):
        with pytest.raises(TypeError):
            change(rec.bad)
    assert EMPTY == {} and len(EMPTY) == 0
    mine = dict(rec.bad)
    mine["phone"] = "x"
    other = rec.bad.copy()
    other["klass"] = "A"
    assert EMPTY == {} and mine == {"phone": "x"} and other == {"klass": "A"}


def test_a_hand_edited_master_is_read_from_the_workbook(master):
    mc.cached_read(master)
    wb = openpyxl.load_workbook(master)
    ws = wb["客户名录簿"]
    ws["B2"] = "手工改过的名称"
    wb.save(master)
    book, status = mc.read_cached(master)
    assert status["status"] in ("stale", "not-a-master")
    assert book.customers[0].name == "手工改过的名称"


def test_a_master_copied_over_is_stale(master, tmp_path, office_dir):
    mc.cached_read(master)
    other = write_master(office_dir, tmp_path / "other.xlsx")
    wb = openpyxl.load_workbook(other)
    wb["回访记录表"].delete_rows(2, 5)
    wb.save(other)
    api.merge([str(other)], str(tmp_path / "another.xlsx"))
    shutil.copyfile(tmp_path / "another.xlsx", master)  # same name, other content
    book, status = mc.read_cached(master)
    assert status["status"] == "stale"
    assert deep(book) == deep(read_master(master))


def test_a_replaced_history_file_is_stale(history_master):
    mc.cached_read(history_master)
    archive = next((history_master.parent / HISTORY_DIR).iterdir())
    wb = openpyxl.load_workbook(archive)
    ws = wb.worksheets[0]
    ws.cell(2, 7).value = "改过的回访内容" if ws.cell(1, 7).value else ws.cell(2, 7).value
    wb.save(archive)
    book, status = mc.read_cached(history_master)
    assert status["status"] == "stale"
    assert deep(book) == deep(read_master(history_master))


def _tamper_value(folder: Path) -> None:
    """Change one customer's name inside the cache's Parquet, leaving the manifest alone."""
    t = pq.read_table(folder / "customers.parquet")
    names = t.column("name").to_pylist()
    names[0] = "篡改"
    t = t.set_column(t.schema.get_field_index("name"), "name", [names])
    pq.write_table(t, folder / "customers.parquet")


@pytest.mark.parametrize("how", ["value", "truncated", "manifest", "extra file", "missing file"])
def test_a_tampered_cache_is_detected_and_ignored(master, how):
    plain = read_master(master)
    mc.cached_read(master)
    folder = mc.cache_dir(master)
    if how == "value":
        _tamper_value(folder)
    elif how == "truncated":
        data = (folder / "calls.parquet").read_bytes()
        (folder / "calls.parquet").write_bytes(data[: len(data) // 2])
    elif how == "manifest":
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    elif how == "extra file":
        (folder / "evil.parquet").write_bytes(b"PAR1")
    else:
        (folder / "events.parquet").unlink()
    book, status = mc.read_cached(master)
    assert status["status"] == "tampered"
    assert deep(book) == deep(plain)
    assert mc.read_cached(master)[1] == {"status": "hit"}  # rewritten from the workbook


def test_another_version_of_the_reader_does_not_use_the_cache(master, monkeypatch):
    mc.cached_read(master)
    monkeypatch.setattr(mc, "code_digest", lambda: "a different reader")
    assert mc.read_cached(master)[1]["status"] == "other-version"


def test_merge_uses_the_cache_of_last_weeks_master_and_gives_the_same_master(master, tmp_path):
    """Through the CLI: `due` reads the master (and caches it); Sunday's merge then hits the cache,
    and the master it writes holds the same records as one merged without any cache."""
    r = CliRunner().invoke(main, ["due", str(master), "--as-of", "2026-11-22", "--json"])
    assert r.exit_code == 0, r.output
    assert mc.cache_dir(master).is_dir()

    def merge(out: Path) -> dict:
        res = CliRunner().invoke(
            main, ["merge", str(master), "-o", str(out), "--as-of", "2026-11-22", "--json"]
        )
        assert res.exit_code == 0, res.output
        return json.loads(res.output)

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cached = merge(tmp_path / "a" / "第48周总表.xlsx")
    assert [i.get("cache") for i in cached["inputs"]] == ["hit"]
    shutil.rmtree(mc.cache_dir(master))
    fresh = merge(tmp_path / "b" / "第48周总表.xlsx")
    assert [i.get("cache") for i in fresh["inputs"]] == ["absent"]
    assert not mc.cache_dir(master).exists()  # merge does not cache last week's master
    assert deep(read_master(tmp_path / "a" / "第48周总表.xlsx", label="x")) == deep(
        read_master(tmp_path / "b" / "第48周总表.xlsx", label="x")
    )


def test_a_folder_where_the_cache_cannot_be_written_is_no_error(master):
    """(Root ignores read-only folders, so the cache folder's name is taken by a file instead.)"""
    (master.parent / mc.CACHE_DIR).write_text("not a folder", encoding="utf-8")
    r = CliRunner().invoke(main, ["due", str(master), "--as-of", "2026-11-22", "--json"])
    assert r.exit_code == 0, r.output
    assert mc.read_cached(master)[1] == {"status": "absent", "written": False}


def test_a_small_master_gets_no_cache(master, monkeypatch):
    monkeypatch.setattr(mc, "CACHE_OVER", 50_000)
    book, status = mc.read_cached(master)
    assert status == {"status": "absent"} and not mc.cache_dir(master).exists()
    assert deep(book) == deep(read_master(master))


def test_a_hit_hashes_no_unchanged_closed_year_and_lists_the_same_archive(
    history_master, tmp_path, monkeypatch
):
    """The cache keeps the digest of each archive file's rows (made from the rows when the cache was
    written): this week's merge names the unchanged closed years without hashing them again, and
    its 历史档案 sheet is the one a merge without the cache writes."""
    from followup_xl.io.master import writer as master_writer

    hashed: list[int] = []
    real = master_writer.rows_digest
    monkeypatch.setattr(
        master_writer,
        "rows_digest",
        lambda rows: (hashed.append(len(rows)), real(rows))[1],  # type: ignore[func-returns-value]
    )

    def merge(out: Path) -> tuple[list[tuple], str]:
        out.parent.mkdir()
        res = api.merge([str(history_master)], str(out), archive_over=20)
        assert res.exit_code == 0
        (cache,) = [i["cache"] for i in res.inputs]
        return list(openpyxl.load_workbook(out)["历史档案"].values), cache

    assert mc.read_cached(history_master)[1] == {"status": "absent", "written": True}
    hashed.clear()
    cached, status = merge(tmp_path / "a" / "第48周总表.xlsx")
    assert status == "hit" and hashed == []
    shutil.rmtree(mc.cache_dir(history_master))
    fresh, status = merge(tmp_path / "b" / "第48周总表.xlsx")
    assert status == "absent" and len(hashed) == len(fresh) - 1 > 0
    assert cached == fresh


def test_rows_whose_typed_columns_are_all_empty_come_back_whole():
    """A batch of records with no typed value at all (only unreadable text, or nothing but their
    row) and columns empty on every row (left as the blank record has them): each record comes
    back equal, in order, with its unreadable text and provenance."""
    from followup_xl.models import Call, Record, Source
    from followup_xl.normalize import Unreadable

    calls: list[Record] = [
        Call.build(
            Source.fast("a.xlsx", "回访记录表", 2),
            {"call_date": Unreadable("明天", "date")},
            {},
            {},
        ),
        Call.build(Source.fast("a.xlsx", "回访记录表", 3), {}, {"备注列": "x"}, {}),
        Call.build(None, {}, {}, {}),
    ]
    table = mc._to_table("calls", calls)
    back = mc._from_table("calls", table.to_batches(max_chunksize=2))
    assert [r.__dict__ for r in back] == [r.__dict__ for r in calls]
    assert (
        type(back[0].bad["call_date"]) is Unreadable and back[0].bad["call_date"].expected == "date"
    )
    with_values: list[Record] = [
        *calls,
        Call.build(None, {}, {}, {"record_id": "R1", "customer_id": "K1"}),
    ]
    back = mc._from_table("calls", mc._to_table("calls", with_values).to_batches(max_chunksize=2))
    assert [r.__dict__ for r in back] == [r.__dict__ for r in with_values]
