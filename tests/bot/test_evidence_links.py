"""Evidence view links in the local mode: signed, one file each, expiring."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

from app import LINKS
from bot.hosting.settings import Settings
from bot.intake.evidence_links import EvidenceLinks
from bot.storage.local import LocalStore
from bot.storage.store import EvidenceMeta
from tests.conftest import running_app
from tests.fakes.file_host import PNG


async def _one(data: bytes):  # type: ignore[no-untyped-def]
    yield data


async def test_a_signed_link_serves_the_file_and_anything_else_is_404(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "data")
    sha = hashlib.sha256(PNG).hexdigest()
    meta = EvidenceMeta(sha, len(PNG), "image/png", "skærm.png", "u1", datetime(2026, 11, 25, tzinfo=UTC))
    await store.put_evidence(f"evidence/case1/{sha}", _one(PNG), meta)
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data")})
    async with running_app(settings, store=store) as client:
        app_links = client.app[LINKS]
        url = app_links.sign("case1", sha, minutes=5)
        path = re.sub(r"^https?://[^/]+", "", url)
        response = await client.get(path)
        assert response.status == 200
        assert await response.read() == PNG
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        tampered = path.replace(sha, "0" * 64)
        assert (await client.get(tampered)).status == 404
        assert (await client.get(path.split("?")[0])).status == 404
        forged = re.sub(r"sig=[0-9a-f]+", "sig=" + "a" * 64, path)
        assert (await client.get(forged)).status == 404
        expired = EvidenceLinks(app_links.base_url)
        expired._key = app_links._key
        expired._now = lambda: 0.0  # signed long ago: expired
        old = re.sub(r"^https?://[^/]+", "", expired.sign("case1", sha, minutes=1))
        assert (await client.get(old)).status == 404
    await store.close()


def test_the_production_app_has_links_only_to_its_own_base_url() -> None:
    links = EvidenceLinks("https://bot.example.dk/")
    assert links.sign("c", "a" * 64).startswith("https://bot.example.dk/evidence/c/")


def test_instances_sharing_the_configured_key_accept_each_others_links() -> None:
    from bot.intake.evidence_links import link_key

    sha = "b" * 64
    a = EvidenceLinks("https://bot.example.dk", link_key("shared-secret", ""))
    b = EvidenceLinks("https://bot.example.dk", link_key("shared-secret", ""))
    other = EvidenceLinks("https://bot.example.dk", link_key("another", ""))
    url = a.sign("case1", sha)
    exp, sig = re.search(r"exp=(\d+)&sig=([0-9a-f]+)", url).groups()  # type: ignore[union-attr]
    assert b.verify("case1", sha, exp, sig)
    assert not other.verify("case1", sha, exp, sig)
    assert link_key("", "app-secret") == link_key("", "app-secret")
    assert link_key("", "") is None  # local mode: a random key per process
