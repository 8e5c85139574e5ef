"""Composition root: settings -> store, clients, bot, jobs -> aiohttp web.Application.

Nothing is built at import time. `create_app(settings)` is the one door, used by `python app.py`
and by the tests (which pass their own settings and, where needed, fakes of Microsoft endpoints).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import aiohttp
from aiohttp import web
from azure.core.exceptions import DeserializationError
from botbuilder.core import TurnContext, UserState
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import MicrosoftAppCredentials
from yarl import URL

from bot.chat.evidence_message import size_limit
from bot.directory import ChainedDirectory, Directory, FileDirectory, GraphDirectory, MsalTokenProvider
from bot.guideline.med import MedSchedule
from bot.guideline.policy import DeadlinePolicy
from bot.guideline.retention import RetentionRules
from bot.hosting.background import Background
from bot.hosting.logs import configure_logging, correlation_id, fields, set_pseudonym_key
from bot.hosting.malloc import Trimmer, limit_arenas
from bot.hosting.memory_trace import MemoryTrace
from bot.hosting.settings import Settings, SettingsError, load_settings
from bot.hosting.telemetry import METRICS, Telemetry
from bot.hosting.telemetry import configure as configure_telemetry
from bot.hosting.web import evidence_handler, export_handler, healthz, messages_handler, pack_handler, readyz_handler
from bot.intake.evidence import EvidenceIntake, staged_max_age
from bot.intake.evidence import Limits as EvidenceLimits
from bot.intake.evidence_links import EvidenceLinks, link_key
from bot.intake.netpolicy import (
    DEFAULT_ALLOWED_HOSTS,
    AddressPolicy,
    AllowListPolicy,
    DevOriginsPolicy,
    is_bot_attachment_host,
)
from bot.jobs.scheduler import Scheduler
from bot.presenters.case_cards import CaseCards
from bot.presenters.med_cards import MedCards
from bot.repositories.cases import CaseRepository
from bot.repositories.counters import CaseNumbers
from bot.services import access_log, followups
from bot.services.case_actions import CaseActions
from bot.services.case_tags import CaseTagMigration
from bot.services.dispatch import Dispatcher
from bot.services.draft_reminders import remind_and_expire
from bot.services.evidence_packs import EvidencePacks
from bot.services.hr_notices import HrNotices
from bot.services.hr_people import HrPeople
from bot.services.med import MedService
from bot.services.notifications import Notifications
from bot.services.outcomes import EvidencePackRequested, PersonExportRequested
from bot.services.person_export import PersonExport
from bot.services.ports import Clock, SystemClock
from bot.services.reports import DraftIndex, ReportService
from bot.services.retention import Retention
from bot.services.roles import LeaderCheck
from bot.services.seen import SeenActivities
from bot.storage import names
from bot.storage.factory import open_store
from bot.storage.store import Store
from bot.takedown import RoutesError, load_routes
from bot.teams.bot_state import StoreBotStorage, StoreConversationState, state_name
from bot.teams.case_invoke import CaseInvokes
from bot.teams.channel_book import ChannelBook
from bot.teams.connectors import ReusingAuthentication
from bot.teams.direct_replies import DirectReplyAdapter
from bot.teams.export_edge import ExportEdge
from bot.teams.handler import BotDeps, GuidelineBot
from bot.teams.med_edge import MedEdge
from bot.teams.msrest_patch import speed_up_msrest
from bot.teams.notifier import ConversationSender, TeamsNotifier
from bot.teams.pack_edge import PackEdge
from bot.teams.ratelimit import RateLimiter
from bot.teams.reference_book import ReferenceBook
from bot.teams.sender import TeamsSender
from bot.texts import Texts, language_for
from dialogs.add_evidence import AddEvidenceDeps, AddEvidenceDialog
from dialogs.evidence_chat import EvidenceChat
from dialogs.report import ReportDeps, ReportDialog

log = logging.getLogger("app")
WORKER_THREADS = 32


@dataclass
class Runtime:
    """Everything built at start-up; held by the web.Application for its lifetime."""

    settings: Settings
    store: Store
    adapter: CloudAdapter
    bot: GuidelineBot
    cases: CaseRepository
    actions: CaseActions
    notifications: Notifications
    med: MedService
    background: Background
    scheduler: Scheduler
    telemetry: Telemetry
    packs: EvidencePacks
    exports: PersonExport
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in reversed(self.closers):
            await close()


@dataclass
class Overrides:
    """Test seams: fakes of the real boundaries, plugged in through the one door."""

    store: Store | None = None
    directory: Directory | None = None
    address_policy: AddressPolicy | None = None
    clock: Clock | None = None
    notifier: ConversationSender | None = None  # the sender of messages by conversation reference
    sleep: Callable[[float], Awaitable[None]] | None = None  # the sender's back-off sleep
    limiter: RateLimiter | None = None  # the sender's pacing (a test's runs on the test's clock)
    run_scheduler: bool = True
    bot_token: Callable[[], Awaitable[str | None]] | None = None  # the bot's token for inline images (AAD)
    bot_token_hosts: Callable[[URL], bool] | None = None  # which URLs may see it (the Bot Framework's)


RUNTIME = web.AppKey("runtime", Runtime)
LINKS = web.AppKey("evidence_links", EvidenceLinks)


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        immediate_working_days=max(1, settings.immediate_deadline_working_days),
        office_start=settings.office_hours[0],
        office_end=settings.office_hours[1],
        ack_working_hours=settings.ack_working_hours,
        escalate_after_days=settings.escalate_after_days,
        checkin_after_followup_days=settings.checkin_after_followup_days,
        removal_recheck_days=settings.removal_recheck_days,
        tz=settings.time_zone,
        extra_holidays=frozenset(settings.extra_holidays),
    )


async def build_directory(settings: Settings, session: aiohttp.ClientSession) -> Directory:
    sources: list[Directory] = []
    if settings.graph_enabled and settings.app_id:
        tokens = MsalTokenProvider(
            tenant_id=settings.app_tenant_id,
            client_id=settings.app_id,
            client_credential=settings.app_password.reveal(),
            authority_host=settings.login_authority_host,
        )
        sources.append(GraphDirectory(session, tokens, base_url=settings.graph_base_url))
    if settings.leader_directory_file:
        sources.append(await FileDirectory.open(settings.leader_directory_file))
    return ChainedDirectory(sources)


def hr_check(settings: Settings, directory: Directory) -> Callable[[str], Awaitable[bool]]:
    async def is_hr(aad_object_id: str) -> bool:
        if aad_object_id.lower() in settings.hr_aad_object_ids:
            return True
        if settings.hr_group_id:
            return await directory.is_member_of_group(aad_object_id, settings.hr_group_id)
        return False

    return is_hr


async def build_runtime(settings: Settings, overrides: Overrides, links: EvidenceLinks | None = None) -> Runtime:
    takedown = await asyncio.to_thread(load_routes, settings.takedown_routes_file)  # RoutesError stops start-up
    closers: list[Callable[[], Awaitable[None]]] = []
    store = overrides.store
    if store is None:
        store = await open_store(
            connection_string=settings.storage_connection_string.reveal() or None,
            container=settings.storage_container,
            account_url=settings.storage_account_url or None,
            data_dir=settings.data_dir,
        )
        closers.append(store.close)
    telemetry = METRICS
    # Graph's session: GraphDirectory names its own dependency spans (the URL holds object ids).
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    closers.append(session.close)
    directory = overrides.directory or await build_directory(settings, session)
    clock = overrides.clock or SystemClock()
    policy = deadline_policy(settings)
    zone = settings.zone
    adapter = build_adapter(settings)
    closers.append(adapter.bot_framework_authentication.close)  # the kept connector clients
    cases = CaseRepository(store, policy)
    actions = CaseActions(cases, policy, clock, hr_check(settings, directory))
    evidence_limits = EvidenceLimits(max_bytes=settings.evidence_max_bytes)
    swept = await store.sweep_staged_evidence(staged_max_age(evidence_limits))
    if swept:
        log.warning("removed staged evidence left by a crash", extra=fields(files=swept))
    intake = EvidenceIntake(
        store,
        overrides.address_policy or address_policy(settings),
        evidence_limits,
        token_provider=overrides.bot_token or bot_token_provider(settings),
        token_hosts=overrides.bot_token_hosts or is_bot_attachment_host,
    )
    max_size = size_limit(settings.evidence_max_bytes)

    is_hr = hr_check(settings, directory)
    sender = overrides.notifier or TeamsSender(
        adapter,
        settings.app_id,
        overrides.limiter or RateLimiter(),
        sleep=overrides.sleep or asyncio.sleep,
        telemetry=telemetry,
    )
    references = ReferenceBook(store)
    channels = ChannelBook(store)  # team and channel ids -> the channel's reference
    # people -> chats; a new chat is opened where Teams reached the bot (docs/architecture.md)
    notifier = TeamsNotifier(
        sender, references, settings.app_tenant_id, channels, lambda: sorted(settings.hr_aad_object_ids)
    )
    links = links or EvidenceLinks(
        settings.base_url, link_key(settings.evidence_link_key.reveal(), settings.app_password.reveal())
    )
    case_cards = CaseCards(
        store,
        policy,
        zone,
        link_signer=lambda case_id, sha, to: links.sign(case_id, sha, to=to),
        leaders=directory.leaders,
        takedown=takedown,
    )
    packs = EvidencePacks(store, cases, actions.actor, clock, links, settings.evidence_pack_link_minutes)
    exports = PersonExport(store, cases, clock, links)
    hr_people = HrPeople(settings.hr_aad_object_ids, settings.hr_group_id, directory)
    hr_notices = HrNotices(
        store,
        hr_people,
        references,
        notifier,
        clock,
        settings.default_language,
        alert_after=timedelta(minutes=settings.undelivered_alert_minutes),
        telemetry=telemetry,
    )
    notifications = Notifications(
        store,
        cases,
        notifier,
        case_cards,
        clock,
        policy,
        hr=hr_people,
        default_language=settings.default_language,
        is_hr=is_hr,
        languages=references,
        alert_after=timedelta(minutes=settings.undelivered_alert_minutes),
        telemetry=telemetry,
    )
    background = Background()
    closers.append(background.close)
    med = MedService(
        store,
        notifier,
        clock,
        MedSchedule(settings.med_reminder_dates, settings.time_zone),
        threshold=settings.med_anonymity_threshold,
        followup_weeks=settings.med_followup_weeks,
        workplaces=directory.workplaces,
        is_hr=is_hr,
        tell_hr=hr_notices.tell,
        languages=references,
        painter=MedCards(),
        channel_book=channels,
        default_language=settings.default_language,
        channel_seen=channels.remember,
    )

    dispatch = followups.register(Dispatcher(background), notifications, med)
    pack_edge = PackEdge(packs, notifier, dispatch, zone)
    export_edge = ExportEdge(exports, notifier, dispatch, zone)
    dispatch.on(EvidencePackRequested, pack_edge.deliver)
    dispatch.on(PersonExportRequested, export_edge.deliver)
    evidence_chat = EvidenceChat(
        intake,
        notifier,
        background,
        max_size=max_size,
        per_message=settings.evidence_files_per_message,
        turn_budget=settings.evidence_turn_budget_ms / 1000,
    )
    conversation_state = StoreConversationState(StoreBotStorage(store))
    seen = SeenActivities(store, clock)

    def state_doc(context: TurnContext) -> str:
        return state_name(conversation_state.get_storage_key(context))

    drafts = DraftIndex(store)
    numbers = CaseNumbers(store)
    closers.append(numbers.close)  # runs before the store closes: unused case numbers go back
    report_dialog = ReportDialog(
        ReportDeps(
            reports=ReportService(store, cases, directory, policy, zone, numbers),
            evidence=evidence_chat,
            drafts=drafts,
            clock=clock,
            zone=zone,
            draft_ttl=timedelta(hours=settings.draft_ttl_hours),
            default_language=settings.default_language,
            max_evidence=policy.max_evidence_items,
            dispatch=dispatch,
            state_doc=state_doc,
        )
    )
    add_evidence_dialog = AddEvidenceDialog(
        AddEvidenceDeps(
            actions=actions,
            evidence=evidence_chat,
            clock=clock,
            default_language=settings.default_language,
            max_evidence=policy.max_evidence_items,
            dispatch=dispatch,
        )
    )
    retention = Retention(
        store,
        cases,
        clock,
        RetentionRules(settings.retention_days, settings.med_retention_days),
        MedSchedule(settings.med_reminder_dates, settings.time_zone),
    )
    deps = BotDeps(
        conversation_state=conversation_state,
        user_state=UserState(StoreBotStorage(store)),
        store=store,
        cases=cases,
        report_dialog=report_dialog,
        add_evidence_dialog=add_evidence_dialog,
        drafts=drafts,
        zone=zone,
        invokes=CaseInvokes(
            actions,
            case_cards,
            dispatch,
            pack_edge,
        ),
        med=MedEdge(med, dispatch, channels),
        is_hr=is_hr,
        is_leader=LeaderCheck(cases, directory),
        clock=clock,
        references=references,
        default_language=settings.default_language,
        seen=seen,
        retention=retention,
        exports=export_edge,
    )
    draft_ttl = timedelta(hours=settings.draft_ttl_hours)
    scheduler = Scheduler(
        store,
        [
            ("notifications", notifications.deliver_due),
            ("hr notices", hr_notices.deliver_due),
            (
                "drafts",
                lambda: remind_and_expire(drafts, notifier, clock, draft_ttl, settings.default_language, references),
            ),
            ("med", med.send_due),
            ("seen activities", seen.forget_old),
            ("retention", retention.run),
            ("case tags", CaseTagMigration(cases).run),
            ("exports", exports.forget_old),
        ],
        clock=clock,
    )
    closers.append(scheduler.stop)

    async def stop_med() -> None:  # runs before scheduler.stop: a broadcast in flight ends gracefully
        med.stopping.set()

    closers.append(stop_med)
    return Runtime(
        settings,
        store,
        adapter,
        GuidelineBot(deps),
        cases,
        actions,
        notifications,
        med,
        background,
        scheduler,
        telemetry,
        packs,
        exports,
        closers,
    )


def address_policy(settings: Settings) -> AddressPolicy:
    production = AllowListPolicy((*DEFAULT_ALLOWED_HOSTS, *settings.evidence_allowed_hosts))
    if settings.evidence_dev_origins:  # local mode only (settings refuse it with an app id)
        return DevOriginsPolicy(production, settings.evidence_dev_origins)
    return production


def bot_token_provider(settings: Settings) -> Callable[[], Awaitable[str | None]] | None:
    """Inline images in Teams need the bot's own token; in local mode there is none."""
    if not settings.app_id:
        return None
    credentials = MicrosoftAppCredentials(
        settings.app_id, settings.app_password.reveal(), channel_auth_tenant=settings.app_tenant_id
    )

    async def token() -> str | None:
        return await asyncio.to_thread(credentials.get_access_token)

    return token


