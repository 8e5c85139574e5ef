"""The takedown routes file (checked strictly at start-up), the request text and its card part."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.guideline import Platform
from bot.guideline.decisions import PoliceReported
from bot.takedown import DEFAULT_FILE, NEEDS_LINK, RoutesError, load_routes, parse_routes
from bot.takedown.request import request_text
from bot.texts import Texts
from cards.common import card
from cards.takedown import TakedownView, takedown_elements
from tests.fakes.cardcheck import python_checks
from tests.unit.guideline.builders import AS_LEADER, REPORTER, apply, offer, opened

TZ = ZoneInfo("Europe/Copenhagen")


def _data() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_the_shipped_file_has_every_platform_and_only_https_links() -> None:
    routes = load_routes()
    assert set(routes.platforms) == set(Platform)
    for platform in NEEDS_LINK:
        url = routes.for_platform(platform).url
        assert url is not None and url.startswith("https://")
    assert routes.police.url is not None and routes.police.url.startswith("https://politi.dk/")
    for route in (routes.police, *routes.platforms.values()):
        assert route.guidance and route.guidance_en
    assert routes.for_platform(Platform.SMS).url is None  # guidance only


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["platforms"]["facebook"].update(url="http://www.facebook.com/help"), "platforms.facebook.url"),
        (lambda d: d["platforms"]["youtube"].update(url="javascript:alert(1)"), "platforms.youtube.url"),
        (lambda d: d["platforms"]["x"].update(url="https://user:pw@x.com/"), "platforms.x.url"),
        (lambda d: d["platforms"]["tiktok"].pop("url"), "platforms.tiktok.url: required"),
        (lambda d: d["platforms"].pop("linkedin"), "platforms.linkedin: missing"),
        (lambda d: d["platforms"].update(myspace={"name": "M", "guidance": "g"}), "unknown platform(s) myspace"),
        (lambda d: d["platforms"]["email"].update(colour="red"), "platforms.email: unknown key(s) colour"),
        (lambda d: d["police"].update(url="ftp://politi.dk/"), "police.url"),
        (lambda d: d.pop("police"), "police: missing"),
        (lambda d: d["platforms"]["sms"].update(guidance=""), "platforms.sms.guidance: required"),
        (lambda d: d["platforms"]["sms"].update(url="http://example.dk"), "platforms.sms.url"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_entry(change: Any, named: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(RoutesError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_routes(data, "routes.toml")


def test_a_missing_or_broken_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RoutesError, match="not found"):
        load_routes(tmp_path / "none.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[platforms\n", encoding="utf-8")
    with pytest.raises(RoutesError, match=r"broken\.toml: not valid TOML"):
        load_routes(broken)


def test_the_municipality_can_change_a_link_without_code(tmp_path: Path) -> None:
    own = tmp_path / "routes.toml"
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace(
        'organisation = "Kommunen"', 'organisation = "Albertslund Kommune"'
    )
    own.write_text(text.replace("https://www.facebook.com/help/1380418588640631", "https://www.facebook.com/help/x"))
    routes = load_routes(own)
    assert routes.organisation == "Albertslund Kommune"
    assert routes.for_platform(Platform.FACEBOOK).url == "https://www.facebook.com/help/x"


def test_the_request_text_names_what_where_and_the_case_but_not_the_employee() -> None:
    case = opened()
    text = request_text(case, load_routes(), Texts("da"), TZ)
    assert "Facebook" in text and case.number in text and "https://example.invalid/post/1" in text
    assert "Anonym profil" in text and "Det skete: 01-03-2026 21:00" in text  # the report's "Hvornår skete det?"
    assert REPORTER.name not in text and case.facts.description not in text
    assert "politianmeldt" not in text  # not reported yet: the text does not say so
    reported = apply(offer(case), AS_LEADER, PoliceReported("4500-80123-00042-26", "Lene Leder"))
    assert "journalnr. 4500-80123-00042-26" in request_text(reported, load_routes(), Texts("da"), TZ)
    english = request_text(case, load_routes(), Texts("en"), TZ)
    assert "Request to remove offensive content" in english


def test_the_card_part_opens_the_platform_and_the_police_and_holds_the_request() -> None:
    routes = load_routes()
    case = opened()
    tx = Texts("da")
    route = routes.for_platform(Platform.FACEBOOK)
    assert route.url is not None and routes.police.url is not None
    view = TakedownView(
        route.name, route.url, route.advice("da"), request_text(case, routes, tx, TZ), routes.police.url, "x"
    )
    elements = takedown_elements(tx, view)
    urls = [a["url"] for e in elements if e["type"] == "ActionSet" for a in e["actions"]]
    assert urls == [route.url, routes.police.url]
    report = python_checks(card(elements))
    assert report.errors == []
    sms = routes.for_platform(Platform.SMS)
    no_link = takedown_elements(tx, TakedownView(sms.name, None, sms.advice("en"), "r", routes.police.url, "x"))
    assert [a["url"] for e in no_link if e["type"] == "ActionSet" for a in e["actions"]] == [routes.police.url]


async def test_the_bot_does_not_start_with_a_wrong_routes_file(tmp_path: Path) -> None:
    from app import Overrides, build_runtime
    from bot.hosting.settings import Settings
    from bot.storage.local import LocalStore

    wrong = tmp_path / "routes.toml"
    wrong.write_text(DEFAULT_FILE.read_text(encoding="utf-8").replace("https://politi.dk", "http://politi.dk"))
    settings = Settings.from_env({"DATA_DIR": str(tmp_path / "data"), "TAKEDOWN_ROUTES_FILE": str(wrong)})
    with pytest.raises(RoutesError, match=r"routes\.toml: police\.url"):
        await build_runtime(settings, Overrides(store=LocalStore(tmp_path / "data"), run_scheduler=False))


def test_an_english_card_names_the_platform_in_english_and_the_pack_as_the_card_does() -> None:
    """ "Report on Telefon" was Danish on an English card; "bevismappens PDF" named a button that
    the card calls "Dokumentationsmappe"."""
    routes = load_routes()
    phone = opened(platform=Platform.PHONE)
    assert routes.for_platform(Platform.PHONE).title("en") == "Phone"
    assert "on Phone" in request_text(phone, routes, Texts("en"), TZ)
    assert "på Telefon" in request_text(phone, routes, Texts("da"), TZ)
    button = Texts("da")("act.evidence_pack").split(" ")[0].lower()  # "dokumentationsmappe"
    assert button in routes.police.advice("da").lower()
    assert "evidence pack" in routes.police.advice("en").lower()
