"""`hjælp`: the commands that fit who asks and where.

An employee sees the employee's commands; a leader (someone who leads or deputises on a case, or
a leader in the directory) also the leader's; HR also HR's; in a channel the MED commands. The
command words are in the texts (so a municipality words them), and tests/unit/test_help.py checks
that every word shown is one the router understands and that every command is shown to someone.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from bot.texts import Texts
from cards.common import Card, Element, card, heading, submit, text, title
from cards.verbs import HR_COMMANDS, Verb


@dataclass(frozen=True)
class Audience:
    """Who asks, and where: decided by the Teams edge (bot/teams/handler.py) before drawing."""

    leader: bool = False
    hr: bool = False
    channel: bool = False

    def sections(self) -> tuple[str, ...]:
        if self.channel:
            return ("channel", "hr") if self.hr else ("channel",)
        return ("employee", *(("leader",) if self.leader else ()), *(("hr",) if self.hr else ()))


# Which typed commands each section names (the words themselves are in help.body.<section>).
SECTION_COMMANDS = MappingProxyType(
    {
        "employee": frozenset({Verb.REPORT, Verb.MY_CASES, Verb.GUIDELINE, Verb.HELP, Verb.REPORT_CANCEL}),
        "leader": frozenset({Verb.MY_CASES}),
        "hr": HR_COMMANDS,
        "channel": frozenset({Verb.MED_REGISTER, Verb.MED_CARD, Verb.HELP}),
    }
)


def help_card(tx: Texts, who: Audience, bot_name: str = "") -> Card:
    body: list[Element] = [title(tx("help.title")), text(tx("help.intro"), isSubtle=True)]
    for section in who.sections():
        body.append(heading(tx(f"help.section.{section}")))
        values = {"bot": bot_name or tx("help.bot_name")} if section == "channel" else {}
        body.append(text(tx(f"help.body.{section}", **values)))
    actions: list[Element] = []
    if who.channel:
        actions.append(submit(tx("med.register.button"), Verb.MED_REGISTER))
    else:
        actions += [
            submit(tx("action.report"), Verb.REPORT, style="positive"),
            submit(tx("action.my_cases"), Verb.MY_CASES),
            submit(tx("action.guideline"), Verb.GUIDELINE),
        ]
    if who.hr:
        actions += [submit(tx("help.hr_cases"), Verb.HR_CASES), submit(tx("help.med_overview"), Verb.HR_MED_OVERVIEW)]
    return card(body, actions)
