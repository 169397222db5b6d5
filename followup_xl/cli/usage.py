"""Click's own usage errors in the user's language, with the project's exit code 3.

Click prints its parsing errors in English and exits 2, which this project keeps
for unreadable input; here they become one sentence in --lang (Chinese unless
``--lang en`` is on the command line) and exit 3. Extra arguments that look like
the pieces of a path with a space get a hint to quote it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import click

from ..errors import EXIT_USAGE
from ..messages import Message, render
from . import console


class LocalizedUsageError(click.UsageError):
    """A usage error that knows its sentence in both languages (a catalog message)."""

    def __init__(self, msg_id: str, ctx: click.Context | None = None, **params):
        self.zh = render(msg_id, "zh", **params)
        self.en = render(msg_id, "en", **params)
        super().__init__(self.en, ctx)


class LocalizedBadParameter(click.BadParameter):
    def __init__(self, msg_id: str, ctx=None, param=None, **params):
        self.zh = render(msg_id, "zh", **params)
        self.en = render(msg_id, "en", **params)
        super().__init__(self.en, ctx, param)


def lang_of(args) -> str:
    args = list(args or [])
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "zh"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "zh"
    return "zh"


_EXTRA_RE = re.compile(r"\((.*)\)\s*$")
_PATHISH = re.compile(r"[\\/:]|\.(xlsx|xlsm|xls|csv|toml)$", re.I)


def _param_name(param, ctx) -> str:
    if param is None:
        return ""
    try:
        hint = param.get_error_hint(ctx) if ctx is not None else "/".join(param.opts)
        return hint.replace("'", "")
    except Exception:
        return "/".join(getattr(param, "opts", []) or [param.name or ""])


def _bad_value_zh(exc: click.BadParameter) -> str:
    if isinstance(exc, LocalizedBadParameter):
        return exc.zh
    ptype = getattr(exc.param, "type", None)
    if isinstance(ptype, click.Choice):
        return render("cli.expected_one_of", "zh", choices=[str(c) for c in ptype.choices])
    if isinstance(ptype, click.types.IntParamType):
        return render("cli.expected_integer", "zh")
    if isinstance(ptype, click.types.FloatParamType):
        return render("cli.expected_number", "zh")
    if isinstance(ptype, click.Path):
        return (
            exc.message.replace("does not exist", "不存在")
            .replace("is a directory", "是文件夹")
            .replace("is a file", "是文件")
            .replace("File", "文件")
            .replace("Directory", "文件夹")
            .replace("Path", "路径")
        )
    return exc.message


def message(exc: click.UsageError, lang: str) -> str:
    """One sentence for a click usage error, in ``lang``."""
    ctx = exc.ctx
    prog = ctx.command_path if ctx is not None else "followup-xl"
    zh = lang != "en"
    if isinstance(exc, LocalizedUsageError):
        text = exc.zh if zh else exc.en
    elif isinstance(exc, click.NoSuchOption):
        maybe = list(exc.possibilities or [])
        text = render(
            "cli.no_such_option",
            lang,
            option=exc.option_name,
            did_you_mean=Message("cli.did_you_mean", {"options": maybe}) if maybe else "",
        )
    elif isinstance(exc, click.MissingParameter):
        name = _param_name(exc.param, ctx)
        is_arg = getattr(exc.param, "param_type_name", "") == "argument"
        text = render("cli.missing_argument" if is_arg else "cli.missing_option", lang, name=name)
    elif isinstance(exc, click.BadParameter):
        name = (
            exc.param_hint.replace("'", "")
            if isinstance(exc.param_hint, str)
            else _param_name(exc.param, ctx)
        )
        en = exc.en if isinstance(exc, LocalizedBadParameter) else exc.message
        problem = en if lang == "en" else _bad_value_zh(exc)
        text = render("cli.invalid_value", lang, name=name, problem=problem)
    elif exc.message.startswith("Got unexpected extra argument"):
        m = _EXTRA_RE.search(exc.message)
        extras = m.group(1) if m else ""
        text = render("cli.extra_arguments", lang, extras=extras)
        if any(_PATHISH.search(piece) for piece in extras.split()) or any(
            _PATHISH.search(a)
            for a in (ctx.params.values() if ctx is not None else [])
            if isinstance(a, str)
        ):
            text += render("cli.quote_paths_with_spaces", lang)
    elif exc.message.startswith("No such command"):
        m = re.search(r"'(.*)'", exc.message)
        name = m.group(1) if m else ""
        text = render("cli.no_such_command", lang, name=name)
    else:
        text = exc.message
    if "--help" in text:
        return text
    return text + (render("cli.see_help", lang, prog=prog))


def report(exc: click.UsageError, lang: str, as_json: bool = False) -> None:
    """The sentence on stderr; with --json also the one JSON object automation reads."""
    text = message(exc, lang)
    if as_json:
        import json

        payload = {"error": text, "exit_code": EXIT_USAGE}
        out = json.dumps(payload, ensure_ascii=False)
        click.echo(out if console.can_encode(out) else json.dumps(payload))
    click.echo((render("cli.error", lang)) + text, err=True)


class FollowupGroup(click.Group):
    """The `followup-xl` group: safe console encoding, localised usage errors, exit 3."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        console.make_safe()
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = sys.argv[1:] if args is None else list(args)
        lang = lang_of(argv)
        try:
            rv = super().main(args, prog_name or "followup-xl", complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "")
            sys.exit(0)
        except click.UsageError as exc:
            report(exc, lang, as_json="--json" in argv)
            sys.exit(EXIT_USAGE)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(render("cli.aborted", lang), err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list in both languages: what each does in Chinese, then in English
        (``followup-xl --help`` has no --lang: a Chinese office reads the first half). A command
        not loaded yet is listed from the group's table (cli/__init__.py), so --help imports none."""
        from ..messages import by_lang

        zh = by_lang("cli.commands")["zh"]
        rows = []
        limit = formatter.width - 30
        listed: Callable[[str], str | None] = getattr(
            self.commands, "short_help", lambda name: None
        )
        for name in self.list_commands(ctx):
            short = listed(name)  # a lazy command's help from its table: nothing imported
            if short is not None:
                short = click.Command(name, help=short).get_short_help_str(limit=limit)
            else:
                cmd = self.get_command(ctx, name)
                if cmd is None or cmd.hidden:
                    continue
                short = cmd.get_short_help_str(limit=limit)
            rows.append((name, f"{zh[name]}  {short}" if name in zh else short))
        if rows:
            with formatter.section(render("cli.commands_heading", "zh")):
                formatter.write_dl(rows)
