"""What starting costs: the help and the 校验 button import only what they use.

Each case runs in a fresh child process (the test process has imported everything already) and
lists the modules it ended up with (``sys.modules``); a library on the list that the case does
not need fails the test with the chain that imported it (``python -X importtime`` shows it too).
The CLI's command table (cli/__init__.COMMANDS, which --help lists without importing any command)
is held to the commands themselves, so it never drifts.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import click
import pytest

from followup_xl import cli
from followup_xl.demo import office as example_office

# The heavy ones (the list) and the rest of the dependencies: none is needed to show help.
HEAVY = {
    "pyarrow",
    "duckdb",
    "rich",
    "openpyxl",
    "xlsxwriter",
    "phonenumbers",
    "holidays",
    "pandas",
    "xlwings",
    "python_calamine",
    "pydantic",
    "opencc",
    "msoffcrypto",
    "olefile",
    "pyopenvba",
    "defusedxml",
}

PROBE = """
import json, sys
{body}
print(json.dumps(sorted(sys.modules)))
"""

HELP = """
import contextlib, io
from followup_xl.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["--help"])
    except SystemExit:
        pass
"""


def _modules(body: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(body=body)], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _libraries(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules} & HEAVY


def test_help_imports_click_and_no_command():
    modules = _modules(HELP)
    assert _libraries(modules) == set(), sorted(_libraries(modules))
    assert "click" in modules
    commands = sorted(m for m in modules if m.startswith("followup_xl.cli.cmd_"))
    assert commands == []
    ours = {m for m in modules if m.startswith("followup_xl")}
    assert ours <= {
        "followup_xl",
        "followup_xl.cli",
        "followup_xl.cli.console",
        "followup_xl.cli.usage",
        "followup_xl.errors",
        "followup_xl.kept",
        "followup_xl.lazy",
        "followup_xl.messages",
    }, sorted(ours)


def test_the_button_module_imports_no_writer_reader_or_terminal_library():
    """What RunPython loads before the 校验 button can run: the checks and the records, nothing
    else (phonenumbers and holidays are loaded when a phone or a working day is first read)."""
    modules = _modules("import followup_xl.xl.button")
    assert _libraries(modules) <= {"pydantic"}, sorted(_libraries(modules))
    assert "click" not in {m.split(".")[0] for m in modules}
    assert not any(m.startswith(("followup_xl.cli", "followup_xl.api")) for m in modules)


def test_validate_imports_no_writer_and_no_warehouse(office_dir):
    """`followup-xl validate BOOK` (no --annotate) reads with calamine and prints with rich; it
    loads no workbook writer, no Parquet or DuckDB, no pandas and no xlwings."""
    book = office_dir / "张伟_客户回访.xlsx"
    body = (
        "import contextlib, io\n"
        "from followup_xl.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main(['validate', {str(book)!r}, '--as-of', '{example_office.AS_OF}'])\n"
        "    except SystemExit:\n"
        "        pass\n"
    )
    libraries = _libraries(_modules(body))
    assert libraries <= {"python_calamine", "pydantic", "phonenumbers", "holidays", "rich"}, sorted(
        libraries
    )
    assert {"python_calamine", "rich"} <= libraries  # it did read and print


def test_every_command_module_is_in_the_table():
    modules = sorted(
        m.name for m in pkgutil.iter_modules(cli.__path__) if m.name.startswith("cmd_")
    )
    listed = sorted(module for module, _, _ in cli.COMMANDS.values())
    missing = sorted(set(modules) - set(listed))
    assert not missing, f"add to cli/__init__.COMMANDS: {missing}"
    assert listed == modules


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_the_table_says_what_the_command_says(name):
    module, attr, short = cli.COMMANDS[name]
    command = getattr(__import__(f"followup_xl.cli.{module}", fromlist=[attr]), attr)
    assert isinstance(command, click.Command) and command.name == name
    actual = command.get_short_help_str(limit=10**6)
    assert short == actual, f'COMMANDS["{name}"] = ("{module}", "{attr}", "{actual}")'
    assert cli.main.commands[name] is command


def test_help_lists_every_command_as_before():
    """The listing from the table is the listing click makes from the loaded commands."""
    from click.testing import CliRunner

    lazy = CliRunner().invoke(cli.main, ["--help"]).output
    for name in cli.COMMANDS:
        cli.main.commands[name]  # load them all: the group then asks each command
    loaded = CliRunner().invoke(cli.main, ["--help"]).output
    assert lazy == loaded
    assert all(f"  {name}  " in lazy for name in cli.COMMANDS)


def test_the_catalog_is_parsed_once_and_kept_like_bytecode(tmp_path, monkeypatch):
    """messages.toml is parsed once and kept beside it (data/__pycache__), read back while the
    TOML is unchanged, parsed again when it changes; never written where bytecode is not."""
    import tomllib

    from followup_xl import messages

    toml = tmp_path / "messages.toml"
    toml.write_bytes(messages.CATALOG.read_bytes())
    monkeypatch.setattr(messages, "CATALOG", toml)
    load = messages.catalog.__wrapped__  # without the in-process cache

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert load() == tomllib.loads(toml.read_text("utf-8"))
    assert not (tmp_path / "__pycache__").exists()

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    first = load()
    kept = list((tmp_path / "__pycache__").glob("messages.*.marshal"))
    assert len(kept) == 1 and first == tomllib.loads(toml.read_text("utf-8"))
    assert load() == first  # read back from the kept copy

    with toml.open("a", encoding="utf-8") as fh:
        fh.write('\n["test.added"]\nzh = "新加的"\nen = "added"\n')
    again = load()
    assert again["test.added"] == {"zh": "新加的", "en": "added"}
    now = list((tmp_path / "__pycache__").glob("messages.*.marshal"))
    assert len(now) == 1 and now != kept  # the stale copy replaced
