"""Drive the Agents Playground web UI in headless Chromium, as the person in front of Teams would.

Why: the cards must work where people meet them. The Playground renders Adaptive Cards with the Teams
host config (Fluent UI controls), validates required inputs, sends Action.Execute invokes and replaces
the card in place, just as Teams does. These helpers hide its DOM (checked on 0.2.28):
- every bot message is a `.fai-OutputCard`; a card inside it is `.ac-preview-panel > .ac-adaptiveCard`;
- in a team channel, posts are `.fui-Card[role=group]`, newest first, written with a "Post" button;
- the compose box is the Lexical editor `[data-lexical-editor=true]`;
- chats and channels are tree items named "Personal Chat" and "<team> - <channel>";
- choice sets and date/time pickers are `[role=combobox]`, toggles are checkboxes named by their title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Locator, Page, Route
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.e2e.harness.config import PlaygroundConfig

MESSAGE = ".fai-OutputCard"
# In a channel every post is a Fluent card with a header menu; the compose card has none. Newest first.
CHANNEL_POST = '.fui-Card[role=group]:has(button[aria-label="Show more information"])'
CARD_IN_MESSAGE = ".ac-preview-panel > .ac-adaptiveCard"
COMPOSE = "[data-lexical-editor=true]"
WAIT_MS = 15_000
TOOLBARS_PX = 400  # the Playground's header, toolbar and compose box around the message list
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Returns 1 + the DOM index of the newest message whose text contains `text`, among the messages that
# arrived after the first `after` ones; 0 when there is none yet. Channels list the newest post first.
_FIND_JS = """([sel, after, text, newestFirst]) => {
  const els = [...document.querySelectorAll(sel)];
  const fresh = els.length - Math.max(after, 0);
  for (let k = 0; k < fresh; k++) {
    const i = newestFirst ? k : els.length - 1 - k;
    if (els[i].innerText.includes(text)) return i + 1;
  }
  return 0;
}"""

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9æøå]+", "-", text.lower()).strip("-")[:40] or "x"


@dataclass
class Artifacts:
    """Screenshots of one test, numbered in the order taken: test-artifacts/e2e/<test>/<n>-<name>.png."""

    directory: Path
    count: int = 0

    def next_path(self, name: str) -> Path:
        self.count += 1
        return self.directory / f"{self.count:02d}-{slug(name)}.png"


async def _local_only(route: Route) -> None:
    """The machine reaches no internet; fail fast on the Playground's CDN fonts and telemetry."""
    if LOCAL.match(route.request.url) or route.request.url.startswith("data:"):
        await route.continue_()
    else:
        await route.abort()


