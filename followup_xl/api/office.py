"""``Office``: a master (or a staff book) read once, then asked for each report.

Like sqlite-utils' ``Database`` or httpx's ``Client``: opening pays for the read (through the
master's Parquet cache when valid), every call after it works on the book already in memory.
"""

from __future__ import annotations

import datetime as dt
import os

from ..calendar import WorkCalendar
from ..dating import Dating, date_book
from ..errors import UnknownOwner
from ..messages import Message
from ..models import Book
from ..policy import Policy, PolicyResult
from ..results import (
    DueItem,
    DueList,
    Export,
    MonthlyReport,
    Schedule,
    Split,
    WeeklySummary,
    YearlyScores,
)


def load(path: str, policy_path: str | None = None, wants: str = "book"):
    """A workbook or master and the policy in force for it (never one of our own reports)."""
    from ..io.filekind import refuse_output
    from ..io.gcpause import gc_paused
    from ..io.master.cache import read_cached
    from ..io.package import Package
    from ..settings import policy_for_book

    with Package(path) as package:  # one open file for the kind, the cache's key and the cells
        refuse_output(package, wants)
        with gc_paused():  # half a million records, no cycles: not rescanned while built
            book = read_cached(path, package=package)[0]  # through the Parquet cache when valid
    return book, policy_for_book(book, policy_path)


def unread_history(path: str, book) -> list[Message]:
    """The warning for a file whose 历史档案 was not followed (not a stamped master), if any."""
    from ..io.master.history import not_followed

    if book.archives:  # its archive files were read with it: nothing to open again
        return []
    said = not_followed(path, book.ignored_sheets)
    return [said] if said else []


class _Dates:
    """The book's dates typed without a year, read for one day at a time.

    ``date_book`` sets them in place; asked for another day (or for the book as read, to split
    or export it) they are put back as they were read first, so each call sees what a fresh
    read would have given it.
    """

    def __init__(self, book: Book) -> None:
        self.book = book
        self.as_read = [
            (r, dict(r.__dict__))
            for sheet in ("customers", "calls", "events")
            for r in book.records(sheet)
            if r.bad
        ]
        self.day: dt.date | None = None
        self.found: Dating | None = None

    def on(self, day: dt.date) -> Dating:
        if self.found is None or self.day != day:
            self.undo()
            self.day, self.found = day, date_book(self.book, day)
        return self.found

    def undo(self) -> Book:
        if self.found is not None:
            for record, values in self.as_read:
                record.__dict__.update(values)
            self.day = self.found = None
        return self.book


