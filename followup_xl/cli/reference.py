"""The CLI reference in the README is generated from the commands' own --help.

`python -m followup_xl.cli.reference --write` refreshes README.md between the
markers; a test fails when the README and the commands disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from . import main

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def render() -> str:
    runner = CliRunner()
    parts = ["```", runner.invoke(main, ["--help"], terminal_width=100).output.rstrip(), "```"]
    for name in sorted(main.commands):
        out = runner.invoke(main, [name, "--help"], terminal_width=100).output.rstrip()
        parts += ["", f"### followup-xl {name}", "", "```", out, "```"]
    return "\n".join(parts)


def splice(readme: str) -> str:
    block = f"{START}\n{render()}\n{END}"
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: block, readme, flags=re.S)


if __name__ == "__main__":
    path = Path(__file__).resolve().parents[2] / "README.md"
    text = path.read_text(encoding="utf-8")
    new = splice(text)
    if "--write" in sys.argv:
        path.write_text(new, encoding="utf-8")
    else:
        print(render())
