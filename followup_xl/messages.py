"""Every user-facing sentence, zh and en side by side, rendered from one catalog.

The catalog is ``data/messages.toml``: one table per message id with a ``zh`` and an
``en`` template using named ``{placeholders}`` (str.format syntax, ``{{`` for a brace),
or a ``zh`` and an ``en`` list of labels (column headers, choices) read with ``labels``.
A message cannot exist in one language only: ``tests/test_messages.py`` checks that
both templates exist, render, and use the same placeholders.

A sentence travels as a ``Message`` (id and parameters) and is put into words where it is
shown, in the reader's language only; ``localize`` shows it, or a ``Label`` (a name that is
itself bilingual data), or a plain value as it is.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import kept

LANGS = ("zh", "en")


CATALOG = Path(__file__).parent / "data" / "messages.toml"


@cache
def catalog() -> dict[str, dict[str, Any]]:
    """Message id → {"zh": template, "en": template}; read once.

    Parsing the TOML costs tens of milliseconds on every start (every command and every click of
    the 校验 button shows a sentence), so the parsed catalog is kept beside it the way Python keeps
    bytecode (``kept``: ``data/__pycache__/messages.<tag>.<mtime>.<size>.marshal``)."""
    key = kept.stamp(CATALOG)
    parsed = kept.read(CATALOG.parent, "messages", key)
    if parsed is None:
        with CATALOG.open("rb") as fh:
            parsed = tomllib.load(fh)
        kept.keep(CATALOG.parent, "messages", key, parsed)
    return parsed


@dataclass(frozen=True)
class Message:
    """A sentence not yet put into words: its catalog id and parameters, rendered when shown and
    only in the language shown (a finding, a reason, a warning travel as this)."""

    msg_id: str
    params: dict = field(default_factory=dict)

    def __hash__(self) -> int:  # a group key may be one (report.NO_OWNER); equal ones share an id
        return hash(self.msg_id)

    def render(self, lang: str = "zh") -> str:
        return render(self.msg_id, lang, **self.params)


def message(msg_id: str, /, **params) -> Message:
    """A message to render when shown; an unknown id fails here, where it is made."""
    catalog()[msg_id]
    return Message(msg_id, params)


@dataclass(frozen=True)
class Label:
    """A name that is bilingual data, not a sentence: a sheet or column name from schema.py."""

    zh: str
    en: str


def localize(value, lang: str):
    """Any value as ``lang`` shows it: a Message rendered, a Label's side picked, a list joined,
    anything else as it is."""
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, Label):
        return value.en if lang == "en" else value.zh
    if isinstance(value, list | tuple | set | frozenset | dict):
        return render("sep.list", lang).join(str(localize(v, lang)) for v in value)
    return value


def render(msg_id: str, lang: str = "zh", /, **params) -> str:
    """The message ``msg_id`` in ``lang`` ("en", else Chinese), placeholders filled in.

    A list (tuple, set, dict keys) parameter is joined with 、 in Chinese and ", " in English;
    a ``Message`` parameter is rendered in the same language and a ``Label`` gives its own side.
    """
    entry = catalog()[msg_id]
    template = entry["en"] if lang == "en" else entry["zh"]
    return template.format_map({k: localize(v, lang) for k, v in params.items()})


def by_lang(msg_id: str) -> dict[str, Any]:
    """``{"zh": …, "en": …}`` of one entry as written (a sheet name, a header list): for the
    writers' tables that are looked up by language."""
    entry = catalog()[msg_id]
    return {"zh": entry["zh"], "en": entry["en"]}


def table(prefix: str) -> dict[str, dict[str, Any]]:
    """``{"zh": {key: …}, "en": {key: …}}`` of every entry ``prefix.key``: a writer's texts."""
    keys = [i[len(prefix) + 1 :] for i in catalog() if i.startswith(prefix + ".")]
    return {lang: {k: catalog()[f"{prefix}.{k}"][lang] for k in keys} for lang in LANGS}


def labels(msg_id: str, lang: str = "zh") -> list[str]:
    """A catalog entry that is a list of labels (column headers, dropdown choices) in ``lang``."""
    entry = catalog()[msg_id]
    return list(entry["en"] if lang == "en" else entry["zh"])


def placeholders(template: str) -> set[str]:
    """The names a template fills in (``{who}``, ``{n!r}``, ``{pct:.1f}`` → who, n, pct)."""
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def ids() -> Iterable[str]:
    return catalog().keys()
