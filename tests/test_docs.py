"""The README stays a front page and the docs stay whole: every command is in the CLI reference,
every page is linked from the README, every link lands, every command line names what exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import unquote

import pytest

from followup_xl.cli import main
from followup_xl.cli.reference import PAGE, commands

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [
    README,
    ROOT / "CONTRIBUTING.md",
    ROOT / "CHANGELOG.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
GENERATED = re.compile(r"<!-- ([a-z-]+):start -->.*?<!-- \1:end -->", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_is_a_front_page():
    assert len(text(README).splitlines()) <= 200


def test_every_command_and_subcommand_is_in_the_cli_reference():
    page = text(PAGE)
    for words in commands():
        assert f"\n### followup-xl {' '.join(words)}\n" in page, words


def test_the_readme_links_every_page():
    linked = {unquote(t) for t in LINK.findall(text(README))}
    pages = {p.relative_to(ROOT).as_posix() for p in PAGES if p != README}
    assert pages <= linked, pages - linked
    assert "docs/python-api.md" in linked


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_link_lands(path):
    for target in LINK.findall(text(path)):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file, _, anchor = unquote(target).partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{path.name} links {target}, which is not there"
        if anchor and dest.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", text(dest), re.M)
            assert anchor in {slug(h) for h in headings}, f"{path.name}: no heading #{anchor}"


@pytest.mark.parametrize(
    "path", [p for p in PAGES if p.name != "使用说明.md"], ids=lambda p: p.name
)
def test_every_command_line_names_a_command_and_options_that_exist(path):
    """In code (a block's line or an inline span); the guide has its own, stricter test
    (test_guide.py) and the generated reference is the commands' own help."""
    for line in re.findall(r"(?:^|`)(followup-xl [^`\n|]+)", GENERATED.sub("", text(path)), re.M):
        argv = shlex.split(line, comments=True)[1:]
        if not argv or argv[0].startswith("-"):
            continue
        assert argv[0] in main.commands, f"{path.name} names `followup-xl {argv[0]}`"
        cmd = main.commands[argv[0]]
        known = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
        for word in argv[1:]:
            if word.startswith("-"):
                assert word.split("=")[0] in known, f"{path.name}: {argv[0]} has no {word}"
