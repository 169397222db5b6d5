"""The message catalog and the error classes: every message exists in both languages,
renders, and is used; every raise names a catalog id; no inline zh/en branch is left."""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from pathlib import Path

import pytest

import followup_xl
from followup_xl import errors
from followup_xl.messages import Pair, catalog, placeholders, render, text

PACKAGE = Path(followup_xl.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# English sentences that quote Chinese labels the user sees in the workbook (sheet, column
# and setting names, the 是/否 answers) — data, not untranslated words.
EN_QUOTES_CHINESE = {
    "changelog.bad_approval": "the 是/否 answers of the 批准 column",
    "handover.by_missing": "the role 公司经理 as written in the staff sheet",
    "plan.not_a_plan": "the plan's sheet names 交接计划/说明",
    "read.csv_no_header": "the column names 客户编号, 客户名称, 联系电话",
    "read.no_header_row": "the column name 客户编号",
}
# Messages whose two languages say a different amount, on purpose.
DIFFERENT_PLACEHOLDERS = {
    # the exception's own text is English; Chinese users get its type name only
    "annotate.cannot_copy": {"exc"},
    "annotate.cannot_copy_short": {"exc", "error_type"},
    "plan.cannot_open": {"exc", "error_type"},
    "read.cannot_open": {"exc"},
    "read.cannot_open_short": {"exc", "error_type"},
    "read.sheet_unreadable": {"exc", "error_type"},
    "rollup.parquet_unreadable": {"exc"},
    # the Chinese sentence also lists the placeholders that are allowed
    "sms.unknown_placeholder": {"available", "unknown", "unknown_names"},
    # Chinese quotes each sheet name in 「」, English lists them plain
    "read.no_header_row": {"quoted_sheets", "sheets"},
}


class Anything:
    """A parameter value that fits any placeholder, format spec or conversion."""

    def __format__(self, spec):
        return "x"

    def __repr__(self):
        return "'x'"

    def __str__(self):
        return "x"


def sample(template: str) -> dict:
    return {name: Anything() for name in placeholders(template)}


def all_params(msg_id: str) -> dict:
    entry = catalog()[msg_id]
    return sample(entry["zh"]) | sample(entry["en"])


def package_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


@pytest.mark.parametrize("msg_id", sorted(catalog()))
def test_every_message_renders_in_both_languages(msg_id):
    entry = catalog()[msg_id]
    assert set(entry) == {"zh", "en"}, "each message has exactly a zh and an en template"
    zh = render(msg_id, "zh", **all_params(msg_id))
    en = render(msg_id, "en", **all_params(msg_id))
    assert zh.strip() and en.strip()
    assert CJK.search(zh), f"{msg_id}: the Chinese text has no Chinese in it"
    if msg_id in EN_QUOTES_CHINESE:
        assert CJK.search(en), f"{msg_id} no longer quotes Chinese: drop it from the allow-list"
    else:
        assert not CJK.search(en), f"{msg_id}: the English text has Chinese in it: {en}"


@pytest.mark.parametrize("msg_id", sorted(catalog()))
def test_both_languages_fill_in_the_same_placeholders(msg_id):
    entry = catalog()[msg_id]
    zh, en = placeholders(entry["zh"]), placeholders(entry["en"])
    if msg_id in DIFFERENT_PLACEHOLDERS:
        assert zh ^ en == DIFFERENT_PLACEHOLDERS[msg_id]
    else:
        assert zh == en


def test_every_message_id_is_used_in_the_package():
    source = package_text()
    unused = [i for i in catalog() if f'"{i}"' not in source]
    assert unused == []


def test_a_list_is_joined_the_way_each_language_writes_one():
    assert (
        render("handover.receiver_left", "zh", gone=["王芳", "李娜"]) == "接收人已离职：王芳、李娜"
    )
    assert render("handover.receiver_left", "en", gone=["王芳", "李娜"]) == (
        "receiver has left: 王芳, 李娜"
    )


def test_pair_and_text_parameters_take_the_readers_language():
    got = text("output.extension_is", ext=".pdf")
    zh = render("output.needs_xlsx", "zh", got=got, suggestion="月报.xlsx")
    en = render("output.needs_xlsx", "en", got=got, suggestion="月报.xlsx")
    assert "（现为扩展名 .pdf）" in zh and "(it has the extension .pdf)" in en
    sheet = Pair("操作", "Actions")
    assert render("manager.sheet_missing", "zh", name=sheet).startswith("找不到「操作」表")
    assert render("manager.sheet_missing", "en", name=sheet).startswith("the 'Actions' sheet")


def test_an_unknown_message_id_fails_where_it_is_made():
    with pytest.raises(KeyError):
        text("no.such.message")
    with pytest.raises(KeyError):
        errors.UsageError("no.such.message")


# ---- the error classes --------------------------------------------------------------

ERROR_CLASSES = [
    c
    for c in vars(errors).values()
    if inspect.isclass(c) and issubclass(c, errors.FollowupError) and c is not errors.FollowupError
]


PASSED_ON = "<an id its helper was given>"


def _raised_classes() -> dict[str, list[tuple[str, str]]]:
    """Class name → [(file, message id)] for every ``raise X("id", …)`` / ``X("id", …)`` call."""
    names = {c.__name__ for c in ERROR_CLASSES} | {"FollowupError", "SettingError"}
    found: dict[str, list[tuple[str, str]]] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in names and node.args:
                first = node.args[0]
                msg_id = first.value if isinstance(first, ast.Constant) else None
                if isinstance(first, ast.Name) and first.id == "msg_id":
                    msg_id = PASSED_ON
                found.setdefault(node.func.id, []).append((path.name, msg_id))
    return found


def test_every_error_is_raised_with_a_catalog_id():
    bad = [
        (cls, where, msg_id)
        for cls, sites in _raised_classes().items()
        for where, msg_id in sites
        if msg_id != PASSED_ON and msg_id not in catalog()
    ]
    # the helpers that pass an id on (handover.fail, Settings.error, formats._refuse) take
    # it as a parameter; everything else names its message where it raises
    assert bad == []


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_is_a_documented_kind_that_is_raised(cls):
    assert cls.__doc__ and cls.__doc__.strip()
    subclasses = {c.__name__ for c in ERROR_CLASSES if issubclass(c, cls)}
    raised = set(_raised_classes()) | {"UnreadableWorkbook"}  # the isolate/_refuse helpers
    assert subclasses & raised, f"{cls.__name__} is never raised"


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_speaks_both_languages_and_pickles(cls):
    msg_id = next(
        (
            i
            for name, sites in _raised_classes().items()
            if name == cls.__name__
            for _, i in sites
            if i != PASSED_ON
        ),
        "read.not_found",
    )
    params = {k: "x" for k in all_params(msg_id)}
    exc = cls(msg_id, path="总表.xlsx", sheet="客户名录簿", cell="B7", **params)
    assert exc.message("zh").startswith("总表.xlsx › 客户名录簿 › B7: ")
    assert CJK.search(exc.text("zh"))
    assert exc.text("en") and exc.text("en") != exc.text("zh")
    again = pickle.loads(pickle.dumps(exc))  # crosses the reader's child process (io/isolate.py)
    assert type(again) is cls and again.message("en") == exc.message("en")
    assert again.exit_code == exc.exit_code


def test_exit_codes_stay_by_kind():
    usage = [c for c in ERROR_CLASSES if issubclass(c, errors.UsageError)]
    unreadable = [c for c in ERROR_CLASSES if issubclass(c, errors.UnreadableWorkbook)]
    assert {c.exit_code for c in usage} == {errors.EXIT_USAGE}
    assert {c.exit_code for c in unreadable} == {errors.EXIT_UNREADABLE}
    assert errors.HistoryWriteFailed.exit_code == errors.EXIT_UNREADABLE
