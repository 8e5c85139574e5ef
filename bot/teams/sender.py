"""Proactive messages to Teams through botbuilder's CloudAdapter, paced and retried.

This is the Notifier the services talk to: they hand over a stored conversation reference and an
activity as plain JSON, and get back the id of the sent activity (to update the card later). Every
request first takes a slot from the RateLimiter (so we stay under Teams' throttling), then goes
out with the connector client botbuilder keeps for the service URL (a plain message, as JSON:
direct_post.py) or through `adapter.continue_conversation` (anything else, updates). A 429 is
retried after its Retry-After; 412 and 5xx and broken connections with exponential back-off and
jitter; 403/404 mean the bot was removed or the conversation is gone, which no retry fixes.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar

from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.errors import DeliveryFailed
from bot.hosting.logs import fields, pseudonym
from bot.hosting.telemetry import METRICS, Telemetry
from bot.jobs.send_guard import may_send
from bot.teams.direct_post import Addressing, plain_message, post, wire_activity
from bot.teams.ratelimit import RateLimiter, parse_retry_after

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Callback = Callable[[TurnContext], Awaitable[None]]
T = TypeVar("T")

RETRY_AFTER_STATUSES = frozenset({429})
BACKOFF_STATUSES = frozenset({412, 500, 502, 503, 504})
GONE_STATUSES = frozenset({403, 404})


class SendFailed(DeliveryFailed):
    """What this sender raises: `permanent` says whether trying again later can help.

    `reference` is set by send_to_user when the chat was opened but the message failed.
    """

    reference: dict[str, Any] | None = None

    def __init__(self, message: str, conversation_id: str, status: int | None) -> None:
        super().__init__(message)
        self.conversation_id = conversation_id
        self.status = status


class DeliveryRejected(SendFailed):
    """The connector refused the request in a way a retry does not fix (400, 401, 413, ...)."""

    permanent = True

    def __init__(self, conversation_id: str, status: int | None) -> None:
        super().__init__(f"delivery to {conversation_id} refused with {status}", conversation_id, status)


class ConversationGone(DeliveryRejected):
    """403/404: the bot was removed or the conversation no longer exists; drop the reference."""

    gone = True


class DeliveryExhausted(SendFailed):
    """Still failing after the last attempt; worth trying again later (the outbox keeps it)."""

    def __init__(self, conversation_id: str, status: int | None, attempts: int) -> None:
        super().__init__(
            f"delivery to {conversation_id} failed {attempts} times, last {status}", conversation_id, status
        )
        self.attempts = attempts


class ProactiveAdapter(Protocol):
    """The part of botbuilder's CloudAdapter we use (a real one in production and in tests)."""

    BOT_CONNECTOR_CLIENT_KEY: str

    async def continue_conversation(
        self, reference: ConversationReference, callback: Callback, bot_app_id: str
    ) -> Any: ...

    async def create_conversation(
        self,
        bot_app_id: str,
        callback: Callback,
        conversation_parameters: ConversationParameters,
        channel_id: str,
        service_url: str,
    ) -> Any: ...


