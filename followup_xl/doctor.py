"""`doctor`: is this PC set up for the workbook buttons? Plain checks over plain facts.

The facts (which Python runs, what the user's xlwings.conf and the workbook's xlwings.conf
sheet say, which versions are installed) are gathered by ``io/environment.py`` into an
``Environment``; every check here is a function of it alone, so the tests drive them with
a made-up PC. What no program can see from outside Excel (Trust Center settings, whether
macros were enabled, a downloaded file's block) is listed as a manual step with where to click.

RunPython finds its interpreter as xlwings.bas's GetConfig does: the workbook's
``xlwings.conf`` sheet, then an ``xlwings.conf`` file beside the workbook, then the user's
``%USERPROFILE%\\.xlwings\\xlwings.conf``, then plain ``python`` on PATH.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .messages import Message, localize, message
from .results import Table

OK, FAIL, WARN, MANUAL = "ok", "fail", "warn", "manual"
PYTHONS = ((3, 11), (3, 13))  # the versions the offline installer carries wheels for
UDF_MODULES = "followup_xl.xl.functions"


@dataclass(frozen=True)
class Interpreter:
    """An interpreter setting as written (``raw``) and the file it names on this PC (``path``,
    normalised for comparing; None when it names nothing that exists)."""

    raw: str
    path: str | None


@dataclass(frozen=True)
class Environment:
    python: tuple[int, int, int]
    executable: str  # this interpreter, normalised as Interpreter.path is
    platform: str  # sys.platform
    followup_version: str
    xlwings_version: str | None  # None: xlwings is not importable
    xlwings_pinned: str  # the xlwings whose VBA the workbooks embed
    user_conf_path: str
    user_conf: dict[str, str] | None  # keys upper-cased as xlwings compares them; None: no file
    user_interpreter: Interpreter | None  # the user's INTERPRETER_WIN/_MAC (or INTERPRETER)
    path_python: Interpreter | None  # `python` on PATH (`python3` off Windows)
    book: str | None = None
    book_conf: dict[str, str] | None = None  # the workbook's xlwings.conf sheet; None: none
    book_interpreter: Interpreter | None = None
    folder_conf: bool = False  # an xlwings.conf file beside the workbook
    folder_interpreter: Interpreter | None = None

    @property
    def interpreter_key(self) -> str:
        return "INTERPRETER_MAC" if self.platform == "darwin" else "INTERPRETER_WIN"


@dataclass(frozen=True)
class Check:
    key: str
    status: str  # OK, FAIL, WARN or MANUAL
    said: Message
    fix: Message | None = None  # what to do (a sentence with where to click or what to run)
    fixable: bool = False  # `doctor --fix` repairs it (the user's xlwings.conf)


@dataclass
class DoctorResult(Table):
    checks: list[Check] = field(default_factory=list)
    environment: Environment | None = None
    fixed: str | None = None  # the xlwings.conf --fix wrote

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def _records(self, lang: str) -> Iterable[dict]:
        for c in self.checks:
            yield {
                "check": c.key,
                "status": c.status,
                "message": localize(c.said, lang),
                "fix": localize(c.fix, lang) if c.fix else None,
            }


def check_python(env: Environment) -> Check:
    version = ".".join(map(str, env.python))
    if PYTHONS[0] <= env.python[:2] <= PYTHONS[1]:
        return Check("python", OK, message("doctor.python_ok", version=version))
    return Check(
        "python",
        FAIL,
        message("doctor.python_bad", version=version),
        message("doctor.python_fix"),
    )


def check_xlwings(env: Environment) -> Check:
    if env.xlwings_version is None:
        return Check(
            "xlwings",
            FAIL,
            message("doctor.xlwings_missing"),
            message("doctor.reinstall"),
        )
    if env.xlwings_version != env.xlwings_pinned:
        return Check(
            "xlwings",
            FAIL,
            message("doctor.xlwings_other", version=env.xlwings_version, pinned=env.xlwings_pinned),
            message("doctor.reinstall"),
        )
    return Check("xlwings", OK, message("doctor.xlwings_ok", version=env.xlwings_version))


SOURCES = {  # where RunPython's interpreter setting was found
    "sheet": "doctor.source_sheet",
    "folder": "doctor.source_folder",
    "user": "doctor.source_user",
    "path": "doctor.source_path",
}


def runpython_interpreter(env: Environment) -> tuple[str, Interpreter | None]:
    """Where RunPython takes its interpreter from, in xlwings' order, and what it names."""
    key = env.interpreter_key
    if env.book_conf is not None and (key in env.book_conf or "INTERPRETER" in env.book_conf):
        return "sheet", env.book_interpreter
    if env.folder_conf and env.folder_interpreter is not None:
        return "folder", env.folder_interpreter
    if env.user_interpreter is not None:
        return "user", env.user_interpreter
    return "path", env.path_python


