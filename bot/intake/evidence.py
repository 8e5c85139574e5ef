"""Safe evidence intake: a Teams attachment in, one write-once evidence file out (or a refusal).

Screenshots may later go to the police, so what is kept must be exactly the bytes received,
named by their SHA-256, with who/when beside them. The download itself is hostile input: the URL
is checked by an AddressPolicy at every hop and at connect time (bot.intake.netpolicy), the size is
counted on the bytes actually received, the type is judged by magic numbers (a Word document by
its ZIP central directory, bot.intake.docx_check), and nothing is committed to the store until every
check has passed. The body is asked for and kept as sent (`Accept-Encoding: identity`; a compressed
answer is refused, never inflated). The bot's token goes only to the Bot Framework's attachment
hosts. The body streams straight into the store's staging (`Store.begin_evidence`: a temp file
beside the store's files, or uncommitted blocks on Azure), hashed on the way, so the bytes are
written once and memory stays a few buffers whatever the file size. A refusal, mid-stream or at
the end, aborts the staged upload; a crash's leftovers go at the next start
(`Store.sweep_staged_evidence`, with `staged_max_age`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot.errors import AlreadyExists, EvidenceRejected
from bot.hosting.telemetry import METRICS, client_trace_config, evidence_category
from bot.intake.docx_check import DOCX, TAIL_BYTES, ZIP_MAGIC, is_docx_tail
from bot.intake.netpolicy import AddressNotAllowedError, AddressPolicy, PolicyResolver, is_bot_attachment_host
from bot.storage import names
from bot.storage.store import EvidenceMeta, EvidenceUpload

log = logging.getLogger(__name__)

FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
FALLBACK_NAME = "skaermbillede"
TokenProvider = Callable[[], Awaitable[str | None]]
SessionFactory = Callable[[AbstractResolver], aiohttp.ClientSession]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_EXPIRED = frozenset({401, 403, 410})
_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
_SNIFF_BYTES = 16
_ZIP = "application/zip"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 25 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # longest silence between two reads
    total_timeout: float = 300.0  # whole download, all hops
    max_redirects: int = 5
    chunk_size: int = 64 * 1024


def staged_max_age(limits: Limits) -> timedelta:
    """Staged evidence older than this was left by a crash: no download may take longer."""
    return timedelta(seconds=limits.total_timeout + 60)


class EvidenceSink(Protocol):
    """The part of `bot.storage.store.Store` the intake needs; every Store is one."""

    def begin_evidence(self) -> EvidenceUpload: ...

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None: ...


@dataclass(frozen=True)
class AttachmentRef:
    """A downloadable attachment, parsed out of Teams' loosely typed dict."""

    url: str
    name: str
    declared_type: str
    needs_auth: bool  # inline images need the bot's own bearer token


@dataclass(frozen=True)
class StoredEvidence:
    name: str  # the store name, evidence/{case_id}/{sha256}
    meta: EvidenceMeta
    already_stored: bool = False  # the same bytes were stored on this case before


def parse_attachment(attachment: Mapping[str, Any]) -> AttachmentRef | None:
    """Typed view of one activity attachment. None for the text/html copy of the message that
    Teams attaches to every message with an inline image; EvidenceRejected for anything else
    that is not a file or an image."""
    content_type = str(attachment.get("contentType") or "").lower()
    if content_type == "text/html":
        return None
    name = str(attachment.get("name") or "")
    if content_type == FILE_DOWNLOAD_INFO:
        content = attachment.get("content")
        if isinstance(content, Mapping):
            url = content.get("downloadUrl")
            if isinstance(url, str) and url:
                return AttachmentRef(url, name, str(content.get("fileType") or ""), needs_auth=False)
    elif content_type.startswith("image/"):
        url = attachment.get("contentUrl")
        if isinstance(url, str) and url:
            return AttachmentRef(url, name, content_type, needs_auth=True)
    raise EvidenceRejected("evidence.unsupported_attachment", content_type[:80])


def sniff_type(head: bytes) -> str | None:
    """The MIME type the first bytes prove (for a ZIP only a candidate the central directory must
    confirm), or None. Names and declared types are never trusted."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx"):
            return "image/heic"
        if brand in (b"mif1", b"msf1"):
            return "image/heif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(ZIP_MAGIC):
        return _ZIP  # only a candidate: the central directory must show a Word document
    return None


def sanitise_name(raw: str, max_len: int = 120) -> str:
    """A display name safe for metadata and a later evidence pack. Never used as a storage path."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch if (ch.isalnum() or ch in ".-_") else " " if ch.isspace() else "" for ch in name)
    kept = " ".join(kept.split()).lstrip(". ")
    if len(kept) > max_len:
        stem, dot, ext = kept.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            kept = stem[: max_len - len(ext) - 1].rstrip() + "." + ext
        else:
            kept = kept[:max_len].rstrip()
    return kept if kept.strip(".") else FALLBACK_NAME


