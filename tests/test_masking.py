"""Masking that holds (issue 13): numbers planted in every free-text field of a staff book,
then every part of every masked output — all sheets, comments, headers, JSON — scanned for them."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_xl.demo import office as example_office
from followup_xl.io.write.template import write_staff_workbook
from followup_xl.privacy import mask_text

# every way the review saw a number typed (mobiles and landlines, spaced, dotted, bracketed, full-width)
FORMATS = [
    "{m}",
    "{m3} {m4a} {m4b}",
    "{m3}.{m4a}.{m4b}",
    "{m3}  {m4a} {m4b}",
    "({a}){l}",
    "（{a}）{l}",
    "+86 {m3} {m4a} {m4b}",
    "{fw}",
]


def planted(n: int) -> tuple[str, str]:
    """The n-th planted number: (as typed, its digits)."""
    fmt = FORMATS[n % len(FORMATS)]
    scramble = (n * 7919 + 3571) % 10**7  # digits that do not occur by chance in a workbook
    if "{a}" in fmt:
        digits = f"07552{scramble:07d}"
        return fmt.format(a=digits[:4], l=digits[4:]), digits
    m = f"13{5 + n % 5}{scramble:07d}{n % 10}"
    fw = "".join(chr(ord(c) + 0xFEE0) for c in m)
    return fmt.format(m=m, m3=m[:3], m4a=m[3:7], m4b=m[7:], fw=fw), m


class Plant:
    def __init__(self):
        self.n, self.where = 0, {}

    def __call__(self, field: str, before: str = "", after: str = "") -> str:
        self.n += 1
        typed, digits = planted(self.n)
        self.where[digits] = field
        return f"{before}{typed}{after}"


def set_(rec, **values):
    for k, v in values.items():
        object.__setattr__(rec, k, v)
        rec.bad.pop(k, None)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One salesperson's book with a number in every free text, an issue quoting one that is
    still open, and a class typed 「A级」 (unreadable: it must count as class A)."""
    office = example_office.generate(customers_per_owner=8, owners=["张伟"], plant_mistakes=False)
    book = office.books["张伟"]
    plant = Plant()
    a_grade, named, other = book.customers[0], book.customers[1], book.customers[2]
    a_phone = plant("A级客户的联系电话")
    set_(a_grade, klass=None, phone=None)
    a_grade.bad.update({"klass": "A级", "phone": a_phone})
    set_(
        named, name=plant("客户名称", "客户"), contact=plant("联系人"), note=plant("备注", "备用 ")
    )
    set_(other, note=plant("备注2", "", "（晚上打）"))
    for i, c in enumerate(
        sorted(book.calls, key=lambda k: k.call_date or dt.date.min)[-6:]
    ):  # recent calls: open issues
        set_(
            c,
            issue=plant(f"客户反映问题{i}", "请回电"),
            issue_status="未解决",
            next_date=None,
            content=plant(f"回访内容{i}", "客户说改用"),
            signature=plant(f"客户签名{i}"),
            responsible=plant(f"责任对象{i}"),
            review_note=plant(f"核实备注{i}"),
        )
    october = [c for c in book.calls if c.call_date and c.call_date.month == 10][:4]
    for i, c in enumerate(october):
        set_(
            c,
            issue=plant(f"十月问题{i}", "请回电"),
            satisfaction=1,
            signature=plant(f"十月签名{i}"),
        )
    for i, e in enumerate(book.events[:3]):
        set_(e, description=plant(f"事项说明{i}"), responsible=plant(f"事项责任对象{i}"))
    folder = tmp_path_factory.mktemp("hostile")
    path = Path(write_staff_workbook(folder / "张伟_客户回访.xlsx", book=book))
    return path, plant.where


def _digits_only(text: str) -> str:
    return re.sub(r"[\s.\-()（）/+\u3000\u00a0]", "", unicodedata.normalize("NFKC", text))


def leaks(text: str, where: dict[str, str]) -> list[str]:
    flat = _digits_only(text)
    return [
        f"{digits} ({field})"
        for digits, field in where.items()
        if digits in flat or digits[-8:] in flat
    ]


def parts_of(path: Path) -> dict[str, str]:
    """Every member of a workbook (sheets, shared strings, comments, drawings, properties) as text."""
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8", "replace") for n in zf.namelist()}


def assert_no_leak(path: Path, where: dict[str, str]) -> None:
    found = {name: leaks(text, where) for name, text in parts_of(path).items()}
    assert {k: v for k, v in found.items() if v} == {}, path.name


def test_the_planted_book_really_carries_the_numbers(cli, hostile, tmp_path):
    """Guard against a test that cannot fail: unmasked, the outputs show the numbers."""
    src, where = hostile
    assert len(where) > 40
    assert all(leaks(planted(n)[0], {planted(n)[1]: "x"}) for n in range(1, 20))
    out = cli("due", src, "--as-of", "2026-11-22", "--json", "-o", tmp_path / "due.xlsx", ok=(0, 1))
    assert any("客户反映问题" in w for w in leaks(out.output, where))
    assert leaks("\n".join(parts_of(tmp_path / "due.xlsx").values()), where)
    cli("report", src, "--month", "2026-10", "-o", tmp_path / "r.xlsx", ok=(0, 1))
    assert any(
        "十月问题" in w for w in leaks("\n".join(parts_of(tmp_path / "r.xlsx").values()), where)
    )