def check_runpython(env: Environment) -> Check:
    source, found = runpython_interpreter(env)
    where = message(SOURCES[source], book=env.book or "", conf=env.user_conf_path)
    if found is None or found.path is None:
        named = found.raw if found is not None else "python"
        return Check(
            "runpython",
            FAIL,
            message("doctor.runpython_missing", where=where, interpreter=named),
            message("doctor.runpython_fix_sheet" if source == "sheet" else "doctor.run_fix"),
            fixable=source in ("user", "path"),
        )
    if found.path != env.executable:
        return Check(
            "runpython",
            FAIL,
            message(
                "doctor.runpython_other", where=where, interpreter=found.path, this=env.executable
            ),
            message("doctor.runpython_fix_sheet" if source == "sheet" else "doctor.run_fix"),
            fixable=source in ("user", "path"),
        )
    return Check("runpython", OK, message("doctor.runpython_ok", where=where, this=env.executable))


def check_user_conf(env: Environment) -> Check:
    """The user's xlwings.conf names this interpreter and our worksheet functions' module: what
    the xlwings add-in (Import Functions) and a workbook without a conf sheet go by."""
    conf = env.user_conf or {}
    wrong = []
    if env.user_interpreter is None or env.user_interpreter.path != env.executable:
        wrong.append(env.interpreter_key)
    if conf.get("UDF MODULES") != UDF_MODULES:
        wrong.append("UDF MODULES")
    if not wrong:
        return Check("user_conf", OK, message("doctor.user_conf_ok", conf=env.user_conf_path))
    return Check(
        "user_conf",
        FAIL,
        message("doctor.user_conf_bad", conf=env.user_conf_path, keys=wrong),
        message("doctor.run_fix"),
        fixable=True,
    )


def check_book(env: Environment) -> Check | None:
    """The workbook was built for the followup-xl and xlwings installed here."""
    if env.book is None:
        return None
    if env.book_conf is None:
        return Check(
            "book",
            WARN,
            message("doctor.book_no_conf", book=env.book),
            message("doctor.book_fix"),
        )
    built = env.book_conf.get("FOLLOWUP-XL VERSION", "")
    built_xlwings = env.book_conf.get("XLWINGS VERSION", "")
    if built_xlwings != (env.xlwings_version or "") or built != env.followup_version:
        return Check(
            "book",
            FAIL,
            message(
                "doctor.book_versions",
                book=env.book,
                built=built or "?",
                built_xlwings=built_xlwings or "?",
                installed=env.followup_version,
                installed_xlwings=env.xlwings_version or "—",
            ),
            message("doctor.book_fix"),
        )
    if env.book_conf.get("UDF MODULES") != UDF_MODULES:
        return Check(
            "book", FAIL, message("doctor.book_udf", book=env.book), message("doctor.book_fix")
        )
    return Check("book", OK, message("doctor.book_ok", book=env.book, version=built))


MANUAL_STEPS = {  # what only a person in Excel can check: the setting, where to click
    "trust_vba": ("doctor.manual_trust_vba", "doctor.manual_trust_vba_where"),
    "macros": ("doctor.manual_macros", "doctor.manual_macros_where"),
    "unblock": ("doctor.manual_unblock", "doctor.manual_unblock_where"),
    "functions": ("doctor.manual_functions", "doctor.manual_functions_where"),
}
CHECK_NAMES = {  # a check's name where it is a label (the 管理台's figures)
    "python": "doctor.check_python",
    "xlwings": "doctor.check_xlwings",
    "runpython": "doctor.check_runpython",
    "user_conf": "doctor.check_user_conf",
    "book": "doctor.check_book",
}


def manual_checks() -> list[Check]:
    return [
        Check(k, MANUAL, message(said), message(where)) for k, (said, where) in MANUAL_STEPS.items()
    ]


def diagnose(env: Environment) -> list[Check]:
    checks = [check_python(env), check_xlwings(env), check_runpython(env), check_user_conf(env)]
    book = check_book(env)
    return checks + ([book] if book else []) + manual_checks()


def user_conf_lines(existing: str, settings: dict[str, str]) -> str:
    """The user's xlwings.conf with ``settings`` set (xlwings' own format: ``"KEY","value"`` a
    line, as `xlwings config create` writes it), every other line kept as it was."""
    keys = {k.upper() for k in settings}
    kept = [
        line
        for line in existing.splitlines()
        if line.strip() and line.split(",", 1)[0].strip().strip('"').upper() not in keys
    ]
    return "\n".join(kept + [f'"{k}","{v}"' for k, v in settings.items()]) + "\n"


def parse_user_conf(text: str) -> dict[str, str]:
    """As xlwings' read_user_config (utils.py) and the VBA's GetConfigFromFile read it."""
    import re

    conf: dict[str, str] = {}
    for line in text.splitlines():
        values = re.findall(r'"[^"]*"', line)
        if len(values) >= 2:
            conf.setdefault(values[0].strip('"').upper(), values[1].strip('"'))
    return conf
