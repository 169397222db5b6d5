import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

sys.path.insert(0, str(Path(__file__).parent))

from followup_xl.cli import main
from followup_xl.demo import office as example_office

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def office():
    """The example office as data (same seed as the committed books)."""
    return example_office.generate()


@pytest.fixture(scope="session")
def office_dir(tmp_path_factory, office):
    """The example office written as staff workbooks, once per test session."""
    folder = tmp_path_factory.mktemp("office")
    example_office.write_office(office, str(folder))
    return folder


@pytest.fixture
def as_of():
    return example_office.AS_OF


class Cli:
    """followup-xl run in-process as a user would run it; a traceback or exit 70 (a bug) always fails."""

    def __call__(self, *args, ok: tuple[int, ...] | None = None) -> Result:
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert "Traceback" not in result.output and result.exit_code != 70, result.output[-3000:]
        if ok is not None:
            assert result.exit_code in ok, (args, result.exit_code, result.output[-3000:])
        return result

    def json(self, *args, ok: tuple[int, ...] | None = None) -> tuple[int, dict | str]:
        """Exit code and the parsed --json answer (the plain output when it is not JSON)."""
        result = self(*args, "--json", ok=ok)
        out = result.stdout
        return result.exit_code, (json.loads(out) if out.strip().startswith("{") else result.output)


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli()


@pytest.fixture(scope="session")
def master(tmp_path_factory, office_dir, cli) -> Iterator[Path]:
    """The example office's master made by the real `merge` command, once per session: read it, never write it."""
    path = tmp_path_factory.mktemp("master") / "总表.xlsx"
    code, out = cli.json("merge", office_dir, "-o", path)
    assert code == 0 and path.exists(), out
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, (
        "a test wrote over the shared master"
    )