@dataclass(frozen=True)
class _Received:
    sha256: str
    size: int
    content_type: str


def _default_session(resolver: AbstractResolver) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, limit=4)
    # trust_env=False: a proxy from the environment would connect on our behalf, past the resolver.
    # Each request is a dependency span named by the kind of host (telemetry.py), never its URL.
    tracing = [client_trace_config(METRICS, evidence_category)]
    return aiohttp.ClientSession(connector=connector, trust_env=False, auto_decompress=False, trace_configs=tracing)


class EvidenceIntake:
    """Downloads, checks and stores one attachment at a time. Owns no long-lived resources:
    each ingest opens and closes its own session, so there is nothing to shut down."""

    def __init__(
        self,
        store: EvidenceSink,
        policy: AddressPolicy,
        limits: Limits | None = None,
        session_factory: SessionFactory | None = None,
        token_provider: TokenProvider | None = None,
        *,
        dns_resolver: AbstractResolver | None = None,
        token_hosts: Callable[[URL], bool] = is_bot_attachment_host,
    ) -> None:
        """`session_factory` gets the policy-enforcing resolver and MUST build its connector on
        it. `dns_resolver` replaces the system resolver underneath the policy (tests).
        `token_hosts` says which URLs may get the bot's token (the Bot Framework's own hosts)."""
        self._token_hosts = token_hosts
        self._store = store
        self._policy = policy
        self._limits = limits or Limits()
        self._session_factory = session_factory or _default_session
        self._token_provider = token_provider
        self._dns_resolver = dns_resolver

    async def ingest(
        self, attachment: Mapping[str, Any], case_id: str, uploader: str, now: datetime
    ) -> StoredEvidence | None:
        """Store the attachment as evidence on `case_id`; None if it is not evidence at all."""
        if not _CASE_ID.fullmatch(case_id):
            raise ValueError("case_id is not a code-made id")
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        ref = parse_attachment(attachment)
        if ref is None:
            return None
        return await self.ingest_ref(ref, case_id, uploader, now)

    async def ingest_ref(self, ref: AttachmentRef, case_id: str, uploader: str, now: datetime) -> StoredEvidence:
        """Download, check and store one parsed attachment (EvidenceRejected with a reason key)."""
        if not _CASE_ID.fullmatch(case_id):
            raise ValueError("case_id is not a code-made id")
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        upload = self._store.begin_evidence()
        try:
            try:
                token = await self._token_for(ref)
                received = await self._download(ref, token, upload)
            except EvidenceRejected as refused:
                METRICS.evidence_refused(refused.reason)  # a reason from a closed list, never the URL
                raise
            meta = EvidenceMeta(
                sha256=received.sha256,
                size=received.size,
                content_type=received.content_type,
                original_name=sanitise_name(ref.name),
                uploaded_by=uploader,
                uploaded_at=now.astimezone(UTC),
            )
            name = names.evidence(case_id, received.sha256)
            try:
                await upload.commit(name, meta)
            except AlreadyExists:
                existing = await self._store.get_evidence_meta(name)
                log.info("evidence already stored size=%d", received.size)
                return StoredEvidence(name, existing or meta, already_stored=True)
            log.info("evidence stored type=%s size=%d", meta.content_type, meta.size)
            return StoredEvidence(name, meta)
        finally:
            await upload.abort()  # refused, failed or cancelled: drop what was staged (no-op after a commit)

    async def _token_for(self, ref: AttachmentRef) -> str | None:
        """The bot's token, only for an inline image on a Bot Framework host: a SharePoint or any
        other allow-listed URL never sees it. A failed token fetch is a refusal, not a crash."""
        if not (ref.needs_auth and self._token_provider):
            return None
        try:
            if not self._token_hosts(URL(ref.url)):
                return None
        except (ValueError, TypeError):
            return None  # the download refuses the URL with its own reason
        try:
            return await self._token_provider()
        except Exception as exc:  # MSAL/HTTP/anything: the user gets a clear answer, the log the type
            raise self._refused("evidence.token_failed", type(exc).__name__) from exc

    async def _download(self, ref: AttachmentRef, token: str | None, upload: EvidenceUpload) -> _Received:
        try:
            url = URL(ref.url)
        except (ValueError, TypeError) as exc:
            raise EvidenceRejected("evidence.unsupported_attachment", "unparsable url") from exc
        base = self._dns_resolver or DefaultResolver()
        resolver = PolicyResolver(self._policy, base, owns_base=self._dns_resolver is None)
        lim = self._limits
        timeouts = aiohttp.ClientTimeout(
            connect=lim.connect_timeout, sock_connect=lim.connect_timeout, sock_read=lim.read_timeout
        )
        try:
            async with self._session_factory(resolver) as session, asyncio.timeout(lim.total_timeout):
                return await self._follow(session, url, token, timeouts, upload)
        except EvidenceRejected as exc:
            log.info("evidence refused reason=%s", exc.reason)
            raise
        except TimeoutError as exc:  # aiohttp's timeouts subclass TimeoutError
            raise self._refused("evidence.timeout", type(exc).__name__) from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, AddressNotAllowedError):
                raise self._refused("evidence.address_not_allowed", "resolved address") from exc
            raise self._refused("evidence.download_failed", type(exc).__name__) from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:  # ValueError: a malformed Location
            raise self._refused("evidence.download_failed", type(exc).__name__) from exc
        finally:
            await resolver.close()

    @staticmethod
    def _refused(reason: str, detail: str) -> EvidenceRejected:
        log.info("evidence refused reason=%s detail=%s", reason, detail)
        return EvidenceRejected(reason, detail)

    async def _follow(
        self,
        session: aiohttp.ClientSession,
        url: URL,
        token: str | None,
        timeouts: aiohttp.ClientTimeout,
        upload: EvidenceUpload,
    ) -> _Received:
        """Follow redirects by hand so every hop passes the policy. The bearer token goes only
        to the origin it was meant for, never to a redirect target elsewhere."""
        origin = url.origin()
        for _hop in range(self._limits.max_redirects + 1):
            self._policy.check_url(url)
            # identity: the bytes stored must be the bytes sent; a host that compresses anyway is
            # refused below rather than inflated (no decompression bomb can reach us).
            headers = {"Accept-Encoding": "identity"}
            if token and url.origin() == origin and self._token_hosts(url):
                headers["Authorization"] = f"Bearer {token}"
            async with session.get(url, headers=headers, allow_redirects=False, timeout=timeouts) as resp:
                if resp.status in _REDIRECTS:
                    location = resp.headers.get("Location")
                    if not location:
                        raise EvidenceRejected("evidence.download_failed", "redirect without location")
                    url = url.join(URL(location))
                    continue
                await _check_status(resp)
                encoding = resp.headers.get("Content-Encoding", "").strip().lower()
                if encoding not in ("", "identity"):
                    raise EvidenceRejected("evidence.compressed", encoding[:40])
                return await self._receive(resp, upload)
        raise EvidenceRejected("evidence.too_many_redirects", f"more than {self._limits.max_redirects}")

    async def _receive(self, resp: aiohttp.ClientResponse, upload: EvidenceUpload) -> _Received:
        """Stream the body into the store's staging, checking size and type on the way; the
        caller aborts the upload on any refusal. A ZIP keeps its last TAIL_BYTES for the Word check."""
        lim = self._limits
        if resp.content_length is not None and resp.content_length > lim.max_bytes:
            raise EvidenceRejected("evidence.too_large", "declared length")
        head = b""
        content_type: str | None = None
        tail = bytearray()
        size = 0
        async for chunk in resp.content.iter_chunked(lim.chunk_size):
            size += len(chunk)
            if size > lim.max_bytes:
                raise EvidenceRejected("evidence.too_large", "received bytes")
            if content_type is None:
                head += chunk[: _SNIFF_BYTES - len(head)]
                if len(head) >= _SNIFF_BYTES:
                    content_type = _require_type(head)
            if content_type in (None, _ZIP):
                _keep_tail(tail, chunk)
            await upload.write(chunk)
        if content_type is None:
            content_type = _require_type(head)
        if content_type == _ZIP:
            if not is_docx_tail(bytes(tail[-TAIL_BYTES:]), size):
                raise EvidenceRejected("evidence.bad_type", "zip that is not a Word document")
            content_type = DOCX
        staged = await upload.finish()
        return _Received(staged.sha256, staged.size, content_type)


def _keep_tail(tail: bytearray, chunk: bytes) -> None:
    """Append, and drop the front now and then: at most twice TAIL_BYTES, whatever the size."""
    tail += chunk
    if len(tail) > 2 * TAIL_BYTES:
        del tail[: len(tail) - TAIL_BYTES]


def _require_type(head: bytes) -> str:
    sniffed = sniff_type(head)
    if sniffed is None:
        raise EvidenceRejected("evidence.bad_type", "magic number")
    return sniffed


async def _check_status(resp: aiohttp.ClientResponse) -> None:
    if resp.status == 200:
        return
    if resp.status == 404:
        raise EvidenceRejected("evidence.not_found", "404")
    if resp.status in _EXPIRED:
        raise EvidenceRejected("evidence.link_expired", str(resp.status))
    if resp.status == 400:
        # Some Microsoft endpoints answer an expired pre-authenticated link with 400 and a message.
        body = await resp.content.read(4096)
        if b"expire" in body.lower():
            raise EvidenceRejected("evidence.link_expired", "400 expired")
    raise EvidenceRejected("evidence.download_failed", str(resp.status))