@pytest.mark.parametrize("command", ["due", "schedule", "report"])
def test_masked_outputs_leak_no_planted_number(cli, hostile, tmp_path, command):
    src, where = hostile
    out = tmp_path / f"{command}.xlsx"
    args = {
        "due": ["--as-of", "2026-11-22"],
        "schedule": ["--as-of", "2026-11-22"],
        "report": ["--month", "2026-10"],
    }[command]
    for lang in ("zh", "en"):
        result = cli(
            command, src, *args, "--mask-phones", "--json", "--lang", lang, "-o", out, ok=(0, 1)
        )
        payload = json.loads(result.output)
        assert payload.get("output") == str(out)
        assert leaks(result.output, where) == [], (command, lang)
        assert_no_leak(out, where)


def test_the_staff_variant_leaks_no_planted_number(cli, hostile, tmp_path):
    src, where = hostile
    result = cli(
        "split",
        src,
        "-o",
        tmp_path / "分发",
        "--staff-variant",
        "--as-of",
        "2026-11-22",
        "--json",
        ok=(0, 1),
    )
    assert leaks(result.output, where) == []
    (book,) = list((tmp_path / "分发").iterdir())
    assert_no_leak(book, where)
    import openpyxl

    wb = openpyxl.load_workbook(book)
    assert (
        "待回访" in wb.sheetnames and wb["待回访"].max_row > 2
    )  # the open issues are listed, masked


# --- the phone finder as a rule (hypothesis) ------------------------------------------------------------


SEPARATORS = st.sampled_from(["", " ", "  ", ".", "-", "\u3000", " - "])
WORDS = st.text(
    alphabet=st.sampled_from(list("请回电客户说改用号码或者打找王经理abcXYZ，。：（）")), max_size=8
)


@st.composite
def typed_mobiles(draw):
    digits = (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    )
    a, b = draw(SEPARATORS), draw(SEPARATORS)
    typed = f"{digits[:3]}{a}{digits[3:7]}{b}{digits[7:]}"
    if draw(st.booleans()):
        typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in typed)  # full-width
    if draw(st.booleans()):
        typed = draw(st.sampled_from(["+86 ", "+86", "0086 ", "86-"])) + typed
    return digits, typed


@st.composite
def typed_landlines(draw):
    area = draw(st.sampled_from(["010", "020", "021", "0755", "0571", "0898"]))
    local = draw(st.sampled_from("2345678")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=7, max_size=7))
    )
    left, right = draw(st.sampled_from([("", ""), ("(", ")"), ("（", "）")]))
    return area + local, f"{left}{area}{right}{draw(SEPARATORS) if not left else ''}{local}"


@settings(max_examples=300, deadline=None)
@given(phone=st.one_of(typed_mobiles(), typed_landlines()), before=WORDS, after=WORDS)
def test_a_phone_typed_any_way_inside_any_text_is_masked(phone, before, after):
    digits, typed = phone
    masked = mask_text(f"{before}{typed}{after}")
    flat = _digits_only(masked)
    assert digits not in flat and digits[-8:] not in flat, (typed, masked)
    assert masked.startswith(before) and masked.endswith(after)


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(dt.date(1990, 1, 1), dt.date(2099, 12, 31)), words=WORDS, n=st.integers(0, 999_999)
)
def test_dates_amounts_and_short_numbers_are_left_alone(day, words, n):
    for text in (
        f"{words}应于{day.isoformat()}回访",
        f"{words}{day:%Y年%m月%d日}",
        f"金额 {n} 元{words}",
        f"编号K{n}{words}",
    ):
        assert mask_text(text) == text


# --- export and rollup: what leaves the office as Parquet or JSON (issue 26) ---------------------------


def _parquet_texts(folder: Path) -> list[str]:
    """Every string in every Parquet file under ``folder``: columns, lists, maps (unreadable text)."""
    import pyarrow.parquet as pq

    def strings(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, (list, tuple)):
            for x in v:
                yield from strings(x)
        elif isinstance(v, dict):
            for x in v.values():
                yield from strings(x)

    out = []
    for part in sorted(folder.rglob("*.parquet")):
        for row in pq.read_table(part).to_pylist():
            out += [s for k, v in row.items() if k != "master_sha256" for s in strings(v)]
    return out


def test_export_masks_every_text_column_and_file_name(cli, hostile, tmp_path):
    """Names, contacts, notes, content, issues, signatures, event descriptions, obligation reasons,
    customer names and the staff book's file name: no phone survives without --with-phones."""
    from followup_xl.privacy import find_phones

    src, where = hostile
    named = tmp_path / "张伟_13912345670.xlsx"  # a file name that holds a phone (source_file)
    named.write_bytes(Path(src).read_bytes())
    where = {**where, "13912345670": "文件名"}
    base = ("export", named, "--as-of", "2026-11-22", "--office", "示例单位", "--json")
    result = cli(*base, "-o", tmp_path / "masked", ok=(0,))
    assert leaks(result.output, where) == []
    texts = _parquet_texts(tmp_path / "masked")
    assert any("****" in t for t in texts)
    assert [t for t in texts if leaks(t, where)] == []
    assert [t for t in texts if find_phones(t)] == []
    reasons = [t for t in texts if "请回电" in t]  # obligation reasons quote the issue, masked
    assert reasons
    # the guard: with --with-phones the same export keeps every number
    cli(*base, "-o", tmp_path / "full", "--with-phones", ok=(0,))
    kept = "\n".join(_parquet_texts(tmp_path / "full"))
    fields = {w.split(" (")[1].rstrip(")") for w in leaks(kept, where)}
    for field in ("客户名称", "联系人", "备注", "回访内容0", "客户签名0", "事项说明0", "文件名"):
        assert field in fields, field
    # an office name taken from that file name would carry the phone in every folder name
    refused = cli("export", named, "-o", tmp_path / "x", "--as-of", "2026-11-22", ok=(3,))
    assert "--office" in refused.output and "13912345670" not in refused.output
