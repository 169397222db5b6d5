import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup_xl import schema
from followup_xl.normalize import (
    Unreadable,
    mask_phone,
    parse_choice,
    parse_date,
    parse_phone,
    parse_satisfaction,
    parse_time,
)


@pytest.mark.parametrize(
    "raw",
    [
        dt.date(2026, 3, 5),
        dt.datetime(2026, 3, 5, 14, 0),
        46086,
        46086.0,
        "46086",
        "2026/3/5",
        "2026年3月5日",
        "2026.03.05",
        "2026-03-05",
        "２０２６－０３－０５",
        " 2026-3-5 ",
        "2026/03/05 14:30",
        "20260305",
        "2026年3月5号",
    ],
)
def test_dates_in_every_office_style(raw):
    assert parse_date(raw) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("raw", ["2026年13月5日", "明天", "3/5", "2026-02-30", 12, True])
def test_unreadable_dates_are_kept_not_guessed(raw):
    v = parse_date(raw)
    assert isinstance(v, Unreadable) and v.expected == "date"
    assert str(v) == str(raw)


def test_1904_date_system():
    assert parse_date(44624, epoch_1904=True) == dt.date(2026, 3, 5)
    assert parse_date(44624) == dt.date(2022, 3, 4)


@pytest.mark.parametrize(
    "raw,expected",
    [
        (dt.time(14, 30), dt.time(14, 30)),
        (0.6041666666, dt.time(14, 30)),
        ("14:30", dt.time(14, 30)),
        ("14：30", dt.time(14, 30)),
        ("下午2:30", dt.time(14, 30)),
        ("2:30 PM", dt.time(14, 30)),
        ("14点30分", dt.time(14, 30)),
        ("9点", dt.time(9, 0)),
        ("09:05:07", dt.time(9, 5, 7)),
    ],
)
def test_times(raw, expected):
    assert parse_time(raw) == expected


@pytest.mark.parametrize("raw", ["25:00", "午饭后", 3.5])
def test_unreadable_times(raw):
    assert isinstance(parse_time(raw), Unreadable)


@pytest.mark.parametrize(
    "raw,expected",
    [
        (13800138002.0, "13800138002"),
        ("138 0013 8004", "13800138004"),
        ("+86 138-0013-8006", "13800138006"),
        ("0086 13800138006", "13800138006"),
        ("8613800138006", "13800138006"),
        ("１３８００１３８００８", "13800138008"),
        ("0755-26881234", "0755-26881234"),
        ("075526881234", "0755-26881234"),
        ("(010) 6552 9988", "010-65529988"),
        ("13800138002.0", "13800138002"),
    ],
)
def test_valid_phones_normalise(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["1380013800", "138001380021", "12345678901", "2688123", "abc", "0755-123"]
)
def test_invalid_phones_are_unreadable(raw):
    v = parse_phone(raw)
    assert isinstance(v, Unreadable), v


def test_mask_phone_hides_the_middle():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0755-26881234") == "0755-****1234"
    assert mask_phone("010-65529988") == "010-****9988"


@pytest.mark.parametrize("raw,expected", [("Ａ", "A"), ("a类", "A"), (" B ", "B"), ("丙类", "C")])
def test_class_spellings(raw, expected):
    assert parse_choice(raw, schema.CLASSES) == expected


def test_choice_outside_the_list_is_kept():
    v = parse_choice("电联", schema.METHODS)
    assert isinstance(v, Unreadable) and str(v) == "电联"


@pytest.mark.parametrize(
    "raw,expected", [(5, 5), (4.0, 4), ("非常满意", 5), ("满意", 4), ("一般", 3), ("3", 3)]
)
def test_satisfaction(raw, expected):
    assert parse_satisfaction(raw, schema.SATISFACTION) == expected


@pytest.mark.parametrize("raw", [0, 6, 4.5, "还行"])
def test_satisfaction_out_of_range(raw):
    assert isinstance(parse_satisfaction(raw, schema.SATISFACTION), Unreadable)


@given(st.dates(min_value=dt.date(1951, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_survives_every_text_style(d):
    for text in (
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        (d - dt.date(1899, 12, 30)).days,
    ):
        assert parse_date(text) == d


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_phone_spelling_does_not_change_its_digits(mobile):
    v = parse_phone(mobile)
    if isinstance(v, Unreadable):  # an unallocated block: every spelling is then unreadable
        assert isinstance(parse_phone(f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"), Unreadable)
        return
    assert v == mobile
    assert parse_phone(f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}") == mobile
    assert parse_phone(float(mobile)) == mobile


@pytest.mark.parametrize(
    "typed,kept",
    [
        ("0755-2688 1234转8001", "0755-26881234转8001"),
        ("0755-26881234 分机 8001", "0755-26881234转8001"),
        ("0755 26881234 ext. 12", "0755-26881234转12"),
        ("010-62345678#6", "010-62345678转6"),
        ("0755-26881234转8001", "0755-26881234转8001"),  # its own spelling reads back the same
    ],
)
def test_a_landline_keeps_its_switchboard_extension(typed, kept):
    from followup_xl.normalize import mask_phone, parse_phone, phone_kind

    assert parse_phone(typed) == kept
    assert phone_kind(typed) == "landline"  # no SMS to it
    area = kept.split("-")[0]
    assert mask_phone(kept) == f"{area}-****{kept.split('-')[1][4:8]}"  # no extension shown


@pytest.mark.parametrize("typed", ["13800138000转1", "转8001", "x12", "0755-2688123x"])
def test_an_extension_on_a_mobile_or_on_nothing_is_unreadable(typed):
    from followup_xl.normalize import Unreadable, parse_phone

    assert isinstance(parse_phone(typed), Unreadable) and parse_phone(typed) == typed


@pytest.mark.parametrize(
    "typed,md",
    [
        ("11月26日", (11, 26)),
        ("11-26", (11, 26)),
        ("11/26", (11, 26)),
        ("11.26", (11, 26)),
        ("１１．２６", (11, 26)),
        ("3月5号", (3, 5)),
        ("2026.11.26", None),
        ("11.2.6", None),
        (11.26, None),
    ],
)
def test_a_date_typed_without_its_year_is_recognised_as_offices_write_it(typed, md):
    """dating.yearless, the one reading of a yearless date (the reader, validate, merge and
    import use it): 11.26 typed as text is 26 November; typed as a number it is no date."""
    from followup_xl.dating import yearless

    assert yearless(typed) == md