def botbuilder_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute bag botbuilder's ConfigurationBotFrameworkAuthentication reads."""
    config = SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password.reveal(),
        # With no app id botbuilder must treat the bot as "auth disabled", which only its
        # MultiTenant path allows; a configured bot is single-tenant or a managed identity.
        APP_TYPE=settings.app_type if settings.app_id else "MultiTenant",
        APP_TENANTID=settings.app_tenant_id,
    )
    if settings.openid_metadata_url:  # test seam: a local OpenID/JWKS fake
        config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL = settings.openid_metadata_url
        config.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER = settings.token_issuer
    return config


def build_adapter(settings: Settings) -> DirectReplyAdapter:
    speed_up_msrest()
    authentication = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(botbuilder_configuration(settings)))
    adapter = DirectReplyAdapter(authentication)  # CloudAdapter, its plain replies without msrest's walks

    async def on_turn_error(turn_context: TurnContext, error: Exception) -> None:
        log.error("turn failed", exc_info=error, extra=fields(error=type(error).__name__))
        tx = Texts(language_for(turn_context.activity.locale, settings.default_language))
        try:
            await turn_context.send_activity(tx("error.generic"))
        except Exception:  # the apology itself may fail when the connector is down
            log.warning("could not send apology", extra=fields())

    adapter.on_turn_error = on_turn_error
    return adapter


