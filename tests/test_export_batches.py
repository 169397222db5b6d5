"""Export built a batch at a time writes what one batch wrote (issue 31: export's memory).

The record tables and the obligation snapshots are turned into Arrow 65,536 rows at a time, each
year's part when it is written, each day's snapshot before the next day is computed; the bytes
of every file must stay those of the whole table built at once (re-exporting touches nothing).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from followup_xl import api, schema
from followup_xl.io.read.workbook import read_book
from followup_xl.io.warehouse import export as ex
from followup_xl.io.warehouse import parquet
from followup_xl.policy import compute_obligations
from followup_xl.privacy import mask_text
from followup_xl.settings import policy_for_book

AS_OF = dt.date(2026, 11, 22)


def test_tables_built_in_small_batches_are_the_bytes_of_one_batch(master, monkeypatch):
    book = read_book(master)
    obligations = compute_obligations(book, policy_for_book(book), AS_OF).obligations
    calls = sorted(book.calls, key=ex._sort_key)
    sheet = schema.BY_KEY["calls"]
    assert len(obligations) > 3 * 1024 and len(calls) > 2 * 1024  # several batches below

    def built() -> tuple[list[int], bytes, bytes]:
        memo = ex.text_memo()
        snapshot = ex.obligations_table(obligations, "zh", memo)
        records = parquet.records_table(sheet, calls, ex.text_masker(sheet, memo))
        chunks = [snapshot.column(0).num_chunks, records.column(0).num_chunks]
        return chunks, parquet.parquet_bytes(snapshot), parquet.parquet_bytes(records)

    whole = built()
    monkeypatch.setattr(ex, "_BATCH", 1024)  # the Parquet writer's own batch: its multiples
    monkeypatch.setattr(parquet, "_BATCH", 1024)
    batched = built()
    assert whole[0] == [1, 1] and min(batched[0]) > 1
    assert batched[1:] == whole[1:]


def test_a_column_is_masked_as_mask_text_masks_each_value():
    memo = ex.text_memo()
    values = [
        None,
        "R01000123",
        "请回电 138 0013 8000",
        7,
        "请回电 138 0013 8000",
        "客户（0755）23456789",
        "",
        "R01000123",
    ]
    assert memo.column(values) == [mask_text(v) if isinstance(v, str) else v for v in values]
    assert memo("请回电 138 0013 8000") == mask_text("请回电 138 0013 8000")
    plain = ["R01000123", None, "客户00123", "R01000123"]
    assert memo.column(plain) is plain  # nothing to mask: the column as given, not a copy
    assert memo.column([["a list"], "x"]) == [["a list"], "x"]  # a value that is no key


def test_an_export_that_keeps_nothing_writes_what_an_office_that_keeps_writes(master, tmp_path):
    """api.export opens the office for the export alone (each day's obligations written, then let
    go); Office.export keeps them for later calls. The files are the same bytes."""
    api.export([str(master)], str(tmp_path / "alone"), as_of=AS_OF, months=("2026-10",))
    office = api.Office.open(master)
    office.export(str(tmp_path / "kept"), as_of=AS_OF, months=("2026-10",))
    assert len(office._computed) == 2  # 2026-10-31 and 2026-11-22, kept for the next call

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}

    alone, kept = files(tmp_path / "alone"), files(tmp_path / "kept")
    assert len(alone) >= 6 and alone == kept
