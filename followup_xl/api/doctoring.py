"""`doctor`: is this PC set up for the workbook buttons (and `--fix` what can be fixed)."""

from __future__ import annotations

from ..doctor import DoctorResult, diagnose
from ..errors import FollowupError


class BookUnreadable(FollowupError):
    """The workbook doctor was asked about is missing or not a workbook (exit 2)."""


def doctor(
    path: str | None = None, *, fix: bool = False, user_conf: str | None = None
) -> DoctorResult:
    """Check this PC for the 校验 button: the Python version, the interpreter RunPython will
    start, xlwings, the user's xlwings.conf and, given the workbook at ``path``, the versions
    it was built for; Excel's own settings are listed as steps for a person. ``fix`` writes
    this interpreter and the worksheet functions' module into the user's xlwings.conf (the file
    xlwings reads; ``user_conf`` names another) and checks again."""
    from ..io.environment import gather, write_user_conf

    try:
        env = gather(path, user_conf)
    except FollowupError:
        raise
    except Exception as exc:  # not a workbook calamine can open
        raise BookUnreadable("doctor.book_unreadable", path=path, exc=exc) from None
    fixed = None
    if fix and any(c.fixable for c in diagnose(env)):
        fixed = write_user_conf(env)
        env = gather(path, user_conf)
    return DoctorResult(checks=diagnose(env), environment=env, fixed=fixed)
