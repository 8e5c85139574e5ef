"""Malformed evidence links are a 404, never a 500 (the route is public: links travel on cards)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.local import LocalStore
from tests.hostile.conftest import running, settings_for

CASE = "c0ffee"
SHA = "a" * 64
SIG = "0" * 32


@pytest.mark.parametrize(
    ("exp", "sig"),
    [
        ("١٢٣٤٥٦٧٨٩٠", SIG),  # Arabic-Indic digits: isdigit() says yes
        ("²", SIG),  # a superscript digit: isdigit() yes, int() no
        ("9" * 400, SIG),  # a number far past any time
        ("-1", SIG),
        ("1e9", SIG),
        ("", SIG),
        ("9999999999", "æ" * 32),  # non-ASCII signature: compare_digest would raise TypeError
        ("9999999999", "0" * 31 + "\u202e"),
        ("9999999999\n", SIG),
    ],
)
async def test_a_malformed_link_is_a_404(tmp_path: Path, exp: str, sig: str) -> None:
    store = LocalStore(tmp_path / "data")
    async with running(settings_for(tmp_path), store) as app:
        response = await app.get(f"/evidence/{CASE}/{SHA}", params={"exp": exp, "sig": sig})
        assert response.status == 404
        bad_path = await app.get(f"/evidence/{CASE}%0A/{SHA}", params={"exp": "9999999999", "sig": SIG})
        assert bad_path.status == 404
    await store.close()
