"""`validate` and `verify`: checks of a file's own cells, so they take a path, not an Office."""

from __future__ import annotations

import datetime as dt
import os

from ..errors import NotOurMaster
from ..messages import message
from ..results import ValidationReport, Verification, origin_text
from ..settings import policy_for_book
from .merging import _local_phones


def verify(path: str, *, lang: str = "zh") -> Verification:
    """Rows of a master whose content no longer matches the 校验码 it was written with and, when
    its stamp verifies, every other difference from what it was written with (mastercheck.py)."""
    from .. import fingerprint, mastercheck
    from ..io.filekind import named, read_kind
    from ..io.master.book import attach_history
    from ..io.master.lineage import read_master_check
    from ..io.package import Package
    from ..io.read.workbook import read_book

    # the archive files are read too (a missing or hostile one is a sentence); they carry no 校验码
    with Package(path) as package:
        book = read_book(path, None, True, False, package)
        own = {key: len(infos) for key, infos in book.sheets.items()}  # the master's own sheets
        origins = dict(book.origins)  # and its provenance cells
        attach_history(book, path, False, package)
        kind = read_kind(package)
        name = os.path.basename(path)
        found, checked = fingerprint.check(book, name)
        if not checked and kind != "master":
            raise NotOurMaster("verify.not_our_master", kind=named(kind), path=path)
        expected, why = read_master_check(path, package)  # the same open file: two opens in all
    if expected is None:
        return Verification(path, checked, found, whole_master=False, warnings=[why])
    whole = mastercheck.compare(book, expected, own, origins, name)
    inserted = {(m.sheet, m.row) for m in whole if m.finding == "row_inserted"}
    found = [m for m in found if (m.sheet, m.row) not in inserted]  # said once: inserted
    return Verification(path, checked, found + whole, whole_master=True)


def validate(
    path: str,
    annotate_to: str | None = None,
    *,
    as_of: dt.date | None = None,
    policy_path: str | None = None,
    lang: str = "zh",
) -> ValidationReport:
    """Run every entry check (`followup-xl validate`); ``exit_code`` 1 when any error.

    A file check, not a report: it reads the cells themselves (a master's archive files too), so
    it takes a path rather than an ``Office``. ``annotate_to``: a copy with the findings marked."""
    from ..checks import run_checks
    from ..io.filekind import refuse_output

    refuse_output(path)
    from ..io.master.book import read_master

    # a master's findings name the cells of the master (and of its archive files) themselves
    book = read_master(path, provenance=False)
    policy = policy_for_book(book, policy_path)
    _local_phones(book, policy.local_area_code)
    report = run_checks(book, policy, as_of or dt.date.today(), file=path)
    # a master's finding also names the staff book row it came from, so it can be forwarded
    report.origins = book.origins
    if annotate_to:
        from ..io.formats import sniff
        from ..io.write.annotate import annotate, notes

        fmt = sniff(path)
        if fmt != "xlsx":  # openpyxl writes only .xlsx: the copy is one, and the answer says so
            root, ext = os.path.splitext(annotate_to)
            annotate_to = annotate_to if ext.lower() == ".xlsx" else root + ".xlsx"
            report.annotate_notes.append(
                message(
                    "annotate.values_only_copy",
                    ending=os.path.splitext(path)[1] or fmt,
                    annotate_to=annotate_to,
                )
            )
        origin = {key: origin_text(s, lang) for key, s in book.origins.items()}
        own = [f for f in report.findings if f.file == path]  # not the archive files' findings
        info = annotate(path, annotate_to, own, lang, sources=origin or None)
        report.annotated = annotate_to
        report.annotate_notes += notes(info)
    return report
