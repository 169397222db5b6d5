"""Writes the tracker corpus beside this file: small reconstructions of real office spreadsheets.

Not downloaded files: each imitates a shape seen in public, hand-made trackers (README.md beside
this script says which); names and phone numbers are invented. Run it again to rewrite them:
    python tests/data/trackers/make_trackers.py
The files are committed so the tests need not run this; the output is byte-stable but for the
xlsx timestamps openpyxl writes (fixed below).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
D = dt.date
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


PREFIXES = ("138", "139", "135", "137", "150", "159", "186", "188", "189", "177")


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(PREFIXES)}{rng.randrange(10**8):08d}"


def save(name: str, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None):
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(title, []):
            ws.merge_cells(rng)
    wb.properties.created = dt.datetime(2026, 1, 1)
    wb.properties.modified = dt.datetime(2026, 1, 1)
    wb.save(HERE / name)


def same_name_customers(rng):
    """71 people, 71 phones; a shop writes them as 王先生, 先生, 李女士…: ten are just 先生."""
    rows: list[list] = [["序号", "姓名", "电话", "备注"]]
    names = ["先生"] * 10 + ["女士"] * 6
    names += [rng.choice(SURNAMES) + rng.choice(("先生", "女士", "老板", "姐")) for _ in range(55)]
    phones: set[str] = set()
    while len(phones) < 71:
        phones.add(mobile(rng))
    for i, (name, phone) in enumerate(zip(names, sorted(phones)), start=1):
        rows.append([i, name, phone, rng.choice(("", "老客户", "介绍来的", "要发票"))])
    save("01_same_name_customers.xlsx", {"客户": rows})


def shop_list(rng):
    """A distributor's list of shops: 店名 is the customer, two shops share a name."""
    rows: list[list] = [["店名", "联系人", "客户手机号", "所在区域", "客户备注"]]
    shops = [
        "好又多便利店",
        "天天超市",
        "好又多便利店",
        "老街五金",
        "阳光药房",
        "美佳美发",
        "天天超市",
    ]
    for shop in shops:
        rows.append([shop, rng.choice(SURNAMES) + "老板", mobile(rng), rng.choice("东南西北"), ""])
    save("02_shop_list.xlsx", {"门店名单": rows})


def purchase_log(rng):
    """One row per purchase: 9 customers over 40 rows, with dates and amounts."""
    people = [(rng.choice(SURNAMES) + rng.choice(("先生", "女士")), mobile(rng)) for _ in range(9)]
    rows: list[list] = [["日期", "客户姓名", "手机号码", "商品", "数量", "金额"]]
    day = D(2026, 3, 1)
    for _ in range(40):
        name, phone = rng.choice(people)
        day += dt.timedelta(days=rng.randrange(0, 3))
        qty = rng.randrange(1, 4)
        rows.append([day, name, phone, rng.choice(("洗发水", "护发素", "面膜")), qty, qty * 58])
    # every customer appears at least once
    for name, phone in people:
        rows.append([day, name, phone, "面膜", 1, 58])
    save("03_purchase_log.xlsx", {"销售记录": rows})


def traditional(rng):
    """A Hong Kong / Taiwan office's list: Traditional headers (客戶ID, 客戶名稱, 電話)."""
    rows: list[list] = [["客戶ID", "客戶名稱", "聯絡人", "電話", "負責人", "備註"]]
    for i in range(1, 13):
        rows.append(
            [f"C{i:03d}", f"{rng.choice('華興鑫達順發')}{i}號商行", "陳生", mobile(rng), "陳靜", ""]
        )
    save("04_traditional.xlsx", {"客戶資料": rows})


