"""One workbook file, opened once for every look inside it during one read.

Reading one .xlsx looks at it several times: the format sniff, its SHA-256, the
zip budget, the 1904 date flag, the sheet scan, the kind and owner stamps in
docProps/custom.xml, python-calamine's sheets. Each used to open the file (and
parse the directory of the archive) again; a ``Package`` opens the file on the
first look and hands the same file, archive and calamine workbook to the rest.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from ..errors import UnreadableWorkbook

CUSTOM_XML = "docProps/custom.xml"
CUSTOM_XML_LIMIT = 1_000_000  # a stamp is a few hundred bytes; a huge part is not ours

# The inflate budget: what one workbook may expand to before any reader (python-calamine,
# openpyxl) sees it. The largest real part measured: the calls sheet of a 550,000-row master
# (docs/promises.md, "An archive cannot exhaust memory"); python-calamine needs about three
# times a sheet's XML in memory, so these bound a read.
PART_BUDGET = 1024**3  # one part (a sheet's XML, the shared strings…) inflates to at most 1 GiB
TOTAL_BUDGET = 2 * 1024**3  # all parts together at most 2 GiB
RATIO_FREE = 32 * 1024**2  # a part up to 32 MiB may be compressed at any ratio…
MAX_RATIO = 100  # …a larger one at most 100:1 (real sheets: 5–40:1; repeated cells: 300–1000:1)
_STORED, _DEFLATED = 0, 8
_CHUNK = 1 << 20
_verified: dict[tuple, bool] = {}  # (path, size, mtime, inode) of packages already measured


class Package:
    """A file opened lazily, at most once; close it (or use ``with``) when done."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self._file: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._error: Exception | None = None
        self._custom: str | None = None
        self._custom_read = False
        self._sha256: str | None = None
        self.workbook: Any = None  # python-calamine's, opened by io/formats.open_calamine

    def file(self) -> IO[bytes]:
        """The file, open for reading; raises as ``open(path, "rb")`` would."""
        if self._file is None:
            self._file = open(self.path, "rb")  # noqa: SIM115 (closed with the package)
        return self._file

    def head(self, size: int) -> bytes:
        fh = self.file()
        fh.seek(0)
        return fh.read(size)

    def sha256(self) -> str:
        """The file's SHA-256, read through the same handle (once)."""
        if self._sha256 is None:
            fh = self.file()
            fh.seek(0)
            h = hashlib.sha256()
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                h.update(chunk)
            self._sha256 = h.hexdigest()
        return self._sha256

    @property
    def zip(self) -> zipfile.ZipFile:
        """The open archive; raises as ``zipfile.ZipFile(path)`` would (every time, once failed)."""
        if self._zip is None:
            if self._error is not None:
                raise self._error
            try:
                self._zip = zipfile.ZipFile(self.file())
            except Exception as exc:
                self._error = exc
                raise
        return self._zip

    def custom_xml(self) -> str | None:
        """docProps/custom.xml as text (None: absent, too large, or not a zip), read once."""
        if not self._custom_read:
            self._custom = _read_custom(self.zip) if self._opens() else None
            self._custom_read = True
        return self._custom

    def _opens(self) -> bool:
        try:
            _ = self.zip
        except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError):
            return False
        return True

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()
            self.workbook = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_custom(zf: zipfile.ZipFile) -> str | None:
    try:
        info = zf.getinfo(CUSTOM_XML)
        if info.file_size > CUSTOM_XML_LIMIT:
            return None
        return zf.read(info).decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError):
        return None


@contextmanager
def opened_zip(source: str | os.PathLike | Package | zipfile.ZipFile) -> Iterator[zipfile.ZipFile]:
    """The archive of a path (opened here, closed after) or of a Package (left open for the next look)."""
    if isinstance(source, zipfile.ZipFile):
        yield source
    elif isinstance(source, Package):
        yield source.zip
    else:
        with zipfile.ZipFile(source) as zf:
            yield zf


