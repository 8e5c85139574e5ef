"""Route by table, not by substring: typed commands and card verbs map to one handler name each.

Pure (no botbuilder): tested without HTTP in tests/unit/test_routes.py.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from cards.verbs import Verb

# Typed commands, Danish and English, normalised (lower case, no punctuation, "æøå" kept).
COMMANDS: dict[str, Verb] = {
    "rapportér": Verb.REPORT,
    "rapporter": Verb.REPORT,
    "anmeld": Verb.REPORT,
    "report": Verb.REPORT,
    "mine sager": Verb.MY_CASES,
    "my cases": Verb.MY_CASES,
    "retningslinje": Verb.GUIDELINE,
    "retningslinjen": Verb.GUIDELINE,
    "guideline": Verb.GUIDELINE,
    "hjælp": Verb.HELP,
    "hjaelp": Verb.HELP,
    "help": Verb.HELP,
    "menu": Verb.HELP,
    "sager": Verb.HR_CASES,
    "cases": Verb.HR_CASES,
    "med-status": Verb.HR_MED_STATUS,
    "med status": Verb.HR_MED_STATUS,
    "send med-påmindelse": Verb.HR_MED_SEND,
    "send med-paamindelse": Verb.HR_MED_SEND,
    "send med reminder": Verb.HR_MED_SEND,
    "registrer med-kanal": Verb.MED_REGISTER,
    "registrer med kanal": Verb.MED_REGISTER,
    "register med channel": Verb.MED_REGISTER,
}

# Commands that take an argument after them ("send MED-påmindelse Borgerservice").
ARG_COMMANDS = frozenset({Verb.HR_MED_SEND})

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def normalise(text: str) -> str:
    """Strip @mentions, markup and punctuation at the ends; collapse spaces; lower-case."""
    text = _MENTION.sub(" ", text or "")
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split()).strip(" .!?:;,").lower()
    return text


def command_for(text: str) -> Verb | None:
    """The verb for a typed command; HR/MED commands may carry an argument after the command."""
    norm = normalise(text)
    if norm in COMMANDS:
        return COMMANDS[norm]
    for phrase, verb in COMMANDS.items():
        if verb in ARG_COMMANDS and norm.startswith(phrase + " "):
            return verb
    return None


def command_argument(text: str) -> str:
    norm = normalise(text)
    for phrase, verb in COMMANDS.items():
        if verb in ARG_COMMANDS and norm.startswith(phrase + " "):
            return norm[len(phrase) + 1 :].strip()
    return ""



def verb_of(value: Any) -> Verb | None:
    """The verb in a card's submitted data; unknown verbs are None (never trusted)."""
    if not isinstance(value, dict):
        return None
    raw = value.get("verb")
    if not isinstance(raw, str):
        return None
    try:
        return Verb(raw)
    except ValueError:
        return None
