"""Who is who in an Agents Playground instance: people, chats, the team, rendered to its yml.

Why: the Playground takes the signed-in user, the five other users, the personal chat, the team and its
channel from a `.m365agentsplayground.yml`. Two instances with different current users against one bot
give an employee and a leader, so the roster is fixed here and each instance picks its current user.
The team and channel ids are shared by all instances: they are one workplace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parent.parent / "playground.yml.tmpl"
OTHER_USERS = 5  # the Playground's schema demands exactly five users besides the current one

TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
BOT_ID = "00000000-0000-0000-0000-0000000000b0"


@dataclass(frozen=True)
class PlaygroundUser:
    """One person. `id` is the channel account id (`from.id`); `aad_object_id` is what the bot keys on."""

    key: str
    name: str
    aad_object_id: str
    given_name: str
    surname: str

    @property
    def id(self) -> str:
        return f"29:{self.key}"

    @property
    def upn(self) -> str:
        return f"{self.key}@kommune.example"

    def channel_account(self) -> dict[str, str]:
        """The `from` of an activity sent by this person."""
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}


def _user(key: str, given: str, surname: str, n: int) -> PlaygroundUser:
    return PlaygroundUser(key, f"{given} {surname}", f"00000000-0000-0000-0000-0000000001{n:02d}", given, surname)


EMPLOYEE = _user("employee", "Ellen", "Medarbejder", 1)
LEADER = _user("leader", "Lars", "Leder", 2)
DEPUTY = _user("deputy", "Dorte", "Stedfortræder", 3)
HR = _user("hr", "Hanne", "Personale", 4)
COLLEAGUE = _user("colleague", "Carsten", "Kollega", 5)
MED_MEMBER = _user("med", "Mette", "Medudvalg", 6)
ROSTER: tuple[PlaygroundUser, ...] = (EMPLOYEE, LEADER, DEPUTY, HR, COLLEAGUE, MED_MEMBER)


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything one Playground instance needs; `render()` gives its yml text."""

    current: PlaygroundUser
    others: tuple[PlaygroundUser, ...] = ()
    locale: str = "da-DK"
    time_zone: str = "Europe/Copenhagen"
    tenant_id: str = TENANT_ID
    bot_id: str = BOT_ID
    bot_name: str = "Krænkelser"
    personal_chat_id: str = ""
    group_chat_id: str = ""
    group_chat_name: str = "Gruppechat"
    team_id: str = "19:team-arbejdsplads@thread.tacv2"
    team_name: str = "Arbejdspladsen"
    team_aad_group_id: str = "00000000-0000-0000-0000-0000000000c0"
    channel_id: str = "19:channel-med@thread.tacv2"
    channel_name: str = "MED"

    def __post_init__(self) -> None:
        if len(self.others) != OTHER_USERS:
            raise ValueError(f"the Playground needs exactly {OTHER_USERS} other users, got {len(self.others)}")
        ids = [self.current.id, *(u.id for u in self.others)]
        if len(set(ids)) != len(ids):
            raise ValueError("user ids must be unique")

    def render(self) -> str:
        values = {
            "tenant_id": self.tenant_id,
            "bot_id": self.bot_id,
            "bot_name": self.bot_name,
            "personal_chat_id": self.personal_chat_id,
            "group_chat_id": self.group_chat_id,
            "group_chat_name": self.group_chat_name,
            "team_id": self.team_id,
            "team_name": self.team_name,
            "team_aad_group_id": self.team_aad_group_id,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
        }
        quoted = {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()}
        quoted["current_user"] = _user_yaml(self.current, "  ")
        quoted["users"] = "\n".join(_user_yaml(u, "  - ", "    ") for u in self.others)
        return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(quoted)


def _user_yaml(user: PlaygroundUser, first: str, rest: str | None = None) -> str:
    rest = first if rest is None else rest
    fields = [
        ("id", user.id),
        ("name", user.name),
        ("userPrincipleName", user.upn),  # sic: the Playground's spelling
        ("aadObjectId", user.aad_object_id),
        ("givenName", user.given_name),
        ("surname", user.surname),
        ("email", user.upn),
    ]
    lines = [f"{first if i == 0 else rest}{k}: {json.dumps(v, ensure_ascii=False)}" for i, (k, v) in enumerate(fields)]
    return "\n".join(lines)


def config_for(current: PlaygroundUser, **overrides: str) -> PlaygroundConfig:
    # overrides: any PlaygroundConfig string field, e.g. locale="en-US", channel_name="Ledelse".
    """The standard workplace seen by `current`; the other five come from the roster.

    The personal chat id is derived from the user, so the employee's and the leader's chats differ
    and a conversation reference stored by the bot points at the right instance's chat.
    """
    others = tuple(u for u in ROSTER if u.key != current.key)[:OTHER_USERS]
    base = PlaygroundConfig(
        current=current,
        others=others,
        personal_chat_id=f"a:personal-{current.key}",
        group_chat_id=f"19:group-{current.key}@thread.v2",
    )
    return replace(base, **overrides) if overrides else base  # type: ignore[arg-type]
