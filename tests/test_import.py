"""`followup-xl import`: existing trackers, as offices keep them, into our template; then `validate`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from followup_xl.cli import main
from followup_xl.importing import month_of_sheet, split_name_phone, split_repeated
from followup_xl.io.filekind import read_kind
from followup_xl.io.read.workbook import read_book

D = dt.date


def findings(cli, path) -> list[tuple[str, str]]:
    _, out = cli.json("validate", str(path), "--as-of", "2026-11-22")
    return sorted((f["code"], f["cell"] or "") for f in out["findings"])


# An office's own tracker, never seen while the importer was written: a merged title, a 制表 line,
# one row per customer, four repeated "第N次回访" cells holding "date + method + notes",
# the office's own columns (区域, 序号), and three mistakes really in the data.
UNSEEN = [
    [
        "序号",
        "单位名称",
        "联系人",
        "联系方式",
        "客户等级",
        "业务员",
        "所在区域",
        "第一次回访",
        "第二次回访",
        "第三次回访",
        "第四次回访",
        "备注",
    ],
    [
        1,
        "华兴建材有限公司",
        "刘经理",
        "138 0013 8002",
        "A类",
        "陈静",
        "南山",
        "2026/8/3 电话 了解使用情况，反馈良好",
        "2026/8/11 电话 确认第二批到货",
        "2026年9月2日 电话，客户提出安装问题",
        "2026-10-09 电话 问题已解决",
        "",
    ],
    [
        2,
        "鑫达商贸 13900139004",
        "",
        "",
        "B",
        "陈静",
        "福田",
        "2026-09-15 电话 暂无新需求",
        None,
        None,
        None,
        "老客户",
    ],
    [
        3,
        "李记餐饮",
        "李老板",
        "0755-2688123",
        "C",
        "陈静",
        "宝安",
        "2026-10-20 微信 询问使用情况",
        None,
        None,
        None,
        None,
    ],  # 7-digit landline
    [
        4,
        "顺丰物流园",
        "周主管",
        "13700137006",
        "A",
        "陈静",
        "龙岗",
        None,
        None,
        None,
        None,
        "新客户，待首次回访",
    ],
    [
        5,
        "明珠酒店",
        "黄总",
        "",
        "B",
        "陈静",
        "罗湖",
        "2026/11/5 电话 续约意向",
        "2026/11/30 电话 约好再谈",
        None,
        None,
        "",
    ],  # no phone; a future call
    [
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "2026/10/1 电话 这一行没写客户",
        None,
        None,
        None,
        None,
    ],
]
PLANTED = {
    ("V2", "D4"),  # 李记餐饮: a landline one digit short
    ("V1", "D6"),  # 明珠酒店: no phone at all
    ("V5a", "C8"),
}  # 明珠酒店's second call is dated after the day of checking


def unseen_tracker(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2026年客户回访登记"
    ws.merge_cells("A1:L1")
    ws["A1"] = "深圳分公司 客户回访登记表"
    ws["A2"] = "制表：陈静    更新：2026年11月"
    for row in UNSEEN:
        ws.append(row)  # type: ignore[arg-type]
    wb.save(path)
    return path


def test_an_unseen_wide_tracker_imports_every_call_and_validates_but_for_its_own_mistakes(
    cli, tmp_path
):
    src = unseen_tracker(tmp_path / "回访登记.xlsx")
    code, out = cli.json("import", str(src), "-o", str(tmp_path / "陈静_客户回访.xlsx"))
    assert code == 0
    # every filled 第N次回访 cell is a call, or a skipped row with its reason
    filled = sum(1 for r in UNSEEN[1:] for v in r[7:11] if v)  # type: ignore[misc]
    assert out["calls"] + len(out["skipped"]) == filled == 9
    assert out["skipped"] == [
        {
            "sheet": "2026年客户回访登记",
            "row": 9,
            "reason": "没有客户名称或编号，这一行的回访无法归属",
        }
    ]
    assert out["customers"] == 5 and out["sheets"] == {"2026年客户回访登记": "wide"}
    assert set(out["unmapped_columns"]) == {"序号", "所在区域"}
    assert out["mapped"]["联系方式"] == "customers.phone" and out["mapped"][
        "第三次回访"
    ].startswith("calls.")
    assert read_kind(tmp_path / "陈静_客户回访.xlsx") == "staff"
    book = read_book(tmp_path / "陈静_客户回访.xlsx")
    hx = next(c for c in book.customers if c.name == "华兴建材有限公司")
    assert (hx.phone, hx.klass, hx.owner, hx.extra["所在区域"]) == (
        "13800138002",
        "A",
        "陈静",
        "南山",
    )
    assert set(hx.extra) == {"序号", "所在区域"}
    xd = next(c for c in book.customers if c.name == "鑫达商贸")  # "name + phone" in one cell
    assert xd.phone == "13900139004" and xd.note == "老客户"
    calls = sorted(
        (c.customer_id, c.call_date, c.method, c.content)
        for c in book.calls
        if c.customer_id == hx.customer_id
    )
    assert calls == [
        (hx.customer_id, D(2026, 8, 3), "电话", "电话 了解使用情况，反馈良好"),
        (hx.customer_id, D(2026, 8, 11), "电话", "电话 确认第二批到货"),
        (hx.customer_id, D(2026, 9, 2), "电话", "电话，客户提出安装问题"),
        (hx.customer_id, D(2026, 10, 9), "电话", "电话 问题已解决"),
    ]
    assert next(c.method for c in book.calls if "微信" in c.content) == "微信"
    assert set(findings(cli, tmp_path / "陈静_客户回访.xlsx")) == {
        (code, cell) for code, cell in _planted_cells(book)
    }


def _planted_cells(book):
    """PLANTED names the cells of the imported book: find them from the records, not by hand."""
    cust = {c.name: c for c in book.customers}
    info = book.sheet_info("customers")
    calls = book.sheet_info("calls")
    future = next(c for c in book.calls if c.call_date == D(2026, 11, 30))
    got = {
        ("V2", info.cell("phone", cust["李记餐饮"].src.row)),
        ("V1", info.cell("phone", cust["明珠酒店"].src.row)),
        ("V5a", calls.cell("call_date", future.src.row)),
    }
    assert len(got) == len(PLANTED)
    return got


def test_import_writes_the_button_book_when_asked_for_xlsm(cli, tmp_path):
    src = unseen_tracker(tmp_path / "回访登记.xlsx")
    code, out = cli.json("import", str(src), "-o", str(tmp_path / "陈静.xlsm"))
    assert code == 0 and out["output"].endswith(".xlsm")
    import zipfile

    assert "xl/vbaProject.bin" in zipfile.ZipFile(tmp_path / "陈静.xlsm").namelist()


def test_a_sheet_per_month_with_day_only_dates_and_customers_by_name(cli, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名单"
    for row in (
        ["客户名称", "电话", "类别", "业务员"],
        ["华兴建材", "13800138002", "A", "张伟"],
        ["鑫达商贸", "13900139004", "B", "张伟"],
    ):
        ws.append(row)
    for month in ("2026年9月", "10月"):
        s = wb.create_sheet(month)
        s.append(["日期", "客户名称", "回访方式", "内容", "满意度"])
        s.append([3, "华兴建材", "电话", f"{month}例行回访", "满意"])
        s.append(["18日", "鑫达商贸", "电话", f"{month}询问需求", "非常满意"])
        s.append([None, None, None, None, None])
    wb.save(tmp_path / "月度.xlsx")
    code, out = cli.json("import", str(tmp_path / "月度.xlsx"), "-o", str(tmp_path / "new.xlsx"))
    assert code == 0 and out["customers"] == 2 and out["calls"] == 4 and out["skipped"] == []
    assert out["sheets"] == {"客户名单": "taken", "2026年9月": "month", "10月": "month"}
    book = read_book(tmp_path / "new.xlsx")
    ids = {c.name: c.customer_id for c in book.customers}
    assert sorted((c.customer_id, c.call_date) for c in book.calls) == sorted(
        [
            (ids["华兴建材"], D(2026, 9, 3)),
            (ids["鑫达商贸"], D(2026, 9, 18)),
            (ids["华兴建材"], D(2026, 10, 3)),
            (ids["鑫达商贸"], D(2026, 10, 18)),
        ]
    )
    assert findings(cli, tmp_path / "new.xlsx") == []


def test_a_map_file_covers_what_the_aliases_do_not(cli, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(
        ["单位", "手机", "对接业务", "拜访日期1", "拜访纪要1", "拜访日期2", "拜访纪要2", "内部编码"]
    )
    ws.append(["华兴建材", "13800138002", "张伟", D(2026, 9, 1), "送样品", D(2026, 10, 1), "回款"])
    wb.save(tmp_path / "old.xlsx")
    (tmp_path / "map.toml").write_text(
        '[columns]\n"单位" = "客户名称"\n"对接业务" = "owner"\n'
        '"拜访日期" = "calls.call_date"\n"拜访纪要" = "回访内容"\n"内部编码" = "忽略"\n'
        '[defaults]\nmethod = "上门"\n',
        encoding="utf-8",
    )
    code, out = cli.json(
        "import",
        str(tmp_path / "old.xlsx"),
        "-o",
        str(tmp_path / "new.xlsx"),
        "--map",
        str(tmp_path / "map.toml"),
    )
    assert code == 0 and out["customers"] == 1 and out["calls"] == 2
    assert (
        out["mapped"]["单位"] == "customers.name" and out["mapped"]["拜访纪要2"] == "calls.content"
    )
    assert "内部编码" not in out["unmapped_columns"]
    book = read_book(tmp_path / "new.xlsx")
    assert {(c.method, c.caller) for c in book.calls} == {("上门", "张伟")}


def test_a_bad_map_file_is_a_sentence(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["客户名称", "电话"])
    wb.save(tmp_path / "old.xlsx")
    (tmp_path / "map.toml").write_text('[columns]\n"单位" = "不存在的字段"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(tmp_path / "old.xlsx"),
            "-o",
            str(tmp_path / "n.xlsx"),
            "--map",
            str(tmp_path / "map.toml"),
        ],
    )
    assert result.exit_code == 3 and "不存在的字段" in result.output and "map.toml" in result.output
    assert not (tmp_path / "n.xlsx").exists()


def test_the_output_must_be_a_workbook_we_write(tmp_path):
    src = unseen_tracker(tmp_path / "a.xlsx")
    result = CliRunner().invoke(main, ["import", str(src), "-o", str(tmp_path / "new.xls")])
    assert result.exit_code == 3 and ".xlsx" in result.output


@pytest.mark.parametrize(
    "header,expected",
    [
        ("回访日期1", (1, "回访日期")),
        ("回访内容12", (12, "回访内容")),
        ("第一次回访", (1, "回访")),
        ("第十二次回访内容", (12, "回访内容")),
        ("第3次回访", (3, "回访")),
        ("回访(2)", (2, "回访")),
        ("回访 3", (3, "回访")),
        ("客户名称", None),
        ("2026", None),
    ],
)
def test_repeated_headers(header, expected):
    assert split_repeated(header) == expected


@given(
    st.sampled_from(["华兴建材", "张三", "ABC公司"]),
    st.sampled_from(["13800138002", "0755-26881234", "+86 139 0013 9004"]),
    st.sampled_from([" ", "/", "（{}）", ",", "  ", "："]),
)
def test_name_and_phone_in_one_cell_split_whatever_the_separator(name, phone, sep):
    cell = name + sep.format(phone) if "{}" in sep else name + sep + phone
    assert split_name_phone(cell) == (name, phone)


def test_month_sheet_names():
    today = D(2026, 11, 22)
    assert month_of_sheet("9月", today) == (2026, 9)
    assert month_of_sheet("2025年12月", today) == (2025, 12)
    assert month_of_sheet("2026-03", today) == (2026, 3) and month_of_sheet("三月", today) == (
        2026,
        3,
    )
    assert month_of_sheet("客户名单", today) is None and month_of_sheet("13月", today) is None
    # a month without its year is the latest up to the day: 12月 imported in January is last year's
    assert month_of_sheet("12月", D(2027, 1, 5)) == (2026, 12)
    assert month_of_sheet("1月", D(2027, 1, 5)) == (2027, 1)


def test_import_says_how_each_sheet_was_read_in_the_runs_language(cli, tmp_path):
    tracker = Path(__file__).parent / "data" / "trackers" / "01_same_name_customers.xlsx"
    zh = cli("import", tracker, "--preview", "-o", tmp_path / "预览.xlsx", ok=(0,)).output
    assert ": 客户名录" in zh and "customers" not in zh
    en = cli("import", tracker, "--preview", "-o", tmp_path / "p.xlsx", "--lang", "en", ok=(0,))
    assert ": customers" in en.output


def test_a_totals_row_and_dates_without_a_year_as_offices_type_them(cli, tmp_path):
    """A 回访登记 kept by hand: a 合计 line under the rows (a sum: no customer, no call), a
    switchboard extension (转8001) and call dates without a year. Imported on 2027-01-05, 12.28
    is last December's call (2026-12-28, not 2027-12-28, a call in the future) and 1月3日 this
    January's; the text output says what it filled in."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "回访登记"
    ws.merge_cells("A1:F1")
    ws["A1"] = "2026年客户回访登记表"
    for row in (
        ["序号", "客户名称", "联系电话", "回访日期", "回访内容", "回访人"],
        [1, "华强电子", "0755-2688 1234转8001", "12.28", "年底回访", "张伟"],
        [2, "白云物业", "13800138002", "1月3日", "新年问候", "张伟"],
        ["合计", "2 条", None, None, None, None],
    ):
        ws.append(row)
    wb.save(tmp_path / "登记.xlsx")
    src, new = str(tmp_path / "登记.xlsx"), str(tmp_path / "new.xlsx")
    code, out = cli.json("import", src, "-o", new, "--as-of", "2027-01-05")
    assert code == 0 and out["customers"] == 2 and out["calls"] == 2
    assert [(s["row"], s["reason"]) for s in out["skipped"]] == [
        (5, "合计行（是汇总数，不是客户或回访记录）")
    ]
    assert out["assumed"]["calls.call_date_year"] == 2
    book = read_book(tmp_path / "new.xlsx")
    assert sorted(c.call_date or D.min for c in book.calls) == [D(2026, 12, 28), D(2027, 1, 3)]
    assert {c.name: c.phone for c in book.customers} == {
        "华强电子": "0755-26881234转8001",
        "白云物业": "13800138002",
    }
    text = (
        CliRunner()
        .invoke(main, ["import", str(tmp_path / "登记.xlsx"), "-o", str(tmp_path / "again.xlsx")])
        .output
    )
    assert "第5行：合计行" in text
    assert "补：2 条回访日期没写年份" in text and "补：2 条回访没写回访方式" in text


