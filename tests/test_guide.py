"""docs/使用说明.md stays true: every command and option it names exists; it is linked from the
README's first screen; it names rules in words, never by requirement ids or seed files."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from followup_xl.cli import main

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用说明.md"


def guide_commands() -> list[list[str]]:
    """Every `followup-xl …` invocation in the guide (code blocks and inline code), as argv."""
    text = GUIDE.read_text(encoding="utf-8")
    found = []
    for line in re.findall(r"followup-xl [^`\n]+", text):
        found.append(shlex.split(line.replace("\\", "/"))[1:])
    return found


def test_the_guide_names_commands():
    names = {argv[0] for argv in guide_commands() if argv and not argv[0].startswith("-")}
    assert {
        "init",
        "validate",
        "merge",
        "due",
        "schedule",
        "weekly",
        "report",
        "scores",
        "handover",
        "split",
        "demo",
    } <= names


@pytest.mark.parametrize("argv", guide_commands(), ids=lambda a: " ".join(a)[:60])
def test_every_command_and_option_in_the_guide_exists(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # parsing -o creates its folder: the guide's D:\… folders land here
    if argv[0].startswith("-"):
        assert argv[0] in ("--help", "-h", "--version")
        return
    assert argv[0] in main.commands, (
        f"the guide names `followup-xl {argv[0]}`, which no longer exists"
    )
    cmd = main.commands[argv[0]]
    known = {opt for p in cmd.params for opt in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
    for word in argv[1:]:
        if word.startswith("-"):
            assert word.split("=")[0] in known, f"`followup-xl {argv[0]}` has no option {word}"
    # a full command line parses as written (output names, dates, months, required options)
    if len(argv) > 1 and "--help" not in argv:
        # with the group's settings: a context made without them makes click cache a help
        # option without -h on the command, and later --help output (docs/cli-reference.md) drops -h
        cmd.make_context(argv[0], argv[1:], **main.context_settings)


def test_guide_is_linked_from_the_readme_first_screen():
    first_screen = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:15])
    assert "docs/使用说明.md" in first_screen


def test_guide_names_rules_in_words_not_ids_or_seeds():
    text = GUIDE.read_text(encoding="utf-8")
    assert not re.search(r"\b[PBMWRV]\d{1,2}[ab]?\b", text), re.search(
        r"\b[PBMWRV]\d{1,2}[ab]?\b", text
    )
    assert "REQUIREMENTS" not in text and "seed" not in text.lower() and "种子" not in text


def test_cli_reference_shows_followup_xl_not_main():
    page = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert "Usage: main" not in page
    assert CliRunner().invoke(main, ["--help"]).output.startswith("Usage: followup-xl")


# --- the guide's other claims that code can check (issue 28) ------------------------------------


def _sentence_with(marker: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    at = text.index(marker)
    start = max(text.rfind("\n\n", 0, at), text.rfind("\n- ", 0, at), 0)
    end = text.find("\n\n", at)
    return text[start:end]


def test_the_commands_the_guide_says_take_as_of_do():
    said = _sentence_with("都可以用 `--as-of`")
    commands = re.findall(r"`([a-z]+)`", said.split("都可以用")[0])
    assert len(commands) >= 9 and "report" in commands, said
    for name in commands:
        opts = {o for p in main.commands[name].params for o in p.opts}
        assert "--as-of" in opts, f"the guide says `{name}` takes --as-of"


def test_the_formats_the_guide_says_are_read_are_read():
    from followup_xl.io.formats import READABLE_ENDINGS, REFUSED_ENDINGS

    said = _sentence_with("本工具能直接读")
    read = said.partition("读不了")[0].rpartition("WPS 的")[0]
    named = set(re.findall(r"\.[a-z]{2,7}\b", read))
    assert named == set(READABLE_ENDINGS), (named, READABLE_ENDINGS)
    assert {".et", ".numbers"} <= set(REFUSED_ENDINGS)
    assert "另存为”Excel 工作簿（.xlsx）再合并" not in GUIDE.read_text(encoding="utf-8")


def test_the_guide_names_the_sheets_a_manager_works_in():
    from followup_xl import schema
    from followup_xl.messages import render

    text = GUIDE.read_text(encoding="utf-8")
    sheets = [
        render("changelog.log_sheet"),
        render("changelog.pending_sheet"),
        render("handover_book.phone_sheet"),
        render("staff.to_fill_header"),
        schema.STAFF.zh,
        schema.HOLIDAYS.zh,
        schema.RULES.zh,
    ]
    assert [s for s in sheets if s not in text] == []
    assert "followup-xl verify" in text and "清空收件箱" in text


def test_the_guide_says_where_holidays_and_rules_come_from():
    """Rules and holidays are the master's; a staff book's go to 待批准 (merge.py), not merged in."""
    said = _sentence_with("节假日和规则以总表为准")
    assert "待批准" in said
    text = GUIDE.read_text(encoding="utf-8")
    assert "所有输入的节假日会合并在一起" not in text and "第一本\n  有规则表" not in text
