r"""The master's history store: closed years of calls in workbooks beside the master.

A large office's calls outgrow what is worth rewriting every week. When a master
holds more than ``ARCHIVE_OVER`` calls, every year before the newest goes to
``回访历史档案/回访记录表<year>_<fingerprint>.xlsx`` in the master's folder and
the master lists those files in its 历史档案 sheet. The file name carries a
fingerprint of the year's rows, so this week's master (merged from last week's
master and the staff books, beside it) finds an unchanged year already there and
does not write it again. A changed year gets a new file; files no master in the
folder lists any more are removed only after the new master is in place, so a
crash leaves every master with the files it lists. Keep the folder with the
masters when moving them.

``io/master/book.read_master`` reads the listed files with the master, so every
command sees the whole history without knowing where it is kept; the single-file
reader (``io/read/workbook.read_book``) knows nothing of it.

The sheet is a path list someone else wrote, so it is trusted only as far as it
must be: only in a workbook the tool stamped "master" (a staff book's 历史档案
sheet is ignored), and only plain file names inside the master's own folder —
an absolute path, ``..``, a drive letter or ``\\server\share`` would make the
manager's PC read (on Windows: connect to) whatever the sheet names. A file
that lists itself is refused with a sentence instead of recursing.
"""

from __future__ import annotations

import hashlib
import operator
import os
import re
from collections.abc import Sequence
from pathlib import Path

import python_calamine as pc

from ...errors import BadHistory
from ...messages import by_lang, message
from ...models import Record

HISTORY_SHEET = by_lang("history_book.history_sheet")
HISTORY_HEADERS = by_lang("history_book.history_headers")
ARCHIVE_OVER = 100_000  # calls in a master before closed years move beside it
HISTORY_DIR = "回访历史档案"


def rows_digest(records: Sequence[Record]) -> str:
    """A stable digest of rows as written (values, unreadable text, provenance): names an archive file."""
    if not records:
        return hashlib.sha256(b"").hexdigest()
    values = operator.itemgetter(*records[0].SHEET.keys)
    h = hashlib.sha256()
    parts: list[str] = []
    for rec in records:
        d = rec.__dict__
        s = d["src"]
        parts.append(repr(values(d)))  # repr: None, "None" and dates stay distinct
        if d["bad"]:
            parts.append(repr(sorted(d["bad"].items())))
        parts.append(f"\x1f{s.file}\x1f{s.sheet}\x1f{s.row}" if s else "\x1f")
        if d["extra"]:
            parts.append(repr(sorted(d["extra"].items())))
        if len(parts) >= 4096:  # hashed in pieces, not as one text of every row (same digest)
            h.update(("\n".join(parts)).encode())
            parts.clear()
            parts.append("")  # the newline between this piece and the next
    h.update("\n".join(parts).encode())
    return h.hexdigest()


def history_dir(master: str | os.PathLike) -> Path:
    """Shared by the masters of one folder: last week's and this week's list the same unchanged years."""
    return Path(master).parent / HISTORY_DIR


def is_history_dir(path: Path) -> bool:
    return path.name == HISTORY_DIR


def _listed(wb, sheet: str) -> list[str]:
    return [name for _row, name in _listed_rows(wb, sheet)]


def _listed_rows(wb, sheet: str) -> list[tuple[int, str]]:
    """(Excel row number, file name) of every listed file."""
    rows = wb.get_sheet_by_name(sheet).to_python()
    return [
        (i, str(r[1]))
        for i, r in enumerate(rows[1:], start=2)
        if len(r) > 1 and r[1] not in ("", None)
    ]


_DRIVE = re.compile(r"^[A-Za-z]:")


def is_plain_name(name: str) -> bool:
    """A bare file name: no folder part on any system, no drive, no share, no control characters."""
    return (
        bool(name)
        and name.strip() == name
        and name not in (".", "..")
        and not any(ch in name for ch in "/\\:")
        and not _DRIVE.match(name)
        and not any(ord(ch) < 32 for ch in name)
    )


