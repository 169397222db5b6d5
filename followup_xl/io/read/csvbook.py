"""Customer lists exported from other systems as CSV: encoding and separator told from the bytes.

UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"), and GBK /
GB18030 (what Chinese Windows and WPS write for "CSV"); comma, tab or semicolon.
When the encoding cannot be told, one sentence says how to save the file instead.
Nothing is guessed per cell: every value comes in as text and the reader's own
tolerant parsing (dates, phones…) does the rest.
"""

from __future__ import annotations

import csv
import io
import os

from ...errors import UnreadableWorkbook, WorkbookTooLarge

MAX_CSV = 512 * 1024**2
GB2312_SHARE = 0.8  # real Chinese text is nearly all GB2312 characters; mis-decoded bytes are not


def decode(raw: bytes, path: str = "") -> tuple[str, str]:
    """(text, encoding name), or a sentence when the encoding cannot be told."""
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise UnreadableWorkbook("read.unknown_encoding", path=path) from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UnreadableWorkbook("read.unknown_encoding", path=path) from exc
    if not _reads_as_chinese(text):
        raise UnreadableWorkbook("read.unknown_encoding", path=path)
    return text, "gb18030"


def _reads_as_chinese(text: str) -> bool:
    """GB18030 decodes almost any bytes; Latin-1 or Big5 bytes come out as rare characters."""
    wide = [ch for ch in text[:400_000] if ord(ch) > 127][:100_000]
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= GB2312_SHARE * len(wide)


def _delimiter(text: str) -> str:
    sample = text[:16384]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(",\t;", key=first.count) if first else ","


def csv_rows(path: str) -> tuple[str, list[list[str]]]:
    """(a sheet name from the file name, the rows as text)."""
    try:
        size = os.path.getsize(path)
        if size > MAX_CSV:
            raise WorkbookTooLarge("read.text_too_large", path=path)
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise UnreadableWorkbook("read.os_error", strerror=exc.strerror, path=path) from exc
    text, _ = decode(raw, path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise UnreadableWorkbook("read.bad_csv", exc=exc, path=path) from exc
    return os.path.splitext(os.path.basename(path))[0], [[c.strip() for c in r] for r in rows]
