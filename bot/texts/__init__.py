"""Texts live apart from code: one module per language, looked up by key.

A municipality adjusts wording in `da.py` / `en.py` without touching logic. Danish is the
reference: a key missing in English falls back to Danish; a key missing in Danish is a bug that
`tests/unit/test_texts.py` catches.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.texts import da, en

CATALOGUES: Mapping[str, Mapping[str, str]] = {"da": da.TEXTS, "en": en.TEXTS}


def language_for(locale: str | None, default: str = "da") -> str:
    """Danish first; English where the user's Teams runs in English."""
    if locale and locale.lower().startswith("en"):
        return "en"
    if locale and locale.lower().startswith("da"):
        return "da"
    return default


def t(lang: str, key: str, **values: object) -> str:
    catalogue = CATALOGUES.get(lang, da.TEXTS)
    template = catalogue.get(key) or da.TEXTS[key]
    return template.format(**values) if values else template


class Texts:
    """Bound to one language; what cards and handlers receive."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in CATALOGUES else "da"

    def __call__(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def has(self, key: str) -> bool:
        return key in da.TEXTS
