import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from followup_xl import example_office

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
