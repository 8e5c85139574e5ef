"""Texts live apart from code: one module per language, looked up by key.

A municipality adjusts wording in `da.py` / `en.py` without touching logic. Danish is the
reference: a key missing in English falls back to Danish; a key missing in Danish is a bug that
`tests/unit/test_texts.py` catches.

A number of days, hours or minutes comes from the settings and may be 1, so a text names its
unit with both forms in the placeholder: `{days:dag|dage}` reads "1 dag", "3 dage" (and
`{days:day|days}` "1 day", "3 days"). The text keeps its placeholder's name; the one place that
chooses the form is `_Quantities`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from bot.texts import da, en

CATALOGUES: Mapping[str, Mapping[str, str]] = {"da": da.TEXTS, "en": en.TEXTS}


def language_for(locale: str | None, default: str = "da") -> str:
    """Danish first; English where the user's Teams runs in English."""
    if locale and locale.lower().startswith("en"):
        return "en"
    if locale and locale.lower().startswith("da"):
        return "da"
    return default


class _Quantities(string.Formatter):
    """`{n:one|many}`: the number, a space and the singular when it is 1, else the plural (both
    languages say 0 in the plural). Any other format spec is Python's own."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return str(super().format_field(value, format_spec))
        one, many = format_spec.split("|", 1)
        return f"{value} {one if str(value) == '1' else many}"


_FORMAT = _Quantities()


def t(lang: str, key: str, **values: object) -> str:
    catalogue = CATALOGUES.get(lang, da.TEXTS)
    template = catalogue.get(key) or da.TEXTS[key]
    if not values:
        return template
    # `str.format` gives what `_FORMAT` gives for every spec but `one|many`, in C: a case card asks
    # for about 85 texts, and string.Formatter walks each template in Python.
    return _FORMAT.format(template, **values) if "|" in template else template.format(**values)


class Texts:
    """Bound to one language; what cards and handlers receive."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in CATALOGUES else "da"

    def __call__(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def has(self, key: str) -> bool:
        return key in da.TEXTS
