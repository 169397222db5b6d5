"""One workbook file's zip, opened once for every look inside it during one read.

Reading one .xlsx looks inside its zip several times: the format sniff, the
1904 date flag, the sheet scan, the kind and owner stamps in docProps/custom.xml.
Each used to open (and parse the directory of) the archive again; a ``Package``
opens it on the first look and hands the same archive to the rest.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

CUSTOM_XML = "docProps/custom.xml"
CUSTOM_XML_LIMIT = 1_000_000  # a stamp is a few hundred bytes; a huge part is not ours


class Package:
    """A file whose zip is opened lazily, at most once; close it (or use ``with``) when done."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self._zip: zipfile.ZipFile | None = None
        self._error: Exception | None = None
        self._custom: str | None = None
        self._custom_read = False

    @property
    def zip(self) -> zipfile.ZipFile:
        """The open archive; raises as ``zipfile.ZipFile(path)`` would (every time, once failed)."""
        if self._zip is None:
            if self._error is not None:
                raise self._error
            try:
                self._zip = zipfile.ZipFile(self.path)
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
        if self._zip is not None:
            self._zip.close()
            self._zip = None

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
