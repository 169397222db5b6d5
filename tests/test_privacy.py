"""Privacy: masked outputs hold no full phone number, passwords, staff variant, no formula from an input."""

import datetime as dt
import re
import zipfile
from pathlib import Path

import click
import msoffcrypto
import openpyxl
import pytest
import python_calamine as pc
from click.testing import CliRunner
from helpers import book, call, customer, event, staff
from hypothesis import given
from hypothesis import strategies as st

from followup_xl import api, schema
from followup_xl.cli import main
from followup_xl.errors import PasswordProtected
from followup_xl.io.read.workbook import read_book
from followup_xl.io.write.protect import decrypt_bytes
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.privacy import hides_class_a, mask_book, mask_text, staff_view
from followup_xl.settings import Policy

# Independent of the code under test: a full mainland mobile or landline, however spaced.
FULL_PHONE = re.compile(
    r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d){8}|0\d{2,3}[\s-]?\d{7,8})(?!\d)"
)
AS_OF = "2026-11-22"


def full_phones(path: Path) -> list[str]:
    """Every cell of every sheet (calamine, so values as Excel shows them) holding a full phone."""
    found = []
    wb = pc.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python():
            for v in row:
                text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                found += [f"{name}: {m}" for m in FULL_PHONE.findall(text)]
    return found


def test_the_scanner_finds_what_it_must(master):
    assert len(full_phones(master)) > 300  # the master keeps full numbers


def _args_for(
    cmd: click.Command, master: Path, office_dir: Path, out: Path
) -> tuple[list[str], Path]:
    """Arguments that run a command on the example office with --mask-phones, and where its output goes."""
    args: list[str] = []
    target = out / "out.xlsx"
    for p in cmd.params:
        if isinstance(p, click.Argument):
            args += (
                [str(x) for x in sorted(office_dir.glob("*.xlsx"))]
                if p.nargs == -1
                else [str(master)]
            )
        elif "--mask-phones" in p.opts:
            args.append("--mask-phones")
        elif "--as-of" in p.opts:
            args += ["--as-of", AS_OF]
        elif "-o" in p.opts or "--output" in p.opts:
            folder = isinstance(p.type, click.Path) and not p.type.file_okay
            target = out / "out" if folder else out / "out.xlsx"
            args += [p.opts[0], str(target)]
    return args, target


def commands_with_mask_phones() -> list[str]:
    return sorted(
        name
        for name, cmd in main.commands.items()
        if any("--mask-phones" in p.opts for p in cmd.params)
    )


def test_some_command_masks_phones():
    assert commands_with_mask_phones()


@pytest.mark.parametrize("name", commands_with_mask_phones())
def test_masked_outputs_hold_no_full_phone_number(name, master, office_dir, tmp_path):
    args, target = _args_for(main.commands[name], master, office_dir, tmp_path)
    assert target is not None, f"{name} has --mask-phones but no -o/--output"
    res = CliRunner().invoke(main, [name, *args])
    assert res.exit_code in (0, 1), f"{name} {args}: {res.output}"
    files = [target] if target.suffix else sorted(target.rglob("*.xlsx"))
    assert files and all(f.exists() for f in files)
    for f in files:
        assert full_phones(f) == [], f
    assert not FULL_PHONE.search(res.output)


def test_the_handover_plan_that_travels_for_approval_is_masked(master, tmp_path):
    plan = tmp_path / "plan.xlsx"
    api.handover(
        str(master),
        str(plan),
        leaver="杨磊",
        receivers=["张伟", "王芳"],
        plan_only=True,
        as_of=dt.date(2026, 11, 22),
    )
    assert full_phones(plan) == []


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["", " ", "-"]),
    st.text(alphabet="客户电话请打，。abc ", max_size=8),
)
def test_mask_text_leaves_no_mobile_in_free_text(number, sep, words):
    spaced = f"{number[:3]}{sep}{number[3:7]}{sep}{number[7:]}"
    masked = mask_text(f"{words}{spaced}{words}")
    assert not FULL_PHONE.search(masked) and number[-4:] in masked


def test_mask_text_keeps_other_numbers():
    assert (
        mask_text("订单20261120123456，金额 1380 元，电话 0755-26881234")
        == "订单20261120123456，金额 1380 元，电话 0755-****1234"
    )


