"""docs/cli-reference.md is generated from the commands' own --help.

`python -m followup_xl.cli.reference --write` refreshes the page between the
markers; a test fails when the page and the commands disagree.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from . import main

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"
PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli-reference.md"


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command's words after `followup-xl`, a group's subcommands after the group."""
    for name in sorted(group.commands):
        yield (*path, name)
        sub = group.commands[name]
        if isinstance(sub, click.Group):
            yield from commands(sub, (*path, name))


def render() -> str:
    runner = CliRunner()
    parts = ["```", runner.invoke(main, ["--help"], terminal_width=100).output.rstrip(), "```"]
    for words in commands():
        out = runner.invoke(main, [*words, "--help"], terminal_width=100).output.rstrip()
        parts += ["", f"### followup-xl {' '.join(words)}", "", "```", out, "```"]
    return "\n".join(parts)


def splice(page: str) -> str:
    block = f"{START}\n{render()}\n{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, page, flags=re.S)


if __name__ == "__main__":
    if "--write" in sys.argv:
        PAGE.write_text(splice(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(render())
