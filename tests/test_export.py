"""`export`: the example office's master as Parquet round-trips, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import helpers
import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from followup_xl import api, schema
from followup_xl.cli import main
from followup_xl.io.read.workbook import read_book
from followup_xl.io.warehouse.parquet import read_dataset
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.normalize import mask_phone
from followup_xl.policy import compute_obligations
from followup_xl.settings import policy_for_book

AS_OF = dt.date(2026, 11, 22)


def _export(master: Path, out: Path, *extra: str) -> dict:
    r = CliRunner().invoke(
        main,
        [
            "export",
            str(master),
            "-o",
            str(out),
            "--office",
            "示例单位",
            "--as-of",
            AS_OF.isoformat(),
            "--json",
            *extra,
        ],
    )
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def _rows(table) -> list[dict]:
    return table.to_pylist()


def _expected(rec, keys) -> dict:
    s = rec.src
    return {
        **{k: getattr(rec, k) for k in keys},
        "unreadable": sorted(rec.bad.items()) or None,
        "source_file": s.file if s else None,
        "source_sheet": s.sheet if s else None,
        "source_row": s.row if s else None,
    }


def _actual(row: dict, keys) -> dict:
    return {
        **{k: row[k] for k in keys},
        "unreadable": sorted(row["unreadable"]) if row["unreadable"] else None,
        "source_file": row["source_file"],
        "source_sheet": row["source_sheet"],
        "source_row": row["source_row"],
    }


def _by_source(rows):
    return sorted(
        rows,
        key=lambda r: (
            r["source_file"] or "",
            r["source_sheet"] or "",
            r["source_row"] or 0,
            repr(r),
        ),
    )


def test_round_trip_equals_the_master(master, tmp_path):
    out = tmp_path / "pq"
    r = _export(master, out, "--with-phones")
    book = read_book(master)
    for key in ("customers", "calls", "events", "staff"):
        keys = schema.BY_KEY[key].keys
        table = read_dataset(out, key)
        assert table.num_rows == len(book.records(key)) == r["offices"][0]["tables"][key]["rows"]
        assert set(table.column("office").to_pylist()) == {"示例单位"}
        got = _by_source(_actual(row, keys) for row in _rows(table))
        want = _by_source(_expected(rec, keys) for rec in book.records(key))
        assert got == want, key
    calls = read_dataset(out, "calls")
    assert calls.schema.field("call_date").type.__str__() == "date32[day]"
    assert calls.schema.field("satisfaction").type.__str__() == "int64"
    # a year partition holds only that year's calls; undated rows are in the NULL partition
    for row in _rows(calls):
        assert row["year"] == (row["call_date"].year if row["call_date"] else None)
    assert any(row["unreadable"] for row in _rows(calls)), (
        "the example office plants unreadable values"
    )

    obl = read_dataset(out, "obligations")
    snaps = {
        d: [o for o in _rows(obl) if o["as_of"] == d] for d in {o["as_of"] for o in _rows(obl)}
    }
    assert set(snaps) == {AS_OF, dt.date(2026, 10, 31)}
    policy = policy_for_book(book)
    for day, rows in snaps.items():
        engine = compute_obligations(book, policy, day).obligations
        assert len(rows) == len(engine)

        def by_key(o):
            return (o["customer_id"] or "", o["rule"], o["due_date"], o["source"])

        want = sorted(
            (
                {
                    "customer_id": o.customer_id,
                    "rule": o.rule,
                    "due_date": o.due_date,
                    "source": o.source,
                    "satisfied_on": o.satisfied_on,
                    "flags": list(o.flags),
                    "call_types": list(o.call_types),
                }
                for o in engine
            ),
            key=by_key,
        )
        have = sorted(({k: o[k] for k in want[0]} for o in rows), key=by_key)
        assert have == want


def test_phones_masked_unless_asked(master, tmp_path):
    book = read_book(master)
    _export(master, tmp_path / "pq")
    phones = read_dataset(tmp_path / "pq", "customers").column("phone").to_pylist()
    real = [c.phone for c in book.customers if c.phone]
    assert not set(real) & set(phones)
    assert sorted(p for p in phones if p) == sorted(mask_phone(p) for p in real)  # type: ignore[type-var]
    staff_phones = [
        p for p in read_dataset(tmp_path / "pq", "staff").column("phone").to_pylist() if p
    ]
    assert staff_phones and all("****" in p for p in staff_phones)


def test_re_export_is_byte_identical_and_a_new_week_replaces_only_changed_partitions(
    master, tmp_path, office_dir
):
    out = tmp_path / "pq"
    _export(master, out)
    files = {p: p.read_bytes() for p in out.rglob("*.parquet")}
    mtimes = {p: p.stat().st_mtime_ns for p in files}
    again = _export(master, out)
    assert {p: p.read_bytes() for p in out.rglob("*.parquet")} == files
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes
    assert all(t.get("written", 0) == 0 for t in again["offices"][0]["tables"].values())

    # next week: one book with one new call in 2026 — only the 2026 calls partition (and snapshots) change
    old = read_book(master)
    c = old.customers[0]
    week2 = tmp_path / "inbox"
    week2.mkdir()
    write_staff_workbook(
        week2 / "本周.xlsx",
        book=helpers.book(
            [c],
            [
                helpers.call(
                    c.customer_id,
                    "2026-11-20",
                    record_id="R-NEW-1",
                    caller=c.owner,
                    content="新的一周",
                )
            ],
        ),
    )
    master2 = tmp_path / "第48周总表.xlsx"
    api.merge([str(master), str(week2)], str(master2), as_of=AS_OF)
    r = _export(master2, out)
    t = r["offices"][0]["tables"]
    assert t["calls"]["written"] == 1 and t["calls"]["unchanged"] >= 1
    assert (
        t["customers"]["written"] == 0
        and t["events"]["written"] == 0
        and t["staff"]["written"] == 0
    )
    changed = {p for p in files if p.read_bytes() != files[p]}
    calls_2026 = out / "calls" / "office=示例单位" / "year=2026" / "part-0.parquet"
    assert {
        p
        for p in changed
        if p.parts[-4] not in ("obligations", "offices") and p.parts[-3] not in ("offices",)
    } == {calls_2026}
    old_rows = pq.read_table(pa.BufferReader(files[calls_2026])).num_rows
    assert pq.read_table(calls_2026).num_rows == old_rows + 1


def test_office_name_that_cannot_be_a_folder_is_refused(master, tmp_path):
    r = CliRunner().invoke(
        main, ["export", str(master), "-o", str(tmp_path / "pq"), "--office", "a/b"]
    )
    assert r.exit_code == 3 and "Traceback" not in r.output


def test_reasons_are_in_the_language_asked(master, tmp_path):
    """One reason column, put into words once, in --lang (zh by default): no second language."""
    from followup_xl.messages import localize

    book = read_book(master)
    policy = policy_for_book(book)
    engine = {
        (o.customer_id or "", o.rule, o.due_date, o.source): o
        for o in compute_obligations(book, policy, AS_OF).obligations
    }
    for lang in ("zh", "en"):
        out = tmp_path / lang
        _export(master, out, "--with-phones", "--lang", lang)
        obl = read_dataset(out, "obligations")
        assert "reason_en" not in obl.schema.names
        rows = [o for o in _rows(obl) if o["as_of"] == AS_OF]
        assert len(rows) == len(engine)
        for o in rows:
            want = engine[(o["customer_id"] or "", o["rule"], o["due_date"], o["source"])]
            assert o["reason"] == localize(want.reason, lang)
        # English reasons are English: no Chinese character in the P1 ones ("due every … days")
        p1 = [o["reason"] for o in rows if o["rule"] == "P1"]
        assert p1 and all(not any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in p1) == (
            lang == "en"
        )


def test_obligations_masked_column_by_column_as_mask_deep_masks_them(master):
    """The export masks the snapshot's columns (and each reason's parameters) instead of copying
    every obligation through privacy.mask_deep: the table is the same, phones planted in a name,
    a source, a call type and a reason's parameter included."""
    from dataclasses import replace

    from followup_xl.io.warehouse.export import obligations_table, text_memo
    from followup_xl.messages import message
    from followup_xl.privacy import mask_deep

    book = read_book(master)
    obligations = compute_obligations(book, policy_for_book(book), AS_OF).obligations
    planted = [
        replace(obligations[0], customer_name="王先生 13800138000"),
        replace(obligations[1], source="电话13912345678", call_types=("例行", "找 13712345678")),
        replace(
            obligations[2],
            reason=message("reason.no_answer", call_date="拨 13612345678 未接"),
            satisfied_by="R 010-62345678",
        ),
    ]
    obligations = planted + obligations[3:]
    for lang in ("zh", "en"):
        fast = obligations_table(obligations, lang, text_memo())
        slow = obligations_table(mask_deep(obligations), lang)
        assert fast.equals(slow)
        rows = fast.slice(0, 3).to_pylist()
        assert "13800138000" not in rows[0]["customer_name"]
        assert "13912345678" not in rows[1]["source"] and "13712345678" not in str(rows[1])
        assert "13612345678" not in rows[2]["reason"] and "62345678" not in rows[2]["satisfied_by"]