class TeamsSender:
    """Implements bot.services.ports.Notifier: `send`, `update`, `send_to_user`.

    Failures raise bot.errors.DeliveryFailed subclasses with a `permanent` flag: ConversationGone
    and DeliveryRejected (drop or fix, do not retry), DeliveryExhausted (keep it, retry later).
    """

    def __init__(
        self,
        adapter: ProactiveAdapter,
        app_id: str,
        limiter: RateLimiter,
        *,
        max_attempts: int = 5,
        sleep: Sleep = asyncio.sleep,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        jitter: Callable[[], float] = random.random,
        timeout: float = 20.0,
        telemetry: Telemetry | None = None,
        direct_post: bool = True,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._adapter = adapter
        self._app_id = app_id
        self._limiter = limiter
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._jitter = jitter
        self._timeout = timeout
        self._telemetry = telemetry or METRICS
        # The direct post needs botbuilder's CloudAdapter (its authentication builds the clients).
        authentication = getattr(adapter, "bot_framework_authentication", None)
        self._direct = Addressing() if direct_post and authentication is not None else None
        self._factory: Any = None

    async def send(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        """Post `activity` into the referenced conversation; returns the new activity's id.

        A message of the shape the services build is posted directly with the connector client
        botbuilder keeps for the service URL (direct_post.py: the same JSON, without botbuilder's
        per-message model round trips); anything else takes botbuilder's proactive turn."""
        if self._direct is not None and plain_message(activity):
            return await self._send_direct(reference, activity)
        ref = _reference(reference)

        async def once() -> str:
            result: list[str] = []

            async def post(context: TurnContext) -> None:
                response = await context.send_activity(Activity.deserialize(dict(activity)))
                result.append(response.id if response and response.id else "")

            await self._continue(ref, post)
            return result[0]

        return await self._with_retries(ref.conversation.id, once)

    async def update(self, reference: Mapping[str, Any], activity_id: str, activity: Mapping[str, Any]) -> None:
        """Replace a sent activity (a card) in place."""
        ref = _reference(reference)

        async def once() -> None:
            async def put(context: TurnContext) -> None:
                replacement = Activity.deserialize(dict(activity))
                replacement.id = activity_id
                await context.update_activity(replacement)

            await self._continue(ref, put)

        await self._with_retries(ref.conversation.id, once)

    async def send_to_user(
        self, user_aad_id: str, tenant_id: str, service_url: str, activity: Mapping[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """Open (or find) the 1:1 chat with a user who never wrote to the bot, then send into it.

        Returns the conversation reference to store for later messages, and the activity id.
        Teams answers the same conversation for the same user, so a repeated call is harmless.
        If only the message fails, the raised SendFailed carries `.reference` all the same.
        """
        bot = ChannelAccount(id=f"28:{self._app_id}" if self._app_id else "28:bot")
        parameters = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=user_aad_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )

        async def create_once() -> dict[str, Any]:
            created: list[str] = []

            async def remember(context: TurnContext) -> None:
                created.append(context.activity.conversation.id)

            await _in_turn(
                lambda callback: self._adapter.create_conversation(
                    self._app_id, callback, parameters, "msteams", service_url
                ),
                remember,
            )
            return _user_reference(created[0], user_aad_id, tenant_id, service_url, bot)

        reference = await self._with_retries(f"create:{user_aad_id}", create_once)
        try:
            activity_id = await self.send(reference, activity)
        except SendFailed as error:
            error.reference = reference  # the chat exists: the caller should keep it
            raise
        return reference, activity_id

    # --- the machinery -----------------------------------------------------------------------
    async def _send_direct(self, reference: Mapping[str, Any], activity: Mapping[str, Any]) -> str:
        assert self._direct is not None
        conversation_id, addressing = self._direct.of(reference)
        if not conversation_id or not addressing.get("serviceUrl"):  # as `_reference` refuses it
            raise DeliveryRejected(str(reference.get("conversation", {}).get("id", "?")), None)
        body = wire_activity(activity, addressing)

        async def once() -> str:
            client = await self._client(str(addressing["serviceUrl"]))
            return await post(client, conversation_id, body)

        return await self._with_retries(conversation_id, once)

    async def _client(self, service_url: str) -> Any:
        """The proactive connector client for the service URL, as botbuilder's proactive turn gets
        it (kept per URL by connectors.py), tuned as `_continue` tunes it."""
        if self._factory is None:
            adapter: Any = self._adapter
            claims = adapter.create_claims_identity(self._app_id)
            self._factory = adapter.bot_framework_authentication.create_connector_factory(claims)
        client = await self._factory.create(service_url, None)
        config = getattr(client, "config", None)
        if config is not None:
            config.retry_policy.retries = 0
            config.connection.timeout = self._timeout
        return client

    async def _continue(self, reference: ConversationReference, work: Callback) -> None:
        connector_key = self._adapter.BOT_CONNECTOR_CLIENT_KEY

        async def turn(context: TurnContext) -> None:
            config = getattr(context.turn_state.get(connector_key), "config", None)
            if config is not None:
                config.retry_policy.retries = 0  # msrest would retry PUTs behind the limiter's back
                config.connection.timeout = self._timeout  # its default is 100 s per request
            # A proactive message is a new post, not a reply to the made-up continuation event.
            context.activity.id = None
            await work(context)

        await _in_turn(lambda callback: self._adapter.continue_conversation(reference, callback, self._app_id), turn)

    async def _with_retries(self, key: str, once: Callable[[], Awaitable[T]]) -> T:
        status: int | None = None
        for attempt in range(1, self._max_attempts + 1):
            try:
                async with self._limiter.slot(key):
                    # After any wait (Retry-After, back-off, the limiter): is the lease or claim
                    # this send runs under still ours? If not, NotOurs ends it here, unsent.
                    await may_send()
                    with self._telemetry.dependency("bot-connector", "send"):
                        return await once()
            except HttpOperationError as error:
                status, retry_after = _status_and_retry_after(error)
            except (TimeoutError, ClientRequestError, OSError):
                status, retry_after = None, None  # connection broke: the message may or may not be in
            log.info(
                "delivery attempt failed",
                extra=fields(attempt=attempt, of=self._max_attempts, conversation=pseudonym(key), status=status),
            )
            if status in GONE_STATUSES:
                raise ConversationGone(key, status)
            if status is not None and status not in RETRY_AFTER_STATUSES | BACKOFF_STATUSES:
                raise DeliveryRejected(key, status)
            if attempt == self._max_attempts:
                break
            if status in RETRY_AFTER_STATUSES:
                self._telemetry.throttled()
            if status in RETRY_AFTER_STATUSES and retry_after is not None:
                delay = retry_after
                self._limiter.defer(key, delay)  # hold back the key's other senders as well
            else:
                delay = self._backoff(attempt)
            await self._sleep(delay)
        raise DeliveryExhausted(key, status, self._max_attempts)

    def _backoff(self, attempt: int) -> float:
        """Exponential back-off with 'equal jitter': at least half the step, never in lockstep."""
        step = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return step / 2 + step / 2 * self._jitter()


async def _in_turn(start: Callable[[Callback], Awaitable[Any]], work: Callback) -> None:
    """Run `work` in a botbuilder turn and raise its exception here.

    Inside the adapter's pipeline an exception goes to `on_turn_error` (which the app sets to
    apologise to the user) and never reaches us; so the turn keeps it and we re-raise it after.
    """
    failure: list[Exception] = []

    async def turn(context: TurnContext) -> None:
        try:
            await work(context)
        except Exception as error:
            failure.append(error)

    await start(turn)
    if failure:
        raise failure[0]


def _reference(data: Mapping[str, Any]) -> ConversationReference:
    reference = ConversationReference.deserialize(dict(data))
    if not reference.conversation or not reference.conversation.id or not reference.service_url:
        raise DeliveryRejected(str(data.get("conversation", {}).get("id", "?")), None)
    return reference


def _user_reference(
    conversation_id: str, user_aad_id: str, tenant_id: str, service_url: str, bot: ChannelAccount
) -> dict[str, Any]:
    reference = ConversationReference(
        bot=bot,
        user=ChannelAccount(id=user_aad_id, aad_object_id=user_aad_id),
        conversation=ConversationAccount(
            id=conversation_id, conversation_type="personal", tenant_id=tenant_id, is_group=False
        ),
        channel_id="msteams",
        service_url=service_url,
    )
    data: dict[str, Any] = reference.serialize()
    return data


def _status_and_retry_after(error: HttpOperationError) -> tuple[int | None, float | None]:
    """Read the HTTP status and Retry-After from msrest's error (requests or aiohttp response)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    return (int(status) if status is not None else None), parse_retry_after(headers.get("Retry-After"))