def custom_xml(source: str | os.PathLike | Package) -> str | None:
    """docProps/custom.xml of a path or a Package (cached on the Package)."""
    if isinstance(source, Package):
        return source.custom_xml()
    with Package(source) as pkg:
        return pkg.custom_xml()


def package_path(source: str | os.PathLike | Package) -> str:
    return source.path if isinstance(source, Package) else os.fspath(source)


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n < 1024**3 else f"{n / 1024**3:g} GiB"


def check_budget(zf: zipfile.ZipFile, path: str, fh: IO[bytes]) -> None:
    """Refuse (exit 2, naming the part) a package that repeats a part name or would inflate past
    the budget: declared sizes first (the zip's directory), then every part really inflated,
    a chunk at a time, stopping at the first byte past its allowance (a part can lie about its
    size; python-calamine reads the file itself). Measured once per file version per process.
    ``fh``: the file, open (a Package's)."""
    try:
        st = os.stat(path)
        key: tuple = (os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino)
    except OSError:
        key = ()
    if key and key in _verified:
        return
    infos = zf.infolist()
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise UnreadableWorkbook("read.duplicate_part", part=info.filename, path=path)
        seen.add(info.filename)
    size = os.path.getsize(path)
    total = 0
    for info in infos:
        _declared_fits(info, path, size)
        total += info.file_size
        if total > TOTAL_BUDGET:
            raise UnreadableWorkbook("read.zip_budget_total", budget=_mib(TOTAL_BUDGET), path=path)
    for info in infos:
        _inflates_as_declared(fh, info, size, path)
    if key:
        if len(_verified) > 256:
            _verified.clear()
        _verified[key] = True


def _declared_fits(info: zipfile.ZipInfo, path: str, size: int) -> None:
    if info.file_size > PART_BUDGET:
        raise UnreadableWorkbook(
            "read.zip_budget_part", part=info.filename, budget=_mib(PART_BUDGET), path=path
        )
    _ratio_fits(info, info.file_size, min(info.compress_size, size), path)


def _ratio_fits(info: zipfile.ZipInfo, inflated: int, compressed: int, path: str) -> None:
    if inflated > max(RATIO_FREE, MAX_RATIO * compressed):
        raise UnreadableWorkbook(
            "read.zip_budget_ratio",
            part=info.filename,
            ratio=inflated // max(compressed, 1),
            max_ratio=MAX_RATIO,
            free=_mib(RATIO_FREE),
            path=path,
        )


def _inflates_as_declared(fh, info: zipfile.ZipInfo, size: int, path: str) -> None:
    """Inflate one part's own bytes (its declared sizes not trusted) and count what comes out."""
    if info.flag_bits & 0x1 or info.is_dir():
        return  # encrypted: no reader can inflate it without the password
    if info.compress_type not in (_STORED, _DEFLATED):
        raise UnreadableWorkbook(
            "read.zip_method", part=info.filename, method=info.compress_type, path=path
        )
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise UnreadableWorkbook("read.damaged", path=path)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    available = left = max(0, min(info.compress_size, size - start))
    if info.compress_type == _STORED:
        return  # stored: no bigger than the bytes in the file
    fh.seek(start)
    inflate = zlib.decompressobj(-15)
    out = 0
    pending = b""
    while not inflate.eof:
        if not pending:
            pending = fh.read(min(_CHUNK, left)) if left > 0 else b""
            if not pending:
                break  # truncated: the readers will say the file is damaged
            left -= len(pending)
        try:
            out += len(inflate.decompress(pending, _CHUNK))
        except zlib.error:
            raise UnreadableWorkbook("read.damaged", path=path) from None
        pending = inflate.unconsumed_tail
        if out > info.file_size:
            raise UnreadableWorkbook(
                "read.zip_size_lie", part=info.filename, declared=info.file_size, path=path
            )
        _ratio_fits(info, out, available, path)