def english_crm(rng):
    """An English CRM export (CSV): Account Name, Contact Name, Phone Number, Lead Owner…"""
    rows: list[list] = [
        ["Account Name", "Contact Name", "Phone Number", "Email", "Lead Owner", "Created Date"]
    ]
    for i in range(15):
        rows.append(
            [
                f"Acme Trading {i + 1}",
                f"Contact {i + 1}",
                mobile(rng),
                f"c{i + 1}@example.com",
                rng.choice(("Chen Jing", "Li Wei")),
                f"2026-0{rng.randrange(1, 9)}-1{rng.randrange(10)}",
            ]
        )
    rows.append(["", "", "", "", "", ""])
    rows.append(["Acme Trading 3", "Contact 3b", rows[3][2], "", "Li Wei", "2026-05-02"])
    with open(HERE / "05_english_crm.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def english_call_log(rng):
    """A call log with its own row ID: 30 calls to 8 customers (the ID is each call's)."""
    people = [(f"Customer {c}", mobile(rng)) for c in "ABCDEFGH"]
    rows: list[list] = [["ID", "Date", "Customer", "Phone", "Caller", "Notes", "Duration (min)"]]
    for i in range(1, 31):
        name, phone = people[(i - 1) % 8] if i <= 8 else rng.choice(people)
        rows.append(
            [
                i,
                D(2026, 9, 1) + dt.timedelta(days=i),
                name,
                phone,
                rng.choice(("Chen Jing", "Li Wei")),
                rng.choice(("asked about delivery", "happy with service", "no answer")),
                rng.randrange(1, 15),
            ]
        )
    save("06_english_call_log.xlsx", {"Calls": rows})


def local_landlines(rng):
    """A county office (area 0951): numbers written without the area code, 7 and 8 digits."""
    rows: list[list] = [["客户名称", "联系电话", "负责人"]]
    numbers = ["5012345", "6023456", "0951-5034567", "5045678", "13800138001", "6056789"]
    for i, n in enumerate(numbers, start=1):
        rows.append([f"本地客户{i}", n, "马丽"])
    rows.append(["本地客户7", "5012345", "马丽"])  # the same landline as 本地客户1: listed
    save("07_local_landlines.xlsx", {"客户": rows})


def wps_merged_title(rng):
    """A WPS-made 登记表: a merged title, a 制表 line, then the header; blank rows between."""
    rows: list[list] = [
        ["XX建材公司客户回访登记表", None, None, None, None, None],
        ["制表：陈静    2026年9月", None, None, None, None, None],
        ["序号", "客户名称", "联系电话", "回访日期", "回访内容", "回访人"],
    ]
    people = [(f"{rng.choice('华鑫顺')}{i}建材", mobile(rng)) for i in range(6)]
    for i in range(1, 15):
        name, phone = people[i % 6]
        rows.append([i, name, phone, D(2026, 9, i), "了解使用情况", "陈静"])
        if i == 7:
            rows.append([None] * 6)
    save("08_wps_merged_title.xlsx", {"Sheet1": rows}, {"Sheet1": ["A1:F1", "A2:F2"]})


def member_list(rng):
    """A chain shop's members: 会员卡号 is the id, 门店 is the branch (not the customer)."""
    rows: list[list] = [["所属门店", "会员卡号", "会员姓名", "手机号", "开卡日期", "积分"]]
    for i in range(1, 21):
        rows.append(
            [
                rng.choice(("万达店", "东门店")),
                f"VIP{8800 + i}",
                rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
                mobile(rng),
                D(2025, rng.randrange(1, 13), rng.randrange(1, 28)),
                rng.randrange(0, 5000),
            ]
        )
    save("09_member_list.xlsx", {"会员": rows})


def wide_tracker(rng):
    """One row per customer, the calls across: 回访日期1/回访内容1/回访日期2/回访内容2."""
    rows: list[list] = [
        ["客户名称", "联系方式", "业务员", "回访日期1", "回访内容1", "回访日期2", "回访内容2"]
    ]
    for i in range(1, 9):
        second = [D(2026, 10, i), "二次回访，满意"] if i % 2 else [None, None]
        rows.append([f"客户{i}号", mobile(rng), "陈静", D(2026, 9, i), "首次回访", *second])
    save("10_wide_tracker.xlsx", {"回访台账": rows})


def month_sheets(rng):
    """A customer list and one sheet a month of calls naming customers by name, day-only dates."""
    people = [(f"{s}老板", mobile(rng)) for s in "赵钱孙李周"]
    customers = [["客户名称", "电话", "负责人"], *[[n, p, "陈静"] for n, p in people]]
    march: list[list] = [["日期", "客户名称", "回访内容"]]
    april: list[list] = [["日期", "客户名称", "回访内容"]]
    for i in range(1, 9):
        march.append([i, people[i % 5][0], "电话回访，正常"])
        april.append([i + 2, people[(i + 1) % 5][0], "微信回访"])
    save("11_month_sheets.xlsx", {"客户名单": customers, "3月": march, "4月": april})


def names_without_phones(rng):
    """A handwritten list typed up: names only, some twice, no phones — nothing to tell them apart."""
    rows: list[list] = [["客户姓名", "地址", "备注"]]
    for name in ("张先生", "李女士", "张先生", "王老板", "李女士", "赵姐"):
        rows.append([name, rng.choice(("城东", "城西")), ""])
    with open(HERE / "12_names_without_phones.csv", "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows(rows)


def main() -> None:
    rng = random.Random(27)
    for make in (
        same_name_customers,
        shop_list,
        purchase_log,
        traditional,
        english_crm,
        english_call_log,
        local_landlines,
        wps_merged_title,
        member_list,
        wide_tracker,
        month_sheets,
        names_without_phones,
    ):
        make(rng)


if __name__ == "__main__":
    main()
