"""Reading a master once: its book and every sheet the next generation carries forward.

One ``Package`` serves the whole read: one file handle (the format sniff, the SHA-256 the
cache compares, the zip, the stamp) and one python-calamine workbook (the data sheets on a
cache miss, 历史档案, 修改记录, 待批准, 交接记录, 版本记录, 已删除, 冲突 and 来源).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from ... import fingerprint
from ...errors import BadApproval
from ...lineage import Stamp
from ...merge import Change
from ...models import Book
from ..formats import open_calamine, sniff
from ..package import Package
from .book import known_digests
from .cache import read_cached
from .changelog import read_change_sheets
from .handovers import read_log
from .history import listed_names
from .lineage import MasterLineage, master_stamp, read_master_lineage
from .notes import read_notes


@dataclass
class MasterState:
    """A master as read: what merge and handover start from and what ``write`` carries forward."""

    path: str
    book: Book
    stamp: Stamp | None = None  # its own, verified with its folder's key (None: not ours)
    cache: dict = field(default_factory=dict)  # io/master/cache.read_cached: hit, or why not
    log: list[tuple[dt.date, Change]] = field(default_factory=list)  # 修改记录
    pending: list[tuple[dt.date, Change, bool | None]] = field(default_factory=list)  # 待批准
    refused: BadApproval | None = None  # a 批准 answer neither 是 nor 否 (said when used)
    handovers: list[dict] = field(default_factory=list)  # 交接记录
    lineage: MasterLineage = field(default_factory=MasterLineage)  # 版本记录, 已删除
    conflicts: list[dict] = field(default_factory=list)  # 冲突
    sources: list[dict] = field(default_factory=list)  # 来源
    known_codes: dict = field(default_factory=dict)  # 校验码 as checked (fingerprint.known_codes)
    known_digests: list = field(default_factory=list)  # closed years' digests (book.known_digests)
    archives: list[str] = field(default_factory=list)  # the archive files its 历史档案 lists

    def decisions(self) -> list[tuple[dt.date, Change, bool | None]]:
        """待批准 with the manager's answers; an answer that is neither is refused here (exit 3),
        when the answers are used, not when the master is only read (a hand-over plan)."""
        if self.refused is not None:
            raise self.refused
        return self.pending


def read(
    path: str | os.PathLike,
    *,
    label: str | None = None,
    trusted: bool = False,
    write_cache: bool = True,
    package: Package | None = None,
    book: Book | None = None,
) -> MasterState:
    """Read the master at ``path`` once: its book (through the Parquet cache, written on a miss
    unless ``write_cache`` is False) and every sheet of its own.

    ``label`` names it in its records' provenance (default: the path); ``trusted``: the manager
    named an unstamped file as the master (its history is followed). ``package``: the file's
    open ``Package`` when the caller has looked inside it already; ``book``: its book when the
    caller read it otherwise (an .xls, in a child process).
    """
    path = os.fspath(path)
    if package is None:
        with Package(path) as own:
            return read(
                path, label=label, trusted=trusted, write_cache=write_cache, package=own, book=book
            )
    cache: dict = {}
    if book is None:
        book, cache = read_cached(path, label, write=write_cache, package=package, trusted=trusted)
    state = MasterState(
        path,
        book,
        stamp=master_stamp(package),
        cache=cache,
        known_codes=fingerprint.known_codes(book),
        known_digests=known_digests(book),
    )
    if sniff(path, package) != "csv":  # a customer list exported as CSV has no sheets of ours
        _read_sheets(state, open_calamine(path, package=package))
    return state


def _read_sheets(state: MasterState, wb) -> None:
    try:
        state.log, state.pending = read_change_sheets(wb, state.path)
    except BadApproval as exc:
        state.refused = exc
    state.handovers = read_log(wb)
    state.lineage = read_master_lineage(wb)
    state.conflicts, state.sources = read_notes(wb)
    state.archives = listed_names(wb)


def combined(states: list[MasterState]) -> MasterState | None:
    """The masters one merge starts from, as one: the first's book, stamp and lineage; the
    change log, decisions, hand-overs and known codes of them all (each entry once)."""
    if not states:
        return None
    first, *rest = states
    if not rest:
        return first
    out = MasterState(
        first.path,
        first.book,
        stamp=first.stamp,
        cache=first.cache,
        lineage=first.lineage,
        conflicts=first.conflicts,
        sources=first.sources,
        archives=first.archives,
    )
    for s in states:
        out.refused = out.refused or s.refused
        out.log += [e for e in s.log if e not in out.log]
        out.pending += [d for d in s.pending if d not in out.pending]
        out.handovers += [h for h in s.handovers if h not in out.handovers]
        out.known_codes.update(s.known_codes)
        out.known_digests += s.known_digests
    return out
