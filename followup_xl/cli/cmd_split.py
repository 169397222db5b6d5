"""`followup-xl split`: the master back into one workbook per person."""

from __future__ import annotations

import os

import click

from .. import api
from ..errors import BadOption
from ..messages import Label, localize, message, render
from .common import (
    as_of_option,
    echo,
    echo_warnings,
    emit_json,
    guarded,
    json_option,
    lang_option,
    output_option,
    policy_option,
    terminate_as_interrupt,
    today,
)


@click.command("split")
@click.argument("master", type=click.Path(dir_okay=False))
@output_option(
    "Folder for the per-person workbooks (created if missing). 输出文件夹。",
    required=True,
    folder=True,
    dest="out_dir",
)
@click.option(
    "--owner", default=None, help="Only this person's workbook. 只生成某位负责人的工作簿。"
)
@click.option(
    "--staff-variant",
    is_flag=True,
    help="Mask class-A customers' phones and contacts in the books of non-managers (per policy). "
    "员工版：按规则隐藏A类客户的电话和联系人。",
)
@click.option(
    "--password",
    default=None,
    help="Opening password for every book written (Excel asks for it); visible to `ps`, so prefer "
    "--password-env or --ask-password. 打开密码。",
)
@click.option(
    "--password-env",
    "password_env",
    default=None,
    metavar="NAME",
    help="Take the opening password from environment variable NAME. 从环境变量读取打开密码。",
)
@click.option(
    "--ask-password",
    is_flag=True,
    help="Ask for the opening password (typed twice, not shown). 提示输入打开密码。",
)
@click.option(
    "--protect",
    is_flag=True,
    help="Lock headers and formulas; data cells stay editable. 保护表头和公式，数据单元格仍可填写。",
)
@click.option(
    "--xlsx",
    "plain_xlsx",
    is_flag=True,
    help="Write .xlsx books without the 校验 button (default: .xlsm with the button). 不带校验按钮。",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace books already in the output folder (default: refuse). 覆盖输出文件夹中已有的工作簿。",
)
@as_of_option
@policy_option
@lang_option
@json_option
@guarded
def split(
    master,
    out_dir,
    owner,
    staff_variant,
    password,
    password_env,
    ask_password,
    protect,
    plain_xlsx,
    overwrite,
    as_of,
    policy_path,
    lang,
    as_json,
):
    """Split a master into per-person workbooks.  把总表拆分为每人一份的工作簿。

    Each book is the staff template (dropdowns, colours, home sheet) holding only
    that person's customers, their calls and triggers, and a 待回访 sheet of their
    open follow-ups, as an .xlsm with the 校验 button; merging the books back
    gives the master again. Customers without an owner go to a 未分配 book, so
    nothing is dropped. Books already in the folder are not overwritten unless
    --overwrite is given.
    """
    password = _password(password, password_env, ask_password, lang)
    with terminate_as_interrupt():  # a kill still removes the plain copies (io/write/protect.py)
        result = api.split(
            master,
            out_dir,
            owner=owner,
            as_of=as_of or today(),
            policy_path=policy_path,
            staff_variant=staff_variant,
            password=password,
            protect=protect,
            macro=not plain_xlsx,
            overwrite=overwrite,
            lang=lang,
        )
    echo_warnings([localize(n, lang) for n in result.notes], lang)
    if as_json:
        emit_json(result, lang)
        return
    for b in result.books:
        echo(
            render(
                "split.book_line",
                lang,
                path=b.path,
                customers=b.customers,
                calls=b.calls,
                events=b.events,
                open_items=b.open_items,
                masked=message("split.class_a_masked") if b.class_a_masked else "",
            )
        )


def _password(password: str | None, env: str | None, ask: bool, lang: str) -> str | None:
    """One opening password from the command line, an environment variable or a prompt;
    an empty one is refused (it would write unencrypted books and say they are protected)."""
    given = [
        name
        for name, on in (
            ("--password", password is not None),
            ("--password-env", env is not None),
            ("--ask-password", ask),
        )
        if on
    ]
    if len(given) > 1:
        raise BadOption(
            "option.password_sources",
            options=Label(render("sep.and", "zh").join(given), render("sep.and", "en").join(given)),
        )
    if env is not None:
        if not os.environ.get(env):
            raise BadOption("option.env_unset", env=env)
        password = os.environ[env]
    if ask:
        password = click.prompt(
            render("split.password_prompt", lang),
            hide_input=True,
            confirmation_prompt=True,
            err=True,
            default="",
            show_default=False,
        )
    if password is not None and not password:
        raise BadOption("option.empty_password")
    return password