@dataclass
class ChatPage:
    """One person's Playground tab. Every wait defaults to 15 s."""

    page: Page
    context: BrowserContext
    config: PlaygroundConfig
    artifacts: Artifacts
    who: str = field(default="")
    in_channel: bool = False

    @property
    def _messages(self) -> str:
        return CHANNEL_POST if self.in_channel else MESSAGE

    @classmethod
    async def open(cls, browser: Browser, url: str, config: PlaygroundConfig, artifacts: Artifacts) -> ChatPage:
        """Load the Playground. Loading it is the app install: it sends installationUpdate and
        conversationUpdate for the personal chat."""
        context = await browser.new_context(
            locale=config.locale, timezone_id=config.time_zone, viewport={"width": 1400, "height": 1000}
        )
        context.set_default_timeout(WAIT_MS)
        await context.route("**/*", _local_only)
        page = await context.new_page()
        await page.goto(url)
        await page.get_by_role("treeitem", name="Personal Chat").wait_for()
        await page.locator(COMPOSE).first.wait_for()
        return cls(page, context, config, artifacts, config.current.key)

    async def close(self) -> None:
        await self.context.close()

    # -- conversations ----------------------------------------------------------------------------

    async def open_personal_chat(self) -> None:
        await self.page.get_by_role("treeitem", name="Personal Chat").click()
        await self.page.locator(COMPOSE).first.wait_for()
        self.in_channel = False

    async def open_channel(self, channel_name: str | None = None) -> None:
        """Open a team channel (default: the configured one; "General" for the team's general channel).
        The Playground then sends installationUpdate and conversationUpdate for that channel."""
        name = f"{self.config.team_name} - {channel_name or self.config.channel_name}"
        await self.page.get_by_role("treeitem", name=name, exact=True).click()
        await self.page.get_by_role("button", name="Post", exact=True).wait_for()
        self.in_channel = True

    # -- messages ---------------------------------------------------------------------------------

    async def message_count(self) -> int:
        """Messages in the open conversation (bot messages in a chat, all posts in a channel);
        pass it as `after=` to wait only for newer ones."""
        return await self.page.locator(self._messages).count()

    async def send_text(self, text: str) -> int:
        """Type and send a message (in a channel: a new post, which reaches the bot only with an
        @mention, so use activities.message_from(..., mention_bot=True) there); returns the message
        count from before, for `after=`."""
        before = await self.message_count()
        await self.page.locator(COMPOSE).first.click()
        await self.page.keyboard.type(text)
        if self.in_channel:
            await self.page.get_by_role("button", name="Post", exact=True).click()
        else:
            await self.page.keyboard.press("Enter")
        return before

    async def _find(self, text: str, after: int, wait_ms: int) -> int:
        try:
            handle = await self.page.wait_for_function(
                _FIND_JS, arg=[self._messages, after, text, self.in_channel], polling=100, timeout=wait_ms
            )
        except PlaywrightTimeout:
            # A readable failure: what the person does see, and a screenshot of the whole tab.
            shot = await self.screenshot(f"timeout-{text}")
            seen = [t.strip()[:200] for t in await self.page.locator(self._messages).all_inner_texts()]
            raise AssertionError(
                f"{self.who}: no message containing {text!r} after the first {after} within {wait_ms} ms.\n"
                f"Messages shown: {seen}\nScreenshot: {shot}"
            ) from None
        return int(await handle.json_value()) - 1

    async def wait_for_message(self, text: str, *, after: int = 0, wait_ms: int = WAIT_MS) -> Locator:
        """The newest message (text or card) containing `text`, among those after the first `after`."""
        index = await self._find(text, after, wait_ms)
        return self.page.locator(self._messages).nth(index)

    async def wait_for_card(
        self, text: str, *, after: int = 0, name: str | None = None, wait_ms: int = WAIT_MS
    ) -> Card:
        """The newest card containing `text`, among messages after the first `after`; screenshot saved."""
        index = await self._find(text, after, wait_ms)
        card = Card(self, self.page.locator(self._messages).nth(index).locator(CARD_IN_MESSAGE).first)
        await card.root.wait_for()
        await card.screenshot(name or f"{self.who}-{text}")
        return card

    async def latest_card(self) -> Card:
        where = self.page.locator(self._messages)
        card = Card(self, (where.first if self.in_channel else where.last).locator(CARD_IN_MESSAGE).first)
        await card.root.wait_for()
        return card

    async def screenshot(self, name: str) -> Path:
        """The whole tab, e.g. to show a chat list or a validation error."""
        path = self.artifacts.next_path(f"{self.who}-{name}")
        await self.page.screenshot(path=str(path))
        return path


