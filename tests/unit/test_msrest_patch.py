"""The msrest speed fix keeps exactly the retry status codes msrest defines."""

from __future__ import annotations

from msrest.universal_http.requests import ClientRetryPolicy

from bot.teams.msrest_patch import speed_up_msrest_retry_policy


def test_same_status_codes_after_the_fix() -> None:
    speed_up_msrest_retry_policy()
    assert isinstance(ClientRetryPolicy.safe_codes, frozenset)
    # msrest's own definition: retry on every code that is not "safe" (below 500 except 408, 501, 505).
    safe = [i for i in range(500) if i != 408] + [501, 505]
    assert ClientRetryPolicy().policy.status_forcelist == [i for i in range(999) if i not in safe]
