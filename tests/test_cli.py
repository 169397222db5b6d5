"""Every command is documented, and the README's CLI reference is what the commands say."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from followup_xl.cli import main
from followup_xl.cli.reference import END, START, splice

ROOT = Path(__file__).resolve().parent.parent


def test_there_are_commands():
    assert {"init", "demo"} <= set(main.commands)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help(name):
    cmd = main.commands[name]
    assert cmd.help and len(cmd.help.strip()) > 20, f"{name} has no real help text"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    for param in cmd.params:
        if param.name not in ("help",) and getattr(param, "param_type_name", "") == "option":
            assert param.help, f"{name} {param.opts} has no help"


def test_readme_cli_reference_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme
    assert splice(readme) == readme, (
        "README CLI reference is stale: python -m followup_xl.cli.reference --write"
    )


def test_init_writes_a_workbook(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "客户回访工作簿.xlsx").exists()
