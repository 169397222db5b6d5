"""Finding and reading the manager's inputs: files and folders, lock files ignored.

The thin layer between the file system and the pure merge: it says, for every
path it saw, whether it was merged, ignored (and why) or failed (and why).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import FollowupError
from ...messages import Message, by_lang, localize, message, render
from ...models import Book
from ..filekind import read_kind, read_stamp, refuse_output
from ..formats import READABLE_ENDINGS, REFUSED_ENDINGS, sniff
from ..master import MasterState, read
from ..master.book import read_master
from ..master.history import is_history_dir
from ..package import Package
from .isolate import read_book_isolated

WORKBOOK_SUFFIXES = READABLE_ENDINGS
# Read in a child process: formats whose size python-calamine cannot be asked about beforehand.
ISOLATED_FORMATS = ("xls", "xlsb", "ods")


@dataclass
class Input:
    path: str
    status: str = "pending"  # merged | ignored | error
    reason: str | Message = ""  # an error as read (in --lang), or why the file was ignored
    book: Book | None = None
    sha256: str = ""
    state: MasterState | None = None  # a master's: its book and sheets, read once (io/master)
    master: bool = False  # a master this tool wrote (or named with --master): provenance believed
    owner: str | None = None  # the person split stamped on a staff book
    counts: dict = field(default_factory=dict)
    explicit: bool = False  # named as a file by the manager (not found inside a folder)
    stamp: Any = None  # a master's verified lineage.Stamp
    signed: str | None = None  # its stamp as written, unverified (filekind.read_stamp)
    claims_master: bool = False  # says it is a master (document property) but no stamp verifies
    label: str = ""  # how the merge tells it from every other input (unique; see labels())
    lineage: Any = None  # io/master/lineage.BookStamp of a staff book

    def to_dict(self, lang: str = "zh") -> dict:
        reason = localize(self.reason, lang)
        d = {
            "path": self.path,
            "status": self.status,
            "customers": self.counts.get("customers"),
            "calls": self.counts.get("calls"),
            "events": self.counts.get("events"),
            "error": reason if self.status == "error" else None,
            "sha256": self.sha256 or None,
        }
        if self.status == "ignored" or (self.status == "merged" and self.reason):
            d["note"] = reason
        cache = self.state.cache.get("status", "not-a-master") if self.state else "not-a-master"
        if cache != "not-a-master":
            d["cache"] = cache  # hit, absent, stale, tampered, other-version
        d["master"] = self.master
        return d


def _ignore_reason(p: Path) -> Message | None:
    name = p.name
    if is_history_dir(p.parent):
        return message("batch.ignored_history")
    if name.startswith("~$"):
        return message("batch.ignored_lock_file")
    if name.startswith("."):
        return message("batch.ignored_hidden")
    if name.endswith((".tmp", ".bak")) or ".partial" in name:
        return message("batch.ignored_temporary")
    return None


def discover(paths: list[str]) -> list[Input]:
    """Every input the manager named: folders searched recursively; sorted for a stable master."""
    found: dict[str, Input] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and p.suffix.lower() not in REFUSED_ENDINGS:
            for f in sorted(p.rglob("*")):
                if f.suffix.lower() not in REFUSED_ENDINGS and not f.is_file():
                    continue  # (a Mac's .numbers "file" is a folder: it gets its sentence)
                if any(
                    q.suffix.lower() == ".numbers" for q in f.parents if q != p and p in q.parents
                ):
                    continue
                why = _ignore_reason(f)
                if why is None and f.suffix.lower() not in WORKBOOK_SUFFIXES + tuple(
                    REFUSED_ENDINGS
                ):
                    continue
                key = os.path.realpath(f)
                found.setdefault(key, Input(str(f), "ignored" if why else "pending", why or ""))
        else:
            why = _ignore_reason(p)
            key = os.path.realpath(p)
            found.setdefault(
                key, Input(str(p), "ignored" if why else "pending", why or "", explicit=True)
            )
    return sorted(found.values(), key=lambda i: i.path)


def sha256(path: str) -> str:
    with Package(path) as package:
        return package.sha256()


def labels(items: list[Input]) -> None:
    """Give every input a label no other input has: its file name, or — where two inputs share
    a name (a staff book named like the master, two 张伟_客户回访.xlsx in two folders) — its path.
    Inputs are told apart by path, never by name alone."""
    names = Counter(os.path.basename(i.path) for i in items)
    for i in items:
        name = os.path.basename(i.path)
        i.label = name if names[name] == 1 else os.path.normpath(i.path)


def _master_claim(item: Input, package) -> bool:
    """Whether to read ``item`` as a master. Only the manager makes a master: by --master, or by
    naming as a file a master whose stamp verifies with its folder's key. A master found inside
    a folder is left out (ignored, with why); a file that says it is a master but whose stamp
    does not verify is refused when named (a sentence), a staff book when found."""
    from ...lineage import verify
    from ..master.officekey import key_for

    item.signed = read_stamp(package)
    stamp = verify(item.signed, key_for(item.path))
    stamp = stamp if stamp is not None and stamp.kind == "master" else None
    if item.master:
        item.stamp = stamp
        return True
    says = stamp is not None or read_kind(package) == "master"
    if not says:
        return False
    if stamp is None:
        if item.explicit:
            item.status, item.reason = "error", message("lineage.master_unverified")
        else:
            item.claims_master = True
        return False
    if not item.explicit:
        item.status, item.reason = "ignored", message("lineage.master_in_folder")
        return False
    item.master, item.stamp = True, stamp
    return True


def read_input(item: Input, lang: str = "zh") -> Input:
    """Read one input; a failure is recorded on the item with its sentence, never raised.

    Only a master's provenance columns and history archive are believed: a staff book's
    rows are that book's rows, whatever its 来源文件 column says. A master is one named with
    --master, or named as a file and stamped so with the office's key (``_master_claim``).
    Every look inside the file goes through one ``Package``: the file is opened once.
    """
    with Package(item.path) as package:
        try:
            item.sha256 = package.sha256()
        except OSError:
            pass
        _master_claim(item, package)
        if item.status != "pending":
            if item.status == "error":
                item.reason = localize(item.reason, lang)
            return item
        try:
            refuse_output(package)
            item.book = _read(item, package)
        except FollowupError as exc:
            item.status, item.reason = "error", exc.message(lang)
            return item
    b = item.book
    item.counts = {"customers": len(b.customers), "calls": len(b.calls), "events": len(b.events)}
    item.status = "merged"
    if not item.master and looks_like_old_master(b):
        item.reason = render("merge.old_master_as_book", lang)
    return item


def _read(item: Input, package: Package) -> Book:
    """A staff book's records in place; a master's whole state (io/master: book and sheets)."""
    label = os.path.basename(item.path)
    book = None
    if sniff(item.path, package) in ISOLATED_FORMATS:  # no master cache: ours are .xlsx
        book = read_book_isolated(item.path, label=label, provenance=item.master)
    elif not item.master:
        book = read_master(item.path, label=label, provenance=False, package=package)
    if item.master:  # named by --master: an old master's history too (trusted)
        item.state = read(
            item.path, label=label, trusted=True, write_cache=False, package=package, book=book
        )
        return item.state.book
    assert book is not None
    return book


def looks_like_old_master(book: Book) -> bool:
    info = book.sheet_info("customers")
    return bool(
        info
        and "src_file" in info.columns
        and any(n in by_lang("master_book.inputs").values() for n in book.ignored_sheets)
    )
