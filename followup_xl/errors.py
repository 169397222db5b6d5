"""Errors a user can act on: one sentence, in their language, with an exit code.

Each failure kind is its own class (callers and tests match the type, not the words);
each instance carries a message id from the catalog (messages.py) and its parameters.
The CLI prints ``message(lang)`` and exits with ``exit_code``; it never shows a
traceback for these.
"""

from __future__ import annotations

from .messages import render

# Exit codes shared by every command (documented in `followup-xl --help`).
EXIT_OK = 0
EXIT_FINDINGS = 1  # ran, but found errors / some inputs failed
EXIT_UNREADABLE = 2  # an input could not be read at all
EXIT_USAGE = 3  # bad option, output path, or policy
EXIT_INTERNAL = 70  # a bug: please report it


class FollowupError(Exception):
    exit_code = EXIT_UNREADABLE

    def __init__(
        self,
        msg_id: str,
        /,
        *,
        path: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        exit_code: int | None = None,
        **params,
    ):
        self.msg_id = msg_id
        # an exception's own text, not the exception: the error must pickle (io/read/isolate.py)
        self.params = {k: str(v) if isinstance(v, BaseException) else v for k, v in params.items()}
        self.path = path
        self.sheet = sheet
        self.cell = cell
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.message("en"))

    def __reduce__(self):
        # pickles across the reader's child process (io/read/isolate.py) with its id and parameters
        where = {"path": self.path, "sheet": self.sheet, "cell": self.cell}
        return (_rebuild, (type(self), self.msg_id, where, self.exit_code, self.params))

    @property
    def zh(self) -> str:
        return self.text("zh")

    @property
    def en(self) -> str:
        return self.text("en")

    def text(self, lang: str = "zh") -> str:
        """The sentence alone, without where it happened."""
        return render(self.msg_id, lang, **self.params)

    def where(self) -> str:
        parts = [p for p in (self.path, self.sheet, self.cell) if p]
        return " › ".join(parts)

    def message(self, lang: str = "zh") -> str:
        text = self.text(lang)
        where = self.where()
        return f"{where}: {text}" if where else text

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "error": self.message(lang),
            "file": self.path,
            "sheet": self.sheet,
            "cell": self.cell,
            "exit_code": self.exit_code,
        }


def _rebuild(cls, msg_id, where, exit_code, params):
    return cls(msg_id, **where, exit_code=exit_code, **params)


# ---- exit 2: an input could not be read -------------------------------------------


class UnreadableWorkbook(FollowupError):
    """The file is not a workbook we can open (truncated, encrypted, wrong format…)."""

    exit_code = EXIT_UNREADABLE


class PasswordProtected(UnreadableWorkbook):
    """The workbook needs a password to open."""


class WorkbookTooLarge(UnreadableWorkbook):
    """The file or its used range is too big to read safely."""


class NoRecognisedSheets(UnreadableWorkbook):
    """The workbook opens but has none of our sheets or no header row we know."""


class OwnFileGiven(UnreadableWorkbook):
    """One of the tool's own outputs was given where a staff book or master is wanted."""


class WrongWorkbook(UnreadableWorkbook):
    """A workbook that opens but is not the kind the command needs (e.g. not a hand-over plan)."""


class BadHistory(UnreadableWorkbook):
    """The master's history sheet names a file that is missing, a path, or the master itself."""


class HistoryWriteFailed(FollowupError):
    """A history file of the master could not be written, so the master was left alone."""


class ReaderCrashed(UnreadableWorkbook):
    """The reader's child process died on the file (a signal, an abort)."""


class UnreadableParquet(FollowupError):
    """A Parquet file under an export folder that cannot be read as the table it stands for."""

    exit_code = EXIT_UNREADABLE


# ---- exit 3: a bad option, output path or policy value -----------------------------


class UsageError(FollowupError):
    """A bad option, output path or policy value."""

    exit_code = EXIT_USAGE


class BadOption(UsageError):
    """Options that are missing, conflict, or are empty."""


class BadDate(UsageError):
    """A date, month or year that is malformed or out of range."""


class BadMonth(BadDate):
    """A month that is not YYYY-MM."""


class UnknownOwner(UsageError):
    """A person named on the command line who owns no customers or is not on the staff sheet."""


class BadReceivers(UsageError):
    """Hand-over receivers that repeat, have left, or include the leaver."""


class BadHandoverPlan(UsageError):
    """An edited hand-over plan that cannot be carried out as it stands."""


class BadSmsTemplate(UsageError):
    """A hand-over SMS template that is malformed or uses unknown placeholders."""


class BadPolicy(UsageError):
    """A policy file or value (规则设置) that is missing, malformed or out of range."""


class BadMapFile(UsageError):
    """An import column map (--map) that cannot be read or names no field of ours."""


class OutputRefused(UsageError):
    """An output path we will not write: an input, a folder, read-only, open in Excel, wrong ending."""


class OutputExists(OutputRefused):
    """The output is already there and holds data; not overwritten without being asked."""


class BadApproval(UsageError):
    """A 待批准 answer other than 是/否 or blank."""


class NoInputs(UsageError):
    """No workbooks found among the inputs."""


class UnknownCheck(UsageError):
    """No entry check with the code asked for."""


class NotOurMaster(UsageError):
    """A command that needs a master written by this tool was given something else."""


class MissingPackage(UsageError):
    """An optional package a call needs (pandas for ``to_pandas``) is not installed."""
