"""Errors of the guideline domain.

Each error carries a stable `code` (a text key): the Teams layer maps it to a Danish or
English message, so nobody ever shows `str(e)` to a user or classifies an error by its text.
This module imports nothing from the rest of the bot on purpose: the domain stands alone, and
the edge catches `DomainError` next to its own `bot.errors.BotError` tree.

    DomainError
    ├── InvalidTransition     the step (or case) is not in a state that allows this decision
    │   └── CaseAlreadyClosed the case is closed: nothing more can be decided on it
    ├── RoleRefused           the actor's role on the case does not allow it (NotPermitted)
    ├── InvalidDecision       a decision's own values are unacceptable; `field` names the value
    └── MalformedDocument     a stored document cannot be read back into the domain
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of the domain's errors; `code` is the stable text key."""

    code: str = "domain_error"

    def __init__(self, code: str | None = None, detail: str = "") -> None:
        if code is not None:
            self.code = code
        self.detail = detail
        super().__init__(f"{self.code}: {detail}" if detail else self.code)


class InvalidTransition(DomainError):
    """A decision that the step's or case's current state does not allow.

    `open_steps` is filled when a close was refused: the steps that still need a decision.
    """

    code = "invalid_transition"

    def __init__(self, code: str | None = None, detail: str = "", open_steps: tuple[str, ...] = ()) -> None:
        super().__init__(code, detail)
        self.open_steps = open_steps


class CaseAlreadyClosed(InvalidTransition):
    """Anything but a repeated close, on a closed case."""

    code = "case_closed"

    def __init__(self, detail: str = "") -> None:
        super().__init__("case_closed", detail)


class RoleRefused(DomainError):
    """The actor holds no role that may take this decision (NotPermitted semantics).

    `required` lists the role names that would have been accepted.
    """

    code = "role_refused"

    def __init__(self, required: tuple[str, ...] = (), detail: str = "") -> None:
        super().__init__("role_refused", detail)
        self.required = required


class InvalidDecision(DomainError):
    """A decision's values fail validation; `field` names the offending value."""

    code = "invalid_decision"

    def __init__(self, field: str, code: str) -> None:
        super().__init__(code, field)
        self.field = field


class MalformedDocument(DomainError, ValueError):
    """A stored document does not describe a valid case or evaluation."""

    code = "malformed_document"

    def __init__(self, detail: str = "") -> None:
        super().__init__("malformed_document", detail)
