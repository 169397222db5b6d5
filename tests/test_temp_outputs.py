"""Temporary outputs are created exclusively under names nobody can guess, never through a link.

The atomic writer used to write ``.<name>.<pid>.partial.xlsx`` beside the output: a link
planted there had the master written through it into another file.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from click.testing import CliRunner

from followup_xl.cli import main
from followup_xl.demo import office as example_office
from followup_xl.io.read.workbook import read_book

VICTIM = b"somebody else's file, not to be written over\n"


@pytest.fixture
def staff(tmp_path):
    office = example_office.generate(customers_per_owner=5, owners=["张伟"], plant_mistakes=False)
    return example_office.write_office(office, str(tmp_path / "staff"))


@pytest.fixture
def guessed(monkeypatch):
    """Make the temporary names guessable: the first names tried are known in advance."""
    names = iter(["guess1", "guess2", "guess3"] + [f"next{i}" for i in range(100)])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)


def _plant(folder, names, victim):
    for name in names:
        os.symlink(victim, folder / name)


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")
def test_links_at_the_temporary_names_are_never_followed(staff, tmp_path, guessed):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    planted = [
        f".总表.{os.getpid()}.partial.xlsx",  # the old predictable name (this process writes)
        ".总表.guess1.partial.xlsx",  # the names tempfile would try first
        ".总表.guess2.partial.xlsx",
    ]
    _plant(out, planted, victim)
    mask = os.umask(0o022)
    try:
        result = CliRunner().invoke(main, ["merge", *staff, "-o", str(out / "总表.xlsx")])
    finally:
        os.umask(mask)
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == VICTIM, "the master was written through a planted link"
    assert (out / "总表.xlsx").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert len(read_book(out / "总表.xlsx").customers) == 5
    assert all((out / name).is_symlink() for name in planted)
    assert not [p for p in out.iterdir() if ".partial" in p.name and not p.is_symlink()]


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX links")
def test_a_dangling_link_at_the_temporary_name_creates_nothing(staff, tmp_path, guessed):
    """A link to a file that does not exist yet: following it would create that file."""
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "planted.xlsx"
    _plant(out, [f".总表.{os.getpid()}.partial.xlsx", ".总表.guess1.partial.xlsx"], target)
    result = CliRunner().invoke(main, ["merge", *staff, "-o", str(out / "总表.xlsx")])
    assert result.exit_code == 0, result.output
    assert not target.exists(), "a file was created through a planted link"
    assert (out / "总表.xlsx").is_file() and not (out / "总表.xlsx").is_symlink()
