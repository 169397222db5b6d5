"""Errors a user can act on: one sentence, in their language, with an exit code.

The CLI prints ``message(lang)`` and exits with ``exit_code``; it never shows a
traceback for these.
"""

from __future__ import annotations

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
        zh: str,
        en: str | None = None,
        *,
        path: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        exit_code: int | None = None,
    ):
        self.zh = zh
        self.en = en or zh
        self.path = path
        self.sheet = sheet
        self.cell = cell
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.message("en"))

    def where(self) -> str:
        parts = [p for p in (self.path, self.sheet, self.cell) if p]
        return " › ".join(parts)

    def message(self, lang: str = "zh") -> str:
        text = self.en if lang == "en" else self.zh
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


class UnreadableWorkbook(FollowupError):
    """The file is not a workbook we can open (truncated, encrypted, wrong format…)."""

    exit_code = EXIT_UNREADABLE


class UsageError(FollowupError):
    """A bad option, output path or policy value."""

    exit_code = EXIT_USAGE
