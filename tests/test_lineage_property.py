"""Weeks of an office played on real files (issue 25): random edits, stale copies, replays, renamed
files, forged document properties and stamps, and the manager's 是/否 — after every merge the master
holds exactly what the intended rules say, every held change says why, and 修改记录 lists exactly
what was applied."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lineage import CUSTOMERS, book_of, edit, get_property, set_property
from test_weekly_cycle import DAY, office_books, write_books

from followup_xl.io.read.workbook import read_book

OWN = {"张伟": ["K1", "K2", "K3"], "王芳": ["K7", "K8"]}
OTHER = {"张伟": "王芳", "王芳": "张伟"}
VALUES = ["甲", "乙", "丙"]

edit_st = st.tuples(st.sampled_from(["张伟", "王芳"]), st.integers(0, 2), st.sampled_from(VALUES))
week_st = st.fixed_dictionaries(
    {
        "edits": st.lists(edit_st, max_size=3),
        "stale": st.none() | st.tuples(st.sampled_from(["张伟", "王芳"]), st.none() | edit_st),
        "replay": st.none() | st.sampled_from(["张伟", "王芳"]),
        "renamed": st.sampled_from([None, "张伟", "王芳"]),
        "forged": st.sampled_from([None, "property", "stamp"]),
        "manager": st.sampled_from(["是", "否", ""]),
    }
)


def notes(master: Path) -> dict:
    return {c.customer_id: c.note or None for c in read_book(master).customers}


def sheet(master: Path, name: str) -> list[tuple]:
    wb = openpyxl.load_workbook(master, read_only=True)
    if name not in wb.sheetnames:
        return []
    return [r for r in wb[name].iter_rows(min_row=2, values_only=True) if any(r)]


def answer(master: Path, out: Path, word: str) -> list[tuple]:
    """The manager writes ``word`` in every 批准 cell; returns the rows answered."""
    wb = openpyxl.load_workbook(master)
    rows = []
    if "待批准" in wb.sheetnames:
        ws = wb["待批准"]
        for r in range(2, ws.max_row + 1):
            ws.cell(r, 9).value = word or None
            rows.append(tuple(c.value for c in ws[r]))
    wb.save(out)
    return rows


def append_customer(path: Path, cid: str, owner: str, note: str) -> None:
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    ws = wb[CUSTOMERS]
    headers = {c.value: c.column for c in ws[1]}
    row = ws.max_row + 1
    for header, v in (
        ("客户编号", cid),
        ("客户名称", f"客户{cid}"),
        ("负责人", owner),
        ("备注", note),
    ):
        ws.cell(row, headers[header] or 0).value = v
    wb.save(path)


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(weeks=st.lists(week_st, min_size=3, max_size=5))
def test_weeks_of_an_office(cli, tmp_path_factory, weeks):
    tmp = tmp_path_factory.mktemp("office")
    inbox0 = tmp / "收件箱0"
    write_books(inbox0, office_books())
    masters = tmp / "总表"
    masters.mkdir()
    master = masters / "总表_0.xlsx"
    code, res = cli.json("merge", inbox0, "-o", master, "--as-of", DAY)
    assert code == 0, res
    model = notes(master)
    merged_files: dict[str, list[Path]] = {"张伟": [], "王芳": []}  # exact files merged, per person
    sent: dict[str, list[Path]] = {"张伟": [], "王芳": []}  # pristine copies of each split book
    decisions: list[tuple] = []
    for w, plan in enumerate(weeks, start=1):
        day = DAY + dt.timedelta(days=7 * w)
        at_split = dict(model)
        split_dir = tmp / f"分发{w}"
        code, res = cli.json("split", master, "-o", split_dir, "--as-of", day)
        assert code == 0, res
        pristine = tmp / f"原样{w}"
        pristine.mkdir()
        for who in OWN:
            sent[who].append(Path(shutil.copy(book_of(split_dir, who), pristine / f"{who}.xlsm")))
        # the manager's answers written last week are applied first
        for row in decisions:
            if row[8] == "是" and row[3] == "备注" and model.get(row[2]) == (row[4] or None):
                model[row[2]] = row[5] or None
        # this week's own books
        inbox = tmp / f"收件箱{w}"
        inbox.mkdir()
        expect_applied = set()
        last_value: dict = {}
        for who, n, value in plan["edits"]:
            cid = OWN[who][n % len(OWN[who])]
            last_value[(who, cid)] = value
        for who in OWN:
            book = book_of(split_dir, who)
            for (w_who, cid), value in last_value.items():
                if w_who == who:
                    edit(book, CUSTOMERS, cid, 备注=value)
            name = f"拷贝{w}.xlsm" if plan["renamed"] == who else book.name
            shutil.copy(book, inbox / name)
            merged_files[who].append(inbox / name)
        for (_who, cid), value in last_value.items():
            base, now = at_split.get(cid), model.get(cid)
            if value != base and now == base:
                model[cid] = value
                expect_applied.add((cid, value))
        # the mistakes people make
        if plan["stale"] and len(sent[plan["stale"][0]]) > 1:
            who, late = plan["stale"]
            old = shutil.copy(sent[who][-2], inbox / f"{who}_旧.xlsm")
            if late is not None:
                cid = OWN[who][late[1] % len(OWN[who])]
                edit(Path(old), CUSTOMERS, cid, 备注=late[2])
            else:
                edit(Path(old), CUSTOMERS, OWN[who][0])  # opened and saved again
        if plan["replay"] and len(merged_files[plan["replay"]]) > 1:
            earlier = merged_files[plan["replay"]][-2]
            shutil.copy(earlier, inbox / f"再交_{plan['replay']}{w}.xlsm")
        if plan["forged"]:
            who = "张伟"
            victim = OWN[OTHER[who]][0]
            if plan["forged"] == "property":
                fake = shutil.copy(sent[who][-1], inbox / f"总表_{w}.xlsm")  # named like a master
                set_property(Path(fake), "followup-xl-kind", "master")
            else:
                fake = shutil.copy(sent[who][-1], inbox / f"补交{w}.xlsm")
                stamp = get_property(Path(fake), "followup-xl-stamp")
                set_property(Path(fake), "followup-xl-stamp", stamp.replace(who, OTHER[who]))
            append_customer(Path(fake), victim, OTHER[who], "冒充的改动")
        out = masters / f"总表_{w}.xlsx"
        code, res = cli.json("merge", inbox, "--master", master, "-o", out, "--as-of", day)
        assert code == 0, res
        # the master holds exactly the intended state
        assert notes(out) == model, (
            w,
            plan,
            json.dumps(res["changes"], ensure_ascii=False),
            res["conflicts"],
        )
        # every held change says why, in the JSON and on 待批准
        assert all(h["reason"] for h in res["held"])
        pending = sheet(out, "待批准")
        assert all(r[9] for r in pending), pending
        # 修改记录 lists exactly what was applied this week
        log = sheet(out, "修改记录")
        this_week = dt.datetime.combine(day, dt.time())
        got = {(r[2], r[5]) for r in log if r[0] == this_week and r[8] == "已采用"}
        assert got == expect_applied, (w, plan, got, expect_applied)
        # the manager answers for next week
        answered = masters / f"总表_{w}_批.xlsx"
        decisions = answer(out, answered, plan["manager"])
        master = answered
