"""Split: per-person books from the master, and back again without losing a row."""

import datetime as dt
import json
from collections import Counter

import libreoffice as lo
import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from followup_xl import api, schema
from followup_xl.cli import main
from followup_xl.errors import UnknownOwner
from followup_xl.io import master as master_io
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.split import DUE_SHEET
from followup_xl.policy import compute_obligations
from followup_xl.settings import Policy
from followup_xl.split import file_name

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def split_dir(tmp_path_factory, master):
    out = tmp_path_factory.mktemp("split")
    api.split(str(master), str(out), as_of=AS_OF)
    return out


def rows(records):
    return Counter(tuple(r.values().values()) for r in records)


def test_merging_the_split_books_back_gives_the_master_again(master, split_dir):
    m = read_book(master)
    books = [read_book(p) for p in sorted(split_dir.glob("*.xlsx"))]
    for key in ("customers", "calls", "events"):
        assert rows(r for b in books for r in b.records(key)) == rows(m.records(key)), key
    assert all(rows(b.staff) == rows(m.staff) for b in books)


def test_the_merge_of_the_split_books_is_the_master(master, split_dir, tmp_path):
    again = tmp_path / "again.xlsx"
    result = api.merge([str(split_dir)], str(again))
    assert result.exit_code == 0 and result.duplicates_dropped == 0
    m, back = read_book(master), read_book(again)
    for key in ("customers", "calls", "events", "staff"):
        assert rows(back.records(key)) == rows(m.records(key)), key
    before = master_io.read(master, write_cache=False).conflicts
    # no new clash: an id clash the master already settled is gone, a shared phone is found again
    again_found = {(c.kind, c.customer_id) for c in result.conflicts}
    assert again_found <= {(c["kind"], c["customer_id"]) for c in before}
    assert ("phone" in {k for k, _ in again_found}) == ("phone" in {c["kind"] for c in before})


def test_each_book_holds_only_its_owners_customers_and_their_history(master, split_dir):
    m = read_book(master)
    owners = sorted({c.owner or "" for c in m.customers})
    assert sorted(p.name for p in split_dir.glob("*.xlsx")) == sorted(
        [file_name(o) for o in owners] + [file_name("未分配")]
    )
    for owner in owners:
        b = read_book(split_dir / file_name(owner))
        ids = {c.customer_id for c in b.customers}
        assert {c.owner for c in b.customers} == {owner}
        assert ids == {c.customer_id for c in m.customers if c.owner == owner}
        assert {k.customer_id for k in b.calls} <= ids and {e.customer_id for e in b.events} <= ids
    stray = read_book(split_dir / file_name("未分配"), require_data=False)
    known = {c.customer_id for c in m.customers}
    assert stray.calls and all(k.customer_id not in known for k in stray.calls)


def test_each_book_lists_its_owners_open_follow_ups(master, split_dir):
    m = read_book(master)
    open_items = compute_obligations(m, Policy(), AS_OF).open()
    owner_of = {c.customer_id: c.owner for c in m.customers}
    wb = openpyxl.load_workbook(split_dir / file_name("张伟"), read_only=True)
    listed = [r for r in wb[DUE_SHEET["zh"]].iter_rows(min_row=2, values_only=True) if any(r)]
    mine = [
        o
        for o in open_items
        if owner_of.get(o.customer_id) == "张伟" or (not o.customer_id and o.owner == "张伟")
    ]
    assert len(listed) == len(mine) > 0
    assert Counter((r[3] or "", r[7]) for r in listed) == Counter(
        (o.customer_id, o.rule) for o in mine
    )
    # a caller needs whom to ask for and the number: 联系人, 联系电话 beside the customer
    customers = {c.customer_id: c for c in m.customers}
    for r in listed:
        if r[3]:
            c = customers[r[3]]
            assert r[5] == (c.contact or c.name) and r[6] == c.raw("phone")
    statuses = [r[0] for r in listed]
    order = ["已逾期", "今天", "待回访"]
    assert statuses == sorted(statuses, key=lambda s: order.index(str(s)))  # overdue first


def test_one_owner_only_and_an_unknown_owner_is_named(master, tmp_path):
    result = api.split(str(master), str(tmp_path), owner="王芳", as_of=AS_OF)
    assert [b.owner for b in result.books] == ["王芳"]
    assert [p.name for p in tmp_path.iterdir()] == [file_name("王芳")]
    with pytest.raises(UnknownOwner) as err:
        api.split(str(master), str(tmp_path), owner="王小芳", as_of=AS_OF)
    assert err.value.params["owner"] == "王小芳" and "王芳" in err.value.params["owners"]