def listed_files(master: str | os.PathLike, sheet: str, package=None) -> list[Path]:
    """The archive files named in a master's 历史档案 sheet (each a plain name in its folder).

    ``package``: the master's open ``Package`` (its calamine workbook is shared)."""
    from ..formats import open_calamine

    if package is not None:
        rows = _listed_rows(open_calamine(os.fspath(master), package=package), sheet)
    else:
        with pc.CalamineWorkbook.from_path(os.fspath(master)) as wb:
            rows = _listed_rows(wb, sheet)
    for row, name in rows:
        if not is_plain_name(name):
            raise BadHistory(
                "history.path_not_name",
                folder=HISTORY_DIR,
                name=name,
                path=os.fspath(master),
                sheet=sheet,
                cell=f"B{row}",
            )
    return [history_dir(master) / name for _row, name in rows]


def referenced_files(folder: Path, known: dict[str, list[str]] | None = None) -> set[str] | None:
    """Archive files listed by any master in ``folder``; None when a workbook there cannot be read.

    ``known``: what masters already read list (real path → names): not opened again."""
    names: set[str] = set()
    known = known or {}
    for f in folder.iterdir():
        if f.suffix.lower() not in (".xlsx", ".xlsm") or f.name.startswith(("~$", ".")):
            continue
        listed = known.get(os.path.realpath(f))
        if listed is not None:
            names.update(listed)
            continue
        try:
            with pc.CalamineWorkbook.from_path(os.fspath(f)) as wb:
                sheet = history_sheet(wb.sheet_names)
                if sheet:
                    names.update(_listed(wb, sheet))
        except Exception:  # e.g. a master being copied in: it may list files, so keep them all
            return None
    return names


def history_sheet(sheet_names) -> str | None:
    return next((n for n in sheet_names if n in HISTORY_SHEET.values()), None)


def listed_names(wb) -> list[str]:
    """The archive file names a master's 历史档案 sheet lists (its open calamine workbook)."""
    sheet = history_sheet(wb.sheet_names)
    return _listed(wb, sheet) if sheet else []


def archive_files(
    master: str | os.PathLike, ignored_sheets: list[str], package=None, trusted: bool = False
) -> list[Path]:
    """The archive files a master lists, checked but not read: [] for anything but a master.

    Only a master the tool wrote has a history; a staff book's 历史档案 sheet is
    not followed (see the module docstring). ``trusted``: the caller named the file as
    the office's master (``merge --master``: an old master written before files were
    stamped), so its history is followed too, or its closed years would be lost. A file
    missing or listing the master itself is refused with a sentence. ``package``: the
    master's open ``Package``.
    """
    from ..filekind import read_kind

    sheet = history_sheet(ignored_sheets)
    if sheet is None or not (trusted or read_kind(package or master) == "master"):
        return []
    here = os.path.realpath(master)
    files = listed_files(master, sheet, package)
    for f in files:
        if _same_file(f, master) or os.path.realpath(f) == here:
            raise _lists_itself(master, sheet, f)
        if not f.is_file():
            raise BadHistory(
                "history.file_missing", name=f.name, folder=f.parent.name, path=os.fspath(master)
            )
    return files


def not_followed(master: str | os.PathLike, ignored_sheets: list[str]):
    """A warning (zh, en) when ``master`` lists archive files but is not a stamped master, so
    reading it left them out (due, schedule…: nothing quietly missing); else None."""
    from ..filekind import read_kind

    sheet = history_sheet(ignored_sheets)
    if sheet is None or read_kind(master) == "master":
        return None
    try:
        with pc.CalamineWorkbook.from_path(os.fspath(master)) as wb:
            n = len(_listed_rows(wb, sheet))
    except Exception:  # an unreadable 历史档案 sheet in a staff book: nothing listed
        return None
    if not n:
        return None
    return message("history.not_followed", file=os.path.basename(master), sheet=sheet, n=n)


def _lists_itself(master, sheet: str, f: Path):
    return BadHistory("history.lists_itself", name=f.name, path=os.fspath(master), sheet=sheet)


def _same_file(a: Path, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
