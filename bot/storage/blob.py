"""The Store over Azure Blob Storage (aio client). Production, and Azurite in tests.

Each Store promise maps onto one blob feature: ETag conditions for documents, If-None-Match `*`
for write-once evidence, blob index tags for `find`, append blobs for the audit, blob leases for
singleton jobs. Web instances share nothing but the container, so any instance can serve any turn.

Find Blobs by Tags is eventually consistent on real Azure (the index trails writes by a moment);
Azurite answers at once. Callers re-read what `find` returns (see `Store.find`).
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import io
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote

from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobBlock, BlobSasPermissions, ContentSettings, UserDelegationKey, generate_blob_sas
from azure.storage.blob.aio import BlobClient, BlobLeaseClient, BlobServiceClient, ContainerClient

from bot.errors import AlreadyExists, Conflict, NotFound
from bot.storage import names
from bot.storage.blob_transport import TracedBlobTransport
from bot.storage.blob_upload import BLOCK_BYTES, BlobEvidenceUpload
from bot.storage.store import Document, EvidenceMeta, Lease, check_name, check_tag, check_tags

log = logging.getLogger(__name__)

# Lease ids are derived from (lock, owner): the same owner re-acquiring proposes the active id,
# which Azure treats as a renewal; anyone else gets 409 until the lease expires.
_LEASE_NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-4c55-9a8e-2f0d4b7c1e93")
_JSON = ContentSettings(content_type="application/json")
# How many blob clients to keep, least recently used dropped first. One costs about 32 KB (the
# SDK's generated client and its serializers) and 0.2 ms of CPU to build: 512 hold the documents
# that a few hundred active users touch in ~16 MB. The soak (benchmarks/bench_soak.py) found the
# old bound of 4096, cleared all at once when full, growing the process by ~130 MB before a drop.
_BLOB_CLIENTS = 512
# The SDK's aiohttp session would otherwise trust the environment, and aiohttp then reads the netrc
# file in a worker thread on every request: a large share of a small request's CPU. The bot runs in
# Azure with no proxy between it and its storage account.
_TRUST_ENV = False
_COPY_SOURCE_MINUTES = 15  # how long a staging blob's read URL lives: one server-side copy


_APPEND_BLOCK = 4 * 1024 * 1024  # Azure's least maximum append block (older service versions)


def _audit_blocks(entries: Sequence[Mapping[str, Any]]) -> Iterator[bytes]:
    """The lines as few append blocks as fit: one for any usual number of lines (a line is never split)."""
    block = b""
    for entry in entries:
        line = json.dumps(dict(entry), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        if block and len(block) + len(line) > _APPEND_BLOCK:
            yield block
            block = b""
        block += line
    if block:
        yield block


def _status(err: HttpResponseError) -> int:
    return int(err.status_code or 0)


class BlobStore:
    """A `Store` over one blob container. Build it with a `from_*` constructor."""

    def __init__(
        self,
        service: BlobServiceClient,
        container: str,
        *,
        credential: AsyncTokenCredential | None = None,
    ) -> None:
        self._service = service
        self._container: ContainerClient = service.get_container_client(container)
        self._credential = credential  # closed with the store when we created it
        self._blobs: OrderedDict[str, BlobClient] = OrderedDict()
        self._delegation: tuple[UserDelegationKey, datetime] | None = None  # a user delegation key and its expiry

    def _blob(self, name: str) -> BlobClient:
        """A client per blob name, kept: building one costs more CPU than the request it makes."""
        client = self._blobs.get(name)
        if client is None:
            while len(self._blobs) >= _BLOB_CLIENTS:
                self._blobs.popitem(last=False)
            client = self._blobs[name] = self._container.get_blob_client(check_name(name))
        else:
            self._blobs.move_to_end(name)
        return client

    @classmethod
    def from_connection_string(cls, connection_string: str, container: str) -> BlobStore:
        transport = TracedBlobTransport(trust_env=_TRUST_ENV)
        service = BlobServiceClient.from_connection_string(
            connection_string, use_env_settings=_TRUST_ENV, transport=transport
        )
        return cls(service, container)

    @classmethod
    def from_account_url(
        cls, account_url: str, container: str, credential: AsyncTokenCredential | None = None
    ) -> BlobStore:
        """Managed identity on Azure (DefaultAzureCredential), no secret in configuration."""
        if credential is None:
            from azure.identity.aio import DefaultAzureCredential

            credential = DefaultAzureCredential()
        return cls(
            BlobServiceClient(
                account_url,
                credential=credential,
                use_env_settings=_TRUST_ENV,
                transport=TracedBlobTransport(trust_env=_TRUST_ENV),
            ),
            container,
            credential=credential,
        )

    async def ensure_container(self) -> None:
        """Create the container if it is missing (idempotent, safe when several instances start)."""
        if await self._container.exists():
            return
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()

    # -- documents ----------------------------------------------------------------------------
    async def get(self, name: str) -> Document | None:
        blob = self._blob(name)
        try:
            downloader = await blob.download_blob()
            raw = await downloader.readall()
        except ResourceNotFoundError:
            return None
        data: dict[str, Any] = json.loads(raw)
        return Document(data=data, etag=str(downloader.properties.etag))

    async def put(
        self,
        name: str,
        data: Mapping[str, Any],
        *,
        etag: str | None,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        blob = self._blob(name)
        body = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":")).encode()
        checked = check_tags(tags or {})
        try:
            if etag is None:
                result = await blob.upload_blob(body, overwrite=False, tags=checked, content_settings=_JSON)
            else:
                result = await blob.upload_blob(
                    body,
                    overwrite=True,
                    etag=etag,
                    match_condition=MatchConditions.IfNotModified,
                    tags=checked,
                    content_settings=_JSON,
                )
        except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError) as err:
            if etag is None:
                raise AlreadyExists(name) from err
            raise Conflict(name) from err
        except HttpResponseError as err:
            if _status(err) in (409, 412):
                raise (AlreadyExists(name) if etag is None else Conflict(name)) from err
            raise
        return str(result["etag"])

    async def delete(self, name: str, *, etag: str | None = None) -> None:
        blob = self._blob(name)
        try:
            if etag is None:
                await blob.delete_blob()
            else:
                await blob.delete_blob(etag=etag, match_condition=MatchConditions.IfNotModified)
        except ResourceNotFoundError:
            return
        except (ResourceModifiedError, ResourceExistsError) as err:
            if not await blob.exists():
                return  # If-Match on a missing blob answers 412: it is gone, which is the goal
            raise Conflict(name) from err

    async def find(
        self,
        equals: Mapping[str, str],
        *,
        at_most: Mapping[str, str] | None = None,
        at_least: Mapping[str, str] | None = None,
    ) -> builtins.list[str]:
        clauses = []
        for op, pairs in (("=", equals), ("<=", at_most or {}), (">=", at_least or {})):
            for key, value in pairs.items():
                check_tag(key, value)  # the charset excludes both quote characters
                clauses.append(f"\"{key}\" {op} '{value}'")
        if not clauses:
            raise ValueError("find needs at least one condition")
        found = self._container.find_blobs_by_tags(" AND ".join(clauses))
        return sorted([item.name async for item in found])

    async def list(self, prefix: str) -> builtins.list[str]:
        return sorted([item.name async for item in self._container.list_blobs(name_starts_with=prefix)])

    async def purge(self, prefix: str) -> int:
        """Current blobs first (with versioning on, deleting one makes it a previous version),
        then every version left: Azurite lists no versions, Azure lists them all."""
        count = 0
        for name in await self.list(prefix):
            with contextlib.suppress(ResourceNotFoundError):
                await self._blob(name).delete_blob(delete_snapshots="include")
                count += 1
        await self._delete_versions(prefix)
        return count

    async def _delete_versions(self, prefix: str, only: set[str] | None = None) -> None:
        """Delete every previous version under `prefix` (of the names in `only`, if given)."""
        try:
            versions = [
                (item.name, item.version_id)
                async for item in self._container.list_blobs(name_starts_with=prefix, include=["versions"])
                if item.version_id and (only is None or item.name in only)
            ]
        except HttpResponseError as err:
            if _status(err) not in (400, 501):  # an emulator without versioning refuses the listing
                raise
            versions = []
        for name, version_id in versions:
            with contextlib.suppress(ResourceNotFoundError):
                await self._container.get_blob_client(name, version_id=version_id).delete_blob()

    # -- evidence -----------------------------------------------------------------------------
    async def put_evidence(self, name: str, source: AsyncIterator[bytes], meta: EvidenceMeta) -> None:
        """Create-only upload. Metadata must be ASCII, so free text is percent-encoded."""
        blob = self._blob(name)
        if await blob.exists():
            raise AlreadyExists(name)  # cheap early answer; the condition below is the real check
        metadata = evidence_metadata(meta)
        # Streamed as blocks of at most BLOCK_BYTES, so memory stays one block whatever the file
        # size; the commit is create-only (If-None-Match: *), which is the real write-once check.
        upload = uuid.uuid4().hex[:16]
        block_ids: list[str] = []
        buffer = bytearray()

        async def stage() -> None:
            block_id = base64.b64encode(f"{upload}-{len(block_ids):06d}".encode()).decode()
            await blob.stage_block(block_id, io.BytesIO(bytes(buffer)), length=len(buffer))
            block_ids.append(block_id)
            buffer.clear()

        async for chunk in source:
            buffer += chunk
            if len(buffer) >= BLOCK_BYTES:
                await stage()
        if buffer or not block_ids:
            await stage()
        try:
            await blob.commit_block_list(
                [BlobBlock(block_id=b) for b in block_ids],
                metadata=metadata,
                content_settings=ContentSettings(content_type=meta.content_type),
                if_none_match="*",
            )
        except (ResourceExistsError, ResourceModifiedError) as err:
            raise AlreadyExists(name) from err
        except HttpResponseError as err:
            if err.status_code in (409, 412):
                raise AlreadyExists(name) from err
            raise

    def begin_evidence(self) -> BlobEvidenceUpload:
        return BlobEvidenceUpload(self._container, self._blob, self._copy_source_url, evidence_metadata)

    async def _copy_source_url(self, name: str) -> str:
        url = await self._read_url(name, _COPY_SOURCE_MINUTES)
        if url is None:
            raise RuntimeError("no read URL for a staged blob: the store needs an account key or a token credential")
        return url

    async def sweep_staged_evidence(self, older_than: timedelta) -> int:
        cutoff = datetime.now(UTC) - older_than
        old = {
            item.name
            async for item in self._container.list_blobs(name_starts_with=names.STAGING)
            if item.last_modified is not None and item.last_modified < cutoff
        }
        for name in old:
            with contextlib.suppress(ResourceNotFoundError):
                await self._container.get_blob_client(name).delete_blob(delete_snapshots="include")
        await self._delete_versions(names.STAGING, old)
        return len(old)

    async def delete_evidence(self, name: str) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            await self._blob(name).delete_blob()

    async def get_evidence_meta(self, name: str) -> EvidenceMeta | None:
        blob = self._blob(name)
        try:
            props = await blob.get_blob_properties()
        except ResourceNotFoundError:
            return None
        md = props.metadata
        return EvidenceMeta(
            sha256=md["sha256"],
            size=int(md["size"]),
            content_type=str(props.content_settings.content_type),
            original_name=unquote(md["original_name"]),
            uploaded_by=unquote(md["uploaded_by"]),
            uploaded_at=datetime.fromisoformat(md["uploaded_at"]),
        )

    async def read_evidence(self, name: str) -> AsyncIterator[bytes]:
        blob = self._blob(name)
        try:
            downloader = await blob.download_blob()
        except ResourceNotFoundError:
            raise NotFound(name) from None
        async for chunk in downloader.chunks():
            yield chunk

    async def evidence_read_url(self, name: str, minutes: int) -> str | None:
        return await self._read_url(name, minutes)

    async def _read_url(self, name: str, minutes: int) -> str | None:
        """A read-only SAS URL valid for `minutes`: signed with the account key when we have
        one (connection string), else with a user delegation key (managed identity)."""
        now = datetime.now(UTC)
        start, expiry = now - timedelta(minutes=5), now + timedelta(minutes=minutes)
        account_key = getattr(self._service.credential, "account_key", None)
        common: dict[str, Any] = {
            "account_name": str(self._service.account_name),
            "container_name": self._container.container_name,
            "blob_name": name,
            "permission": BlobSasPermissions(read=True),
            "start": start,
            "expiry": expiry,
        }
        try:
            if isinstance(account_key, str) and account_key:
                sas = generate_blob_sas(account_key=account_key, **common)
            elif self._credential is not None:
                key = await self._delegation_key(expiry)
                sas = generate_blob_sas(user_delegation_key=key, **common)
            else:
                return None
        except HttpResponseError as err:
            log.warning("no read URL for evidence: status %s", err.status_code)
            return None
        return f"{self._container.url}/{quote(name, safe='~/')}?{sas}"  # as the SDK spells a blob URL

    async def _delegation_key(self, needed_until: datetime) -> UserDelegationKey:
        """A user delegation key valid at least until `needed_until`, kept and reused: every
        staged upload's copy needs one, and asking costs a round trip."""
        if self._delegation is None or self._delegation[1] < needed_until:
            start = datetime.now(UTC) - timedelta(minutes=5)
            expiry = needed_until + timedelta(hours=1)
            key = await self._service.get_user_delegation_key(start, expiry)
            self._delegation = (key, expiry)
        return self._delegation[0]

    # -- audit --------------------------------------------------------------------------------
    async def append_audit(self, case_id: str, entry: Mapping[str, Any]) -> None:
        await self.append_audit_lines(case_id, [entry])

    async def append_audit_lines(self, case_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
        blob = self._blob(names.audit_log(case_id))
        for block in _audit_blocks(entries):
            try:
                await blob.append_block(block)
            except ResourceNotFoundError:
                # IfMissing: never recreate an existing log, that would wipe it
                with contextlib.suppress(ResourceExistsError, ResourceModifiedError):
                    await blob.create_append_blob(match_condition=MatchConditions.IfMissing)
                await blob.append_block(block)

    async def read_audit(self, case_id: str) -> builtins.list[dict[str, Any]]:
        blob = self._blob(names.audit_log(case_id))
        try:
            raw = await (await blob.download_blob()).readall()
        except ResourceNotFoundError:
            return []
        return [json.loads(line) for line in raw.splitlines() if line.strip()]

    # -- leases -------------------------------------------------------------------------------
    async def acquire_lease(self, name: str, owner: str, seconds: int) -> Lease | None:
        if not 15 <= seconds <= 60:
            raise ValueError("blob leases last 15..60 seconds")
        blob = self._blob(names.lease(name))
        lease_id = str(uuid.uuid5(_LEASE_NAMESPACE, f"{name}\n{owner}"))
        lease = BlobLeaseClient(blob, lease_id=lease_id)
        for _ in range(2):
            try:
                await lease.acquire(lease_duration=seconds)
                break
            except ResourceNotFoundError:
                with contextlib.suppress(ResourceExistsError, ResourceModifiedError):
                    await blob.upload_blob(b"", overwrite=False)  # unless another instance did
            except HttpResponseError as err:
                if _status(err) in (409, 412):
                    return None  # held by someone else
                raise
        else:
            return None
        expires_at = datetime.now(UTC) + timedelta(seconds=seconds)
        return Lease(name=name, owner=owner, expires_at=expires_at, token=lease_id)

    async def release_lease(self, lease: Lease) -> None:
        blob = self._blob(names.lease(lease.name))
        try:
            await BlobLeaseClient(blob, lease_id=lease.token).release()
        except HttpResponseError as err:
            if _status(err) not in (404, 409, 412):
                raise  # else: the lease was already lost or the blob is gone

    async def close(self) -> None:
        await self._container.close()
        await self._service.close()
        if self._credential is not None:
            await self._credential.close()


def evidence_metadata(meta: EvidenceMeta) -> dict[str, str]:
    """EvidenceMeta as blob metadata, which must be ASCII: free text is percent-encoded. The
    content type goes in the blob's own Content-Type."""
    return {
        "sha256": meta.sha256,
        "size": str(meta.size),
        "original_name": quote(meta.original_name, safe=""),
        "uploaded_by": quote(meta.uploaded_by, safe=""),
        "uploaded_at": meta.uploaded_at.astimezone(UTC).isoformat(),
    }
