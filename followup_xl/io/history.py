"""The master's history store: closed years of calls in workbooks beside the master.

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

``read_book`` reads the listed files with the master, so every command sees the
whole history without knowing where it is kept (not with ``provenance=False``:
validate checks the cells of the master file itself).
"""

from __future__ import annotations

import os
from pathlib import Path

import python_calamine as pc

HISTORY_SHEET = {"zh": "历史档案", "en": "History"}
HISTORY_HEADERS = {"zh": ["年份", "文件", "回访记录", "指纹"], "en": ["Year", "File", "Calls", "Fingerprint"]}
ARCHIVE_OVER = 100_000      # calls in a master before closed years move beside it
HISTORY_DIR = "回访历史档案"


def history_dir(master: str | os.PathLike) -> Path:
    """Shared by the masters of one folder: last week's and this week's list the same unchanged years."""
    return Path(master).parent / HISTORY_DIR


def is_history_dir(path: Path) -> bool:
    return path.name == HISTORY_DIR


def _listed(wb, sheet: str) -> list[str]:
    rows = wb.get_sheet_by_name(sheet).to_python()
    return [str(r[1]) for r in rows[1:] if len(r) > 1 and r[1] not in ("", None)]


def listed_files(master: str | os.PathLike, sheet: str) -> list[Path]:
    """The archive files named in a master's 历史档案 sheet."""
    with pc.CalamineWorkbook.from_path(os.fspath(master)) as wb:
        names = _listed(wb, sheet)
    return [history_dir(master) / n for n in names]


def referenced_files(folder: Path) -> set[str] | None:
    """Archive files listed by any master in ``folder``; None when a workbook there cannot be read."""
    names: set[str] = set()
    for f in folder.iterdir():
        if f.suffix.lower() not in (".xlsx", ".xlsm") or f.name.startswith(("~$", ".")):
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


def attach_history(book, master: str | os.PathLike) -> None:
    """Add the calls of every archive file the master lists to ``book`` (their provenance kept)."""
    from ..errors import UnreadableWorkbook
    from .reader import read_book

    sheet = history_sheet(book.ignored_sheets)
    if sheet is None:
        return
    for f in listed_files(master, sheet):
        if not f.is_file():
            raise UnreadableWorkbook(f"总表的历史档案文件缺失：{f.name}（应在 {f.parent.name} 文件夹里）",
                                     f"a history file of the master is missing: {f.name} (expected in {f.parent.name})",
                                     path=os.fspath(master))
        book.calls.extend(read_book(f, label=f.name, require_data=False).calls)