def test_staff_view_masks_class_a_details_and_every_phone_typed_in_text():
    b = book(
        [
            customer("K1", klass="A", contact="王小明", note="手机 13912345678"),
            customer("K2", klass="B"),
        ],
        [call("K1", content="客户说改用 13912345678"), call("K2", content="13800138000")],
    )
    v = staff_view(b)
    a, other = v.customers
    assert a.phone == "138****8002" and a.contact == "王**" and a.note == "手机 139****5678"
    # a number typed in text may be anyone's (a class-A customer's too): masked in every record
    assert v.calls[0].content == "客户说改用 139****5678" and v.calls[1].content == "138****8000"
    assert other.phone == "13800138002"  # a class-B phone column stays whole
    assert b.customers[0].phone == "13800138002"  # the input is untouched


def test_mask_book_masks_every_phone_for_reports_that_travel():
    b = book(
        [customer("K1", klass="C", note="备用 020-87654321")],
        [call("K1", content="改打 13912345678")],
        [],
        [staff("张伟", phone="13900000001")],
    )
    m = mask_book(b)
    assert (m.customers[0].phone, m.customers[0].note) == ("138****8002", "备用 020-****4321")
    assert m.calls[0].content == "改打 139****5678" and m.staff[0].phone == "139****0001"


def test_only_managers_see_class_a_when_the_policy_says_so():
    assert hides_class_a(Policy(), "员工") and hides_class_a(Policy(), None)
    assert not hides_class_a(Policy(), "部门主管") and not hides_class_a(Policy(), "公司经理")
    assert not hides_class_a(Policy(mask_class_a_for_staff=False), "员工")


def test_password_protected_books_need_the_password(master, tmp_path):
    api.split(
        str(master), str(tmp_path), owner="陈静", password="回访2026", as_of=dt.date(2026, 11, 22)
    )
    (path,) = tmp_path.glob("*.xlsx")
    with pytest.raises(PasswordProtected):
        read_book(path)
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypt_bytes(path, "wrong")
    plain = tmp_path / "plain.xlsx.bin"
    plain.write_bytes(decrypt_bytes(path, "回访2026"))
    assert len(read_book(plain).customers) == 60
    with open(path, "rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()


INJECTED = [
    '=HYPERLINK("http://evil.example","点我")',
    "+86 转 8008",
    "-2+3",
    "@SUM(1+1)",
    "=cmd|' /C calc'!A0",
]


@pytest.fixture
def poisoned(tmp_path):
    """A staff book whose text cells start with = + - @, plus real formula cells and an external reference."""
    cs = [
        customer(f"K{i}", owner="张伟" if i % 2 else "王芳", klass="B", note=v, contact=v)
        for i, v in enumerate(INJECTED, start=1)
    ]
    calls = [call(f"K{i}", content=v, issue=v, row=i + 1) for i, v in enumerate(INJECTED, start=1)]
    path = tmp_path / "毒.xlsx"
    write_staff_workbook(
        path,
        book=book(
            cs,
            calls,
            [event("E1", "K1", description=INJECTED[0])],
            [staff("张伟", phone="13900000001"), staff("王芳", phone="13900000002")],
        ),
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["客户名录簿"]
    ws["K2"] = '=HYPERLINK("http://evil.example","x")'  # a live formula in 备注
    ws["K3"] = "='C:\\secret\\[prices.xlsx]Sheet1'!A1"  # an external reference
    wb.save(path)
    return path


def _formula_cells(path: Path) -> list[str]:
    """Every formula outside the tool's own: the 首页's figures, 汇总, and the staff book's
    formula columns (schema.SheetDef.computed), whose text the tool writes, never an input."""
    wb = openpyxl.load_workbook(path)
    ours = {c.zh for s in schema.SHEETS for c in s.computed}
    return [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
        and ws.title not in ("首页", "汇总")
        and ws.cell(1, c.column or 1).value not in ours
    ]


def _strings(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {
        str(c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "s"
    }


def _no_external_links(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return not [n for n in z.namelist() if "externalLink" in n]


def test_no_formula_from_an_input_cell_reaches_an_output(poisoned, tmp_path):
    master = tmp_path / "master.xlsx"
    assert api.merge([str(poisoned)], str(master)).written
    split = [
        Path(b.path)
        for b in api.split(str(master), str(tmp_path / "split"), as_of=dt.date(2026, 11, 22)).books
    ]
    res = api.handover(
        str(master),
        str(tmp_path / "new.xlsx"),
        leaver="张伟",
        receivers=["王芳"],
        as_of=dt.date(2026, 11, 22),
        by="赵刚",
    )
    for path in (master, *split, Path(res.output or ""), Path(res.record or "")):
        assert _formula_cells(path) == [] and _no_external_links(path), path
    for produced in (master, Path(res.output or "")):
        assert set(INJECTED) <= _strings(produced), produced  # written back as text, unchanged
    assert set(INJECTED) <= set().union(*(_strings(p) for p in split))
