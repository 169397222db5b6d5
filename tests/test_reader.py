"""The reader on workbooks built the way offices build them (openpyxl, like Excel/WPS saves)."""

import datetime as dt

import openpyxl
import pytest

from followup_xl.errors import UnreadableWorkbook
from followup_xl.io.read.workbook import read_book


def messy_book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录"  # an alias of 客户名录簿
    ws.merge_cells("A1:F1")
    ws["A1"] = "华南区 客户名录"  # merged title row
    ws["A2"] = "制表人：张伟   制表日期：2026年3月1日"
    ws.append([])
    ws.append(
        ["客户ID", "客户姓名", "手机号码", "等级", "业务员", "登记日期", "Status", "自定义列"]
    )  # row 4
    ws.append(
        [1001.0, "华兴建材", 13800138002.0, "Ａ", "张伟", dt.datetime(2026, 3, 5), "正常", "x"]
    )  # row 5
    ws.append([])  # row 6 blank
    ws.append(
        ["K1002", "ＡＢＣ公司", "138 0013 8004", "b类", "张伟", "2026/3/5", None, None]
    )  # row 7
    ws.append(
        ["K1003", "李四", "+86 138-0013-8006", "C", "张伟", "2026年3月5日", "废除", None]
    )  # row 8
    ws.append(["K1004", "王五", "0755-26881234", "C", "张伟", "2026.03.05", None, None])  # row 9
    ws.append(["K1005", "赵六", "１３８００１３８００８", "C", "张伟", 46086, None, None])  # row 10
    ws.append(["K1006", "钱七", "1380013800", "D", "张伟", "明年", None, None])  # row 11: bad
    calls = wb.create_sheet("Calls")  # English headers
    calls.append(
        [
            "Customer ID",
            "Call Date",
            "Call Time",
            "Method",
            "Call Type",
            "Caller",
            "Content",
            "Satisfaction",
        ]
    )
    calls.append(["K1002", "2026-03-05", "14:30", "phone", "Routine", "张伟", "ok", "非常满意"])
    calls.cell(row=3, column=1, value="K1003")
    calls.cell(row=3, column=2, value=dt.datetime(2026, 3, 6)).number_format = "yyyy-mm-dd"
    t = calls.cell(row=3, column=3, value=dt.time(9, 15))
    t.number_format = "hh:mm"
    calls.cell(row=3, column=4, value="上门")
    calls.cell(row=3, column=5, value="投诉")
    calls.cell(row=3, column=6, value="孙丽")
    calls.cell(row=3, column=7, value="现场查看")
    calls.cell(row=3, column=8, value=4)
    other = wb.create_sheet("销售统计")  # not ours
    other.append(["月份", "销售额"])
    other.append(["2026-03", 1000])
    wb.save(path)
    return path


@pytest.fixture
def book(tmp_path):
    return read_book(messy_book(tmp_path / "messy.xlsx"))


def test_finds_our_sheets_and_ignores_others(book):
    assert [i.name for i in book.sheets["customers"]] == ["客户名录"]
    assert [i.name for i in book.sheets["calls"]] == ["Calls"]
    assert "销售统计" in book.ignored_sheets


def test_header_below_title_rows(book):
    info = book.sheets["customers"][0]
    assert info.header_row == 4
    assert info.headers["phone"] == "手机号码"
    assert "自定义列" in info.extra_columns


def test_values_and_row_numbers(book):
    by_id = {c.customer_id: c for c in book.customers}
    assert list(by_id) == ["1001", "K1002", "K1003", "K1004", "K1005", "K1006"]
    assert [c.src.row for c in book.customers] == [5, 7, 8, 9, 10, 11]
    assert by_id["1001"].phone == "13800138002" and by_id["1001"].klass == "A"
    assert (
        by_id["K1002"].name == "ABC公司"
        and by_id["K1002"].phone == "13800138004"
        and by_id["K1002"].klass == "B"
    )
    assert by_id["K1003"].phone == "13800138006" and by_id["K1003"].is_void
    assert by_id["K1004"].phone == "0755-26881234"
    assert by_id["K1005"].phone == "13800138008"
    for cid in ("1001", "K1002", "K1003", "K1004", "K1005"):
        assert by_id[cid].created == dt.date(2026, 3, 5), cid
    assert by_id["1001"].extra == {"自定义列": "x"}


