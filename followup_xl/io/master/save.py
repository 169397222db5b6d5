"""Writing the next generation of a master: what a merge or a hand-over made, after
everything its base carries forward (修改记录, 版本记录, 已删除, 交接记录), stamped and signed."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ...merge import Change
from ...models import Book, Record
from .lineage import Entry, deleted_row, lineage_row, next_generation
from .state import MasterState
from .writer import Carried, Layout, write_master


@dataclass
class Outcome:
    """What a merge or a hand-over made: the next generation's records and its own rows."""

    book: Book
    day: dt.date  # the generation's date: its stamp, 版本记录, 已删除
    conflicts: list[dict] = field(default_factory=list)  # 冲突 rows (merge.Conflict.row)
    sources: list[dict] = field(default_factory=list)  # 来源 rows (batch.Input.to_dict)
    changes: list[tuple[dt.date, Change]] = field(default_factory=list)  # 修改记录 rows added
    pending: list[tuple[dt.date, Change]] = field(default_factory=list)  # 待批准 as it now stands
    deleted: list[tuple[Change, Record]] = field(default_factory=list)  # rows deleted now
    books: list[Entry] = field(default_factory=list)  # the books merged (版本记录)
    handovers: list[dict] | None = None  # this hand-over's 交接记录 lines (None: a merge)


def write(
    path: str | os.PathLike,
    outcome: Outcome,
    state: MasterState | None,
    *,
    lang: str = "zh",
    inputs: Iterable = (),
    layout: Layout | None = None,
    on_sheet: Callable[[str, int], None] | None = None,
) -> dict:
    """Write the master that follows ``state`` (None: the office's first) at ``path``.

    Its sheets are ``state``'s followed by ``outcome``'s rows; it is stamped as the next
    generation and signed with the office key of its folder. ``inputs``: files it must not
    replace; ``on_sheet(name, rows)`` is told of each sheet written. Returns the generation
    written: {"generation", "id", "date"}.
    """
    base = state or MasterState("", Book(path=""))
    stamp, key, own = next_generation(
        os.fspath(path), base.path or None, base.stamp, outcome.day, lang
    )
    rows = [*base.lineage.rows, own]
    rows += [lineage_row(stamp.generation, outcome.day, e, lang) for e in outcome.books]
    handovers = base.handovers + (outcome.handovers or [])
    carried = Carried(
        conflicts=outcome.conflicts,
        sources=outcome.sources,
        log=base.log + outcome.changes,
        pending=outcome.pending,
        lineage=rows,
        deleted=base.lineage.deleted
        + [deleted_row(outcome.day, ch, rec, lang) for ch, rec in outcome.deleted],
        handovers=handovers if handovers or outcome.handovers is not None else None,
        known_codes=base.known_codes,
        known_digests=base.known_digests,
        archives={os.path.realpath(base.path): base.archives} if base.path else {},
    )
    write_master(
        path,
        outcome.book,
        carried,
        lang=lang,
        layout=layout,
        inputs=inputs,
        on_sheet=on_sheet,
        seal=(stamp, key),
    )
    return {"generation": stamp.generation, "id": stamp.ident, "date": stamp.day}
