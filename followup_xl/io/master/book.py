"""A master as one book: the master file and the closed years it keeps beside it.

The single-file reader (``reader.read_book``) knows nothing of how a master
stores its history; this module puts the two together for every command that
reads a master (merge, due, schedule, split, handover, validate, the manager's
workbook), so none of them can forget the archive.
"""

from __future__ import annotations

import os

from ...models import Book
from ..package import Package
from ..read.workbook import read_book
from .history import archive_files, rows_digest


def read_master(
    path: str | os.PathLike,
    label: str | None = None,
    require_data: bool = True,
    provenance: bool = True,
    package: Package | None = None,
    trusted: bool = False,
) -> Book:
    """``read_book`` plus the calls of every archive file a master lists (any other book: as read).

    ``provenance=False`` (validate) reads each archive file's own cells too: its
    calls name the archive file, sheet and row, and its sheets are listed in the
    book, so a finding points at the archive's cell. Otherwise the calls keep the
    staff book they came from, as in the master.
    """
    if package is None:  # one opened zip for the reader and the history stamp
        with Package(path) as own:
            return read_master(path, label, require_data, provenance, own, trusted)
    book = read_book(path, label, require_data, provenance, package)
    attach_history(book, path, provenance, package, trusted)
    return book


def attach_history(
    book: Book,
    master: str | os.PathLike,
    provenance: bool = True,
    package: Package | None = None,
    trusted: bool = False,
) -> None:
    """Add the calls of the master's archive files to ``book`` (nothing for a book without them;
    an unstamped file's only when ``trusted``: named as the master, see history.archive_files)."""
    for f in archive_files(master, book.ignored_sheets, package, trusted):
        if provenance:
            start = len(book.calls)
            book.calls.extend(read_book(f, label=f.name, require_data=False).calls)
            book.archives += ((start, len(book.calls) - start, None),)
            continue
        archive = read_book(f, label=os.fspath(f), require_data=False, provenance=False)
        book.calls.extend(archive.calls)
        book.sheets.setdefault("calls", []).extend(archive.sheets.get("calls", []))
        book.origins.update(archive.origins)


def archive_digests(book: Book) -> tuple:
    """``book.archives`` with every digest worked out (the cache keeps them): the digest of a year's
    rows names its archive file, and is made from the rows, never taken from what a sheet says."""
    book.archives = tuple(
        (start, count, digest or rows_digest(book.calls[start : start + count]))
        for start, count, digest in book.archives
    )
    return book.archives


def known_digests(book: Book) -> list[tuple[list, str]]:
    """(the calls of one archive file, their digest) for each digest the book already knows."""
    return [
        (book.calls[start : start + count], digest)
        for start, count, digest in book.archives
        if digest
    ]
