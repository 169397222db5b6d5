"""What a file really is, told from its content (and, for WPS/Apple formats, its name).

Every command reads .xlsx, .xlsm, .xls, .xlsb and .ods (python-calamine), and CSV
exports; anything else is refused with one sentence naming the file and how to
save it as .xlsx — never a misleading reason.
"""

from __future__ import annotations

import os
import zipfile

from ..errors import PasswordProtected, UnreadableWorkbook
from .package import Package, check_budget, opened_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

# format → the file name endings it normally has (python-calamine chooses its reader by ending)
ENDINGS = {
    "xlsx": (".xlsx", ".xlsm"),
    "xls": (".xls",),
    "xlsb": (".xlsb",),
    "ods": (".ods",),
    "csv": (".csv", ".txt", ".tsv"),
}
READABLE_ENDINGS = tuple(e for ends in ENDINGS.values() for e in ends if e not in (".txt",))
# formats we name and refuse: ending → the message saying how to save it as .xlsx
REFUSED_ENDINGS = {
    ".et": "read.wps_et",
    ".ett": "read.wps_ett",
    ".numbers": "read.apple_numbers",
}


def _refuse(path: str, msg_id: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(msg_id, path=path)


def sniff(path: str, package: Package | None = None) -> str:
    """The format of a workbook we can read ("xlsx", "xls", "xlsb", "ods", "csv"), else a sentence.

    ``package``: the file's ``Package``, so a zip is opened once for the whole read."""
    ending = os.path.splitext(path)[1].lower()
    if ending in REFUSED_ENDINGS and os.path.exists(
        path
    ):  # a .numbers "file" may be a folder (a package)
        raise _refuse(path, REFUSED_ENDINGS[ending])
    if not os.path.exists(path):
        raise UnreadableWorkbook("read.not_found", path=path)
    if os.path.isdir(path):
        raise UnreadableWorkbook("read.is_folder", path=path)
    if package is None:  # the head and the zip through one opened file
        with Package(path) as own:
            return sniff(path, own)
    try:
        head = package.head(65536)
    except PermissionError as exc:
        raise UnreadableWorkbook("read.no_permission", path=path) from exc
    except OSError as exc:
        raise UnreadableWorkbook("read.os_error", strerror=exc.strerror, path=path) from exc
    if not head:
        raise UnreadableWorkbook("read.empty_file", path=path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if head.startswith(b"PK"):
        return _sniff_zip(path, package)
    if _looks_text(head):
        return "csv"
    raise _refuse(path, "read.not_spreadsheet")


def _looks_text(head: bytes) -> bool:
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text (Excel's "Unicode text")
        return True
    return (
        all(b >= 9 and b != 0x7F for b in sample if b not in (0xEF, 0xBB, 0xBF))
        and b"\0" not in sample
    )


def _sniff_ole(path: str) -> str:
    """Old binary Office files: an .xls, an encrypted .xlsx, or a Word/PowerPoint file."""
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=True)}
    except Exception as exc:
        raise _refuse(path, "read.damaged") from exc
    if streams & {"encryptioninfo", "encryptedpackage"}:
        raise PasswordProtected("read.password_to_open", path=path)
    if streams & {"workbook", "book"}:
        return "xls"
    if "worddocument" in streams:
        raise _refuse(path, "read.word_doc")
    if "powerpoint document" in streams:
        raise _refuse(path, "read.powerpoint")
    raise _refuse(path, "read.ole_without_sheet")


def _sniff_zip(path: str, package: Package) -> str:
    try:
        with opened_zip(package) as zf:
            # before anything inflates a part (python-calamine, openpyxl)
            check_budget(zf, path, package.file())
            names = set(zf.namelist())
            mime = zf.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _refuse(path, "read.damaged") from exc
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if mime == ODS_MIME or (
        not mime and "content.xml" in names and "META-INF/manifest.xml" in names
    ):
        return "ods"
    if any(n.startswith("Index/") and n.endswith(".iwa") for n in names) or "Index.zip" in names:
        raise _refuse(path, REFUSED_ENDINGS[".numbers"])
    if mime.startswith(b"application/vnd.oasis.opendocument"):
        raise _refuse(path, "read.opendocument")
    if "word/document.xml" in names:
        raise _refuse(path, "read.docx")
    if any(n.startswith("ppt/") for n in names):
        raise _refuse(path, "read.pptx")
    raise _refuse(path, "read.zip_without_workbook")


def opens_by_name(path: str, fmt: str) -> bool:
    """python-calamine picks its reader by file ending: does this one fit the content?"""
    return os.path.splitext(path)[1].lower() in ENDINGS.get(fmt, ())


def open_calamine(path: str, fmt: str | None = None, package: Package | None = None):
    """python-calamine's workbook for ``path``, chosen by content (it would go by the name).

    With ``package`` it is opened once and kept there for every reader of the file (the
    package closes it): don't close it yourself."""
    import python_calamine as pc

    if package is not None and package.workbook is not None:
        return package.workbook
    fmt = fmt or sniff(path, package)
    if opens_by_name(path, fmt):
        wb = pc.CalamineWorkbook.from_path(path)
    elif package is not None:  # calamine reads the open file's bytes: no second open
        fh = package.file()
        fh.seek(0)
        wb = pc.CalamineWorkbook.from_filelike(fh)
    else:
        with open(path, "rb") as fh:
            wb = pc.CalamineWorkbook.from_filelike(fh)
    if package is not None:
        package.workbook = wb
    return wb
