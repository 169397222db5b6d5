"""Lineage on disk: a book's stamp and base rows, the master's 版本记录 and 已删除 sheets.

版本记录 (cumulative, merge after merge) lists each generation of the master and every
book merged into it: file, SHA-256, owner, the generation the book was split from and
whether its stamp verified. From it the next merge knows a book handed in again
(its SHA-256 is there) and a person's newest book already merged (a stale copy is
held). 已删除 keeps the rows the manager agreed to delete, with who and from where.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import NamedTuple

from ... import schema
from ...lineage import Base, BookLineage, Stamp, base_from_text, text_digest, verify
from ...lineage import claimed as claimed_stamp
from ...messages import by_lang, localize, table
from ...models import Record
from ..filekind import read_stamp
from ..xlsx import Formats, write_plain_sheet

LINEAGE_SHEET = by_lang("lineage_book.sheet")
LINEAGE_HEADERS = by_lang("lineage_book.headers")
ROW_KIND = table("lineage_book.row_kind")  # master | book | replayed → zh/en label
STAMP_STATE = table("lineage_book.stamp_state")  # valid | none | invalid | unchecked
DELETED_SHEET = by_lang("lineage_book.deleted_sheet")
DELETED_HEADERS = by_lang("lineage_book.deleted_headers")


@dataclass
class MasterLineage:
    """What a master's 版本记录 and 已删除 say, read back."""

    rows: list[list] = field(default_factory=list)  # 版本记录 as read (carried forward)
    deleted: list[list] = field(default_factory=list)  # 已删除 as read (carried forward)
    merged: dict[str, tuple[int, str]] = field(default_factory=dict)  # sha256 → (generation, day)
    latest_base: dict[str, int] = field(default_factory=dict)  # owner → newest base generation


def _back(labels: dict, value) -> str | None:
    """A label read back (either language) → its key."""
    for lang_labels in labels.values():
        for k, label in lang_labels.items():
            if value == label:
                return k
    return None


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _sheet_rows(wb, names) -> list[list]:
    name = next((n for n in wb.sheet_names if n in names), None)
    if name is None:
        return []
    return [
        [_cell(v) for v in r]
        for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)[1:]
        if any(v not in ("", None) for v in r)
    ]


def read_master_lineage(wb) -> MasterLineage:
    """The 版本记录 and 已删除 sheets of a master (its open calamine workbook; empty for a
    master written before them)."""
    out = MasterLineage()
    out.rows = _sheet_rows(wb, LINEAGE_SHEET.values())
    out.deleted = _sheet_rows(wb, DELETED_SHEET.values())
    for r in out.rows:
        r += [""] * (9 - len(r))
        kind, state = _back(ROW_KIND, r[2]), _back(STAMP_STATE, r[7])
        generation = int(r[0]) if r[0].isdigit() else 0
        if kind == "book" and r[4]:
            out.merged.setdefault(r[4], (generation, r[1]))
        if kind == "book" and state == "valid" and r[5] and r[6].isdigit():
            owner = r[5]
            out.latest_base[owner] = max(out.latest_base.get(owner, 0), int(r[6]))
        for n in (0, 6):  # written again as numbers
            r[n] = int(r[n]) if r[n].isdigit() else r[n]
    return out


class Entry(NamedTuple):
    """One row of 版本记录: a generation of the master, or a book merged into it."""

    kind: str  # master | book | replayed
    file: str
    sha256: str = ""
    owner: str = ""
    based_on: int | None = None  # the generation the book was split from (a master: its base's)
    state: str = ""  # the book's stamp: valid | none | invalid | unchecked (no key to check it)
    ident: str = ""


def lineage_row(generation: int, day: dt.date, entry: Entry, lang: str) -> list:
    return [
        generation,
        day.isoformat(),
        ROW_KIND[lang][entry.kind],
        entry.file,
        entry.sha256,
        entry.owner,
        "" if entry.based_on is None else entry.based_on,
        STAMP_STATE[lang][entry.state] if entry.state else "",
        entry.ident,
    ]


