"""Our errors -> a friendly message in the user's language. Never str(e); never match on text."""

from __future__ import annotations

from bot.errors import (
    BotError,
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    Refused,
    UnknownUnit,
)
from bot.guideline.actions import INPUT_LABELS
from bot.guideline.errors import (
    CaseAlreadyClosed,
    DomainError,
    InvalidDecision,
    InvalidTransition,
    RoleRefused,
)
from bot.texts import Texts


def message_for(error: BaseException, tx: Texts) -> str:
    if isinstance(error, Refused):
        return tx(error.reason, **error.values)
    if isinstance(error, UnknownUnit):
        if error.closest:
            return tx("med.unit.unknown_closest", names=", ".join(error.closest))
        return tx("med.unit.unknown")
    if isinstance(error, (RoleRefused, NotPermitted)):
        return tx("error.not_permitted")
    if isinstance(error, CaseAlreadyClosed):
        return tx("error.case_closed")
    if isinstance(error, InvalidTransition):
        key = f"domain.{error.code}"
        return tx(key) if tx.has(key) else tx("error.not_possible_now")
    if isinstance(error, InvalidDecision):
        field_key = f"field.{error.field}"
        field = tx(field_key) if tx.has(field_key) else error.field
        reason_key = f"invalid.{error.code}"
        return tx(reason_key, field=field) if tx.has(reason_key) else tx("invalid.generic", field=field)
    if isinstance(error, InvalidInput):
        field_key = f"field.{error.field}"
        label_key = INPUT_LABELS.get(error.field, "")
        field = tx(field_key) if tx.has(field_key) else tx(label_key) if tx.has(label_key) else error.field
        reason_key = f"invalid.{error.reason}"
        return tx(reason_key, field=field) if tx.has(reason_key) else tx("invalid.generic", field=field)
    if isinstance(error, NotFound):
        return tx("error.not_found")
    if isinstance(error, Conflict):
        return tx("error.conflict")
    if isinstance(error, (DomainError, BotError)):
        return tx("error.not_possible_now")
    return tx("error.generic")
