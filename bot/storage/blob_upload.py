"""Staged evidence on Azure Blob Storage: blocks staged as the bytes stream in, committed
create-only under their final name only when the file has been accepted.

A block belongs to one blob name, and evidence is named by its hash, which is known only at the
end. So the blocks are staged on a staging blob of their own (`staging/{random}`). Until its block
list is committed it does not exist for anyone: no listing, no read shows it, and the service
drops uncommitted blocks after 7 days. A refused file, an abort or a crash before the commit
therefore leaves nothing visible and nothing to clean up.

An accepted file is committed in three quick calls, none of which moves the bytes through the bot:
commit the staging blob's block list; Copy Blob From URL (synchronous, same account, up to
256 MiB) to the final name with If-None-Match `*` (the real write-once check, so of two racing
writers exactly one wins); delete the staging blob and, with versioning on, its version. A crash
between the first and the last call leaves a staging blob, which the start-up sweep
(`BlobStore.sweep_staged_evidence`) removes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import uuid
from collections.abc import Awaitable, Callable

from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, ContentSettings
from azure.storage.blob.aio import BlobClient, ContainerClient

from bot.errors import AlreadyExists
from bot.storage import names
from bot.storage.staging import BlockPipeline
from bot.storage.store import EvidenceMeta

BLOCK_BYTES = 4 * 1024 * 1024  # one Put Block per 4 MiB: memory stays two blocks whatever the size

Metadata = Callable[[EvidenceMeta], dict[str, str]]
ReadUrl = Callable[[str], Awaitable[str]]


class BlobEvidenceUpload(BlockPipeline):
    def __init__(
        self, container: ContainerClient, final_blob: Callable[[str], BlobClient], read_url: ReadUrl, metadata: Metadata
    ) -> None:
        """`final_blob(name)` gives the client for the evidence name; `read_url(name)` a short-lived
        read URL (SAS) for a blob in this container, the copy's source; `metadata(meta)` the blob
        metadata that stores the EvidenceMeta (BlobStore's)."""
        super().__init__(BLOCK_BYTES, overlap=True)
        self.staging_name = names.staging(uuid.uuid4().hex)
        # Not from the store's client cache: each staging name is used once.
        self._staging = container.get_blob_client(self.staging_name)
        self._container = container
        self._final_blob = final_blob
        self._read_url = read_url
        self._metadata = metadata
        self._block_ids: list[str] = []

    async def store_block(self, index: int, chunks: list[bytes]) -> None:
        block_id = base64.b64encode(f"{index:08d}".encode()).decode()  # ids of one blob: same length
        self._block_ids.append(block_id)
        block = b"".join(chunks)
        chunks.clear()  # one copy of the block in memory, not two
        # The hash runs in a worker thread while the block travels.
        await asyncio.gather(
            asyncio.to_thread(self.hasher.update, block),
            self._staging.stage_block(block_id, io.BytesIO(block), length=len(block)),  # bytes would block the loop
        )

    async def commit(self, name: str, meta: EvidenceMeta) -> None:
        await self.finish()
        self.check_meta(meta)
        target = self._final_blob(name)
        version_id: str | None = None
        try:
            committed = await self._staging.commit_block_list(
                [BlobBlock(block_id=b) for b in self._block_ids],
                content_settings=ContentSettings(content_type=meta.content_type),  # the copy keeps it
                if_none_match="*",
            )
            version_id = str(committed.get("version_id") or "") or None
            source = await self._read_url(self.staging_name)
            try:
                await target.start_copy_from_url(
                    source, metadata=self._metadata(meta), requires_sync=True, if_none_match="*"
                )
            except (ResourceExistsError, ResourceModifiedError) as err:
                raise AlreadyExists(name) from err
            except HttpResponseError as err:
                if err.status_code in (409, 412):
                    raise AlreadyExists(name) from err
                raise
        finally:
            self.closed = True
            await self._drop_staging_blob(version_id)

    async def _drop_staging_blob(self, version_id: str | None) -> None:
        """Delete the committed staging blob, and its version when versioning made one (else the
        bytes would outlive their erasure under `staging/` until the lifecycle rule)."""
        with contextlib.suppress(ResourceNotFoundError):
            await self._staging.delete_blob()
        if version_id:
            with contextlib.suppress(HttpResponseError):
                await self._container.get_blob_client(self.staging_name, version_id=version_id).delete_blob()

    async def abort(self) -> None:
        """Nothing was committed, so nothing is visible: the staged blocks are left to the service,
        which drops uncommitted blocks after 7 days. Only the block in flight is waited for."""
        if not self.closed:
            self.closed = True
            await self.settle()