def test_staff_variant_masks_class_a_for_staff_but_not_for_managers(office, office_dir, tmp_path):
    from dataclasses import replace

    from office_master import combined

    from followup_xl.io.write.template import write_staff_workbook

    m = combined(office)
    # 孙丽 (部门主管) takes over two A customers, so a manager's book exists too
    a_ids = [c.customer_id for c in m.customers if c.klass == "A"][:2]
    m = replace(
        m,
        customers=[
            c.model_copy(update={"owner": "孙丽"}) if c.customer_id in a_ids else c
            for c in m.customers
        ],
    )
    path = write_staff_workbook(tmp_path / "m.xlsx", book=m)
    out = tmp_path / "out"
    result = api.split(str(path), str(out), staff_variant=True, as_of=AS_OF)
    masked = {b.owner: b.class_a_masked for b in result.books}
    assert masked["孙丽"] is False and masked["张伟"] is True
    staff_book = read_book(out / file_name("张伟"))
    a = [c for c in staff_book.customers if c.klass == "A"]
    assert a and all("****" in (c.bad.get("phone") or "") and c.phone is None for c in a)
    assert all("*" in c.contact for c in a if c.contact)
    assert all(
        c.phone and "*" not in c.phone for c in staff_book.customers if c.klass != "A" and c.phone
    )
    head = read_book(out / file_name("孙丽"))
    assert {c.customer_id for c in head.customers} == set(a_ids) and all(
        c.phone for c in head.customers
    )
    # an office that lets staff see class A: the staff variant changes nothing
    m_open = tmp_path / "open.xlsx"
    write_staff_workbook(m_open, book=replace(m, rules=[]))
    toml = tmp_path / "p.toml"
    toml.write_text("mask_class_a_for_staff = false\n", encoding="utf-8")
    result = api.split(
        str(m_open), str(tmp_path / "out2"), staff_variant=True, as_of=AS_OF, policy_path=str(toml)
    )
    assert not any(b.class_a_masked for b in result.books)


@pytest.mark.libreoffice
def test_split_books_are_the_staff_template_and_compute_in_a_spreadsheet(split_dir, tmp_path):
    src = split_dir / file_name("李娜")
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames[:7] == [
        "首页",
        "客户名录簿",
        "回访记录表",
        "回访事项",
        "人员",
        "规则",
        "节假日",
    ]
    calls = wb["回访记录表"]
    assert calls.data_validations.dataValidation and calls.conditional_formatting
    recalced = lo.recalc(src, tmp_path)
    home = openpyxl.load_workbook(recalced, data_only=True)["首页"]
    n = len(read_book(src).customers)
    assert home["A5"].value == "客户总数" and home["B5"].value == n == 60


def test_cli_split_json(master, tmp_path):
    res = CliRunner().invoke(
        main,
        [
            "split",
            str(master),
            "-o",
            str(tmp_path / "x"),
            "--owner",
            "刘洋",
            "--as-of",
            "2026-11-22",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["books"][0]["owner"] == "刘洋" and data["books"][0]["customers"] == 60
    res = CliRunner().invoke(
        main, ["split", str(tmp_path / "missing.xlsx"), "-o", str(tmp_path / "y")]
    )
    assert res.exit_code == 2 and "文件不存在" in res.output


def test_protected_books_lock_headers_and_formulas_but_not_the_entry_cells(master, tmp_path):
    api.split(str(master), str(tmp_path), owner="张伟", protect=True, as_of=AS_OF)
    wb = openpyxl.load_workbook(tmp_path / file_name("张伟"))
    assert all(ws.protection.sheet for ws in wb.worksheets)
    home = wb["首页"]
    assert home["B5"].data_type == "f" and home["B5"].protection.locked
    for name in ("客户名录簿", "回访记录表", "回访事项"):
        ws = wb[name]
        assert ws["A1"].protection.locked and ws.protection.insertRows is False  # False = allowed
        assert not ws["A2"].protection.locked and not ws["B2"].protection.locked
        # empty rows below take the column style: unlocked, so new records can be typed
        # (but the formula columns after ours stay locked: nobody types into them)
        formula = {
            get_column_letter(j + 1)
            for j in range(ws.max_column)
            if ws.cell(1, j + 1).value in _computed_headers()
        }
        assert bool(formula) == (name != "回访记录表")
        assert all(
            not d.protection.locked
            for letter, d in ws.column_dimensions.items()
            if letter not in formula
        )
        assert all(ws.column_dimensions[x].protection.locked for x in formula)
    dates = wb["回访记录表"]
    assert dates["C2"].is_date and not dates["C2"].protection.locked


def _computed_headers() -> set[str]:
    return {c.header(lang) for s in schema.SHEETS for c in s.computed for lang in ("zh", "en")}
