"""A one-line speed fix for msrest (botbuilder's HTTP layer, archived upstream).

botbuilder builds a new connector client for every reply and every proactive message, and each
one builds msrest's retry policy with `[i for i in range(999) if i not in safe_codes]`, where
`safe_codes` is a 500-element list: half a million comparisons per message, measured at about
15 % of the bot's CPU under load. Making `safe_codes` a frozenset gives the same status codes.
"""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy


def speed_up_msrest_retry_policy() -> None:
    codes = ClientRetryPolicy.safe_codes
    if not isinstance(codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(codes)  # type: ignore[assignment]  # only used with "in"
