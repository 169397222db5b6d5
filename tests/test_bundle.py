"""The offline installer (tools/bundle.py, `make windows-bundle`): it resolves without an index
for 64-bit Windows on CPython 3.11–3.13, and the same recipe for this Linux installs into a
fresh virtual environment with no index and runs `doctor`.

Marked slow: building a bundle downloads every dependency's wheels from the package index
(CI has it). An unreachable index fails the build with pip's own message, never a skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from followup_xl import __version__

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _bundle_module():
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "tools" / "bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle = _bundle_module()


def offline_env(**extra) -> dict:
    """pip with no index and no machine-wide find-links or config: only the bundle's wheels."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"} | extra


def offline_pip(python, *args: str) -> subprocess.CompletedProcess:
    """`python -m pip install --no-index` from the bundle's wheels only."""
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", *args],
        capture_output=True,
        text=True,
        env=offline_env(),
    )


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(into)
    return into / bundle.NAME


@pytest.fixture(scope="module")
def windows_bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("win") / f"{bundle.NAME}.zip"
    return bundle.build(out, "win_amd64")


def test_the_windows_bundle_holds_wheels_the_installer_and_the_guide(windows_bundle):
    with zipfile.ZipFile(windows_bundle) as zf:
        names = zf.namelist()
        bat = zf.read(f"{bundle.NAME}/安装.bat").decode("gbk")
        guide = zf.read(f"{bundle.NAME}/安装说明.txt").decode("utf-8-sig")
    assert f"{bundle.NAME}/wheels/followup_xl-{__version__}-py3-none-any.whl" in names
    assert f"{bundle.NAME}/客户回访工作簿.xlsm" in names
    wheels = [n.rsplit("/", 1)[1] for n in names if n.endswith(".whl")]
    assert not [w for w in wheels if "linux" in w or "macosx" in w]
    for tag in ("cp311", "cp312", "cp313"):  # compiled dependencies, one per Python
        assert any(w.startswith("pyarrow-") and tag in w and "win_amd64" in w for w in wheels), tag
    assert "xlwings-0.37.8-" in " ".join(wheels)
    assert "\r\n" in bat and "--no-index" in bat and "doctor --fix" in bat
    assert r"%LOCALAPPDATA%\followup-xl\venv" in bat  # where every workbook's conf sheet looks
    from followup_xl.xl.vba import INTERPRETER_WIN

    assert INTERPRETER_WIN.startswith(r"%LOCALAPPDATA%\followup-xl\venv\Scripts")
    assert "安装.bat" in guide and "解除锁定" in guide


@pytest.mark.parametrize("python", bundle.PYTHONS)
def test_the_windows_bundle_resolves_with_no_index(windows_bundle, tmp_path, python):
    folder = unzip(windows_bundle, tmp_path)
    r = offline_pip(
        sys.executable,
        "--dry-run",
        "--find-links",
        str(folder / "wheels"),
        "--platform",
        "win_amd64",
        "--python-version",
        python,
        "--implementation",
        "cp",
        "--only-binary=:all:",
        "--target",
        str(tmp_path / "target"),
        "--report",
        str(tmp_path / "report.json"),
        f"followup-xl=={__version__}",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    names = {i["metadata"]["name"].lower() for i in report["install"]}
    assert {"followup-xl", "xlwings", "pyarrow", "duckdb", "opencc", "python-calamine"} <= names
    assert (
        next(i for i in report["install"] if i["metadata"]["name"] == "xlwings")["metadata"][
            "version"
        ]
        == "0.37.8"
    )


def test_the_linux_recipe_installs_offline_into_a_fresh_venv_and_runs_doctor(tmp_path):
    folder = unzip(bundle.build(tmp_path / "linux.zip", None), tmp_path / "unzipped")
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    r = offline_pip(
        python, "--quiet", "--find-links", str(folder / "wheels"), f"followup-xl=={__version__}"
    )
    assert r.returncode == 0, r.stdout + r.stderr
    home = tmp_path / "home"
    home.mkdir()
    env = offline_env(HOME=str(home))
    doctor = [str(target / "bin" / "followup-xl"), "doctor", "--json"]
    before = subprocess.run(doctor, capture_output=True, text=True, env=env)
    assert before.returncode == 1, before.stderr  # no xlwings.conf for this user yet
    after = subprocess.run([*doctor, "--fix"], capture_output=True, text=True, env=env)
    assert after.returncode == 0, after.stdout + after.stderr
    out = json.loads(after.stdout)
    assert out["ready"] and out["python"] == str(target / "bin" / "python")
    conf = (home / ".xlwings" / "xlwings.conf").read_text()
    assert f'"INTERPRETER_WIN","{target / "bin" / "python"}"' in conf
