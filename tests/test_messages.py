"""The message catalog and the error classes: every message exists in both languages,
renders, and is used; every raise names a catalog id; no inline zh/en branch is left."""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from functools import cache
from pathlib import Path

import pytest

import followup_xl
from followup_xl import errors, schema
from followup_xl.checks import REGISTRY
from followup_xl.messages import Label, catalog, labels, message, placeholders, render, table

PACKAGE = Path(followup_xl.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# English sentences that quote Chinese labels the user sees in the workbook (sheet, column
# and setting names, the 是/否 answers) — data, not untranslated words.
EN_QUOTES_CHINESE = {
    "changelog.bad_approval": "the 是/否 answers of the 批准 column",
    "merge.edits_wait_for_approval": "the 是/否 answers and the 待批准 sheet",
    "merge.old_master_as_book": "the 来源 sheet",
    "report_book.definitions": "the call results 成功 and 未解决",
    "handover.by_missing": "the role 公司经理 as written in the staff sheet",
    "plan.not_a_plan": "the plan's sheet names 交接计划/说明",
    "read.csv_no_header": "the column names 客户编号, 客户名称, 联系电话",
    "read.no_header_row": "the column name 客户编号",
    "check.V13.fix": "the column name 客户编号",
    "check.V17.fix": "the column name 办结说明",
    "check.V4b.message": "the 状态 value 废除",
    "check.V4b.fix": "the 状态 value 正常",
    "check.V4c.fix": "the 状态 value 正常",
    "check.V6b.name": "the 回访方式 value 电话",
    "check.V6b.fix": "the 回访方式 value 电话",
    "button.version_mismatch": "the installer's file name 安装.bat",
    "doctor.python_fix": "the installer's file name 安装.bat",
    "doctor.reinstall": "the installer's file name 安装.bat",
    "doctor.run_fix": "the installer's file name 安装.bat",
    "doctor.runpython_fix_sheet": "the installer's file name 安装.bat",
}
# The same sign in both languages (a dash for "no figure").
LANGUAGE_NEUTRAL = {"report_book.none", "weekly_book.na"}
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
    # the Chinese names the event type (回访 kinds are Chinese data); English gives the rule only
    # an obligation's English reason is the short form: the Chinese adds the complaint level,
    # the day the new date was agreed, the salesman, the length of the deal window
    "reason.complaint": {"level"},
    "reason.rescheduled": {"call_date"},
    "reason.trip": {"owner"},
    "reason.deal": {"deal_first_week_days"},
    "reason.typed_next": {"call_date"},
    "reason.verification": {"last"},
    # the English names the verification period in both cases; the Chinese only when it has a date
    "reason.never_verified": {"period"},
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
    if isinstance(entry["zh"], list):
        return {}
    return sample(entry["zh"]) | sample(entry["en"])


TEMPLATES = sorted(i for i, e in catalog().items() if isinstance(e["zh"], str))
LABEL_LISTS = sorted(i for i, e in catalog().items() if isinstance(e["zh"], list))
# a writer's nested table (key → text or list), read whole with table()/by_lang()
TABLES = sorted(i for i, e in catalog().items() if isinstance(e["zh"], dict))


def shown(msg_id: str, lang: str) -> str:
    """All the text an entry shows in ``lang``, templates filled in."""
    entry = catalog()[msg_id]
    if msg_id in TEMPLATES:
        return render(msg_id, lang, **all_params(msg_id))
    if msg_id in LABEL_LISTS:
        return "\n".join(labels(msg_id, lang))
    values = entry[lang].values()
    return "\n".join("\n".join(v) if isinstance(v, list) else v for v in values)


def package_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


@pytest.mark.parametrize("msg_id", sorted(catalog()))
def test_every_message_renders_in_both_languages(msg_id):
    entry = catalog()[msg_id]
    assert set(entry) == {"zh", "en"}, "each message has exactly a zh and an en template"
    assert type(entry["zh"]) is type(entry["en"])
    if msg_id in LABEL_LISTS:
        assert len(labels(msg_id, "zh")) == len(labels(msg_id, "en")), "one label for one label"
    if msg_id in TABLES:
        assert list(entry["zh"]) == list(entry["en"]), "the same keys in both languages"
    zh, en = shown(msg_id, "zh"), shown(msg_id, "en")
    assert zh.strip() and en.strip()
    if msg_id in LANGUAGE_NEUTRAL:
        assert zh == en and not CJK.search(zh)
        return
    if re.fullmatch(r"check\.\w+\.example", msg_id):  # a bad cell as typed and the code it gets
        assert zh == en and msg_id.split(".")[1] in zh
        return
    assert CJK.search(zh), f"{msg_id}: the Chinese text has no Chinese in it"
    if msg_id in EN_QUOTES_CHINESE:
        assert CJK.search(en), f"{msg_id} no longer quotes Chinese: drop it from the allow-list"
    else:
        assert not CJK.search(en), f"{msg_id}: the English text has Chinese in it: {en}"


def _template_placeholders(value) -> set[str]:
    """Placeholders of a template, of every label in a list, or per key of a table."""
    if isinstance(value, str):
        return placeholders(value)
    if isinstance(value, list):
        return {p for v in value for p in placeholders(v)}
    return {f"{k}:{p}" for k, v in value.items() for p in _template_placeholders(v)}


@pytest.mark.parametrize("msg_id", TEMPLATES + TABLES)
def test_both_languages_fill_in_the_same_placeholders(msg_id):
    entry = catalog()[msg_id]
    zh, en = _template_placeholders(entry["zh"]), _template_placeholders(entry["en"])
    if msg_id in DIFFERENT_PLACEHOLDERS:
        assert zh ^ en == DIFFERENT_PLACEHOLDERS[msg_id]
    else:
        assert zh == en


def test_every_message_id_is_used_in_the_package():
    source = package_text()
    tables = set(re.findall(r"\btable\(\"([\w.]+)\"\)", source))
    checks = {f"check.{code}" for code in REGISTRY}  # a check's texts, by its code (checks/base.py)
    unused = [
        i
        for i in catalog()
        if f'"{i}"' not in source
        and f"'{i}'" not in source
        and i.rpartition(".")[0] not in tables | checks
    ]
    assert unused == []


def test_every_check_has_its_texts_in_the_catalog():
    parts = ("name", "message", "fix", "example")
    want = [f"check.{code}.{part}" for code in REGISTRY for part in parts]
    assert [i for i in want if i not in catalog()] == []
    texts = {i.split(".")[1] for i in catalog() if re.fullmatch(r"check\.V\w+\.\w+", i)}
    assert texts - set(REGISTRY) == set(), "the texts of a check that no longer exists"


# Entries that read alike today but mean two things, so they may part ways: id → its twin.
SAME_WORDS_TWO_MEANINGS: dict[str, str] = {
    # "none" as a list of sheets that is empty, and as a lineage stamp's state
    "read.no_sheets": "lineage_book.stamp_state.none",
}


def test_no_two_catalog_entries_are_the_same():
    """One text, one id: a text said twice is one entry its callers share."""
    first: dict[str, str] = {}
    twins = []
    for msg_id, entry in sorted(catalog().items()):
        said = repr((entry["zh"], entry["en"]))
        if said in first and SAME_WORDS_TWO_MEANINGS.get(msg_id) != first[said]:
            twins.append((first[said], msg_id))
        first.setdefault(said, msg_id)
    assert twins == []
    for msg_id, twin in SAME_WORDS_TWO_MEANINGS.items():
        assert catalog()[msg_id] == catalog()[twin], f"{msg_id} reads otherwise now: drop it"


def test_a_list_is_joined_the_way_each_language_writes_one():
    assert (
        render("handover.receiver_left", "zh", gone=["王芳", "李娜"]) == "接收人已离职：王芳、李娜"
    )
    assert render("handover.receiver_left", "en", gone=["王芳", "李娜"]) == (
        "receiver has left: 王芳, 李娜"
    )


def test_label_and_message_parameters_take_the_readers_language():
    got = message("output.extension_is", ext=".pdf")
    zh = render("output.needs_xlsx", "zh", got=got, suggestion="月报.xlsx")
    en = render("output.needs_xlsx", "en", got=got, suggestion="月报.xlsx")
    assert "（现为扩展名 .pdf）" in zh and "(it has the extension .pdf)" in en
    sheet = Label("操作", "Actions")
    assert render("manager.sheet_missing", "zh", name=sheet).startswith("找不到「操作」表")
    assert render("manager.sheet_missing", "en", name=sheet).startswith("the 'Actions' sheet")


def test_an_unknown_message_id_fails_where_it_is_made():
    with pytest.raises(KeyError):
        message("no.such.message")
    with pytest.raises(KeyError):
        errors.UsageError("no.such.message")


# ---- the error classes --------------------------------------------------------------

ERROR_CLASSES = [
    c
    for c in vars(errors).values()
    if inspect.isclass(c) and issubclass(c, errors.FollowupError) and c is not errors.FollowupError
]


PASSED_ON = "<an id its helper was given>"


@cache
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
                msg_id = str(first.value) if isinstance(first, ast.Constant) else None
                if isinstance(first, ast.Name) and first.id == "msg_id":
                    msg_id = PASSED_ON
                found.setdefault(node.func.id, []).append((path.name, msg_id or ""))
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
    again = pickle.loads(
        pickle.dumps(exc)
    )  # crosses the reader's child process (io/read/isolate.py)
    assert type(again) is cls and again.message("en") == exc.message("en")
    assert again.exit_code == exc.exit_code


def test_exit_codes_stay_by_kind():
    usage = [c for c in ERROR_CLASSES if issubclass(c, errors.UsageError)]
    unreadable = [c for c in ERROR_CLASSES if issubclass(c, errors.UnreadableWorkbook)]
    assert {c.exit_code for c in usage} == {errors.EXIT_USAGE}
    assert {c.exit_code for c in unreadable} == {errors.EXIT_UNREADABLE}
    assert errors.HistoryWriteFailed.exit_code == errors.EXIT_UNREADABLE


# ---- no inline zh/en branch left ------------------------------------------------------


def _on_lang(test: ast.expr) -> bool:
    """A test that looks at the language: ``lang == "zh"``, ``st.lang != "en"``, ``zh``…"""
    return any(
        (isinstance(n, ast.Name) and n.id in ("lang", "zh", "en"))
        or (isinstance(n, ast.Attribute) and n.attr == "lang")
        for n in ast.walk(test)
    )


def _literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return bool(node.elts) and all(_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return bool(node.values) and all(_literal(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def _says(stmts: list[ast.stmt], chinese: bool) -> bool:
    """Do these statements hold a string literal in Chinese (or, chinese=False, in words)?"""
    return any(
        isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and (bool(CJK.search(n.value)) if chinese else bool(re.search(r"[A-Za-z]{2}", n.value)))
        for s in stmts
        for n in ast.walk(s)
    )


def inline_language_branches(source: str) -> list[tuple[int, str]]:
    """``"中文" if lang == "zh" else "English"`` and ``if zh: echo("…") else: echo("…")``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.IfExp) and _on_lang(node.test):
            if _literal(node.body) and _literal(node.orelse):
                found.append((node.lineno, ast.unparse(node)[:80]))
        elif isinstance(node, ast.If) and _on_lang(node.test) and node.orelse:
            body, other = node.body, node.orelse
            if (_says(body, True) and _says(other, False)) or (
                _says(other, True) and _says(body, False)
            ):
                found.append((node.lineno, "if " + ast.unparse(node.test)))
    return found


def test_no_inline_language_branch_with_literal_text_remains():
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {what}"
        for path in SOURCES
        for line, what in inline_language_branches(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "render these from the catalog (followup_xl/data/messages.toml)"


@pytest.mark.parametrize(
    "source",
    [
        'x = "已中断" if lang == "zh" else "interrupted"',
        'x = f"共 {n} 项" if zh else f"{n} items"',
        'x = ["是", "否"] if st.lang != "en" else ["yes", "no"]',
        'if lang == "zh":\n    echo(f"客户 {n}")\nelse:\n    echo(f"customers {n}")',
    ],
)
def test_the_branch_finder_finds_inline_pairs(source):
    assert inline_language_branches(source)


def test_the_branch_finder_leaves_data_choices_alone():
    source = (
        "name = c.name_zh if zh else c.name_en\n"
        'font = FONT if lang == "zh" else "Calibri"\n'
        'x = render("cli.interrupted", lang)\n'
    )
    assert inline_language_branches(source) == []


def test_every_policy_setting_is_described_in_both_languages():
    """The 规则 sheet's 说明 column and docs/rules.md's policy table come from the catalog."""
    from followup_xl.settings import Policy, describe_settings

    names = [n for n in Policy.model_fields if n not in ("staff", "score_items", "follow_up_rules")]
    assert sorted(table("setting")["zh"]) == sorted(names)
    zh, en = describe_settings("zh"), describe_settings("en")
    assert [r["description"] for r in zh] == [render(f"setting.{n}", "zh") for n in names]
    assert all(CJK.search(r["description"]) for r in zh)
    assert not any(CJK.search(r["description"]) for r in en)
    sms = next(r for r in en if r["key"] == "sms_template")["description"]
    assert "{new_phone}" in sms and "{{" not in sms


# ---- no Chinese sentence outside the catalog -------------------------------------------

# Where Chinese in the package is data, not a message: (module, function) → why; "*" for a whole
# module. schema.py (sheets, headers, aliases, dropdown values) is left out whole.
CHINESE_DATA: dict[tuple[str, str], str] = {
    ("demo/office.py", "*"): "the example office's generated content: names, addresses, notes",
    ("demo/run.py", "*"): "the demo's folder and file names and the example office's people",
    ("importing.py", "<module>"): "the header and method words it looks for in an office's tracker",
    ("normalize.py", "<module>"): "转, how a landline's extension is written (0755-26881234转8001)",
    ("importing.py", "Defaults"): "the 回访方式/回访类型 an imported call defaults to",
    ("importing.py", "split_repeated"): "the word 回访 in a tracker's 第N次回访 headers",
    ("settings.py", "Policy"): "each setting's name on the 规则 sheet, its values, the default SMS",
    ("settings.py", "Policy._known_levels"): "the complaint levels (投诉等级 values)",
    ("settings.py", "setting_text"): "是/否, a yes/no setting as the 规则 sheet shows it",
    (
        "ruletable.py",
        "*",
    ): "the 回访规则 table's values (触发, 单位, 回访人, 方式) and default rows, as the sheet spells them",
    ("policy.py", "<module>"): "the event types and the 回访类型 values each rule matches",
    (
        "calendar.py",
        "<module>",
    ): "the festival names holidays.China(language='zh_CN') gives, and their short names",
    ("duties.py", "<module>"): "the event types, 回访类型, 状态 values and separators P16–P23 read",
    (
        "formulas.py",
        "*",
    ): "the dropdown values (结果, 状态, 事项类型…) its formulas match, as schema.py spells them",
    ("policy.py", "_event_deadline"): "the complaint level an event without one has (一般)",
    (
        "call_duties.py",
        "<module>",
    ): "the event type 投诉, the level 一般 a complaint without one has, the role 员工 (complaint_roles)",
    ("policy.py", "_project"): "the 回访类型 values of a project's stages",
    (
        "policy.py",
        "rule_appointments",
    ): "the 回访类型 约访 and the 人员 sheet a P12 item comes from",
    ("handover.py", "<module>"): "the 状态 value 废除 and the 未分类 class group of the plan",
    ("handover.py", "group_of"): "the 状态 value 废除 and the 未分类 class group of the plan",
    ("handover.py", "_mark_left"): "the 状态 value 离职 written to the leaver's 人员 row",
    ("handover.py", "sms_notices"): "the SMS's salutation when a customer has no contact name",
    ("io/write/handover.py", "*"): "the hand-over books' column tables, zh and en side by side",
    ("io/master/handovers.py", "*"): "the 交接记录 column table, zh and en side by side",
    ("io/master/notes.py", "read_notes"): "the ； joining a 来源 status read back to its note",
    (
        "io/write/manager.py",
        "*",
    ): "the manager console's settings and buttons, zh and en side by side",
    ("io/master/changelog.py", "<module>"): "the 是/否 answers the 批准 column accepts",
    ("io/master/history.py", "<module>"): "the history folder's name",
    ("io/read/tracker.py", "import_tracker"): "the 回访方式/回访类型 an imported call defaults to",
    ("io/master/writer.py", "_cell_writer"): "是/否: a yes/no cell as the master writes it",
    ("io/master/writer.py", "_extra_writer"): "是/否: a yes/no cell as the master writes it",
    ("io/master/writer.py", "call_sheets"): "the name of the sheet for calls without a date",
    ("io/write/template.py", "home_formulas"): "a 状态 value inside a sheet formula",
    ("io/xlsx.py", "*"): "是/否 cell values and 状态 values inside formulas",
    ("io/write/due.py", "stream_rows"): "是/否 cell values, as io/xlsx.write_value writes them",
    ("io/write/schedule.py", "_safe_name"): "the 人员 sheet a name must not collide with",
    ("merge.py", "text"): "是/否: a yes/no cell as the change log compares it",
    ("merge.py", "place_key"): "a row's place (file › sheet › 第N行), compared as a key",
    ("merge.py", "customer_ident"): "the identity key of a customer row without an id",
    ("merge.py", "ident"): "the identity key of a customer row without an id",
    ("api/exporting.py", "rollup"): "the event types whose coverage the region roll-up reports",
    ("privacy.py", "<module>"): "the 人员 roles that see unmasked phones",
    ("schedule.py", "manager_of"): "the 人员 roles that take an unowned customer",
    (
        "schedule.py",
        "<module>",
    ): "the 方式 values (报告, 复函, 短信, 上门) and the 方便回访时间 words a customer writes",
    ("report.py", "<module>"): "the event types whose coverage the report counts",
    (
        "weekly.py",
        "_projects",
    ): "project states (the weekly book's status table keys) and the 回访类型 list",
    ("readme_tables.py", "*"): "the docs' bilingual table headers (generated documentation)",
    (
        "cli/__init__.py",
        "<module>",
    ): "the top-level --help, zh and en side by side like every --help",
    ("xl/button.py", "*"): "the staff workbook's button caption and dialog title",
    ("xl/manager.py", "_alert"): "the manager console's dialog title",
    ("xl/vba.py", "<module>"): "the workbook buttons' captions",
}
# str methods whose arguments are pieces of a cell's text being taken apart, not sentences
_TEXT_METHODS = {"replace", "split", "strip", "rstrip", "lstrip", "startswith", "endswith", "count"}


def _not_messages(tree: ast.AST) -> set[int]:
    """ids of the nodes whose Chinese is data by their place in the code: docstrings, decorator
    arguments (click's bilingual help, a check's zh/en definition), help=, values compared with
    or looked up by (== / in, dict keys, subscripts, .get), regexes and the pieces a str method
    takes apart."""
    skip: set[int] = set()

    def all_of(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(m) for m in ast.walk(node))

    for n in ast.walk(tree):
        body = getattr(n, "body", None)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                all_of(body[0].value)
            if not isinstance(n, ast.Module):
                for d in n.decorator_list:
                    all_of(d)
        if isinstance(n, ast.keyword) and n.arg == "help":
            all_of(n.value)
        if isinstance(n, ast.Compare):
            for part in (n.left, *n.comparators):
                if isinstance(part, ast.Constant | ast.Tuple | ast.List | ast.Set):
                    all_of(part)
        if isinstance(n, ast.Dict):
            for key in n.keys:
                all_of(key)
        if isinstance(n, ast.Subscript):
            all_of(n.slice)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
            owner, method = n.func.value, n.func.attr
            if isinstance(owner, ast.Name) and owner.id == "re" and n.args:
                all_of(n.args[0])
            if method in ("get", "setdefault", "pop") and n.args:
                all_of(n.args[0])
            if method in _TEXT_METHODS:
                for a in n.args:
                    all_of(a)
    return skip


def chinese_constants(source: str) -> list[tuple[int, str, str]]:
    """(line, function, text) of every string constant with Chinese in it, f-string parts
    included, that is not data by its place in the code (see _not_messages)."""
    tree = ast.parse(source)
    skip = _not_messages(tree)
    found = []

    def visit(node: ast.AST, where: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            where = node.name if where == "<module>" else f"{where}.{node.name}"
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CJK.search(node.value)
            and id(node) not in skip
        ):
            found.append((node.lineno, where, node.value))
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "<module>")
    return found


def _module(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _allowed(module: str, where: str) -> tuple[str, str] | None:
    for key in ((module, "*"), (module, where), (module, where.split(".")[0])):
        if key in CHINESE_DATA:
            return key
    return None


def test_no_chinese_sentence_is_written_outside_the_catalog():
    found = [
        f"{_module(path)}:{line} [{where}] {value!r}"
        for path in SOURCES
        if _module(path) != "schema.py"
        for line, where, value in chinese_constants(path.read_text(encoding="utf-8"))
        if _allowed(_module(path), where) is None
    ]
    assert found == [], (
        "put these in followup_xl/data/messages.toml and render them (messages.render/text); "
        "data that is not a message goes in schema.py or, with a reason, in CHINESE_DATA"
    )


def test_every_chinese_data_allowance_is_still_needed():
    used = {
        _allowed(_module(path), where)
        for path in SOURCES
        for _line, where, _value in chinese_constants(path.read_text(encoding="utf-8"))
    }
    assert sorted(set(CHINESE_DATA) - used) == []


@pytest.mark.parametrize(
    "source",
    [
        'def f(x):\n    return f"客户{x}没有回访记录"\n',
        'def f():\n    raise ValueError("未知客户类别")\n',
        'NOTE = "已排满"\n',
        'def f(why):\n    return why or "全部保留"\n',
    ],
)
def test_the_chinese_finder_finds_a_sentence(source):
    assert chinese_constants(source)


def test_the_chinese_finder_leaves_data_by_its_place_alone():
    source = (
        '"""模块说明。"""\n'
        "@check('V1', '必填项缺失')\n"
        "def f(call, row, words):\n"
        '    """函数说明。"""\n'
        '    if call.result == "成功" or call.method in ("电话", "上门"):\n'
        '        return row.get("废除", 0) + LABEL["客户编号"] + {"是": 1}["是"]\n'
        '    return re.sub("[年月]", "-", words.replace("：", ":"))\n'
        "\n"
        'x = click.option("--day", help="Any day. 任一天。")\n'
    )
    assert chinese_constants(source) == []


# ---- the English outputs that were Chinese ---------------------------------------------


def _user_data(office) -> list[str]:
    """The office's own words (people, customers, contacts, issues, files), longest first."""
    words: set[str] = set()
    for book in office.books.values():
        words |= {s.name for s in book.staff if s.name}
        words |= {v for c in book.customers for v in (c.name, c.owner, c.contact) if v}
        words |= {v for k in book.calls for v in (k.issue, k.caller) if v}
    return sorted(words, key=len, reverse=True)


def _without(text: str, words: list[str]) -> str:
    for word in words:
        text = text.replace(word, "")
    return re.sub(r"\S+\.xlsx", "", text)  # the staff books' file names are the user's too


def test_merge_conflicts_say_why_in_english(cli, office, office_dir, tmp_path):
    code, out = cli.json("merge", office_dir, "-o", tmp_path / "m.xlsx", "--lang", "en")
    assert code == 0 and {c["kind"] for c in out["conflicts"]} >= {"customer_id", "phone"}
    words = _user_data(office)
    sheets = [s.zh for s in schema.BY_KEY.values()]  # the staff books' own sheet names
    for c in out["conflicts"]:
        assert not CJK.search(_without(c["why"], words)), c["why"]
        assert c["kind"] != "phone" or c["kept"] == "all kept"
        for place in [*c["sources"], c["kept"]]:  # file › sheet › row N
            assert not CJK.search(_without(place, words + sheets)), place
        assert all(re.search(r" › row \d+$", s) for s in c["sources"]), c["sources"]
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx", read_only=True)["Conflicts"]
    places = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert places == ["\n".join(c["sources"]) for c in out["conflicts"]]
    owner_kept = next(c for c in out["conflicts"] if c["kind"] == "customer_id")
    assert owner_kept["why"].startswith("one customer id with differing details: kept the version")


def test_due_reasons_and_warnings_are_english(cli, office, master, as_of):
    code, out = cli.json("due", master, "--as-of", as_of, "--lang", "en")
    assert code == 0 and out["items"]
    words = _user_data(office)
    rules = {i["rule"] for i in out["items"]}
    assert {"P1", "P7", "P9", "P12"} <= rules, rules
    for i in out["items"]:
        assert not CJK.search(_without(i["reason"], words)), i["reason"]
    # a call left out names its file, sheet and the text typed: the office's own words (issue 28)
    typed = words + [s.zh for s in schema.BY_KEY.values()] + [e["raw"] for e in out["excluded"]]
    assert out["warnings"] and not any(CJK.search(_without(w, typed)) for w in out["warnings"])


def test_schedule_notes_are_english(cli, office, master, as_of):
    code, out = cli.json("schedule", master, "--as-of", as_of, "--lang", "en")
    assert code == 0
    notes = [i["note"] for i in out["items"] if i["note"]]
    assert notes, "the example office's week has items placed on another day"
    words = _user_data(office)
    for text_ in notes + [u["reason"] for u in out["unscheduled"]]:
        assert not CJK.search(_without(text_, words)), text_


def _book_without_owners(path: Path) -> list[str]:
    """A staff book with a customer nobody owns, a call nobody signed, a scored call without a
    回访类型 and a complaint blamed on nobody (October 2026); returns the office's own words."""
    from helpers import call, customer, event, staff

    from followup_xl.io.write.template import write_staff_workbook
    from followup_xl.models import Book

    b = Book(
        "张伟",
        customers=[customer("K1", created="2026-10-05"), customer("K2", owner=None)],
        calls=[
            call("K1", "2026-10-14", satisfaction=4),
            call("K2", "2026-10-15", caller=None),
            call("K1", "2026-10-16", call_type=None, satisfaction=3),
        ],
        events=[event("C1", "K2", "投诉", "2026-10-13", owner=None, responsible=None)],
        staff=[staff("张伟")],
    )
    write_staff_workbook(path, book=b, owner="张伟")
    return ["张伟", "客户K1", "客户K2"]


def _names_in_sheet(path: Path, column: int = 1) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return [str(c.value) for ws in wb for r in ws.iter_rows() for c in r[column - 1 : column]]


def test_report_groups_without_a_name_are_english(cli, tmp_path):
    words = _book_without_owners(tmp_path / "张伟_客户回访.xlsx")
    args = ("report", tmp_path / "张伟_客户回访.xlsx", "--month", "2026-10")
    code, en = cli.json(*args, "-o", tmp_path / "en.xlsx", "--lang", "en")
    assert code == 0, en
    owners = [o["owner"] for o in en["by_owner"]]
    assert owners == ["张伟", "(no owner)"]  # the placeholder sorts where its Chinese always did
    assert [p["party"] for p in en["complaints_by_party"]] == ["(not given)"]
    code, zh = cli.json(*args, "-o", tmp_path / "zh.xlsx")
    assert [o["owner"] for o in zh["by_owner"]] == ["张伟", "（无负责人）"]
    assert [p["party"] for p in zh["complaints_by_party"]] == ["（未注明）"]
    assert [t["call_type"] for t in en["satisfaction_by_type"]] == ["(no call type)", "例行"]
    assert [t["call_type"] for t in zh["satisfaction_by_type"]] == ["（未填）", "例行"]
    cells = _names_in_sheet(tmp_path / "en.xlsx")
    assert "(no owner)" in cells and "(not given)" in cells and "(no call type)" in cells
    assert "（无负责人）" in _names_in_sheet(tmp_path / "zh.xlsx")
    assert "（未填）" in _names_in_sheet(tmp_path / "zh.xlsx")
    assert not [c for c in cells if c in ("（无负责人）", "（未注明）", "（未填）")]
    for o in en["by_owner"] + en["complaints_by_party"]:
        assert not CJK.search(_without(o.get("owner") or o.get("party"), words)), o


def test_weekly_rows_without_a_name_are_english(cli, tmp_path):
    words = _book_without_owners(tmp_path / "张伟_客户回访.xlsx")
    args = ("weekly", tmp_path / "张伟_客户回访.xlsx", "--week-of", "2026-10-15")
    code, en = cli.json(*args, "-o", tmp_path / "en.xlsx", "--lang", "en")
    assert code == 0, en
    owners = [r["owner"] for r in en["by_owner"]]  # K2's call and its overdue follow-up
    assert owners == ["张伟", "(no caller)", "(no owner)"]  # in the Chinese labels' order
    assert not any(CJK.search(_without(o, words)) for o in owners)
    code, zh = cli.json(*args, "-o", tmp_path / "zh.xlsx")
    assert [r["owner"] for r in zh["by_owner"]] == ["张伟", "（无回访人）", "（无负责人）"]
    cells = _names_in_sheet(tmp_path / "en.xlsx")
    assert "(no caller)" in cells and "(no owner)" in cells
    assert not [c for c in cells if c in ("（无回访人）", "（无负责人）")]
    assert "（无回访人）" in _names_in_sheet(tmp_path / "zh.xlsx")