def test_unreadable_values_are_kept_with_their_cell(book):
    bad = book.customers[-1]
    assert bad.phone is None and bad.bad["phone"] == "1380013800"
    assert bad.klass is None and bad.bad["klass"] == "D"
    assert bad.created is None and bad.bad["created"] == "明年"
    assert book.cell_of(bad, "phone") == "C11"
    assert book.cell_of(bad, "created") == "F11"


def test_english_headers_and_times(book):
    a, b = book.calls
    assert (a.customer_id, a.call_date, a.call_time, a.method, a.call_type, a.satisfaction) == (
        "K1002",
        dt.date(2026, 3, 5),
        dt.time(14, 30),
        "电话",
        "例行",
        5,
    )
    assert (b.call_date, b.call_time, b.method, b.call_type, b.satisfaction) == (
        dt.date(2026, 3, 6),
        dt.time(9, 15),
        "上门",
        "投诉",
        4,
    )
    assert (a.src.sheet, a.src.row, b.src.row) == ("Calls", 2, 3)


def test_sheet_recognised_by_headers_when_named_otherwise(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["客户编号", "客户名称", "联系电话", "负责人"])
    ws.append(["K1", "甲", "13800138002", "张伟"])
    wb.save(tmp_path / "x.xlsx")
    book = read_book(tmp_path / "x.xlsx")
    assert [c.customer_id for c in book.customers] == ["K1"]


def test_reading_does_not_touch_the_file(tmp_path):
    p = messy_book(tmp_path / "m.xlsx")
    before = p.read_bytes(), p.stat().st_mtime_ns
    read_book(p)
    assert (p.read_bytes(), p.stat().st_mtime_ns) == before


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"", "空"),
        (b"customer,phone\n1,2\n", "CSV"),
        (b"PK\x03\x04garbage", "损坏"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
            "损坏",
        ),  # an .xls signature and nothing behind it
    ],
)
def test_not_a_workbook_gets_a_sentence(tmp_path, content, needle):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(content)
    with pytest.raises(UnreadableWorkbook) as err:
        read_book(p)
    assert needle in err.value.message("zh") and str(p) in err.value.message("zh")


def test_example_office_books_read_back(office, office_dir):
    """Template-made and hand-made books read back to what was generated."""
    from followup_xl.demo.office import MESSY_OWNERS

    for owner, book in office.books.items():
        read = read_book(office_dir / f"{owner}_客户回访.xlsx")
        assert len(read.customers) == len(book.customers), owner
        assert len(read.calls) == len(book.calls), owner
        assert [c.customer_id for c in read.customers] == [c.customer_id for c in book.customers]
        for orig, got in zip(book.calls, read.calls):
            assert got.call_date == orig.call_date and got.customer_id == orig.customer_id
            assert got.satisfaction == orig.satisfaction and got.method == orig.method, (
                owner,
                got.src,
            )
        for sent, back in zip(book.customers, read.customers):
            assert back.phone == sent.phone and back.klass == sent.klass, (owner, back.src)
        first_row = 5 if owner in MESSY_OWNERS else 2
        assert read.customers[0].src.row == first_row


def test_error_values_and_1904_dates(tmp_path):
    """#N/A in a data cell is kept as unreadable text (calamine alone reads it as blank)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户名录簿"
    ws.append(["客户编号", "客户名称", "联系电话", "负责人", "建档日期"])
    ws.append(["K1", "甲", "13800138002", "张伟", dt.date(2026, 3, 5)])
    ws["E2"].number_format = "yyyy-mm-dd"
    ws.append(["K2", "乙", None, "张伟", None])
    ws["C3"].value = "#REF!"
    ws["C3"].data_type = "e"
    wb.epoch = CALENDAR_MAC_1904
    wb.save(tmp_path / "e.xlsx")
    book = read_book(tmp_path / "e.xlsx")
    assert book.epoch_1904
    k1, k2 = book.customers
    assert k1.created == dt.date(2026, 3, 5)
    assert k2.phone is None and k2.bad == {"phone": "#REF!"}
    assert book.cell_of(k2, "phone") == "C3"