def write_lineage_sheets(wb, fmts: Formats, rows: list[list], deleted: list[list], lang: str):
    write_plain_sheet(
        wb, fmts, LINEAGE_SHEET[lang], LINEAGE_HEADERS[lang], rows, [6, 11, 8, 40, 20, 10, 8, 8, 10]
    )
    if deleted:
        write_plain_sheet(
            wb, fmts, DELETED_SHEET[lang], DELETED_HEADERS[lang], deleted, [11, 8, 13, 8, 36, 80]
        )


def deleted_row(day: dt.date, change, record: Record, lang: str) -> list:
    """One 已删除 row: a row the manager agreed to delete (merge.Change), with who and from where."""
    from .changelog import KINDS

    return [
        day,
        localize(KINDS[change.kind], lang),
        change.id,
        change.who,
        localize(change.source, lang),
        row_text(record, lang),
    ]


def row_text(record: Record, lang: str) -> str:
    """A deleted row, whole, as one cell: header=value; …, so nothing the person typed is lost."""
    sheet = record.SHEET
    parts = []
    for c in sheet.columns:
        v = record.raw(c.key)
        if v not in (None, ""):
            parts.append(f"{c.en if lang == 'en' else c.zh}={_cell(v)}")
    parts += [f"{h}={_cell(v)}" for h, v in record.extra.items() if v not in (None, "")]
    return "; ".join(parts)


# --- a staff book's stamp and base ------------------------------------------------------------


def _registered(stem: str, names: set[str]) -> str:
    """The registered person a file is named after (张伟_客户回访.xlsx → 张伟), longest match."""
    best = ""
    for name in names:
        if name and (stem == name or stem.startswith((name + "_", name + "-", name + " "))):
            best = max(best, name, key=len)
    return best


@dataclass
class BookStamp:
    """One input's stamp as found: the verified Stamp, or why not."""

    lineage: BookLineage
    claimed: Stamp | None = (
        None  # what an unverifiable stamp claims (for the forgotten-base warning)
    )
    base_broken: bool = False  # stamped, but its base sheet was edited: compared as unstamped
    owner_clash: tuple[str, ...] = ()  # stamp / file name / rows' owner when they disagree


def book_lineage(
    path: str,
    text: str | None,
    key: bytes | None,
    registered: set[str],
    book,
    kind_says_master: bool,
) -> BookStamp:
    """What may be believed about one staff book: its owner (a verified stamp, else the file name's
    registered person, else nobody) and, for a verified stamp, the rows as split sent them.
    ``text``: its stamp as written (filekind.read_stamp), unverified."""
    from ...merge import book_owner

    majority = book_owner(book)
    stamp = verify(text, key)
    if stamp is not None and stamp.kind != "staff":
        stamp = None
    # (an unsigned owner property — books split by older versions, the example office — is merely
    # unstamped: it grants nothing, but it is no forgery)
    # without the office's key (no master given, none in the output's folder) a stamp can be
    # neither believed nor called forged: a genuine book must never be named a forgery
    forged = (text is not None and stamp is None and key is not None) or kind_says_master
    unverifiable = text is not None and key is None and not kind_says_master
    stem = os.path.splitext(os.path.basename(path))[0]
    by_name = _registered(stem, registered)
    lin = BookLineage(forged=forged, unverifiable=unverifiable)
    out = BookStamp(lin, claimed=claimed_stamp(text) if stamp is None else None)
    if stamp is not None:
        lin.stamp, lin.owner = stamp, stamp.owner
        lin.loader = lambda: _load_base(book, stamp, out)
    elif by_name:
        lin.owner = by_name
    said = [n for n in (lin.owner if lin.stamp else "", by_name, majority or "") if n]
    if len(set(said)) > 1:
        out.owner_clash = tuple(dict.fromkeys(said))
    return out


