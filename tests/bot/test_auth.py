"""Authenticated mode: Bot Framework JWTs checked against a local OpenID/JWKS fake.

A valid token is accepted; a forged signature, wrong audience, expired token, missing header or a
foreign tenant are refused with 401/403, and nothing is stored for a refused request.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.hosting.settings import Settings
from bot.storage.local import LocalStore
from tests.conftest import running_app
from tests.fakes.openid import ISSUER, OpenIdFake, new_key, openid_fake

APP_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
OTHER_TENANT = "99999999-bbbb-cccc-dddd-eeeeeeeeeeee"
USER = "00000000-0000-0000-0000-0000000000e1"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"


@pytest.fixture(scope="module")
def idp() -> Iterator[OpenIdFake]:
    with openid_fake() as fake:
        yield fake


def settings_for(idp: OpenIdFake, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppPassword": "not-a-real-secret",
            "MicrosoftAppTenantId": TENANT,
            "DATA_DIR": str(data_dir),
            "BOT_OPENID_METADATA_URL": idp.metadata_url,
            "BOT_TOKEN_ISSUER": ISSUER,
        }
    )


def typing_activity(tenant: str = TENANT) -> dict[str, object]:
    # A typing activity makes the bot store the user's conversation reference and send nothing,
    # so "stored or not" is observable without an outbound connector.
    return {
        "type": "typing",
        "id": "act-1",
        "channelId": "msteams",
        "serviceUrl": SERVICE_URL,
        "from": {"id": "29:user", "aadObjectId": USER, "name": "Employee"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Bot"},
        "conversation": {"id": "a:personal-chat", "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "da-DK",
    }


async def post(idp: OpenIdFake, tmp_path: Path, headers: dict[str, str], tenant: str = TENANT) -> tuple[int, bool]:
    store = LocalStore(tmp_path / "data")
    async with running_app(settings_for(idp, tmp_path / "data"), store=store) as client:
        response = await client.post("/api/messages", json=typing_activity(tenant), headers=headers)
        stored = await store.list("refs/") + await store.list("state/")
    await store.close()
    return response.status, bool(stored)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_valid_token_is_accepted_and_the_reference_stored(idp: OpenIdFake, tmp_path: Path) -> None:
    status, stored = await post(idp, tmp_path, bearer(idp.token(audience=APP_ID, service_url=SERVICE_URL)))
    assert status in (200, 201)
    assert stored


@pytest.mark.parametrize(
    "case",
    ["forged_signature", "wrong_audience", "expired", "missing_header", "wrong_issuer", "wrong_service_url"],
)
async def test_bad_tokens_are_refused_and_nothing_is_stored(idp: OpenIdFake, tmp_path: Path, case: str) -> None:
    tokens = {
        "forged_signature": lambda: idp.token(audience=APP_ID, service_url=SERVICE_URL, key=new_key()),
        "wrong_audience": lambda: idp.token(audience="someone-else", service_url=SERVICE_URL),
        "expired": lambda: idp.token(audience=APP_ID, service_url=SERVICE_URL, expires_in=-3600),
        "wrong_issuer": lambda: idp.token(audience=APP_ID, service_url=SERVICE_URL, issuer="https://evil.test"),
        "wrong_service_url": lambda: idp.token(audience=APP_ID, service_url="https://evil.test/"),
    }
    headers = {} if case == "missing_header" else bearer(tokens[case]())
    status, stored = await post(idp, tmp_path, headers)
    assert status in (401, 403)
    assert not stored


async def test_foreign_tenant_is_refused_even_with_a_valid_token(idp: OpenIdFake, tmp_path: Path) -> None:
    token = idp.token(audience=APP_ID, service_url=SERVICE_URL)
    status, stored = await post(idp, tmp_path, bearer(token), tenant=OTHER_TENANT)
    assert status == 403
    assert not stored


async def test_local_mode_binds_loopback_only(tmp_path: Path) -> None:
    local = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert not local.authenticated
    assert local.bind_host == "127.0.0.1"
    assert settings_for_any().bind_host == "0.0.0.0"


def settings_for_any() -> Settings:
    return Settings.from_env({"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "x", "MicrosoftAppTenantId": TENANT})
