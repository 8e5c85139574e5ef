"""Settings load strictly: every bad value names its variable; secrets never show."""

from __future__ import annotations

import pytest

from bot.hosting.settings import Settings, SettingsError, load_settings


def test_defaults_need_no_environment() -> None:
    s = Settings.from_env({})
    assert s.port == 3978
    assert s.time_zone == "Europe/Copenhagen"
    assert s.default_language == "da"
    assert s.immediate_deadline_working_days == 1
    assert s.med_reminder_dates == ((3, 1), (9, 1))
    assert not s.authenticated
    assert s.bind_host == "127.0.0.1"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("MicrosoftAppId", "not-a-guid"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "de"),
        ("GRAPH_ENABLED", "maybe"),
        ("MED_REMINDER_DATES", "13-01,09-01"),
        ("MED_REMINDER_DATES", "03-01,03-01"),
        ("STORAGE_CONTAINER", "A"),
        ("HR_AAD_OBJECT_IDS", "abc"),
        ("EVIDENCE_MAX_BYTES", "-1"),
        ("STORAGE_ACCOUNT_URL", "ftp://x"),
        ("MicrosoftAppType", "Anonymous"),
        ("IMMEDIATE_DEADLINE_WORKING_DAYS", "1.5"),
        ("OFFICE_HOURS", "8-16"),
        ("OFFICE_HOURS", "16:00-08:00"),
        ("OFFICE_HOURS", "08:00-25:00"),
        ("EXTRA_HOLIDAYS", "02-30"),
        ("ACK_WORKING_HOURS", "0"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    assert str(info.value).startswith(name + ":")


def test_app_id_requires_tenant_and_password() -> None:
    app_id = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(SettingsError, match=r"^MicrosoftAppTenantId"):
        Settings.from_env({"MicrosoftAppId": app_id, "MicrosoftAppPassword": "x"})
    with pytest.raises(SettingsError, match=r"^MicrosoftAppPassword"):
        Settings.from_env({"MicrosoftAppId": app_id, "MicrosoftAppTenantId": app_id})


def test_secrets_never_appear_in_repr() -> None:
    s = Settings.from_env(
        {
            "MicrosoftAppPassword": "super-secret-value",
            "STORAGE_CONNECTION_STRING": "DefaultEndpointsProtocol=https;AccountKey=abcdefsecret",
        }
    )
    assert "super-secret-value" not in repr(s)
    assert "abcdefsecret" not in repr(s)
    assert s.app_password.reveal() == "super-secret-value"


def test_dotenv_is_read_under_the_real_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nDEFAULT_LANGUAGE=en\n")
    s = load_settings({"PORT": "5000"}, env_file)
    assert s.port == 5000
    assert s.default_language == "en"


def test_lists_and_dates_parse() -> None:
    s = Settings.from_env(
        {
            "HR_AAD_OBJECT_IDS": "11111111-2222-3333-4444-555555555555, 21111111-2222-3333-4444-555555555555",
            "MED_REMINDER_DATES": "09-15,02-01",
            "EVIDENCE_ALLOWED_HOSTS": "files.example.dk,cdn.example.dk",
        }
    )
    assert len(s.hr_aad_object_ids) == 2
    assert s.med_reminder_dates == ((2, 1), (9, 15))
    assert s.evidence_allowed_hosts == ("files.example.dk", "cdn.example.dk")


def test_dev_origins_only_in_local_mode() -> None:
    assert Settings.from_env({"EVIDENCE_DEV_ORIGINS": "http://127.0.0.1:8123"}).evidence_dev_origins
    with pytest.raises(SettingsError, match=r"^EVIDENCE_DEV_ORIGINS"):
        Settings.from_env(
            {
                "EVIDENCE_DEV_ORIGINS": "http://127.0.0.1:8123",
                "MicrosoftAppId": "11111111-2222-3333-4444-555555555555",
                "MicrosoftAppPassword": "x",
                "MicrosoftAppTenantId": "11111111-2222-3333-4444-555555555555",
            }
        )
    with pytest.raises(SettingsError, match=r"^EVIDENCE_DEV_ORIGINS"):
        Settings.from_env({"EVIDENCE_DEV_ORIGINS": "http://127.0.0.1:8123/path"})


def test_office_hours_and_holidays_reach_the_deadline_policy() -> None:
    from datetime import time

    from app import deadline_policy

    s = Settings.from_env({"OFFICE_HOURS": "07:30-15:00", "EXTRA_HOLIDAYS": "none", "ACK_WORKING_HOURS": "3"})
    policy = deadline_policy(s)
    assert (policy.office_start, policy.office_end, policy.ack_working_hours) == (time(7, 30), time(15), 3)
    assert policy.extra_holidays == frozenset()
    default = deadline_policy(Settings.from_env({}))
    assert default.extra_holidays == frozenset({(6, 5), (12, 24), (12, 31)}) and default.ack_working_hours == 2
