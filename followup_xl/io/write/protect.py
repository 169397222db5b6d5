"""Locking produced workbooks: an opening password, and sheets whose formulas and
headers are locked while the cells staff type into stay editable.

The opening password uses msoffcrypto-tool (ECMA-376 agile encryption, what
Excel 2010+ writes), so Excel and WPS open the file after asking for it.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable

import msoffcrypto

from ... import schema
from ...errors import BadOption
from ...schema import ColType
from ..atomic import atomic_output
from ..xlsx import Formats

# Cell formats that hold data: unlocked, so protection leaves them editable.
DATA_FORMATS = ("text", "wrap", "date", "time", "int", "pct", "dec")
# What staff may still do on a protected sheet.
ENTRY_OPTIONS = {
    "autofilter": True,
    "sort": True,
    "insert_rows": True,
    "format_columns": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


def protect_entry_sheets(
    wb,
    fmts: Formats,
    lang: str = "zh",
    sheets: tuple[schema.SheetDef, ...] = schema.SHEETS,
    password: str = "",
    options: dict[str, bool] = ENTRY_OPTIONS,
) -> None:
    """Lock every sheet of ``wb``: the header rows and formulas stay locked, data cells of
    our Table sheets (rows already written and the empty rows below) stay editable.

    Call it before ``wb.close()`` (e.g. from ``write_staff_workbook``'s customize hook):
    XlsxWriter resolves formats at close, so unlocking the shared data formats
    here also unlocks the cells already written with them.
    """
    for name in DATA_FORMATS:
        fmts.get(name).set_locked(False)
    by_title = {s.title(lang): s for s in sheets}
    for ws in wb.worksheets():
        sheet = by_title.get(ws.get_name())
        if sheet is not None:
            for j, col in enumerate(sheet.columns):
                kind = (
                    "date"
                    if col.type is ColType.DATE
                    else "time"
                    if col.type is ColType.TIME
                    else "text"
                )
                ws.set_column(j, j, col.width, fmts.get(kind))
        ws.protect(password, options)


def encrypt_file(
    plain: str | os.PathLike, target: str | os.PathLike, password: str, inputs=()
) -> str:
    """Write ``target`` as the password-protected copy of ``plain`` (atomically)."""
    with open(plain, "rb") as src, atomic_output(target, inputs) as tmp, open(tmp, "wb") as out:
        msoffcrypto.OfficeFile(src).encrypt(password, out)
    return os.fspath(target)


def decrypt_bytes(path: str | os.PathLike, password: str) -> bytes:
    """The plain workbook bytes of a password-protected file (used by tests and by the curious)."""
    with open(path, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=password)
        buf = io.BytesIO()
        office.decrypt(buf)
    return buf.getvalue()


def write_with_password(
    target: str | os.PathLike, password: str | None, write: Callable[[str], object], inputs=()
) -> str:
    """Run ``write(path)`` into ``target``; with a password, the plain workbook is written in a
    private temporary folder (0700, files 0600: no other user can read it, and nothing plain
    ever sits in the distribution folder) and removed on every way out, crash or Ctrl-C."""
    if password is None:
        write(os.fspath(target))
        return os.fspath(target)
    if not password:
        raise BadOption("option.empty_password")
    private = tempfile.mkdtemp(prefix="followup-xl-")
    old_mask = os.umask(0o077)
    try:
        plain = os.path.join(private, "plain.xlsx")
        write(plain)
        os.umask(old_mask)
        return encrypt_file(plain, target, password, inputs)
    finally:
        os.umask(old_mask)
        shutil.rmtree(private, ignore_errors=True)