class Office:
    """An office's master (or one staff book) and the policy in force for it, read once.

    ``Office.open(path)`` reads; ``due``, ``schedule``, ``weekly``, ``report``, ``scores``,
    ``split`` and ``export`` compute from what was read (and write a workbook when given an
    output path). ``as_of`` is the day the call pretends is today (default: today).
    """

    def __init__(self, path: str, book: Book, policy: Policy) -> None:
        self.path = path
        self.book = book
        self.policy = policy
        self._dates = _Dates(book)
        self._computed: dict[tuple, PolicyResult] = {}
        self._computed_for: Policy | None = None

    def _obligations(
        self, *, as_of: dt.date, cal: WorkCalendar | None = None, keep: bool = True
    ) -> PolicyResult:
        """``policy.compute_obligations`` for ``as_of``, computed once per day, policy and reading
        of the dates typed without a year (``_Dates``), then kept: ``due``, ``schedule``, ``split``
        and ``export`` on one Office share it. Each caller gets its own lists (the obligations
        themselves are frozen). ``keep=False``: a day not kept yet is computed and not kept (an
        Office opened for one export: its days are written one after another, not held)."""
        from ..io.gcpause import gc_paused
        from ..policy import compute_obligations

        if self._computed_for is not self.policy:  # office.policy replaced: start again
            self._computed, self._computed_for = {}, self.policy
        # the dates typed without a year are read for the day asked (``_Dates``): a book that has
        # none is the same book whatever that day
        key = (self._dates.day if self._dates.as_read else None, as_of)
        found = self._computed.get(key)
        if found is None:
            with gc_paused():  # hundreds of thousands of obligations, no cycles
                found = compute_obligations(self.book, self.policy, as_of, cal)
            if not keep:
                return found
            self._computed[key] = found
        return PolicyResult(list(found.obligations), list(found.warnings), found.as_of)

    def _compute(
        self, book: Book, policy: Policy, as_of: dt.date, cal: WorkCalendar | None = None
    ) -> PolicyResult:
        """``compute_obligations``' signature over ``_obligations``, for the core's reports."""
        if book is not self.book or policy is not self.policy:
            from ..policy import compute_obligations

            return compute_obligations(book, policy, as_of, cal)
        return self._obligations(as_of=as_of, cal=cal)

    @classmethod
    def open(cls, path: str | os.PathLike, *, policy_path: str | None = None) -> Office:
        """Read ``path`` (a master or a staff book); ``policy_path`` overrides its 规则 sheet."""
        return cls._open(path, policy_path, "book")

    @classmethod
    def _open(cls, path: str | os.PathLike, policy_path: str | None, wants: str) -> Office:
        path = os.fspath(path)
        return cls(path, *load(path, policy_path, wants))

    def __repr__(self) -> str:
        return f"Office({self.path!r})"

    def due(
        self,
        out: str | None = None,
        *,
        as_of: dt.date | None = None,
        owner: str | None = None,
        mask_phones: bool = False,
        lang: str = "zh",
    ) -> DueList:
        """Open obligations as of ``as_of``: escalations first, then overdue, due today, upcoming;
        last the missed ones (逾期未办: past their window, no longer on the call list)."""
        from ..io.write.due import write_due
        from ..privacy import mask_deep

        as_of = as_of or dt.date.today()
        book = self.book
        dating = self._dates.on(as_of)
        result = self._obligations(as_of=as_of)
        phones = {c.customer_id: c.phone for c in book.customers}
        contacts = {c.customer_id: c.contact or c.name for c in book.customers}
        # result.open() + result.missed() in one pass: the obligations come sorted by day,
        # customer, rule and source, the order those two sort the open ones in
        called: list = []
        missed: list = []
        for o in result.obligations:
            if o.satisfied_on is None:
                lapse = o.lapse_date  # Obligation.missed, inline (half a million asked)
                (missed if lapse is not None and as_of > lapse else called).append(o)
        found_warnings = result.warnings
        del result  # the office keeps its own list; nothing below needs this one

        def item(o, status: str, escalate: bool) -> DueItem:
            """The due list's row of an open obligation whose status (and escalation) is known:
            ``Obligation.status``/``escalate``/``days_overdue`` worked out once, not asked again."""
            due = o.due_date
            cid = o.customer_id
            return DueItem(
                cid,
                o.customer_name,
                o.owner,
                o.rule,
                due,
                status,
                escalate,
                (as_of - due).days if due < as_of else 0,
                o.lapse_date,
                o.reason,
                o.source,
                o.maybe_done_on,
                o.maybe_done_by,
                contacts.get(cid),
                phones.get(cid),
            )

        items = [
            item(
                o,
                "overdue" if o.due_date < as_of else "due" if o.due_date == as_of else "upcoming",
                o.escalate_on is not None and as_of >= o.escalate_on,
            )
            for o in called
            if not owner or o.owner == owner
        ]
        items += [item(o, "missed", False) for o in missed if not owner or o.owner == owner]
        items.sort(key=DueItem.sort_key)
        warnings = dating.warnings() + found_warnings + unread_history(self.path, book)
        if (
            mask_phones
        ):  # every text that leaves: reasons quote 客户反映问题, names may hold a phone
            items, warnings = mask_deep(items), mask_deep(warnings)
        found = DueList(as_of, items, warnings, excluded=dating.excluded)
        if out:
            write_due(out, found, lang, inputs=[self.path])
            found.output = out
        return found

    def schedule(
        self,
        out: str | None = None,
        *,
        week_of: dt.date | None = None,
        as_of: dt.date | None = None,
        owner: str | None = None,
        mask_phones: bool = False,
        lang: str = "zh",
    ) -> Schedule:
        """The Sunday schedule for the week containing ``week_of`` (default: the week after ``as_of``)."""
        from ..io.write.schedule import write_schedule
        from ..schedule import coming_week, plan_week

        as_of = as_of or dt.date.today()
        book, policy = self.book, self.policy
        dating = self._dates.on(as_of)
        cal = WorkCalendar.from_policy(policy)
        result = self._obligations(as_of=as_of, cal=cal)
        customers: dict = {c.customer_id: c for c in book.customers}
        plan = plan_week(
            result.obligations,
            book.staff,
            customers,
            policy,
            cal,
            week_of or coming_week(as_of, policy.week_start),
            as_of,
        )
        if owner:
            known = set(plan.owners) | {s.name for s in book.staff if s.name}
            if owner not in known:
                raise UnknownOwner("owner.unknown", owner=owner, path=self.path)
            plan = plan.only(owner)
        warnings: list[Message] = list(
            dict.fromkeys(
                dating.warnings() + result.warnings + cal.warnings + unread_history(self.path, book)
            )
        )
        if mask_phones:  # phones, and phones quoted in reasons, names and notes
            from ..privacy import mask_deep

            plan, warnings = mask_deep(plan), mask_deep(warnings)
        found = Schedule(plan, warnings, excluded=dating.excluded)
        if out:
            write_schedule(out, plan, mask_phones=mask_phones, inputs=[self.path], lang=lang)
            found.output = out
        return found

    def weekly(
        self,
        out: str | None = None,
        *,
        week_of: dt.date | None = None,
        as_of: dt.date | None = None,
        lang: str = "zh",
    ) -> WeeklySummary:
        """The Monday summary of the week containing ``week_of`` (default: the last week ended by
        ``as_of``)."""
        from ..io.write.weekly import write_weekly
        from ..weekly import last_complete_week, summarise_week

        policy = self.policy
        as_of = as_of or dt.date.today()
        dating = self._dates.on(as_of)
        day = week_of or last_complete_week(as_of, policy.week_start)
        w = summarise_week(
            self.book, policy, WorkCalendar.from_policy(policy), day, compute=self._compute
        )
        w.notes, w.excluded = dating.warnings(), dating.excluded
        found = WeeklySummary(w)
        if out:
            write_weekly(out, w, inputs=[self.path], lang=lang)
            found.output = out
        return found

    def report(
        self,
        out: str | None = None,
        *,
        month: str,
        as_of: dt.date | None = None,
        mask_phones: bool = False,
        lang: str = "zh",
    ) -> MonthlyReport:
        """The monthly report (M1) for ``month`` (YYYY-MM); a date typed without a year is read in
        its latest year not after ``as_of`` (default: today)."""
        from ..io.write.report import write_report
        from ..privacy import mask_deep, mask_value
        from ..report import month_bounds, monthly_report

        month_bounds(month)
        dating = self._dates.on(as_of or dt.date.today())
        mask = mask_value if mask_phones else None
        r = monthly_report(self.book, self.policy, month, mask=mask, compute=self._compute)
        r["warnings"] = dating.warnings() + r["warnings"]
        r["excluded"] = dating.excluded
        if mask_phones:  # issue texts, names, notes: every text of the report
            r = mask_deep(r)
        found = MonthlyReport(r)
        if out:
            source = os.path.basename(self.path)
            write_report(out, r, inputs=[self.path], lang=lang, source=source)
            found.output = out
        return found

    def scores(
        self,
        out: str | None = None,
        *,
        year: int,
        as_of: dt.date | None = None,
        lang: str = "zh",
    ) -> YearlyScores:
        """Staff scores (M2) for ``year``, judged on the whole months up to ``as_of``."""
        from ..io.write.scores import write_scores
        from ..scores import yearly_scores

        dating = self._dates.on(
            as_of or dt.date.today()
        )  # a date without a year read, never dropped
        s = yearly_scores(self.book, self.policy, year, as_of=as_of, compute=self._compute)
        s["warnings"], s["excluded"] = dating.warnings(), dating.excluded
        found = YearlyScores(s)
        if out:
            write_scores(out, s, inputs=[self.path], lang=lang)
            found.output = out
        return found

    def split(
        self,
        out_dir: str,
        *,
        owner: str | None = None,
        as_of: dt.date | None = None,
        staff_variant: bool = False,
        password: str | None = None,
        protect: bool = False,
        macro: bool = False,
        overwrite: bool = True,
        lang: str = "zh",
    ) -> Split:
        """The master as one staff workbook per person (B3), each with its open follow-ups.

        ``macro`` writes .xlsm books with the 校验 button; without ``overwrite`` books already in
        ``out_dir`` are refused (exit 3), never replaced silently. ``staff_variant``: books of
        people who are not managers get class-A customers' phones and contacts masked, when the
        policy says so (mask_class_a_for_staff).
        """
        from .splitting import split_office

        self._dates.undo()  # the books carry what was typed, as read
        return split_office(
            self,
            out_dir,
            owner=owner,
            as_of=as_of or dt.date.today(),
            staff_variant=staff_variant,
            password=password,
            protect=protect,
            macro=macro,
            overwrite=overwrite,
            lang=lang,
        )

    def export(
        self,
        out_dir: str,
        *,
        office: str | None = None,
        as_of: dt.date | None = None,
        months: tuple[str, ...] = (),
        with_phones: bool = False,
        lang: str = "zh",
    ) -> Export:
        """This master → Parquet under ``out_dir`` (see ``followup_xl.api.export``); ``office``
        names it there (default: the file's name)."""
        from pathlib import Path

        from .exporting import export_offices, export_plan

        plan = export_plan(
            out_dir,
            [office if office is not None else Path(self.path).stem],
            as_of=as_of,
            months=months,
            with_phones=with_phones,
            lang=lang,
        )
        self._dates.undo()
        return export_offices(plan, [self])
