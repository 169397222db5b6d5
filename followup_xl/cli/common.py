"""What every command shares: options, JSON output, and turning errors into sentences."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from ..errors import EXIT_INTERNAL, FollowupError
from ..messages import localize, message, render
from ..normalize import parse_date
from . import console
from .pipes import quiet_closed_pipes
from .usage import LocalizedBadParameter

DEBUG_ENV = "FOLLOWUP_XL_DEBUG"


def lang_option(f: Callable) -> Callable:
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        is_eager=True,  # known before the other options' callbacks speak (a folder created)
        help="Language of sheets and messages. 表头与提示的语言。",
    )(f)


def json_option(f: Callable) -> Callable:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object for automation. 输出 JSON。"
    )(f)


def _parse_day(ctx, param, value):
    """A day written as the cells accept it: 2026-11-22, 2026/11/22, 2026.11.22, 2026年11月22日, 20261122."""
    if value is None or isinstance(value, dt.date):
        return value
    day = parse_date(value) if re.search(r"\D", value.strip()) or len(value.strip()) == 8 else None
    if not isinstance(day, dt.date):
        raise LocalizedBadParameter("option.bad_date", value=value)
    return day


_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?\s*$")


def _parse_month(ctx, param, value):
    """A month as people write it: 2026-10, 2026-1, 2026/1, 2026.1, 2026年1月, 202601 → "2026-01"."""
    if value is None:
        return value
    m = _MONTH_RE.match(value)
    if (
        not m
        or not 1 <= int(m[2]) <= 12
        or (len(m[2]) == 1 and not re.search(r"\D", value.strip()))
    ):
        raise LocalizedBadParameter("option.bad_month", value=value)
    return f"{int(m[1]):04d}-{int(m[2]):02d}"


def xlsx_output(ctx, param, value):
    """An output workbook's name must end in .xlsx (.xlsm where a macro book is kept).

    月报.pdf or 排期.csv would hold .xlsx content under a name that opens in the
    wrong program; a name without an extension would not open at all. Refused with
    the name to use instead (exit 3) rather than silently renamed.
    """
    if value is None:
        return value
    # an annotated copy may keep the book's own kind: .xlsm (macros), .xls (written as .xlsx, and said so)
    allowed = (
        (".xlsx", ".xlsm", ".xls")
        if param is not None and param.name == "annotate_to"
        else (".xlsx",)
    )
    stem, ext = os.path.splitext(value)
    if ext.lower() in allowed:
        _make_folder(ctx, value)
        return value
    suggestion = (stem if ext.lower() in _WRONG_EXT else value) + ".xlsx"
    got = message("output.extension_is", ext=ext) if ext else message("output.no_extension")
    raise LocalizedBadParameter("output.needs_xlsx", got=got, suggestion=suggestion)


def output_option(
    help: str, *, required: bool = False, folder: bool = False, xlsx: bool = True, dest: str = "out"
) -> Callable:
    """``-o/--output``, as every command that writes has it: a workbook, its name checked by
    ``xlsx_output`` unless not ``xlsx`` (import may write .xlsm); or, with ``folder``, a folder."""
    kind = click.Path(file_okay=False) if folder else click.Path(dir_okay=False)
    check = xlsx_output if xlsx and not folder else None
    return click.option(
        "-o", "--output", dest, required=required, type=kind, callback=check, help=help
    )


def _make_folder(ctx, value: str) -> None:
    """A missing output folder is created, as split creates its folder, and said so on stderr (a
    folder that cannot be made is left for the output check to refuse with its reason). Made when
    the command runs (``guarded``), once every option has been read: a refused option leaves none."""
    folder = os.path.dirname(value)
    if not folder or os.path.exists(folder):
        return
    if ctx is None:
        _create_folder(folder, "zh")
        return
    ctx.meta.setdefault(_PENDING, []).append(folder)


_PENDING = "followup_xl.output_folders"


def _create_folder(folder: str, lang: str) -> list[str]:
    """Make ``folder`` (and its missing parents), say so; the folders made, deepest first."""
    made = []
    up = os.path.abspath(folder)
    while not os.path.exists(up) and os.path.dirname(up) != up:
        made.append(up)
        up = os.path.dirname(up)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return []
    if made:
        echo(
            render("cli.note", lang) + render("output.folder_created", lang, path=folder), err=True
        )
    return made


@contextlib.contextmanager
def _output_folders(lang: str):
    """The command's missing output folders, made now and taken back if it wrote nothing there
    (it failed, or refused its input): a failed command leaves no empty folder behind."""
    ctx = click.get_current_context(silent=True)
    pending = ctx.meta.pop(_PENDING, []) if ctx is not None else []
    made = [path for folder in pending for path in _create_folder(folder, lang)]
    try:
        yield
    finally:
        for path in made:
            try:
                os.rmdir(path)  # only ever removes an empty folder
            except OSError:
                pass


_WRONG_EXT = {
    ".pdf",
    ".csv",
    ".xls",
    ".xlsb",
    ".ods",
    ".txt",
    ".doc",
    ".docx",
    ".et",
    ".wps",
    ".json",
    ".xml",
    ".htm",
    ".html",
    ".zip",
}


def month_option(f: Callable) -> Callable:
    return click.option(
        "--month",
        callback=_parse_month,
        metavar="YYYY-MM",
        default=None,
        help="The month (default: last month). 月份。",
    )(f)


def as_of_option(f: Callable) -> Callable:
    return click.option(
        "--as-of",
        "as_of",
        callback=_parse_day,
        metavar="YYYY-MM-DD",
        help="The day the run pretends is today (default: today). 以哪一天为“今天”。",
    )(f)


def date_option(name: str, help: str) -> Callable:
    def deco(f):
        return click.option(name, callback=_parse_day, metavar="YYYY-MM-DD", help=help)(f)

    return deco


def policy_option(f: Callable) -> Callable:
    return click.option(
        "--policy",
        "policy_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="A TOML policy file that overrides the workbook's 规则 sheet. 规则文件 (TOML)。",
    )(f)


def today() -> dt.date:
    return dt.date.today()


def emit_json(obj: Any, lang: str = "zh") -> None:
    """JSON on stdout (cli/jsonout.py); \\u escapes where the console's encoding (GBK…) lacks a character."""
    from .jsonout import dumps

    text = dumps(obj, lang)
    if not console.can_encode(text):
        text = dumps(obj, lang, ascii_only=True)
    click.echo(text)


