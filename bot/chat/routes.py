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
    "indberet": Verb.REPORT,
    "indberetning": Verb.REPORT,
    "indberet en episode": Verb.REPORT,
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
    "med-overblik": Verb.HR_MED_OVERVIEW,
    "med overblik": Verb.HR_MED_OVERVIEW,
    "med overview": Verb.HR_MED_OVERVIEW,
    "med-status": Verb.HR_MED_OVERVIEW,  # the old name, kept as an alias
    "med status": Verb.HR_MED_OVERVIEW,
    "med-evaluering": Verb.MED_CARD,
    "med evaluering": Verb.MED_CARD,
    "med evaluation": Verb.MED_CARD,
    "send med-påmindelse": Verb.HR_MED_SEND,
    "send med-paamindelse": Verb.HR_MED_SEND,
    "send med reminder": Verb.HR_MED_SEND,
    "stop sletning": Verb.HR_HOLD,
    "hold deletion": Verb.HR_HOLD,
    "tillad sletning": Verb.HR_RELEASE,
    "indsigt": Verb.HR_EXPORT,
    "slet sag": Verb.HR_ERASE,
    "ret navn": Verb.HR_CORRECT_NAME,
    "correct name": Verb.HR_CORRECT_NAME,
    "erase case": Verb.HR_ERASE,
    "export person": Verb.HR_EXPORT,
    "release deletion": Verb.HR_RELEASE,
    "registrer med-kanal": Verb.MED_REGISTER,
    "registrer med kanal": Verb.MED_REGISTER,
    "register med channel": Verb.MED_REGISTER,
    # Cancel works everywhere: the dialog in progress ends, or the user hears there was none.
    "annuller": Verb.REPORT_CANCEL,
    "afbryd": Verb.REPORT_CANCEL,
    "cancel": Verb.REPORT_CANCEL,
    "stop": Verb.REPORT_CANCEL,
}

# Verbs renamed since cards carrying the old name may still be around.
VERB_ALIASES = {"hr_med_status": Verb.HR_MED_OVERVIEW.value}

# Commands that take an argument after them ("send MED-påmindelse Borgerservice").
ARG_COMMANDS = frozenset(
    {Verb.HR_MED_SEND, Verb.HR_HOLD, Verb.HR_RELEASE, Verb.HR_EXPORT, Verb.HR_ERASE, Verb.HR_CORRECT_NAME}
)

_UP_TO_LAST_CLOSE = re.compile(r".*</at>", re.IGNORECASE | re.DOTALL)  # greedy: backs off to the last one
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def strip_mentions(text: str) -> str:
    """Replace each `<at>…</at>` (any case) with a space, in linear time.

    The expression alone rescans the rest of the text from every `<at>` that has no `</at>` after
    it: 100 KB of `<at>` blocked the event loop for about 9 s. Cut at the last `</at>`, every
    `<at>` before it has a close, so each scan ends at the next close and resumes after it: every
    character is read a bounded number of times.
    """
    head = _UP_TO_LAST_CLOSE.match(text)
    if head is None:
        return text
    cut = head.end()
    return _MENTION.sub(" ", text[:cut]) + text[cut:]


def strip_tags(text: str) -> str:
    """Replace each `<…>` with a space, in linear time (cut at the last `>`, as above)."""
    last = text.rfind(">")
    if last < 0:
        return text
    return _TAG.sub(" ", text[: last + 1]) + text[last + 1 :]


def normalise(text: str) -> str:
    """Strip @mentions, markup and punctuation at the ends; collapse spaces; lower-case.

    Linear in the length of the text (see `strip_mentions`); tests/hostile/test_parser_fuzz.py
    holds it to a time bound per input.
    """
    text = strip_mentions(text or "")
    text = unicodedata.normalize("NFC", text)
    text = strip_tags(text)
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
        return Verb(VERB_ALIASES.get(raw, raw))
    except ValueError:
        return None
