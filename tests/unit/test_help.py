"""`hjælp` names every command a person may use, in words the router understands.

Why: a command nobody can find is as good as missing, and a help text that shows a word the bot
does not understand sends people into "Det forstod jeg ikke". The words are read from the texts
(where a municipality may reword them) and fed to the real router.
"""

from __future__ import annotations

import re

import pytest

from bot.chat.routes import COMMANDS, command_for, normalise
from bot.texts import Texts
from cards.help import SECTION_COMMANDS, Audience, help_card
from cards.verbs import Verb
from dialogs.report import DONE_WORDS
from tests.bot.chat import all_text

LANGUAGES = ("da", "en")


def not_commands(tx: Texts) -> set[str]:
    """Bold words that are not commands of their own: "done" acts inside the report dialog, and
    the buttons of the MED card and the case card are clicked, not typed."""
    buttons = ("med.on_agenda", "med.done", "act.acknowledge")
    return set(DONE_WORDS) | {normalise(tx(key)) for key in buttons}


def shown_words(text: str) -> set[str]:
    """The bold words of a help text, without the "@bot" a channel message starts with."""
    return {normalise(re.sub(r"^@\S+\s+", "", w)) for w in re.findall(r"\*\*(.+?)\*\*", text)}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("section", sorted(SECTION_COMMANDS))
def test_each_section_shows_working_words_for_exactly_its_commands(lang: str, section: str) -> None:
    tx = Texts(lang)
    body = tx(f"help.body.{section}", bot="Krænkelser")
    words = shown_words(body) - not_commands(tx)
    routed = {word: command_for(word) for word in words}
    assert [w for w, verb in routed.items() if verb is None] == [], "a word the router does not understand"
    assert set(routed.values()) == set(SECTION_COMMANDS[section])


def test_every_typed_command_is_in_some_section() -> None:
    assert set(COMMANDS.values()) - {v for verbs in SECTION_COMMANDS.values() for v in verbs} == set()


@pytest.mark.parametrize(
    ("who", "sections"),
    [
        (Audience(), ["employee"]),
        (Audience(leader=True), ["employee", "leader"]),
        (Audience(hr=True), ["employee", "hr"]),
        (Audience(leader=True, hr=True), ["employee", "leader", "hr"]),
        (Audience(channel=True), ["channel"]),
        (Audience(channel=True, hr=True), ["channel", "hr"]),
        (Audience(channel=True, leader=True), ["channel"]),
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_card_shows_the_sections_that_fit_who_asks(lang: str, who: Audience, sections: list[str]) -> None:
    tx = Texts(lang)
    body = all_text(help_card(tx, who, "Krænkelser"))
    shown = [s for s in sorted(SECTION_COMMANDS) if tx(f"help.section.{s}") in body]
    assert sorted(shown) == sorted(sections)
    hr_buttons = {Verb.HR_CASES.value, Verb.HR_MED_OVERVIEW.value}
    verbs = {a["data"]["verb"] for a in help_card(tx, who).get("actions", [])}
    assert bool(verbs & hr_buttons) is who.hr


def test_the_channel_help_names_the_bot_as_people_mention_it() -> None:
    body = all_text(help_card(Texts("da"), Audience(channel=True), "Krænkelser"))
    assert "@Krænkelser registrer MED-kanal" in body