class _TrackedTurn:
    """Wraps the bot so the web layer knows whether authentication let the turn begin."""

    def __init__(self, bot: GuidelineBot) -> None:
        self.bot = bot
        self.started = False

    async def on_turn(self, turn_context: TurnContext) -> None:
        self.started = True
        await self.bot.on_turn(turn_context)


def create_app(settings: Settings, *, overrides: Overrides | None = None) -> web.Application:
    """Build the web application; everything else is built when it starts (cleanup_ctx)."""
    set_pseudonym_key(settings.evidence_link_key.reveal() or settings.app_password.reveal())
    overrides = overrides or Overrides()

    telemetry = METRICS

    @web.middleware
    async def correlate(request: web.Request, handler):  # type: ignore[no-untyped-def]
        token = correlation_id.set(request.headers.get("x-ms-correlation-id") or os.urandom(6).hex())
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "unmatched"
        status = 500
        try:
            with telemetry.server_span(request.method, route, correlation_id.get()) as span:
                try:
                    response = await handler(request)
                    status = response.status
                    return response
                except web.HTTPException as exc:
                    status = exc.status
                    raise
                finally:
                    span.set_attribute("http.response.status_code", status)
        finally:
            telemetry.request(route, status)
            correlation_id.reset(token)

    app = web.Application(middlewares=[correlate], client_max_size=1024 * 1024)

    links = EvidenceLinks(
        settings.base_url, link_key(settings.evidence_link_key.reveal(), settings.app_password.reveal())
    )
    app[LINKS] = links

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        # botbuilder's connector client and the local store run blocking calls in the default
        # executor; Python's default (cores + 4 = 6 threads here) queues them under load.
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=WORKER_THREADS))
        trace = (
            MemoryTrace(settings.memory_trace_file, settings.memory_trace_seconds)
            if settings.memory_trace_file
            else None
        )
        if trace is not None:
            trace.start()
        trimmer = Trimmer(settings.malloc_trim_seconds)
        trimmer.start()
        runtime = await build_runtime(settings, overrides, links)
        app[RUNTIME] = runtime
        if overrides.run_scheduler:
            runtime.scheduler.start()  # its first tick retries whatever a crash left pending
        yield
        await runtime.close()
        await trimmer.stop()
        if trace is not None:
            await trace.stop()

    app.cleanup_ctx.append(lifecycle)

    async def process(request: web.Request) -> web.StreamResponse | None:
        runtime = request.app[RUNTIME]
        turn = _TrackedTurn(runtime.bot)
        try:
            response: web.StreamResponse | None = await runtime.adapter.process(request, turn)
            return response
        except web.HTTPException:
            raise
        except DeserializationError:
            # A field of a type botbuilder's model cannot read (a date that is none, say): the
            # request is malformed, whoever sent it; nothing has been read or stored yet.
            log.info("refused an activity botbuilder cannot read", extra=fields())
            raise web.HTTPBadRequest(reason="not an activity") from None
        except Exception as exc:
            # botbuilder surfaces some token failures (bad signature, unknown key) as plain
            # exceptions. Whatever fails before the bot's turn began is an authentication failure.
            if not turn.started:
                log.warning("token refused", extra=fields(error=type(exc).__name__))
                raise web.HTTPUnauthorized(reason="invalid token") from None
            raise

    app.router.add_post(
        "/api/messages",
        messages_handler(
            process, settings.app_tenant_id if settings.app_id else "", local_mode=not settings.authenticated
        ),
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz_handler(readiness_checks))

    # Local mode only serves files here; on Azure Blob the card links are read-only SAS URLs.
    async def evidence_opened(request: web.Request, case_id: str, sha256: str, viewer: str) -> None:
        runtime = request.app[RUNTIME]
        await access_log.evidence_opened(runtime.cases, runtime.actions.clock.now(), case_id, sha256, viewer)

    app.router.add_get(
        "/evidence/{case_id}/{sha256}",
        evidence_handler(links, lambda r: r.app[RUNTIME].store, evidence_opened),
    )
    app.router.add_get("/pack/{case_id}/{sha256}", pack_handler(links, lambda r: r.app[RUNTIME].packs))
    app.router.add_get("/export/{case_id}/{sha256}", export_handler(links, lambda r: r.app[RUNTIME].exports))
    return app


