"""The facts `doctor` judges (followup_xl/doctor.py), gathered from this PC, and the one thing
`doctor --fix` writes: the user's xlwings.conf."""

from __future__ import annotations

import locale
import os
import shutil
import sys

from .. import __version__
from ..doctor import Environment, Interpreter, parse_user_conf, user_conf_lines
from .atomic import atomic_output


def user_conf_path() -> str:
    """The file xlwings reads (xlwings.USER_CONFIG_FILE: %USERPROFILE%\\.xlwings\\xlwings.conf,
    ~/.xlwings/xlwings.conf off Windows and macOS)."""
    try:
        import xlwings

        return xlwings.USER_CONFIG_FILE
    except ImportError:
        return os.path.join(os.path.expanduser("~"), ".xlwings", "xlwings.conf")


def _norm(path: str) -> str:
    """Paths compared as Windows does (case, slashes), without following a venv's symlink."""
    return os.path.normcase(os.path.abspath(path))


def interpreter(raw: str | None) -> Interpreter | None:
    """A setting as xlwings uses it: %VARIABLES% expanded; a bare name looked up on PATH."""
    if not raw:
        return None
    expanded = os.path.expandvars(raw.strip())
    if os.sep not in expanded and "/" not in expanded:
        found = shutil.which(expanded)
        return Interpreter(raw, _norm(found) if found else None)
    return Interpreter(raw, _norm(expanded) if os.path.isfile(expanded) else None)


def _interpreter_in(conf: dict[str, str] | None, key: str) -> Interpreter | None:
    if not conf:
        return None
    return interpreter(conf.get(key) or conf.get("INTERPRETER"))


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding=locale.getpreferredencoding(False), errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def book_conf(path: str) -> dict[str, str] | None:
    """A workbook's xlwings.conf sheet as xlwings reads it; None when it has none. Opened as every
    read opens a workbook (told by content, inside the inflate budget), so a file that is no
    workbook gets the same sentence as from `validate`."""
    from ..xl.vba import CONF_SHEET, read_conf
    from .formats import open_calamine, sniff
    from .package import Package

    with Package(path) as package:
        if sniff(path, package) == "csv":  # no sheets: read as `validate` reads, for its sentences
            from .read.workbook import read_book

            read_book(path)
            return None
        wb = open_calamine(path, package=package)
        names = {n.casefold(): n for n in wb.sheet_names}
        if CONF_SHEET.casefold() not in names:
            return None
        rows = wb.get_sheet_by_name(names[CONF_SHEET.casefold()]).to_python(skip_empty_area=False)
        return read_conf(rows)


def gather(book: str | None = None, conf_path: str | None = None) -> Environment:
    try:
        import xlwings

        xlwings_version: str | None = xlwings.__version__
    except ImportError:
        xlwings_version = None
    from ..xl.vba import XLWINGS_VERSION

    conf_path = conf_path or user_conf_path()
    text = _read_text(conf_path)
    user_conf = parse_user_conf(text) if text is not None else None
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    env: dict[str, object] = dict(
        python=tuple(sys.version_info[:3]),
        executable=_norm(sys.executable),
        platform=sys.platform,
        followup_version=__version__,
        xlwings_version=xlwings_version,
        xlwings_pinned=XLWINGS_VERSION,
        user_conf_path=conf_path,
        user_conf=user_conf,
        user_interpreter=_interpreter_in(user_conf, key),
        path_python=interpreter("python" if sys.platform == "win32" else "python3"),
    )
    if book:
        conf = book_conf(book)
        beside = os.path.join(os.path.dirname(os.path.abspath(book)), "xlwings.conf")
        folder_text = _read_text(beside)
        folder = parse_user_conf(folder_text) if folder_text is not None else None
        env |= dict(
            book=book,
            book_conf=conf,
            book_interpreter=_interpreter_in(conf, key),
            folder_conf=folder is not None,
            folder_interpreter=_interpreter_in(folder, key),
        )
    return Environment(**env)  # type: ignore[arg-type]


def write_user_conf(env: Environment) -> str:
    """Set this interpreter and our worksheet functions' module in the user's xlwings.conf,
    keeping every other setting; returns the path written."""
    from ..doctor import UDF_MODULES

    path = env.user_conf_path
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    text = user_conf_lines(
        _read_text(path) or "",
        {env.interpreter_key: sys.executable, "UDF MODULES": UDF_MODULES},
    )
    # In the ANSI code page (cp936 on a Chinese Windows): the VBA's `Input #` and xlwings'
    # open() both read it so, and a user folder may be named in Chinese.
    encoding = locale.getpreferredencoding(False)
    with atomic_output(path, ()) as tmp, open(tmp, "w", encoding=encoding, newline="\r\n") as fh:
        fh.write(text)
    return path
