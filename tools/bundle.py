"""The offline installer: `make windows-bundle` → dist/客户回访助手-安装包.zip.

    python tools/bundle.py                        # Windows, CPython 3.11–3.13 (the default)
    python tools/bundle.py --platform linux       # this machine's platform (the Linux recipe)

The zip holds the project's wheel and every dependency as wheels for each Python version
(`pip download --only-binary=:all: --platform win_amd64 --python-version 3.1x`), so a PC
without internet installs from the folder; 安装.bat makes the office's Python environment
where every workbook's xlwings.conf sheet looks for it
(%LOCALAPPDATA%\\followup-xl\\venv, followup_xl/xl/vba.py INTERPRETER_WIN), installs into it
with `--no-index`, runs `doctor --fix` and shows the result; 安装说明.txt says the three steps.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "客户回访助手-安装包"
PYTHONS = ("3.11", "3.12", "3.13")
VENV = r"%LOCALAPPDATA%\followup-xl\venv"  # = INTERPRETER_WIN's folder (followup_xl/xl/vba.py)

INSTALL_BAT = r"""@echo off
rem followup-xl offline installer: a Python environment where the workbooks look for it,
rem installed from the wheels in this folder (no internet), then `doctor --fix`.
setlocal
cd /d "%~dp0"
set "VENV={venv}"
set "PY="
for %%v in (3.11 3.12 3.13) do (
  if not defined PY (
    py -%%v -c "import sys" >nul 2>&1 && set "PY=py -%%v"
  )
)
if not defined PY (
  python -c "import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)" >nul 2>&1 && set "PY=python"
)
if not defined PY (
  echo 没有找到 Python 3.11、3.12 或 3.13。请先安装 Python 3.11（python.org 或信息部门提供的安装程序），再双击本文件。
  pause
  exit /b 1
)
echo 正在准备 Python 环境：%VENV%
if not exist "%VENV%\Scripts\python.exe" (
  %PY% -m venv "%VENV%"
  if errorlevel 1 (
    echo 无法创建 Python 环境 %VENV%
    pause
    exit /b 1
  )
)
echo 正在安装 客户回访助手 {version}（不需要联网）……
"%VENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%~dp0wheels" --upgrade "followup-xl=={version}"
if errorlevel 1 (
  echo 安装失败：请把上面的提示拍照发给经理。
  pause
  exit /b 1
)
echo.
echo 检查本机环境：
"%VENV%\Scripts\python.exe" -m followup_xl doctor --fix
echo.
pause
"""

GUIDE = """客户回访助手 安装说明（followup-xl {version}）

1. 把这个压缩包解压到任意文件夹（例如桌面）。
2. 双击「安装.bat」。不需要联网；约一分钟后窗口显示检查结果，最后一行是「本机已准备好」即可。
   如提示没有 Python：先安装 Python 3.11（python.org 或信息部门提供的安装程序），再双击「安装.bat」。
3. 打开经理发来的工作簿（.xlsm），点黄色提示栏的「启用内容」，按「校验」。
   如 Excel 说宏已被阻止：关闭工作簿，右键文件 → 属性 → 勾选「解除锁定」→ 确定，再打开。

以后随时可以在命令提示符运行
  %LOCALAPPDATA%\\followup-xl\\venv\\Scripts\\followup-xl doctor
检查本机环境（结果中标 × 的行说明要怎么处理）。

本安装包含：wheels\\（客户回访助手及全部依赖，适用于 64 位 Windows 上的 Python 3.11、3.12、3.13）、
安装.bat、本说明、空白工作簿 客户回访工作簿.xlsm。
"""


def _pip(*args: str, env: dict | None = None) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True, env=env)


def project_wheel(folder: Path) -> Path:
    """The project's own wheel (pure Python: one for every platform)."""
    _pip("wheel", "--no-deps", "--quiet", "-w", str(folder), str(ROOT))
    return next(folder.glob("followup_xl-*.whl"))


def download(wheel: Path, folder: Path, platform: str | None, pythons=PYTHONS) -> None:
    """Every dependency of ``wheel`` as binary wheels: for ``platform`` and each Python, or (None)
    for this interpreter's own platform and version."""
    if platform is None:
        _pip("download", "--quiet", "--only-binary=:all:", "-d", str(folder), str(wheel))
        return
    for version in pythons:
        _pip(
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--platform",
            platform,
            "--python-version",
            version,
            "--implementation",
            "cp",
            "-d",
            str(folder),
            str(wheel),
        )


def build(out: Path, platform: str | None = "win_amd64", pythons=PYTHONS) -> Path:
    """Write the installer zip at ``out``; returns it."""
    from followup_xl import __version__

    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp) / NAME
        wheels = top / "wheels"
        wheels.mkdir(parents=True)
        wheel = project_wheel(wheels)
        download(wheel, wheels, platform, pythons)
        bat = INSTALL_BAT.format(venv=VENV, version=__version__).replace("\n", "\r\n")
        (top / "安装.bat").write_bytes(bat.encode("gbk"))  # cmd reads a .bat in the ANSI code page
        guide = GUIDE.format(version=__version__).replace("\n", "\r\n")
        (top / "安装说明.txt").write_bytes(guide.encode("utf-8-sig"))  # Notepad: UTF-8 with BOM
        shutil.copy(ROOT / "workbook_templates" / "客户回访工作簿.xlsm", top)
        out.parent.mkdir(parents=True, exist_ok=True)
        part = out.with_suffix(".part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(top.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp).as_posix())
        os.replace(part, out)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--platform", default="win_amd64", help="win_amd64, or 'linux' for this one")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "dist" / f"{NAME}.zip")
    args = ap.parse_args(argv)
    platform = None if args.platform == "linux" else args.platform
    print(build(args.output, platform))


if __name__ == "__main__":
    main()