def readiness_checks(request: web.Request) -> dict[str, Callable[[], Awaitable[bool]]]:
    """What /readyz asks: the store answers a read, and this instance's scheduler loop runs."""
    runtime = request.app.get(RUNTIME)
    if runtime is None:
        return {"started": _false}

    async def store() -> bool:
        await runtime.store.get(names.HEALTH_PROBE)  # absent is fine: the store answered
        return True

    async def scheduler() -> bool:
        return runtime.scheduler.alive()

    return {"store": store, "scheduler": scheduler}


async def _false() -> bool:
    return False


def main() -> None:
    limit_arenas()  # before any thread exists: memory flat under load (bot/hosting/malloc.py)
    try:
        settings = load_settings(os.environ)
        load_routes(settings.takedown_routes_file)  # checked again at start-up; here for a plain message
    except (SettingsError, RoutesError) as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(settings.log_level)
    configure_telemetry(settings.applicationinsights_connection_string.reveal())
    if not settings.authenticated:
        log.warning(
            "NO MicrosoftAppId: running UNAUTHENTICATED for local use only, bound to %s:%s",
            settings.bind_host,
            settings.port,
        )
    log.info(
        "starting",
        extra=fields(
            port=settings.port,
            storage="blob" if settings.storage_connection_string or settings.storage_account_url else "local",
        ),
    )
    log.debug("settings", extra=fields(settings=repr(settings)))
    app = create_app(settings)
    app.on_startup.append(_set_aside_start_up)  # after the runtime is built (cleanup_ctx runs first)
    web.run_app(app, host=settings.bind_host, port=settings.port, print=None)


async def _set_aside_start_up(_app: web.Application) -> None:
    """What start-up built (modules, botbuilder's models, the runtime) lives as long as the process:
    set it aside from the cyclic garbage collector, whose full collections would otherwise walk it
    every time (about 150,000 objects: a pause of tens of milliseconds in whichever turn triggers
    one). Only in the real process: tests build many apps in one interpreter."""
    gc.collect()
    gc.freeze()


if __name__ == "__main__":
    main()