@pytest.mark.parametrize(
    "name",
    ["合计电器", "Total Solutions Ltd", "Summit Trading", "小计划工作室"],
)
def test_a_customer_whose_name_starts_like_a_total_is_a_customer(name):
    from followup_xl.importing import _totals_row

    assert not _totals_row([None, name, "13800138000"])
    assert (
        _totals_row([None, "合计：12 条"]) and _totals_row(["Total", 3]) and _totals_row(["小计"])
    )


def one_sheet(path, title: str, rows: list) -> Path:
    """A workbook of one sheet ``title`` holding ``rows``, as an office keeps a list."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    "head,layout",
    [
        (["客户名称", "联系电话", "建档日期", "最近成交日期"], "taken"),  # the reader's own headers
        (["单位名称", "联系方式", "建档日期", "最近成交日期", "第一次回访"], "wide"),  # hand-made
    ],
)
def test_customer_dates_without_a_year_are_given_the_latest_and_said(cli, tmp_path, head, layout):
    """Whether the reader knows the list or import reads it as hand-made: a 建档日期 of 11.26 or
    12月28日, imported on 2027-01-05, is 2026-11-26 / 2026-12-28 (never a day to come), counted
    under assumed and said (补); a 2026年3月 without a day stays as typed for validate to name."""
    src = one_sheet(
        tmp_path / "名单.xlsx",
        "名单",
        [
            head,
            ["华强电子", "13800138000", "11.26", "2026年3月", *[None] * (len(head) - 4)],
            ["白云物业", "13800138001", "12月28日", None, *[None] * (len(head) - 4)],
        ],
    )
    new = str(tmp_path / "new.xlsx")
    code, out = cli.json("import", str(src), "-o", new, "--as-of", "2027-01-05")
    assert code == 0 and out["sheets"] == {"名单": layout}
    assert out["assumed"]["customers.date_year"] == 2
    book = read_book(new)
    got = {c.name: (c.created, c.bad.get("last_deal")) for c in book.customers}
    assert got == {"华强电子": (D(2026, 11, 26), "2026年3月"), "白云物业": (D(2026, 12, 28), None)}
    again = ["import", str(src), "-o", str(tmp_path / "again.xlsx"), "--as-of", "2027-01-05"]
    assert "补：2 个客户日期" in CliRunner().invoke(main, again).output