@dataclass
class Card:
    """One rendered Adaptive Card. Field lookups use the input's label as a person reads it."""

    chat: ChatPage
    root: Locator

    @property
    def page(self) -> Page:
        return self.chat.page

    async def text(self) -> str:
        return await self.root.inner_text()

    async def wait_for_text(self, text: str, *, wait_ms: int = WAIT_MS) -> None:
        """Wait until the card shows `text` (after an Action.Execute the card is replaced in place)."""
        await self.root.get_by_text(text).first.wait_for(timeout=wait_ms)

    async def screenshot(self, name: str) -> Path:
        """The card alone. A card taller than the tab (a case card) would come out cut and overlaid by
        the Playground's toolbar, so the tab is made tall enough for the moment of the screenshot."""
        path = self.chat.artifacts.next_path(name)
        viewport = self.page.viewport_size
        box = await self.root.bounding_box()
        grow = viewport is not None and box is not None and box["height"] + TOOLBARS_PX > viewport["height"]
        if grow and viewport is not None and box is not None:
            await self.page.set_viewport_size({"width": viewport["width"], "height": int(box["height"]) + TOOLBARS_PX})
        try:
            await self.root.scroll_into_view_if_needed()
            await self.root.screenshot(path=str(path))
        finally:
            if grow and viewport is not None:
                await self.page.set_viewport_size(viewport)
        return path

    async def _field(self, label: str, role: str | None = None) -> Locator:
        for exact in (True, False):
            if role == "combobox":
                loc = self.root.get_by_role("combobox", name=label, exact=exact)
            else:
                loc = self.root.get_by_label(label, exact=exact)
            n = await loc.count()
            if n == 1:
                return loc
            if n > 1:
                raise AssertionError(f"{n} inputs labelled {label!r} in the card")
        raise AssertionError(f"no input labelled {label!r} in the card:\n{await self.text()}")

    async def fill(self, label: str, value: str) -> None:
        """Input.Text (single or multi-line) or Input.Number."""
        await (await self._field(label)).fill(value)

    async def select(self, label: str, *titles: str) -> None:
        """Input.ChoiceSet: pick option(s) by their visible title (compact = combobox, expanded = radios)."""
        box = self.root.get_by_role("combobox", name=label, exact=True)
        if await box.count() == 0:
            box = self.root.get_by_role("combobox", name=label)
        if await box.count() == 1:
            await box.click()
            for title in titles:
                await self.page.get_by_role("option", name=title, exact=True).click()
            if await box.get_attribute("aria-expanded") == "true":
                await box.press("Escape")
            return
        for title in titles:
            await self.root.get_by_label(title, exact=True).check()

    async def toggle(self, title: str, on: bool = True) -> None:
        """Input.Toggle, found by its title."""
        await (await self._field(title)).set_checked(on)

    async def set_date(self, label: str, iso_date: str) -> None:
        """Input.Date: click the day in the calendar, as a person does.

        Typing into the Playground's Fluent date picker shows the date in the box but never
        reaches the card's input value (the invoke then carries no date); a click in the
        calendar does. The calendar's labels are Fluent's English defaults: the header says
        "November 2026", a day button "4, November, 2026"."""
        day = date.fromisoformat(iso_date)
        box = await self._field(label, "combobox")
        await box.click()
        calendar = self.page.get_by_role("dialog", name="Calendar")
        await calendar.wait_for()
        wanted = calendar.get_by_role("button", name=f"{day.day}, {MONTHS[day.month - 1]}, {day.year}", exact=True)
        for _ in range(24):
            if await wanted.count():
                await wanted.first.click()
                await calendar.wait_for(state="hidden")
                return
            shown = await calendar.locator(".fui-CalendarDay__monthAndYear").inner_text()
            month, year = shown.split()
            forward = (day.year, day.month) > (int(year), MONTHS.index(month) + 1)
            step = "Next month" if forward else "Previous month"
            await calendar.locator(f'button[title^="{step}"]').click()
        raise AssertionError(f"{label}: the calendar never showed {iso_date}")

    async def set_time(self, label: str, hh_mm: str) -> None:
        """Input.Time: type HH:MM into the Fluent time picker, accept, close the list."""
        box = await self._field(label, "combobox")
        await box.fill(hh_mm)
        await box.press("Enter")
        await box.press("Escape")
        if not await box.input_value():
            raise AssertionError(f"time picker {label!r} did not accept {hh_mm!r}")

    async def click(self, title: str) -> None:
        """Press a card action (Action.Execute/Submit/ShowCard/OpenUrl) by its title."""
        await self.root.get_by_role("button", name=title, exact=True).first.click()
