"""What the 回访管理台 buttons run (macros/Manager.bas → RunPython), in the open workbook.

A second shell over `followup_xl.api`, beside the CLI: each button reads the
操作 sheet's settings through the xlwings book object, calls the api function
the CLI command of the same job calls (same arguments, same outputs), and
writes what happened back — a 运行记录 row (when, what, the counts the CLI
prints, warnings as sentences, links to the files written) and the newest key
figures under 最近结果. A failure is a sentence there, never a traceback; the
status bar says what is running.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from .. import api
from ..errors import FollowupError
from ..io.write.manager import (
    ACTIONS,
    LIST_ROWS,
    LISTS,
    LOG,
    LOG_HEADERS,
    SETTINGS,
    result_row,
)
from ..messages import Label, localize, message, render
from ..models import column_letter
from ..results import ValidationRun
from .button import as_text, as_text_rows

JOBS = {  # job → its name, as on the button
    "merge": message("manager.job_merge"),
    "validate": message("manager.job_validate_all"),
    "due": message("manager.job_due_list"),
    "schedule": message("manager.job_schedule"),
    "weekly": message("manager.job_weekly_summary"),
    "report": message("manager.job_monthly_report"),
    "handover": message("manager.job_handover"),
    "split": message("manager.job_split"),
    "doctor": message("manager.job_doctor"),
}
RESULT_ROWS = 10  # rows under 最近结果 cleared before the newest figures are written


class SettingError(FollowupError):
    exit_code = 3


def _caller():
    import xlwings as xw

    return xw.Book.caller()


def lang_of(xl_book) -> str:
    return "en" if ACTIONS["en"] in [s.name for s in xl_book.sheets] else "zh"


@dataclass
class Settings:
    """The 操作 sheet's values, paths resolved against the workbook's folder."""

    lang: str
    base: str
    values: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)  # key → Excel row of its value (column B)
    workbook: str = ""  # the 管理台 itself
    set_master: str | None = None  # a job that wrote a new master names it here

    def text(self, key: str) -> str:
        v = self.values.get(key)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    def path(self, key: str) -> str:
        t = self.text(key)
        return os.path.normpath(os.path.join(self.base, t)) if t else ""

    def need_path(self, key: str, must_exist: bool = True) -> str:
        p = self.path(key)
        if not p:
            raise self.error(key, "manager.blank")
        if must_exist and not os.path.exists(p):
            raise self.error(key, "manager.path_missing", value=self.text(key))
        return p

    def error(self, key: str, msg_id: str, **params) -> SettingError:
        s = next(s for s in SETTINGS if s.key == key)
        return SettingError(
            msg_id,
            setting=Label(s.zh, s.en),
            sheet=ACTIONS[self.lang],
            cell=f"B{self.rows[key]}",
            **params,
        )

    @property
    def as_of(self) -> dt.date:
        v = self.values.get("as_of")
        if v in (None, ""):
            return dt.date.today()
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(self.text("as_of").replace("/", "-"))
        except ValueError:
            raise self.error("as_of", "manager.bad_as_of") from None

    @property
    def month(self) -> str:
        from ..report import month_bounds, shift_month

        v = self.values.get("month")
        if isinstance(v, (dt.date, dt.datetime)):  # Excel turned the picked 2026-10 into a date
            return f"{v:%Y-%m}"
        month = self.text("month") or shift_month(f"{self.as_of:%Y-%m}", -1)
        try:
            month_bounds(month)
        except FollowupError:
            raise self.error("month", "manager.bad_month") from None
        return month

    @property
    def mask_phones(self) -> bool:
        return self.text("mask_phones").lower() in ("是", "yes", "y", "true", "1")

    def output_dir(self) -> str:
        out = self.need_path("output", must_exist=False)
        os.makedirs(out, exist_ok=True)
        return out

    def master(self) -> str:
        if not self.text("master"):
            raise self.error("master", "manager.master_blank")
        return self.need_path("master")

    def relative(self, path: str) -> str:
        """How a path is written back into the sheet: relative to the workbook when inside its folder."""
        rel = os.path.relpath(path, self.base)
        return path if rel.startswith("..") else rel


def read_settings(xl_book) -> Settings:
    """The settings by their labels in column A, so a moved row still counts."""
    lang = lang_of(xl_book)
    if ACTIONS[lang] not in [s.name for s in xl_book.sheets]:
        raise SettingError(
            "manager.sheet_missing", name=Label(ACTIONS["zh"], ACTIONS["en"]), path=xl_book.name
        )
    sheet = xl_book.sheets[ACTIONS[lang]]
    grid = sheet["A1:B40"].options(ndim=2).value or []
    labels = (
        {s.label(lang): s.key for s in SETTINGS}
        | {s.zh: s.key for s in SETTINGS}
        | {s.en: s.key for s in SETTINGS}
    )
    st = Settings(
        lang, os.path.dirname(os.path.abspath(xl_book.fullname)), workbook=xl_book.fullname
    )
    for i, row in enumerate(grid, start=1):
        key = labels.get(str(row[0]).strip()) if row and row[0] is not None else None
        if key and key not in st.rows:
            st.values[key], st.rows[key] = row[1], i
    missing = [s for s in SETTINGS if s.key not in st.rows]
    if missing:
        raise SettingError(
            "manager.setting_missing", name=Label(missing[0].zh, missing[0].en), sheet=ACTIONS[lang]
        )
    return st


# ---- the jobs: each calls the api function its CLI command calls, with the same arguments ------------


def _stamp(st: Settings) -> str:
    return st.as_of.isoformat()


def _base_master(st: Settings) -> tuple[list[str], list[str]]:
    """The base the merge is told (--master): 上周总表, else the 当前总表 this workbook last wrote
    (its run log's newest master), said in a line; nothing else in the inbox can be the base."""
    if st.text("last_master"):
        return [st.need_path("last_master")], []
    current = st.path("master") if st.text("master") else ""
    if current and os.path.exists(current):
        return [current], [render("manager.base_from_current", st.lang, path=st.text("master"))]
    return [], []


def job_merge(st: Settings, status) -> dict:
    inputs = [st.need_path("inbox")]
    masters, said = _base_master(st)
    out = os.path.join(
        st.output_dir(), (render("manager.master_file", st.lang)) + _stamp(st) + ".xlsx"
    )
    seen = {"file": 0}

    def tick(kind, n):
        if kind == "file":
            seen["file"] += n
            status(render("manager.reading_file", st.lang, file=seen["file"]))

    r = api.merge(inputs, out, as_of=st.as_of, on_progress=tick, masters=masters, lang=st.lang)
    failed = [i for i in r.inputs if i["status"] == "error"]
    figures = [
        (render("manager.customers", st.lang), r.customers),
        (render("manager.calls", st.lang), r.calls),
        (render("manager.triggers", st.lang), r.events),
        (render("manager.duplicates_dropped", st.lang), r.duplicates_dropped),
        (render("master_book.conflicts", st.lang), len(r.conflicts)),
        (render("manager.failed_inputs", st.lang), len(failed)),
    ]
    warnings = said + [f"{i['path']}: {i['error']}" for i in failed]
    warnings += [localize(w, st.lang) or "" for w in r.warnings]  # lineage: stale, forged, no base…
    if r.written:
        st.set_master = out
    return {
        "figures": figures,
        "warnings": warnings,
        "files": [out] if r.written else [],
        "ok": r.written,
        "raw": r,
    }


def job_validate(st: Settings, status) -> dict:
    from ..io.read.batch import discover

    inbox = st.need_path("inbox")
    folder = os.path.join(st.output_dir(), (render("manager.checked_folder", st.lang)) + _stamp(st))
    os.makedirs(folder, exist_ok=True)
    items = [i for i in discover([inbox]) if i.status == "pending"]
    run = ValidationRun()  # one task per readable book, a sentence per unreadable one
    for n, item in enumerate(items, start=1):
        status(render("manager.validating", st.lang, n=n, n_items=len(items)))
        stem = os.path.splitext(os.path.basename(item.path))[0]
        out = os.path.join(folder, stem + (render("manager.checked_file", st.lang)))
        try:
            run.tasks.append(api.validate(item.path, out, as_of=st.as_of, lang=st.lang))
        except FollowupError as exc:
            run.unreadable.append(exc.message(st.lang))  # shown in the run's language
    books = [
        {
            "path": t.file,
            "errors": len(t.errors),
            "warnings": len(t.warnings),
            "annotated": t.annotated,
        }
        for t in run.tasks
    ]
    figures = [
        (render("manager.workbooks", st.lang), len(run.tasks)),
        (render("manager.with_errors", st.lang), sum(1 for t in run.tasks if not t.valid)),
        (render("manager.errors", st.lang), len(run.errors)),
        (render("manager.warnings", st.lang), len(run.warnings)),
        (render("manager.unreadable", st.lang), len(run.unreadable)),
    ]
    return {
        "figures": figures,
        "warnings": [localize(u, st.lang) for u in run.unreadable],
        "files": [t.annotated for t in run.tasks],
        "ok": True,
        "raw": {"books": books},
    }


def job_due(st: Settings, status) -> dict:
    out = os.path.join(
        st.output_dir(), (render("manager.due_file", st.lang)) + _stamp(st) + ".xlsx"
    )
    r = api.due(st.master(), out, as_of=st.as_of, mask_phones=st.mask_phones, lang=st.lang)
    n = r.counts
    figures = [
        (render("manager.overdue", st.lang), n["overdue"]),
        (render("manager.due_today", st.lang), n["due"]),
        (render("due_book.status.upcoming", st.lang), n["upcoming"]),
        (render("manager.to_escalate", st.lang), n["escalate"]),
        (render("due_book.status.missed", st.lang), n["missed"]),
    ]
    return _with_warnings(st, figures, out, r)


def _with_warnings(st: Settings, figures: list, out: str, result) -> dict:
    """A job's outcome whose result carries warnings (the calendar's, the policy's): in st.lang."""
    return {
        "figures": figures,
        "warnings": [localize(w, st.lang) for w in result.warnings],
        "files": [out],
        "ok": True,
        "raw": result,
    }


def job_schedule(st: Settings, status) -> dict:
    out = os.path.join(
        st.output_dir(), (render("manager.schedule_file", st.lang)) + _stamp(st) + ".xlsx"
    )
    r = api.schedule(st.master(), as_of=st.as_of, out=out, mask_phones=st.mask_phones, lang=st.lang)
    plan = r.plan
    figures = [
        (
            render("manager.week", st.lang),
            f"{plan.week_start.isoformat()} – {plan.week_end.isoformat()}",
        ),
        (render("manager.planned", st.lang), len(plan.items)),
        (render("schedule_book.unscheduled", st.lang), len(plan.unscheduled)),
    ]
    return _with_warnings(st, figures, out, r)


def job_weekly(st: Settings, status) -> dict:
    out = os.path.join(
        st.output_dir(), (render("manager.weekly_file", st.lang)) + _stamp(st) + ".xlsx"
    )
    r = api.weekly(st.master(), out=out, lang=st.lang, as_of=st.as_of)
    w = r.week

    def total(k):
        return sum(o[k] for o in w.by_owner)

    figures = [
        (render("manager.week", st.lang), f"{w.week_start.isoformat()} – {w.week_end.isoformat()}"),
        (render("manager.due", st.lang), w.report_day.isoformat()),
        (render("manager.deals", st.lang), total("deals")),
        (render("manager.new_customers", st.lang), total("new_customers")),
        (render("manager.calls_made", st.lang), total("calls")),
        (render("manager.overdue_at_week_end", st.lang), total("overdue")),
    ]
    return {"figures": figures, "warnings": [], "files": [out], "ok": True, "raw": r}


def job_report(st: Settings, status) -> dict:
    month = st.month
    out = os.path.join(st.output_dir(), (render("manager.report_file", st.lang)) + month + ".xlsx")
    result = api.report(st.master(), out, month=month, mask_phones=st.mask_phones, lang=st.lang)
    r = result.figures

    def pct(v):
        return "—" if v is None else f"{v}%"

    figures = [
        (render("manager.month", st.lang), month),
        (render("manager.planned_calls", st.lang), r["planned"]),
        (
            render("manager.done_calls", st.lang),
            render("manager.count_pct", st.lang, count=r["done"], pct=pct(r["done_pct"])),
        ),
        (
            render("manager.successful", st.lang),
            render(
                "manager.count_pct", st.lang, count=r["successful"], pct=pct(r["successful_pct"])
            ),
        ),
        (
            render("manager.satisfaction", st.lang),
            r["satisfaction_avg"] if r["satisfaction_avg"] is not None else "—",
        ),
    ]
    missed = [
        (
            render(
                "report.rule_target_missed",
                st.lang,
                rule=c["rule"],
                name=c["name"],
                actual=pct(c["actual_pct"]),
                target_pct=c["target_pct"],
                planned=c["planned"],
                done=c["done"],
            )
        )
        for c in r["coverage_by_rule"]  # every rule of 回访规则 with a target
        if c["met"] is False
    ]
    return {"figures": figures, "warnings": missed, "files": [out], "ok": True, "raw": result}


def job_handover(st: Settings, status) -> dict:
    leaver = st.text("leaver")
    if not leaver:
        raise st.error("leaver", "manager.leaver_blank")
    receivers = [st.text(k) for k in ("receiver1", "receiver2", "receiver3") if st.text(k)]
    if not receivers:
        raise st.error("receiver1", "manager.receiver_blank")
    master = st.master()
    stem = os.path.splitext(os.path.basename(master))[0]
    out = os.path.join(
        st.output_dir(), f"{stem}_{render('manager.handover_file', st.lang)}_{leaver}.xlsx"
    )
    r = api.handover(
        master,
        out,
        leaver=leaver,
        receivers=receivers,
        by=st.text("by") or None,
        as_of=st.as_of,
        lang=st.lang,
    )
    figures = [
        (render("manager.leaver", st.lang), r.leaver),
        (render("manager.customers_moved", st.lang), r.moved),
        (render("manager.sms_notices", st.lang), r.sms),
    ]
    figures += [
        (
            row["receiver"],
            (render("manager.receives", st.lang, received=row["received"], after=row["after"])),
        )
        for row in r.summary
    ]
    st.set_master = out
    return {
        "figures": figures,
        "warnings": [localize(w, st.lang) for w in r.warnings],
        "files": [out, r.record],
        "ok": True,
        "raw": r,
    }


def job_split(st: Settings, status) -> dict:
    folder = os.path.join(st.output_dir(), (render("manager.split_folder", st.lang)) + _stamp(st))
    r = api.split(
        st.master(), folder, lang=st.lang, as_of=st.as_of, macro=True
    )  # as the CLI: .xlsm with 校验
    figures = [
        (render("manager.workbooks", st.lang), len(r.books)),
        (render("manager.customers", st.lang), sum(b.customers for b in r.books)),
        (render("manager.open_follow_ups", st.lang), sum(b.open_items for b in r.books)),
    ]
    return {
        "figures": figures,
        "warnings": [],
        "files": [b.path for b in r.books],
        "ok": True,
        "raw": r,
    }


def job_doctor(st: Settings, status) -> dict:
    """检查环境: `followup-xl doctor <this workbook>` — each check a figure, what to fix a warning."""
    from ..doctor import CHECK_NAMES, MANUAL, OK

    r = api.doctor(st.workbook)
    word = {OK: render("manager.done", st.lang), MANUAL: render("manager.manual", st.lang)}
    figures = [
        (render(CHECK_NAMES[c.key], st.lang), word.get(c.status, render("manager.failed", st.lang)))
        for c in r.checks
        if c.status != MANUAL
    ]
    warnings = [
        f"{localize(c.said, st.lang)}: {localize(c.fix, st.lang)}"
        for c in r.checks
        if c.status != OK and c.fix
    ]
    return {"figures": figures, "warnings": warnings, "files": [], "ok": True, "raw": r}


# ---- the shell around every job ---------------------------------------------------------------------


def run(job: str, xl_book=None) -> dict:
    """Run one job for the workbook; write its outcome; never raise (the sheet shows a sentence)."""
    xl_book = xl_book or _caller()
    lang = lang_of(xl_book)
    name = JOBS[job].render(lang)
    app = getattr(xl_book, "app", None)

    def status(text: str | bool) -> None:
        if app is not None:
            try:
                app.status_bar = (
                    render("manager.status", lang, job=name, text=text)
                    if isinstance(text, str)
                    else text
                )
            except Exception:
                pass

    started = dt.datetime.now()
    status(render("manager.running", lang))
    try:
        st = read_settings(xl_book)
        outcome = JOB_RUNS[job](st, status)
        if st.set_master:
            xl_book.sheets[ACTIONS[lang]][f"B{st.rows['master']}"].value = as_text(
                st.relative(st.set_master)
            )
        if outcome["ok"] and job not in ("validate", "doctor"):  # 交接 pickers follow the master
            _refresh_staff(xl_book, lang, st.set_master or st.master())
    except FollowupError as exc:
        outcome = {
            "ok": False,
            "error": exc.message(lang),
            "figures": [],
            "warnings": [],
            "files": [],
        }
    except Exception as exc:
        outcome = {
            "ok": False,
            "figures": [],
            "warnings": [],
            "files": [],
            "error": (
                render("manager.internal_error", lang, error_type=type(exc).__name__, exc=exc)
            ),
        }
    finally:
        status(False)
    outcome["job"], outcome["when"] = job, started
    _write_log(xl_book, lang, name, outcome)
    _write_result(xl_book, lang, name, outcome)
    from .button import version_mismatch

    note = version_mismatch(xl_book, lang)
    _alert(xl_book, _summary(lang, name, outcome) + ("\n" + note if note else ""))
    return outcome


def _summary(lang: str, name: str, outcome: dict) -> str:
    if not outcome["ok"]:
        return f"{name}{render('manager.failed_suffix', lang)}: {outcome.get('error', '')}"
    sep = render("sep.comma", lang)
    return f"{name}: " + sep.join(f"{k} {v}" for k, v in outcome["figures"])


def staff_names(path: str) -> list[str]:
    """The 人员 names of a master, reading only that sheet (a master can be large)."""
    import python_calamine as pc

    from .. import schema
    from ..io.read.workbook import read_rows
    from ..models import Book

    book = Book(path=path)
    wb = pc.CalamineWorkbook.from_path(path)
    try:
        for name in (schema.STAFF.zh, schema.STAFF.en):
            if name in wb.sheet_names:
                read_rows(
                    book,
                    name,
                    iter(wb.get_sheet_by_name(name).to_python(skip_empty_area=False)),
                    path,
                    provenance=False,
                )
    finally:
        wb.close()
    return list(dict.fromkeys(s.name for s in book.staff if s.name))


def _refresh_staff(xl_book, lang: str, master: str) -> None:
    """The 交接 pickers list the new master's 人员."""
    names = staff_names(master)[:LIST_ROWS]
    lists = xl_book.sheets[LISTS[lang]]
    lists[f"C2:C{LIST_ROWS + 1}"].value = None
    if names:
        lists["C2"].value = [[as_text(n)] for n in names]  # a name is never a formula


def _write_log(xl_book, lang: str, name: str, outcome: dict) -> None:
    names = [s.name for s in xl_book.sheets]
    if LOG[lang] not in names:  # deleted by hand: start a new log
        log = xl_book.sheets.add(
            LOG[lang], after=xl_book.sheets[ACTIONS[lang]] if ACTIONS[lang] in names else None
        )
        log["A1"].value = LOG_HEADERS[lang]
    log = xl_book.sheets[LOG[lang]]
    used = log.used_range
    row = max(used.row + len(used.options(ndim=2).value or []), 2)
    when = outcome["when"].strftime("%Y-%m-%d %H:%M:%S")
    status = (render("manager.done", lang)) if outcome["ok"] else (render("manager.failed", lang))
    counts = outcome.get("error") or (render("sep.comma", lang)).join(
        f"{k} {v}" for k, v in outcome["figures"]
    )
    # text as text: a warning or error quotes file and sheet names staff chose (=… stays words)
    log[f"A{row}"].value = as_text_rows(
        [[when, name, status, counts, "\n".join(outcome["warnings"])]]
    )
    base = os.path.dirname(os.path.abspath(xl_book.fullname))
    for j, path in enumerate(outcome["files"]):
        rel = os.path.relpath(path, base)
        target = path if rel.startswith("..") else rel
        log[f"{column_letter(len(LOG_HEADERS[lang]) - 1 + j)}{row}"].add_hyperlink(
            target, os.path.basename(path)
        )


def _write_result(xl_book, lang: str, name: str, outcome: dict) -> None:
    if ACTIONS[lang] not in [s.name for s in xl_book.sheets]:
        return  # the sheet is gone; the log and the alert still say what happened
    sheet = xl_book.sheets[ACTIONS[lang]]
    top = result_row() + 1
    sheet[f"A{top}:B{top + RESULT_ROWS - 1}"].value = None
    when = outcome["when"].strftime("%Y-%m-%d %H:%M")
    rows = [
        [(render("manager.job", lang)), name],
        [(render("manager.when", lang)), when],
    ]
    if outcome["ok"]:
        rows += [[k, v] for k, v in outcome["figures"]]
    else:
        rows += [[(render("manager.failed_label", lang)), outcome["error"]]]
    sheet[f"A{top}"].value = as_text_rows(rows[:RESULT_ROWS])


def _alert(xl_book, message: str) -> None:
    app = getattr(xl_book, "app", None)
    if app is not None and hasattr(app, "alert"):
        try:
            app.alert(message, title="回访管理台")
        except Exception:
            pass


JOB_RUNS = {
    "merge": job_merge,
    "validate": job_validate,
    "due": job_due,
    "schedule": job_schedule,
    "weekly": job_weekly,
    "report": job_report,
    "handover": job_handover,
    "split": job_split,
    "doctor": job_doctor,
}


def merge_button(xl_book=None) -> dict:
    """合并汇总: `followup-xl merge 收件箱 上周总表 -o 输出/总表_<日期>.xlsx`."""
    return run("merge", xl_book)


def validate_all_button(xl_book=None) -> dict:
    """全部校验: `followup-xl validate <book> --annotate 输出/校验_<日期>/<book>_校验.xlsx` for each inbox book."""
    return run("validate", xl_book)


def due_button(xl_book=None) -> dict:
    """待回访: `followup-xl due 当前总表 -o 输出/待回访_<日期>.xlsx`."""
    return run("due", xl_book)


def schedule_button(xl_book=None) -> dict:
    """生成排期表 (Sunday): `followup-xl schedule 当前总表 -o 输出/回访排期表_<日期>.xlsx`."""
    return run("schedule", xl_book)


def weekly_button(xl_book=None) -> dict:
    """生成周报 (Monday): `followup-xl weekly 当前总表 -o 输出/周报_<日期>.xlsx`."""
    return run("weekly", xl_book)


def report_button(xl_book=None) -> dict:
    """生成月报: `followup-xl report 当前总表 --month <月份> -o 输出/月报_<月份>.xlsx`."""
    return run("report", xl_book)


def handover_button(xl_book=None) -> dict:
    """离职交接: `followup-xl handover 当前总表 --from <离职> --to <接收>… -o 输出/<总表>_交接_<离职>.xlsx`."""
    return run("handover", xl_book)


def doctor_button(xl_book=None) -> dict:
    """检查环境: `followup-xl doctor <this workbook>`."""
    return run("doctor", xl_book)


def split_button(xl_book=None) -> dict:
    """分发: `followup-xl split 当前总表 -o 输出/分发_<日期>/`."""
    return run("split", xl_book)
