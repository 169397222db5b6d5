"""The master cache: what reading a master returned, kept as Parquet beside it.

Reading a 550,000-row master (and its history files) costs seconds of parsing every
time a command opens it; the same records read back from Parquet cost a fraction.
The cache is a folder ``.followup-xl-cache/<master file name>/`` beside the master
holding one Parquet file per sheet of records and a JSON manifest.

It is never trusted over the file it describes. It is used only when:
* the master's bytes and the bytes of every history file the master lists hash to
  the SHA-256 recorded when the cache was written (a hand edit, a copied-over file,
  a history file replaced → a miss: the workbook is read, as always);
* the reader's code is the code that wrote it (a digest of the modules that parse);
* every cache file hashes to what the manifest says (a tampered or truncated cache
  → ignored, and rewritten from the workbook).
It is written on a miss (for masters of ``CACHE_OVER`` records or more), after the workbook was read, from exactly what the reader
returned (records in order, unreadable text with what was expected, extra columns,
provenance, the sheet layout), so a hit returns an equal Book.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from ... import __version__
from ... import fingerprint as check_codes
from ...models import EMPTY, MODEL_FOR, Book, Record, SheetInfo, Source
from ...normalize import Unreadable
from ..package import Package
from .book import archive_digests
from .history import archive_files

if TYPE_CHECKING:  # pyarrow is imported only where a cache is read or written
    import pyarrow as pa

CACHE_DIR = ".followup-xl-cache"
CACHE_OVER = 50_000  # records: below this, reading the workbook is as quick as the cache
FORMAT = 1
LABEL = "\x00label\x00"  # stands for the caller's label in records that carry none of their own
BATCH = 65_536  # rows per Parquet row group, read back one at a time
REST = "_rest"  # per record: anything beyond typed values/unreadable text/provenance (JSON)
_CODE = (
    "io/read/workbook.py",
    "io/master/book.py",
    "io/master/history.py",
    "io/warehouse/parquet.py",
    "io/master/cache.py",
    "normalize.py",
    "schema.py",
    "models.py",
    "fingerprint.py",
)


def cache_dir(master: str | os.PathLike) -> Path:
    p = Path(master)
    return p.parent / CACHE_DIR / p.name


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def code_digest() -> str:
    """Which reader wrote the cache: a new version that parses differently never reads an old cache."""
    root = Path(__file__).resolve().parents[2]  # the package: followup_xl/
    h = hashlib.sha256(f"{FORMAT}\x1f{__version__}".encode())
    for rel in _CODE:
        h.update((root / rel).read_bytes())
    return h.hexdigest()


# --- tagged JSON: dates, times and tuples come back as what they were ------------------------


_FPS = "fingerprints"  # SheetInfo's (Excel row, 校验码) per record


def _enc(v):
    if v is None or isinstance(v, (bool, int, float)):
        return v
    if isinstance(v, Unreadable):
        return {"U": [str(v), v.expected]}
    if isinstance(v, str):
        return v
    if isinstance(v, dt.datetime):
        return {"DT": v.isoformat()}
    if isinstance(v, dt.date):
        return {"D": v.isoformat()}
    if isinstance(v, dt.time):
        return {"T": v.isoformat()}
    if isinstance(v, tuple):
        return {"TU": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, dict) and all(type(k) is str for k in v):
        return {"M": {k: _enc(x) for k, x in v.items()}}
    if isinstance(v, SheetInfo):
        out = {f.name: _enc(getattr(v, f.name)) for f in dataclasses.fields(v) if f.name != _FPS}
        # one (row, code) pair per record: two plain lists, not a tagged pair each (decoding
        # 200,000 tagged pairs was a tenth of a cache hit)
        pairs = getattr(v, _FPS)
        if all(type(r) is int and type(c) is str for r, c in pairs):
            out[_FPS] = {"FP": [[r for r, _c in pairs], [c for _r, c in pairs]]}
        else:
            out[_FPS] = _enc(pairs)
        return {"SI": out}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _dec(v):
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if not isinstance(v, dict):
        return v
    ((tag, x),) = v.items()
    if tag == "U":
        return Unreadable(x[0], x[1])
    if tag == "D":
        return dt.date.fromisoformat(x)
    if tag == "DT":
        return dt.datetime.fromisoformat(x)
    if tag == "T":
        return dt.time.fromisoformat(x)
    if tag == "TU":
        return tuple(_dec(y) for y in x)
    if tag == "M":
        return {k: _dec(y) for k, y in x.items()}
    if tag == "FP":
        return list(zip(x[0], x[1], strict=True))
    if tag == "SI":
        return SheetInfo(**{k: _dec(y) for k, y in x.items()})
    raise ValueError(f"unknown tag {tag!r}")


# --- records <-> tables -----------------------------------------------------------------------


def _rest_of(rec: Record, keys: frozenset) -> str | None:
    """Everything a record holds beyond what the typed table keeps: JSON, or None (the usual case)."""
    d = rec.__dict__
    rest = {}
    bad = d["bad"]
    if bad:
        rest["bad"] = {k: _enc(v) for k, v in bad.items()}  # Unreadable keeps what was expected
    if d["extra"]:
        rest["extra"] = _enc(d["extra"])
    for k, v in d.items():
        if k not in keys and k not in ("src", "bad", "extra") and v is not None:
            rest.setdefault("fields", {})[k] = _enc(v)
    return json.dumps(rest, ensure_ascii=False) if rest else None


def _to_table(key: str, records: list[Record]) -> pa.Table:
    import pyarrow as pa

    from ..warehouse.parquet import records_table

    sheet = MODEL_FOR[key].SHEET
    keys = frozenset(sheet.keys)
    table = records_table(sheet, records)
    return table.append_column(
        REST, pa.array([_rest_of(r, keys) for r in records], type=pa.string())
    )


def _shared_values(arr: pa.Array) -> list:
    """A column as Python values, each distinct value one object (as the reader's memo shares them):
    fewer objects to make, less memory held."""
    enc = arr.dictionary_encode()
    uniq = enc.dictionary.to_pylist()
    uniq.append(None)  # index -1: null
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).tolist()
    return list(map(uniq.__getitem__, idx))


def _from_table(key: str, batches: Iterable[pa.RecordBatch]) -> list[Record]:
    """The records of one sheet, built as ``Record.build`` builds them (same __dict__, same fields set).

    ``batches`` are read from the file one at a time: the whole table is never held beside the records.
    """
    from ..warehouse.parquet import UNREADABLE

    model = MODEL_FOR[key]
    keys = tuple(model.SHEET.keys)
    blank, fields = model._blank(), model._all_fields()
    new, put, fast = model.__new__, object.__setattr__, Source.fast
    out: list[Record] = []
    for batch in batches:  # bounded memory: one batch of lists at a time
        # a column with no value in the batch is left as the blank record has it (None): most of
        # a large master's 22 call columns are empty on most rows
        filled = tuple(k for k in keys if batch.column(k).null_count < batch.num_rows)
        cols = [_shared_values(batch.column(k)) for k in filled]
        srcs = [
            None if f is None and sh is None and r is None else fast(f, sh, r)
            for f, sh, r in zip(
                *(
                    _shared_values(batch.column(n))
                    for n in ("source_file", "source_sheet", "source_row")
                )
            )
        ]
        first = len(out)
        # (a batch whose every typed column is empty still has its rows: unreadable text only)
        for row, src in zip(zip(*cols) if cols else repeat((), batch.num_rows), srcs):
            d = blank.copy()
            d.update(zip(filled, row))
            d["src"] = src
            d["bad"] = d["extra"] = EMPTY  # one shared, read-only {} (most records have neither)
            m = new(model)
            put(m, "__dict__", d)
            put(m, "__pydantic_fields_set__", fields)
            put(m, "__pydantic_extra__", None)
            put(m, "__pydantic_private__", None)
            out.append(m)
        bads, rests = batch.column(UNREADABLE), batch.column(REST)
        if rests.null_count < len(rests) or bads.null_count < len(
            bads
        ):  # the few rows with more to them
            for i, (bad, rest) in enumerate(zip(bads.to_pylist(), rests.to_pylist())):
                if bad is None and rest is None:
                    continue
                d = out[first + i].__dict__
                if rest is None:
                    d["bad"] = dict(bad)
                    continue
                rest = json.loads(rest)
                d["bad"] = {k: _dec(v) for k, v in rest.get("bad", {}).items()}
                d["extra"] = _dec(rest["extra"]) if "extra" in rest else EMPTY
                d.update({k: _dec(v) for k, v in rest.get("fields", {}).items()})
        del cols, srcs
    return out


# --- the cache --------------------------------------------------------------------------------


def _record_fields() -> list[str]:
    return [f.name for f in dataclasses.fields(Book) if f.name in MODEL_FOR]


def _key(master: Path, sha256: str, history: list[str]) -> dict:
    folder = master.parent
    return {
        "format": FORMAT,
        "code": code_digest(),
        "master": master.name,
        "master_sha256": sha256,
        "history": {name: _sha256(folder / name) for name in history},
    }


def save(master: str | os.PathLike, book: Book, package: Package) -> Path | None:
    """Write the cache of ``book``, just read from ``master`` (its open ``package``) with the label
    ``LABEL``; None when the book holds something the cache cannot keep exactly (then there is
    simply no cache)."""
    master = Path(master)
    target = cache_dir(master)
    try:  # the history files the master lists, relative to its folder (they are read with it)
        history = [
            f"{f.parent.name}/{f.name}" for f in archive_files(master, book.ignored_sheets, package)
        ]
        key = _key(master, package.sha256(), history)
        check_codes.outcome(book)  # kept in book.json: a cache hit compares no 校验码 again
        archive_digests(book)  # likewise: this week's merge hashes no unchanged closed year
        meta = {}
        for f in dataclasses.fields(Book):
            if f.name in MODEL_FOR or f.name == "path":
                continue
            meta[f.name] = _enc(getattr(book, f.name))
        tables = {name: _to_table(name, getattr(book, name)) for name in _record_fields()}
    except Exception:  # something the cache cannot keep exactly: no cache, never a failed command
        return None
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:  # a folder we cannot write into: simply no cache
        target.parent.mkdir(parents=True, exist_ok=True)
        # a new folder nobody can guess the name of (created exclusively, never through a link)
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        )
    except OSError:
        return None
    try:
        files = {}
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet", compression="zstd", row_group_size=BATCH)
        (tmp / "book.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        for p in sorted(tmp.iterdir()):
            files[p.name] = _sha256(p)
        manifest = {
            **key,
            "files": files,
            "rows": {n: t.num_rows for n, t in tables.items()},
            "written": dt.datetime.now().isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        if target.exists():
            os.replace(target, old / target.name)  # into a folder only this run knows of
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    except (OSError, pa.ArrowException):
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return target


def _relabel(rec: Record, old: str, new: str) -> Record:
    s = rec.src
    if s is None or s.file != old:
        return rec
    d = rec.__dict__.copy()
    d["src"] = Source.fast(new, s.sheet, s.row)
    m = rec.__class__.__new__(rec.__class__)
    object.__setattr__(m, "__dict__", d)
    object.__setattr__(m, "__pydantic_fields_set__", rec.__pydantic_fields_set__)
    object.__setattr__(m, "__pydantic_extra__", None)
    object.__setattr__(m, "__pydantic_private__", None)
    return m


def load(master: str | os.PathLike, label: str, package: Package) -> tuple[Book | None, str]:
    """(the Book as reading ``master`` (its open ``package``) with ``label`` would return it, "hit")
    or (None, why not)."""
    master = Path(master)
    folder = cache_dir(master)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None, "absent"
    except (OSError, ValueError):
        return None, "tampered"
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if manifest.get("format") != FORMAT or manifest.get("code") != code_digest():
            return None, "other-version"
        if (
            manifest.get("master") != master.name
            or manifest.get("master_sha256") != package.sha256()
        ):
            return None, "stale"
        for name, digest in manifest["history"].items():
            f = master.parent / name
            if not f.is_file() or _sha256(f) != digest:
                return None, "stale"
        expected = set(manifest["files"])
        if {p.name for p in folder.iterdir()} - {"manifest.json"} != expected:
            return None, "tampered"
        for name, digest in manifest["files"].items():
            if _sha256(folder / name) != digest:
                return None, "tampered"
        meta = {
            k: _dec(v)
            for k, v in json.loads((folder / "book.json").read_text(encoding="utf-8")).items()
        }
        book = Book(path=os.fspath(master), **meta)
        for name in _record_fields():
            with pq.ParquetFile(folder / f"{name}.parquet") as pf:
                records = _from_table(name, pf.iter_batches(batch_size=BATCH))
            if len(records) != manifest["rows"][name]:
                return None, "tampered"
            setattr(book, name, records)
        # Arrow's allocator keeps what the batches used for the next read (~65 MiB resident on
        # the 550,000-row master), and nothing here reads Parquet again: give it back
        pa.default_memory_pool().release_unused()
        _relabel_book(book, label)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None, "tampered"
    return book, "hit"


def read_cached(
    path: str | os.PathLike,
    label: str | None = None,
    *,
    write: bool = True,
    package: Package | None = None,
    trusted: bool = False,
) -> tuple[Book, dict]:
    """``read_master(path, label)`` for a master this tool wrote, through the cache when it is
    valid, and what the cache did: ``{"status": "hit"}``, or why not (absent, stale, tampered,
    other-version, not-a-master) and, on a miss, whether it was ``written``.

    ``write``: on a miss, cache what was read for the next command (merge passes False for
    last week's master, which nothing reads after it). ``package``: the file's open
    ``io/package.Package`` (its file is opened once). ``trusted``: the caller named an
    unstamped file as the master (its history is followed; no cache).
    """
    from ..filekind import read_kind
    from .book import read_master

    if package is None:
        with Package(path) as own:
            return read_cached(path, label, write=write, package=own, trusted=trusted)
    label = label if label is not None else os.fspath(path)
    if read_kind(package) != "master":
        book = read_master(path, label=label, package=package, trusted=trusted)
        return book, {"status": "not-a-master"}
    hit, why = load(path, label, package)
    status: dict = {"status": why}
    if hit is not None:
        return hit, status
    book = read_master(path, label=LABEL, package=package)
    if write and sum(len(getattr(book, n)) for n in _record_fields()) >= CACHE_OVER:
        status["written"] = save(path, book, package) is not None
    return _relabel_book(book, label), status


def cached_read(path: str | os.PathLike) -> Book:
    """The book of ``read_cached`` alone (the commands that read a master and write nothing into it)."""
    return read_cached(path)[0]


def _relabel_book(book: Book, label: str) -> Book:
    """Records that carry no source of their own name the caller's label, as the reader does."""
    for name in _record_fields():
        records = getattr(book, name)
        for i, r in enumerate(records):
            s = r.__dict__["src"]
            if s is not None and s.file == LABEL:
                records[i] = _relabel(r, LABEL, label)
                if name == "calls":  # a digest describes the rows as they were: not these
                    book.archives = tuple(
                        (a, n, None if a <= i < a + n else digest) for a, n, digest in book.archives
                    )
    return book