def guarded(f: Callable) -> Callable:
    """Run a command so that a user never sees a traceback.

    FollowupError → its sentence (in --lang) on stderr, or a JSON object with
    --json, and its exit code. Ctrl-C → exit 130. Anything else is a bug: one
    line naming it and exit 70 (set FOLLOWUP_XL_DEBUG=1 for the traceback).
    """

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from ..io.cuts import cut_cells

        with quiet_closed_pipes(), cut_cells() as cut:
            try:
                with _output_folders(kwargs.get("lang") or "zh"):
                    return _run(f, args, kwargs)
            finally:  # a text cut to fit a cell that the command did not report itself
                _say_cuts(cut, kwargs.get("lang", "zh"))

    return wrapper


def _say_cuts(cut, lang: str) -> None:
    from ..io.cuts import take_cuts

    echo_warnings([render("output.cell_cut", lang, **c) for c in take_cuts(cut)], lang)


def _run(f: Callable, args, kwargs):
    """``f`` with every error turned into its sentence and exit code (see ``guarded``)."""
    lang = kwargs.get("lang", "zh")
    as_json = kwargs.get("as_json", False)
    try:
        return f(*args, **kwargs)
    except FollowupError as exc:
        _fail(exc.message(lang), exc.exit_code, as_json, exc.to_dict(lang), lang)
    except KeyboardInterrupt:
        _fail(
            render("cli.interrupted", lang),
            130,
            as_json,
            lang=lang,
        )
    except MemoryError:
        _fail(
            render("cli.out_of_memory", lang),
            2,
            as_json,
            lang=lang,
        )
    except click.exceptions.Exit:
        raise
    except click.ClickException:
        raise
    except Exception as exc:  # a bug: still one sentence
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        msg = render(
            "cli.internal_error", lang, error_type=type(exc).__name__, exc=exc, env=DEBUG_ENV
        )
        _fail(msg, EXIT_INTERNAL, as_json, lang=lang)


def _fail(
    message: str, code: int, as_json: bool, payload: dict | None = None, lang: str = "zh"
) -> None:
    if as_json:
        text = json.dumps(payload or {"error": message, "exit_code": code}, ensure_ascii=False)
        click.echo(
            text
            if console.can_encode(text)
            else json.dumps(payload or {"error": message, "exit_code": code})
        )
    echo((render("cli.error", lang)) + message, err=True)
    sys.exit(code)


def echo_warnings(warnings, lang: str) -> None:
    """Warnings (e.g. an unknown 调休 year) go to stderr, so --json output stays clean."""
    for w in warnings:
        echo((render("cli.note", lang)) + localize(w, lang), err=True)


# C0/C1 controls (ESC starts terminal escape sequences; \x9b is a one-byte CSI) and bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(text: Any) -> str:
    """Staff text made harmless for a terminal: control characters shown as \\x1b etc., never obeyed
    (a cell holding ``_x001B_[2J`` must not clear the manager's screen)."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        str(text),
    )


def markup_safe(text: Any) -> str:
    """For rich: control characters shown, and ``[bold red]`` printed as typed, not obeyed."""
    from rich.markup import escape

    return escape(plain(text))


def echo(text: Any = "", err: bool = False) -> None:
    """click.echo for lines that carry staff text (names, reasons, file names)."""
    click.echo(plain(text), err=err)


@contextlib.contextmanager
def terminate_as_interrupt():
    """SIGTERM (a kill, a closed session) raised as KeyboardInterrupt inside the block, so the
    ``finally`` clauses that remove temporary and plain files run (exit 130)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def progress(lang: str, enabled: bool = True):
    """A rich progress bar on a terminal; silent otherwise (pipes, --json, CI)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
