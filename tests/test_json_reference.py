"""Every command's --json on the example office is what it printed before the API returned objects."""

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "json_reference", Path(__file__).parent / "reference" / "json" / "regenerate.py"
)
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("json"))
    return {name: (code, payload) for name, code, payload in reference.run_cases(folder)}


@pytest.mark.parametrize("name", [name for name, _args in reference.CASES])
def test_json_is_unchanged(printed, name):
    code, payload = printed[name]
    want = reference.expected(name)
    assert code == want["exit_code"]
    assert payload == want["json"]
    same_order = json.dumps(payload, ensure_ascii=False) == json.dumps(
        want["json"], ensure_ascii=False
    )
    assert same_order  # the keys in the same order too