def _load_base(book, stamp: Stamp, out: BookStamp) -> Base | None:
    """The rows as split sent them (read with the book: ``Book.sent``), when the stamp's digest of
    them still holds (else None, and ``out.base_broken``: the book is then compared as one split
    did not send). The text is let go once read: the merge holds one book's rows at a time."""
    text, book.sent = book.sent, None
    if text is None or text_digest(text) != stamp.base_digest:
        out.base_broken = True
        return None
    return base_from_text(text, {k: schema.BY_KEY[k].keys for k in schema.BY_KEY})


def next_generation(
    out: str, base_path: str | None, base_stamp: Stamp | None, day: dt.date, lang: str
) -> tuple[Stamp, bytes, list]:
    """The stamp of a master about to be written at ``out`` (generation = the base's + 1), the
    key to sign it with (``out``'s folder's, made from the base's when that folder has none: the
    writer signs it once the digest of the master's check sheet is in it) and its own 版本记录 row."""
    from ...lineage import new_ident
    from .officekey import ensure_key, key_for, master_folder

    generation = (base_stamp.generation if base_stamp else 0) + 1
    key = ensure_key(master_folder(out), like=key_for(base_path) if base_path else None)
    ident = new_ident(key, generation, day, os.path.abspath(out))
    previous = base_stamp.ident if base_stamp else ""
    stamp = Stamp("master", generation, ident, day.isoformat(), previous=previous)
    based_on = base_stamp.generation if base_stamp else None
    own = Entry("master", os.path.basename(out), based_on=based_on, ident=ident)
    return stamp, key, lineage_row(generation, day, own, lang)


def master_stamp(source) -> Stamp | None:
    """A master's own stamp (a path or its open ``Package``), verified with the key of its folder
    (None: unstamped or not ours)."""
    from ..package import package_path
    from .officekey import key_for

    stamp = verify(read_stamp(source), key_for(package_path(source)))
    return stamp if stamp is not None and stamp.kind == "master" else None


def read_master_check(path: str, package=None):
    """(what the master was written with (mastercheck.Expected), None) when its stamp verifies with
    the key of its folder and its check sheet is the one the stamp signed; else (None, why not:
    a Message for the one warning line verify prints). ``package``: the master's open ``Package``
    (its file and calamine workbook are shared)."""
    from ...mastercheck import CHECK_SHEET, digest, parse
    from ...messages import message
    from ..package import Package
    from .officekey import key_for, key_path, master_folder

    if package is None:
        with Package(path) as own:
            return read_master_check(path, own)
    signed = read_stamp(package)
    if not signed:
        return None, message("verify.whole_no_stamp")
    key = key_for(path)
    where = os.fspath(key_path(master_folder(path)))
    if key is None:
        return None, message("verify.whole_no_key", key=where)
    stamp = verify(signed, key)
    if stamp is None or stamp.kind != "master":
        return None, message("verify.whole_not_verified", key=where)
    if not stamp.base_digest:
        return None, message("verify.whole_no_check")
    rows = _check_rows(path, package)
    got = parse(rows) if rows is not None and digest(rows) == stamp.base_digest else None
    if got is None:
        return None, message("verify.whole_check_edited", sheet=CHECK_SHEET)
    return got, None


def _check_rows(path: str, package) -> list[list[str]] | None:
    from ...mastercheck import CHECK_SHEET
    from ..formats import open_calamine

    try:
        wb = open_calamine(path, package=package)
        if CHECK_SHEET not in wb.sheet_names:
            return None
        data = wb.get_sheet_by_name(CHECK_SHEET).to_python(skip_empty_area=False)
    except Exception:  # an unreadable check sheet is no check sheet: verify says so
        return None
    return [["" if v is None else v if isinstance(v, str) else str(v) for v in r] for r in data]
