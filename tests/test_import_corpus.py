"""`followup-xl import` on a corpus of tracker shapes (tests/data/trackers, reconstructions: see its
README): every data row accounted for, nobody merged with anybody on a name alone, and the counts
import reports equal to counts made here, independently, with openpyxl and the csv module.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from followup_xl.io.read.workbook import read_book

TRACKERS = Path(__file__).parent / "data" / "trackers"


# ---- counts made without followup_xl --------------------------------------------------------


def sheets_of(path: Path) -> dict[str, list[list]]:
    """Every sheet's cell values, as a person sees them."""
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return {path.stem: [list(r) for r in csv.reader(fh)]}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return out


def blank(row: list) -> bool:
    return all(v is None or str(v).strip() == "" for v in row)


def table(rows: list[list]) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header (the first row with three filled cells) and the data rows below it as
    (Excel row number, {header: value})."""
    h = next(i for i, r in enumerate(rows) if sum(not blank([v]) for v in r) >= 3)
    header = [str(v).strip() if v is not None else "" for v in rows[h]]
    data = [
        (i + 1, dict(zip(header, r)))
        for i, r in enumerate(rows[h + 1 :], start=h + 1)
        if not blank(r)
    ]
    return header, data


def digits(value, area: str = "") -> str:
    """A phone as digits only; a local number of ``area`` without it, with it."""
    d = re.sub(r"\D", "", str(value or ""))
    if area and 7 <= len(d) <= 8 and d[0] not in "01":
        d = area + d
    return d


# What each file holds, counted here: (customers, calls, possible duplicates) and the column that
# tells customers apart (the phone, or the office's own id).
def expected(name: str) -> dict:
    sheets = sheets_of(TRACKERS / name)
    first = next(iter(sheets.values()))
    header, data = table(first)
    rows = {(s, r) for s, rows in sheets.items() for r, _ in table(rows)[1]}
    phone = next(
        (
            h
            for h in header
            if h
            in (
                "电话",
                "客户手机号",
                "手机号码",
                "手机号",
                "Phone",
                "Phone Number",
                "联系电话",
                "联系方式",
                "電話",
            )
        ),
        None,
    )
    area = "0951" if name.startswith("07") else ""
    phones = [digits(v[phone], area) for _, v in data] if phone else []
    out = {"rows": rows, "calls": 0, "duplicates": 0}
    if name.startswith("01") or name.startswith("02") or name.startswith("09"):
        out["customers"] = len(data)  # every row a different phone: every row a customer
        assert len(set(phones)) == len(data)
    elif name.startswith(("03", "05")):
        out["customers"] = len(set(phones))
    elif name.startswith("04"):
        out["customers"] = len({v["客戶ID"] for _, v in data})
    elif name.startswith(("06", "08")):
        out["customers"] = len(set(phones))
        out["calls"] = len(data)
    elif name.startswith("07"):
        out["customers"] = len(data)
        out["duplicates"] = len(phones) - len(set(phones))  # a shared landline: listed
    elif name.startswith("10"):
        out["customers"] = len(data)
        out["calls"] = sum(1 for _, v in data for h in v if h.startswith("回访日期") and v[h])
    elif name.startswith("11"):
        out["customers"] = len(data)
        out["calls"] = sum(len(table(rows)[1]) for s, rows in sheets.items() if s.endswith("月"))
    elif name.startswith("12"):
        names = [v["客户姓名"] for _, v in data]
        out["customers"] = len(names)
        out["duplicates"] = len(names) - len(set(names))
    return out


CORPUS = sorted(p.name for p in TRACKERS.iterdir() if p.suffix in (".xlsx", ".csv"))


def test_the_corpus_has_at_least_ten_shapes_each_described():
    readme = (TRACKERS / "README.md").read_text(encoding="utf-8")
    assert len(CORPUS) >= 10
    assert all(f"`{name}`" in readme for name in CORPUS)
    assert "reconstructions, not downloaded files" in readme


@pytest.mark.parametrize("name", CORPUS)
def test_every_row_imported_or_skipped_and_counts_match(cli, tmp_path, name):
    out = tmp_path / "new.xlsx"
    extra = ["--area-code", "0951"] if name.startswith("07") else []
    _, res = cli.json("import", TRACKERS / name, "-o", out, *extra, ok=(0,))
    want = expected(name)
    # every data row has exactly one outcome; a skipped one says why
    seen = Counter((r["sheet"], r["row"]) for r in res["rows"])
    assert set(seen) == want["rows"] and set(seen.values()) == {1}
    assert all(r["reason"] for r in res["rows"] if r["outcome"] in ("skipped", "duplicate"))
    assert res["customers"] == want["customers"]
    assert res["calls"] == want["calls"]
    assert res["possible_duplicates"] == want["duplicates"]
    # the written book: one id a customer, and no two phones under one id
    book = read_book(str(out))
    ids = [c.customer_id for c in book.customers]
    assert len(ids) == len(set(ids)) == want["customers"]
    assert all(i for i in ids)
    known = set(ids)
    assert all(c.customer_id in known for c in book.calls)


def test_generated_ids_are_the_same_on_a_second_import(cli, tmp_path):
    name = TRACKERS / "01_same_name_customers.xlsx"
    cli("import", name, "-o", tmp_path / "a.xlsx", ok=(0,))
    cli("import", name, "-o", tmp_path / "b.xlsx", ok=(0,))
    a, b = read_book(str(tmp_path / "a.xlsx")), read_book(str(tmp_path / "b.xlsx"))
    assert [(c.customer_id, c.phone) for c in a.customers] == [
        (c.customer_id, c.phone) for c in b.customers
    ]


# ---- the shapes of the issue, one by one ------------------------------------------------------


def test_many_customers_called_xiansheng_keep_their_own_ids(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", TRACKERS / "01_same_name_customers.xlsx", "-o", out, ok=(0,))
    book = read_book(str(out))
    xiansheng = [c for c in book.customers if c.name == "先生"]
    assert len(xiansheng) == 10
    assert len({c.customer_id for c in xiansheng}) == 10
    assert len({c.phone for c in xiansheng}) == 10
    assert res["possible_duplicates"] == 0  # a phone tells them apart: nothing to review


def test_a_shop_list_names_customers_by_店名_and_two_shops_of_one_name_stay_two(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", TRACKERS / "02_shop_list.xlsx", "-o", out, ok=(0,))
    assert res["mapped"]["店名"] == "customers.name"
    assert res["mapped"]["客户手机号"] == "customers.phone"
    assert res["mapped"]["客户备注"] == "customers.note"
    book = read_book(str(out))
    tiantian = [c for c in book.customers if c.name == "天天超市"]
    assert len(tiantian) == 2 and tiantian[0].customer_id != tiantian[1].customer_id


def test_a_purchase_log_is_said_to_be_one_and_read_as_calls_on_request(cli, tmp_path):
    path = TRACKERS / "03_purchase_log.xlsx"
    _, data = table(sheets_of(path)["销售记录"])
    customers = len({v["手机号码"] for _, v in data})
    _, res = cli.json("import", path, "-o", tmp_path / "a.xlsx", ok=(0,))
    assert res["customers"] == customers and res["calls"] == 0
    assert any("--as-calls" in n for n in res["notes"])
    assert sum(r["outcome"] == "same" for r in res["rows"]) == len(data) - customers
    _, res = cli.json("import", path, "--as-calls", "-o", tmp_path / "b.xlsx", ok=(0,))
    assert res["customers"] == customers and res["calls"] == len(data)
    book = read_book(str(tmp_path / "b.xlsx"))
    by_phone = {c.phone: c.customer_id for c in book.customers}
    per_customer = Counter(by_phone[v["手机号码"]] for _, v in data)
    assert Counter(c.customer_id for c in book.calls) == per_customer
    first = book.calls[0]
    assert "金额" in first.content and first.call_date == data[0][1]["日期"].date()


def test_traditional_chinese_headers_are_matched(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", TRACKERS / "04_traditional.xlsx", "-o", out, ok=(0,))
    for header, target in (
        ("客戶ID", "customers.customer_id"),
        ("客戶名稱", "customers.name"),
        ("聯絡人", "customers.contact"),
        ("電話", "customers.phone"),
        ("負責人", "customers.owner"),
        ("備註", "customers.note"),
    ):
        assert res["mapped"][header] == target
    book = read_book(str(out))
    assert [c.customer_id for c in book.customers] == [f"C{i:03d}" for i in range(1, 13)]
    assert all(c.phone and c.owner == "陳靜" for c in book.customers)


def test_an_english_call_log_s_row_id_is_not_the_customer_id(cli, tmp_path):
    path = TRACKERS / "06_english_call_log.xlsx"
    _, data = table(sheets_of(path)["Calls"])
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", path, "-o", out, ok=(0,))
    assert res["mapped"]["ID"] == "calls.record_id"
    assert res["mapped"]["Notes"] == "calls.content"
    book = read_book(str(out))
    assert len(book.customers) == len({v["Phone"] for _, v in data}) == 8
    assert len(book.calls) == 30
    assert sorted(int(c.record_id or 0) for c in book.calls) == list(range(1, 31))
    name_of = {c.customer_id: c.name for c in book.customers}
    assert [name_of[c.customer_id] for c in book.calls] == [v["Customer"] for _, v in data]


def test_local_landlines_take_the_office_area_code(cli, tmp_path):
    path = TRACKERS / "07_local_landlines.xlsx"
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", path, "--area-code", "0951", "-o", out, ok=(0,))
    book = read_book(str(out))
    phones = {c.name: c.phone for c in book.customers}
    assert phones["本地客户1"] == "0951-5012345"
    assert phones["本地客户3"] == "0951-5034567"
    assert phones["本地客户5"] == "13800138001"
    dup = next(r for r in res["rows"] if r["outcome"] == "duplicate")
    assert dup["row"] == 8 and dup["same_as"]["row"] == 2
    # the book says 本地区号 in its 规则, so validate reads its numbers the same way
    rules = {r.key: r.value for r in book.rules}
    assert rules["本地区号"] == "0951"
    # the same from a map file's [defaults]
    (tmp_path / "map.toml").write_text('[defaults]\n"本地区号" = "951"\n', encoding="utf-8")
    cli("import", path, "--map", tmp_path / "map.toml", "-o", tmp_path / "b.xlsx", ok=(0,))
    assert read_book(str(tmp_path / "b.xlsx")).customers[0].phone == "0951-5012345"


def test_validate_and_merge_read_local_numbers_with_本地区号(cli, tmp_path):
    """A staff book whose 规则 says 本地区号 = 0951 and whose phones are written 5012345."""
    from followup_xl.io.write.template import write_staff_workbook
    from followup_xl.models import Book, Customer, RuleRow

    book = Book(path="x")
    book.customers.append(
        Customer.build(
            None,
            {},
            {},
            {"customer_id": "K1", "name": "本地客户", "phone": "5012345", "owner": "马丽"},
        )
    )
    book.rules.append(RuleRow.build(None, {}, {}, {"key": "本地区号", "value": "0951"}))
    staff = tmp_path / "马丽.xlsx"
    write_staff_workbook(str(staff), "zh", book=book, owner="马丽")
    codes = [f["code"] for f in cli.json("validate", staff, "--as-of", "2026-11-22")[1]["findings"]]
    assert "V2" not in codes
    cli("merge", staff, "-o", tmp_path / "总表.xlsx", ok=(0,))
    master = read_book(str(tmp_path / "总表.xlsx"))
    assert [c.phone for c in master.customers] == ["0951-5012345"]


def test_a_bad_area_code_is_a_sentence(cli, tmp_path):
    res = cli(
        "import",
        TRACKERS / "07_local_landlines.xlsx",
        "--area-code",
        "12",
        "-o",
        tmp_path / "x.xlsx",
    )
    assert res.exit_code == 3 and "0755" in res.output


def test_a_member_list_keys_on_the_card_number_not_the_branch(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    cli("import", TRACKERS / "09_member_list.xlsx", "-o", out, ok=(0,))
    book = read_book(str(out))
    assert all(c.customer_id.startswith("VIP") for c in book.customers)
    assert not any(c.name in ("万达店", "东门店") for c in book.customers)


def test_same_names_without_phones_are_kept_apart_and_listed(cli, tmp_path):
    _, res = cli.json(
        "import", TRACKERS / "12_names_without_phones.csv", "-o", tmp_path / "x.xlsx", ok=(0,)
    )
    dups = [(r["row"], r["same_as"]["row"]) for r in res["rows"] if r["outcome"] == "duplicate"]
    assert dups == [(4, 2), (6, 3)]  # 张先生 again, 李女士 again
    assert res["customers"] == 6


# ---- preview first ----------------------------------------------------------------------------


def test_preview_writes_what_would_happen_and_a_map_to_pass_back(cli, tmp_path):
    path = TRACKERS / "12_names_without_phones.csv"
    preview = tmp_path / "导入预览.xlsx"
    _, res = cli.json("import", path, "--preview", "-o", preview, ok=(0,))
    assert res["preview"] is True and res["map_file"] == str(tmp_path / "导入预览.map.toml")
    wb = openpyxl.load_workbook(preview)
    assert wb.sheetnames == ["概况", "列", "行", "待核对"]
    cols = [[c.value for c in r] for r in wb["列"].iter_rows(min_row=2)]
    assert ["12_names_without_phones", "客户姓名", "客户名录簿 · 客户名称", "已对应"] in cols
    assert ["12_names_without_phones", "地址", None, "保留为自有列"] in cols
    rows = [[c.value for c in r] for r in wb["行"].iter_rows(min_row=2)]
    assert [r[1] for r in rows] == [2, 3, 4, 5, 6, 7]
    assert [r[2] for r in rows].count("可能重复") == 2
    assert len(list(wb["待核对"].iter_rows(min_row=2))) == 2
    # nothing imported: no staff book was written, only the preview and its map
    assert sorted(p.name for p in tmp_path.iterdir()) == ["导入预览.map.toml", "导入预览.xlsx"]
    # the person edits the map (地址 is the customer's note) and passes it back
    text = (tmp_path / "导入预览.map.toml").read_text(encoding="utf-8")
    assert '"客户姓名" = "customers.name"' in text
    text = re.sub(r'^# "地址" = "".*$', '"地址" = "customers.note"', text, flags=re.M)
    text = text.replace('"备注" = "customers.note"', '"备注" = "ignore"')
    (tmp_path / "导入预览.map.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "new.xlsx"
    _, res = cli.json("import", path, "--map", tmp_path / "导入预览.map.toml", "-o", out, ok=(0,))
    assert res["mapped"]["地址"] == "customers.note"
    assert {c.note for c in read_book(str(out)).customers} == {"城东", "城西"}


def test_preview_in_english_and_its_output_must_be_xlsx(cli, tmp_path):
    path = TRACKERS / "06_english_call_log.xlsx"
    res = cli("import", path, "--preview", "-o", tmp_path / "p.xlsm")
    assert res.exit_code == 3
    cli("import", path, "--preview", "--lang", "en", "-o", tmp_path / "p.xlsx", ok=(0,))
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert wb.sheetnames == ["Summary", "Columns", "Rows", "To check"]
    outcomes = {r[2].value for r in wb["Rows"].iter_rows(min_row=2)}
    assert outcomes == {"New customer", "Same customer"}


# ---- into an existing office -----------------------------------------------------------------


def test_import_into_a_master_matches_by_phone_and_merges_like_a_book(cli, tmp_path, master):
    """The office's master already has the customer: matched by phone (the tracker has no ids),
    written with the master's id, and only what the tracker says differently is a change."""
    old = read_book(str(master))
    known = next(c for c in old.customers if c.phone and c.klass and c.owner)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户名称", "电话", "负责人", "备注"])
    ws.append([known.name, known.phone, known.owner, "导入时补的备注"])
    ws.append(["新来的客户", "13912345678", known.owner, ""])
    wb.save(tmp_path / "旧台账.xlsx")
    out = tmp_path / "总表_导入后.xlsx"
    _, res = cli.json("import", tmp_path / "旧台账.xlsx", "--into", master, "-o", out, ok=(0,))
    assert [(r["outcome"], r["customer_id"] == known.customer_id) for r in res["rows"]] == [
        ("existing", True),
        ("new", False),
    ]
    changes = res["merge"]["changes"]
    assert [(c["id"], c["status"]) for c in changes] == [
        (known.customer_id, "applied"),
        (res["rows"][1]["customer_id"], "added"),
    ]
    new = read_book(str(out))
    assert len(new.customers) == len(old.customers) + 1
    after = next(c for c in new.customers if c.customer_id == known.customer_id)
    assert after.note == "导入时补的备注"
    assert (after.klass, after.owner, after.phone) == (known.klass, known.owner, known.phone)
