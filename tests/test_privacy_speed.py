"""The phone finder's shortcuts find exactly what the finder without them finds (issue 31).

``privacy.find_phones`` skips the phonenumbers matcher for id-like texts (R01000123) and folds
full-width characters through a table: both only to be faster, so the rule is the same spans as
the finder of 49735ba, kept here verbatim (``unfiltered``), over generated text: ids, dates,
Chinese text, mobiles and landlines typed with spaces, dashes, dots, brackets, full-width and
other Unicode digits, +86/0086, extensions, and letters glued to numbers.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from followup_xl.privacy import PHONE_IN_TEXT, _fold, find_phones, mask_text


def _fold_unfiltered(text: str) -> str:
    return "".join(
        ch
        if ch.isascii()
        else (
            unicodedata.normalize("NFKC", ch) if len(unicodedata.normalize("NFKC", ch)) == 1 else ch
        )
        for ch in text
    )


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    if text[start] in "(（" and not any(ch in ")）" for ch in text[start:end]):
        start += 1
    return start, end


def unfiltered(text: str) -> list[tuple[int, int]]:
    """find_phones as it was at 49735ba: every text with 7 digits through both finders."""
    if sum(ch.isdigit() for ch in text) < 7:
        return []
    spans = [
        _balanced(text, m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "CN", leniency=phonenumbers.Leniency.VALID)
    ]
    spans += [m.span() for m in PHONE_IN_TEXT.finditer(_fold_unfiltered(text))]
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


# --- the pieces texts are made of -------------------------------------------------------------

DIGIT_SETS = [
    "0123456789",
    "０１２３４５６７８９",  # full-width: Chinese staff type them
    "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic (\d to the matcher)
    "०१२३४५६७८९",  # Devanagari
    "⁰¹²³⁴⁵⁶⁷⁸⁹",  # superscripts: isdigit, not \d; NFKC makes them ASCII
    "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",  # mathematical bold: \d, NFKC to ASCII
]
SEPS = ["", " ", "  ", "-", ".", "/", "\u3000", "\u00a0", " - ", "－", "—", "~", "x", "．", "\t"]


def in_digits(text: str, digits: str) -> str:
    return "".join(digits[int(c)] if c.isdigit() and c.isascii() else c for c in text)


@st.composite
def numbers(draw) -> str:
    """A mobile or a landline (real shapes, some not valid), typed some way."""
    if draw(st.booleans()):
        body = (
            "1"
            + draw(st.sampled_from("3456789012"))
            + draw(st.from_regex(r"\d{9}", fullmatch=True))
        )
        cuts = [3, 7]
    else:
        area = draw(st.sampled_from(["010", "020", "021", "0755", "0571", "0898", "0351", "099"]))
        body = area + draw(st.from_regex(r"[1-9]\d{6,7}", fullmatch=True))
        cuts = [len(area)]
    body = body[: draw(st.integers(len(body) - 2, len(body)))] if draw(st.booleans()) else body
    parts, at = [], 0
    for cut in cuts:
        parts.append(body[at:cut])
        at = cut
    parts.append(body[at:])
    typed = parts[0]
    for part in parts[1:]:
        typed += draw(st.sampled_from(SEPS)) + part
    if len(cuts) == 1 and draw(st.booleans()):
        left, right = draw(st.sampled_from([("(", ")"), ("（", "）"), ("[", "]"), ("(", "")]))
        typed = f"{left}{parts[0]}{right}{draw(st.sampled_from(SEPS))}{''.join(parts[1:])}"
    if draw(st.booleans()):
        typed = (
            draw(st.sampled_from(["+86 ", "+86", "0086 ", "86-", "+86-", "＋８６ ", "+1 "])) + typed
        )
    if draw(st.booleans()):
        typed += draw(st.sampled_from([" ext 12", " x123", "int45", "转8001", "#12", " 分机 3"]))
    return in_digits(
        typed,
        draw(st.sampled_from(DIGIT_SETS[:4]) if draw(st.booleans()) else st.just(DIGIT_SETS[0])),
    )


@st.composite
def ids(draw) -> str:
    """Record ids as the books write them (R01000123, K000123), and ones that are not quite."""
    letters = draw(st.from_regex(r"[A-Za-z]{1,4}", fullmatch=True))
    digits = draw(st.from_regex(r"[0-9]{1,26}", fullmatch=True))
    text = letters + digits
    if draw(st.integers(0, 4)) == 0:  # a second run, an extension word or a phone glued on
        text += draw(st.sampled_from(["int", "x", "ext", "R", " ", "-", "/"])) + draw(
            st.one_of(st.from_regex(r"[0-9]{1,14}", fullmatch=True), numbers())
        )
    return text


@st.composite
def dates(draw) -> str:
    day = draw(st.dates())
    return day.strftime(
        draw(
            st.sampled_from(
                ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%d/%m/%Y", "%Y%m%d", "%Y-%m-%d 08:00"]
            )
        )
    )


CHINESE = st.text(
    alphabet=st.sampled_from(
        list("请回电客户说改用号码或者打找王经理上午下午元金额（）：，。、 abcXYZ%￥$#+")
    ),
    max_size=10,
)
PIECES = st.one_of(
    numbers(), ids(), dates(), CHINESE, st.from_regex(r"[0-9]{1,12}", fullmatch=True)
)


@st.composite
def texts(draw) -> str:
    pieces = draw(st.lists(PIECES, min_size=1, max_size=5))
    return "".join(p + draw(st.sampled_from(["", " ", "，", "R", "x", "：", "/"])) for p in pieces)


# --- the rule ---------------------------------------------------------------------------------


@settings(max_examples=1500, deadline=None)
@given(text=texts())
@example("R01000123")
@example("R123int12345678913800001111")  # two digit runs: the matcher finds the second
@example("Rint12345678913800001111")  # one run of 20 digits after letters: nothing
@example("R0100 13800001111")
@example("R" + "1" * 25 + "13800001111")  # a run longer than the matcher's first candidate
@example("K0012 (0755)23456789")
@example("客户１３８ ００００ １１１１")
@example("＋８６ １３８００００１１１１")
@example("R¹³⁸⁰⁰⁰⁰¹¹¹¹")
def test_find_phones_finds_what_the_unfiltered_finder_finds(text):
    assert find_phones(text) == unfiltered(text)


@settings(max_examples=500, deadline=None)
@given(text=ids())
def test_ids_alone_are_found_alike(text):
    assert find_phones(text) == unfiltered(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_any_unicode_text_folds_as_before(text):
    assert _fold(text) == _fold_unfiltered(text)
    assert find_phones(text) == unfiltered(text)


def test_the_matcher_itself_finds_nothing_in_an_id_and_a_number_after_a_second_run():
    """What the shortcut rests on, asked of phonenumbers: a Latin letter before a digit run
    refuses it; a second run after an extension word is a new candidate, so such a text is not
    id-like and still goes through the matcher."""
    ids_alone = ["R01000123", "K000123", "Rint12345678913800001111", "ab13800001111"]
    found = {
        t: [
            m.raw_string
            for m in phonenumbers.PhoneNumberMatcher(t, "CN", leniency=phonenumbers.Leniency.VALID)
        ]
        for t in [*ids_alone, "R123int12345678913800001111"]
    }
    assert found == {**{t: [] for t in ids_alone}, "R123int12345678913800001111": ["13800001111"]}
    assert mask_text("R123int12345678913800001111") == "R123int123456789138****1111"
    # the pattern the books' ids follow is what the shortcut takes: letters, then one digit run
    assert re.fullmatch(r"[A-Za-z]+[0-9]{1,20}", "R01000123")
