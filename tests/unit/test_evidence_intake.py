"""Evidence intake against a fake file host on 127.0.0.1: each refusal has its reason and stores
nothing; accepted files are stored byte for byte under their SHA-256 with complete metadata."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import EvidenceRejected
from bot.intake.evidence import EvidenceIntake, Limits, parse_attachment, sanitise_name, sniff_type
from tests.fakes.file_host import GOOD_FILES, PNG, TOKEN, FakeFileHost, FakeHostPolicy, token_origins
from tests.fakes.memory import MemoryStore

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=1)))
CASE = "case-0001"


def file_info(url: str, name: str = "skærm billede.png", file_type: str = "png") -> dict[str, Any]:
    return {
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": name,
        "content": {"downloadUrl": url, "uniqueId": "x", "fileType": file_type},
    }


@pytest.fixture
async def host() -> AsyncIterator[FakeFileHost]:
    async with FakeFileHost(slow_seconds=3.0) as h:
        yield h


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


def intake_for(
    host: FakeFileHost, store: Any, *, max_bytes: int = 1024 * 1024, read_timeout: float = 0.5
) -> EvidenceIntake:
    async def token() -> str:
        return TOKEN

    limits = Limits(max_bytes=max_bytes, connect_timeout=2, read_timeout=read_timeout)
    policy = FakeHostPolicy(host.url("/"))
    return EvidenceIntake(store, policy, limits, token_provider=token, token_hosts=token_origins(host.url("/")))


# -- happy paths -----------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["shot.png", "photo.jpg", "doc.pdf", "pic.heic"])
async def test_good_file_is_stored_exactly_with_its_hash_and_meta(
    host: FakeFileHost, store: MemoryStore, file: str
) -> None:
    body, content_type = GOOD_FILES[file]
    sha = hashlib.sha256(body).hexdigest()

    stored = await intake_for(host, store).ingest(
        file_info(host.url(f"/files/{file}"), name=f"C:\\Users\\x\\{file}"), CASE, "aad-1", NOW
    )

    assert stored is not None
    assert stored.name == f"evidence/{CASE}/{sha}"
    assert store.evidence == {stored.name: body}
    meta = store.meta[stored.name]
    assert meta == stored.meta
    assert (meta.sha256, meta.size, meta.content_type) == (sha, len(body), content_type)
    assert meta.original_name == file
    assert meta.uploaded_by == "aad-1"
    assert meta.uploaded_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert meta.uploaded_at.tzinfo == UTC
    assert not store.staged  # nothing staged is left behind


async def test_same_file_twice_is_the_same_evidence(host: FakeFileHost, store: MemoryStore) -> None:
    intake = intake_for(host, store)
    first = await intake.ingest(file_info(host.url("/files/shot.png")), CASE, "aad-1", NOW)
    again = await intake.ingest(
        file_info(host.url("/files/shot.png"), name="kopi.png"), CASE, "aad-2", NOW + timedelta(hours=1)
    )

    assert first is not None and again is not None
    assert again.already_stored and not first.already_stored
    assert again.name == first.name
    assert again.meta == first.meta  # the first upload's meta is kept, never overwritten
    assert len(store.evidence) == 1
    assert not store.staged


async def test_inline_image_sends_the_bot_token_and_is_stored(host: FakeFileHost, store: MemoryStore) -> None:
    attachment = {"contentType": "image/png", "contentUrl": host.url("/auth/inline.png")}

    stored = await intake_for(host, store).ingest(attachment, CASE, "aad-1", NOW)

    assert stored is not None and store.evidence[stored.name] == PNG
    assert stored.meta.original_name == "skaermbillede"
    assert host.seen[-1].authorization == f"Bearer {TOKEN}"


async def test_inline_image_without_a_token_is_an_expired_link(host: FakeFileHost, store: MemoryStore) -> None:
    async def no_token() -> None:
        return None

    intake = EvidenceIntake(store, FakeHostPolicy(host.url("/")), Limits(), token_provider=no_token)
    with pytest.raises(EvidenceRejected) as info:
        await intake.ingest({"contentType": "image/png", "contentUrl": host.url("/auth/inline.png")}, CASE, "u", NOW)
    assert info.value.reason == "evidence.link_expired"
    assert store.evidence == {}


async def test_redirect_on_the_same_allowed_host_is_followed(host: FakeFileHost, store: MemoryStore) -> None:
    stored = await intake_for(host, store).ingest(file_info(host.url("/redirect/loop/4")), CASE, "u", NOW)
    assert stored is not None and store.evidence[stored.name] == PNG


async def test_into_local_store(host: FakeFileHost, tmp_path: Path) -> None:
    local = pytest.importorskip("bot.storage.local")
    store = local.LocalStore(tmp_path / "store")
    try:
        intake = intake_for(host, store)
        stored = await intake.ingest(file_info(host.url("/files/photo.jpg")), CASE, "aad-1", NOW)
        again = await intake.ingest(file_info(host.url("/files/photo.jpg")), CASE, "aad-1", NOW)
        assert stored is not None and again is not None and again.already_stored
        chunks = [c async for c in store.read_evidence(stored.name)]
        assert b"".join(chunks) == GOOD_FILES["photo.jpg"][0]
        assert await store.get_evidence_meta(stored.name) == stored.meta
        assert list((tmp_path / "store" / ".tmp").iterdir()) == []  # the duplicate's temp file too
    finally:
        await store.close()


# -- refusals: the reason, and nothing stored ------------------------------------------------

REFUSALS = [
    ("/oversize/chunked/2000000", "evidence.too_large"),  # no Content-Length, more bytes than the limit
    ("/oversize/declared", "evidence.too_large"),  # honest but too big Content-Length
    ("/files/notes.png", "evidence.bad_type"),  # text behind a .png name and image/png header
    ("/files/nothing.png", "evidence.not_found"),
    ("/expired/403", "evidence.link_expired"),
    ("/expired/410", "evidence.link_expired"),
    ("/expired/400", "evidence.link_expired"),
    ("/error/500", "evidence.download_failed"),
    ("/slow/headers", "evidence.timeout"),
    ("/slow/body", "evidence.timeout"),
    ("/redirect/loop/5", "evidence.too_many_redirects"),
]


@pytest.mark.parametrize(("path", "reason"), REFUSALS)
async def test_refusal_has_its_reason_and_stores_nothing(
    host: FakeFileHost, store: MemoryStore, path: str, reason: str
) -> None:
    with pytest.raises(EvidenceRejected) as info:
        await intake_for(host, store).ingest(file_info(host.url(path)), CASE, "u", NOW)

    assert info.value.reason == reason
    if path.startswith("/oversize/chunked"):
        assert info.value.detail == "received bytes"  # no header to go by: the count stopped it
    assert store.evidence == {} and store.put_attempts == 0
    assert not store.staged


async def test_loop_of_five_is_allowed_but_six_is_not(host: FakeFileHost, store: MemoryStore) -> None:
    await intake_for(host, store).ingest(file_info(host.url("/redirect/loop/4")), CASE, "u", NOW)
    assert [s.path for s in host.seen].count("/files/shot.png") == 1
    assert len(host.seen) == 6  # 5 redirects + the file


async def test_redirect_to_another_loopback_port_is_refused_before_any_request(
    host: FakeFileHost, store: MemoryStore
) -> None:
    async with FakeFileHost() as other:
        host.redirect_target = other.url("/files/shot.png")
        with pytest.raises(EvidenceRejected) as info:
            await intake_for(host, store).ingest(file_info(host.url("/redirect/to-target")), CASE, "u", NOW)
        assert info.value.reason == "evidence.host_not_allowed"
        assert other.seen == []  # the target was never contacted
    assert store.evidence == {}


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("https://files.example.net/shot.png", "evidence.host_not_allowed"),
        ("ftp://127.0.0.1/shot.png", "evidence.not_https"),
        ("http://[::1/shot.png", "evidence.download_failed"),  # malformed Location
    ],
)
async def test_redirect_off_the_list_is_refused(
    host: FakeFileHost, store: MemoryStore, target: str, reason: str
) -> None:
    host.redirect_target = target
    with pytest.raises(EvidenceRejected) as info:
        await intake_for(host, store).ingest(file_info(host.url("/redirect/to-target")), CASE, "u", NOW)
    assert info.value.reason == reason
    assert store.evidence == {}


async def test_https_url_on_a_host_not_on_the_list_is_refused_without_a_request(
    host: FakeFileHost, store: MemoryStore
) -> None:
    with pytest.raises(EvidenceRejected) as info:
        await intake_for(host, store).ingest(file_info("https://contoso.example.net/sites/x/shot.png"), CASE, "u", NOW)
    assert info.value.reason == "evidence.host_not_allowed"
    assert host.seen == [] and store.evidence == {}


async def test_token_is_not_forwarded_to_another_origin(store: MemoryStore) -> None:
    async with FakeFileHost() as first, FakeFileHost() as second:
        first.redirect_target = second.url("/files/shot.png")

        async def token() -> str:
            return TOKEN

        policy = FakeHostPolicy(first.url("/"), second.url("/"))
        limits = Limits()
        hosts = token_origins(first.url("/"), second.url("/"))  # even a token host elsewhere gets none
        intake = EvidenceIntake(store, policy, limits, token_provider=token, token_hosts=hosts)
        attachment = {"contentType": "image/png", "contentUrl": first.url("/redirect/to-target")}
        stored = await intake.ingest(attachment, CASE, "u", NOW)
    assert stored is not None
    assert first.seen[0].authorization == f"Bearer {TOKEN}"
    assert second.seen[0].authorization is None


# -- parsing, sniffing and names ---------------------------------------------------------------


def test_parse_attachment_kinds() -> None:
    assert parse_attachment({"contentType": "text/html", "content": "<p>hej</p>"}) is None
    ref = parse_attachment(file_info("https://contoso.sharepoint.com/x", name="a.png"))
    assert ref is not None and not ref.needs_auth and ref.declared_type == "png"
    inline = parse_attachment({"contentType": "image/*", "contentUrl": "https://smba.trafficmanager.net/x"})
    assert inline is not None and inline.needs_auth
    for bad in (
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": {}},
        {"contentType": "image/png"},
        file_info(""),
        {},
    ):
        with pytest.raises(EvidenceRejected) as info:
            parse_attachment(bad)
        assert info.value.reason == "evidence.unsupported_attachment"


async def test_html_attachment_is_not_evidence(store: MemoryStore) -> None:
    intake = EvidenceIntake(store, FakeHostPolicy("http://127.0.0.1:1"), Limits())
    assert await intake.ingest({"contentType": "text/html", "content": "<p/>"}, CASE, "u", NOW) is None


def test_sniff_type_by_bytes_only() -> None:
    assert sniff_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_type(b"GIF89a\x01\x00") == "image/gif"
    assert sniff_type(b"\x00\x00\x00\x1cftypmif1") == "image/heif"
    assert sniff_type(b"\x00\x00\x00\x1cftypisom") is None  # mp4
    assert sniff_type(b"<svg xmlns=") is None
    assert sniff_type(b"PK\x03\x04") == "application/zip"  # a candidate: only a Word document passes
    assert sniff_type(b"") is None


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\Åse\\Skærmbillede 2026-03-02 kl. 10.png", "Skærmbillede 2026-03-02 kl. 10.png"),
        ("bad\x00name\u202e.png", "badname.png"),
        ("<script>.png", "script.png"),
        ("...", "skaermbillede"),
        ("", "skaermbillede"),
        ("   ", "skaermbillede"),
        ("a" * 200 + ".jpeg", "a" * 115 + ".jpeg"),
    ],
)
def test_sanitise_name(raw: str, clean: str) -> None:
    assert sanitise_name(raw) == clean


async def test_naive_now_and_odd_case_ids_are_programming_errors(store: MemoryStore) -> None:
    intake = EvidenceIntake(store, FakeHostPolicy("http://127.0.0.1:1"))
    attachment = file_info("http://127.0.0.1:1/x")
    with pytest.raises(ValueError):
        await intake.ingest(attachment, "../x", "u", NOW)
    with pytest.raises(ValueError):
        await intake.ingest(attachment, CASE, "u", datetime(2026, 1, 1))


class MapResolver(AbstractResolver):
    """A DNS that answers from a table: lets a test play a rebinding attacker offline."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        return [
            ResolveResult(hostname=host, host=ip, port=port, family=socket.AF_INET, proto=0, flags=0)
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        pass


async def test_test_policy_resolver_still_guards_names(store: MemoryStore) -> None:
    """Even the test policy refuses a name that resolves off loopback, at connect time."""
    dns = MapResolver({"files.test": ["10.1.2.3"]})
    intake = EvidenceIntake(store, FakeHostPolicy("http://files.test:8080"), Limits(), dns_resolver=dns)
    with pytest.raises(EvidenceRejected) as info:
        await intake.ingest(file_info("http://files.test:8080/x.png"), CASE, "u", NOW)
    assert info.value.reason == "evidence.address_not_allowed"
    assert dns.asked == ["files.test"]
    assert not store.staged
