"""The bot's own error tree. Handlers map each class to a friendly message; never show str(e).

BotError
├── DomainError                 a rule of the guideline says no (bot.guideline.errors)
├── NotFound                    no such case, draft, evidence or channel
├── NotPermitted                the actor may not do this (forwarded or forged card)
│   └── Refused                 ... and the user is told why (`reason` is a text key, `values` its values)
├── StorageError
│   ├── Conflict                the ETag moved: re-read and re-apply
│   └── AlreadyExists           create-only write hit an existing name (evidence is write-once)
├── EvidenceRejected            an attachment was refused; .reason is a text key
├── InvalidInput                a card payload or command failed validation; .field names it
│   └── UnknownUnit             typed text names no known unit; `closest` holds the nearest names
└── DeliveryFailed              a proactive message could not be delivered
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class NotFound(BotError):
    pass


class NotPermitted(BotError):
    pass


class Refused(NotPermitted):
    """Not permitted, with the reason the user is shown: `reason` is a text key, `values` fill it."""

    def __init__(self, reason: str, **values: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


class StorageError(BotError):
    pass


class Conflict(StorageError):
    """A conditional write lost: the document changed since it was read."""


class AlreadyExists(StorageError):
    """A create-only write found the name taken."""


class EvidenceRejected(BotError):
    """An attachment was refused. `reason` is a key into the texts (bot.texts)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class InvalidInput(BotError):
    """Input failed validation. `field` names the input, `reason` is a text key."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DeliveryFailed(BotError):
    """A message was not delivered. `permanent`: trying again later does not help (the request
    was refused). `gone`: the conversation no longer takes the bot's messages (Teams answered
    403/404: the bot was removed, the chat or channel deleted), so its stored reference is dead."""

    permanent: bool = False
    gone: bool = False


class NotReachable(DeliveryFailed):
    """A person with no stored chat with the bot, and no way to open one."""


class UnknownUnit(InvalidInput):
    """The text names no unit the directory knows; `closest` are the nearest known names."""

    def __init__(self, text: str, closest: list[str]) -> None:
        super().__init__("unit", "unknown_unit")
        self.text = text
        self.closest = closest
