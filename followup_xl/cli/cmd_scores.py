"""`followup-xl scores`: the year's staff scores (电话回访员考核)."""

from __future__ import annotations

import click

from .. import api
from ..messages import message, render
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
    today,
)


@click.command("scores")
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--year", type=int, default=None, help="The year (default: this year). 年份。")
@as_of_option
@output_option("Write the 考核 workbook here. 输出考核表。")
@policy_option
@lang_option
@json_option
@guarded
def scores(book, year, as_of, out, policy_path, lang, as_json):
    """Staff scores: monthly points per target met, yearly score, bonus eligibility.

    电话回访员考核：月度分 = 100 + 当月达标项目分；年度分 = 各月度分之和 ÷ 考核月数；
    年度分达标、未年中离职且入职满3个月者有年终奖资格。只计到 --as-of 为止的整月。
    """
    as_of = as_of or today()
    s = api.scores(
        book, out, year=year or as_of.year, as_of=as_of, policy_path=policy_path, lang=lang
    )
    if as_json:
        emit_json(s, lang)
        return
    echo_warnings(s.figures.get("warnings", []), lang)  # calls whose date could not be read
    for p in s.figures["staff"]:
        score = "—" if p["yearly_score"] is None else f"{p['yearly_score']:.2f}"
        echo(
            render(
                "scores.staff_line",
                lang,
                name=p["name"],
                months_worked=p["months_worked"],
                score=score,
                bonus=message("scores.has_bonus" if p["bonus_eligible"] else "scores.no_bonus"),
                reason=p["not_eligible_reason_en"] if lang == "en" else p["not_eligible_reason"],
            )
        )
    if out:
        echo(out)
