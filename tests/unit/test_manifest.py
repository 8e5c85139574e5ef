"""The Teams app package: built by the one command, valid against Microsoft's schema, accepted layout.

The schema check runs Microsoft's own validator (npm @microsoft/app-manifest, as the Agents Toolkit
does) through deployment/tools/validate_manifest.js, on the package exactly as built.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.chat.routes import command_for
from deployment.build_app_package import PACKAGE_FILES, TEMPLATE_DIR, PackageError, build_package

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "deployment" / "tools" / "validate_manifest.js"
BOT_ID = "0b5d6f2e-8c1a-4e3b-9f7d-2a6c4e8b1d30"

ENV = {
    "MicrosoftAppId": BOT_ID,
    "BOT_DOMAIN": "kraenkelser-bot.azurewebsites.net",
    "ORG_NAME": "Eksempel Kommune",
    "ORG_WEBSITE_URL": "https://www.eksempel.dk/",
    "ORG_PRIVACY_URL": "https://www.eksempel.dk/privatliv",
    "ORG_TERMS_URL": "https://www.eksempel.dk/vilkaar",
}

# The bot's command table (bot/teams): Danish titles in the manifest, English in en.json.
PERSONAL_COMMANDS = [
    ("indberet", "report"),
    ("mine sager", "my cases"),
    ("retningslinje", "guideline"),
    ("hjælp", "help"),
    ("sager", "cases"),
    ("MED-overblik", "MED overview"),
    ("send MED-påmindelse", "send MED reminder"),
    ("stop sletning", "hold deletion"),
    ("tillad sletning", "release deletion"),
    ("indsigt", "export person"),
]
TEAM_COMMANDS = [
    ("registrer MED-kanal", "register MED channel"),
    ("MED-evaluering", "MED evaluation"),
    ("hjælp", "help"),
]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return build_package(ENV, tmp_path / "appPackage.zip")


def unpack(zip_path: Path, into: Path) -> Path:
    into.mkdir()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(into)
    return into


def validate(package_dir: Path) -> tuple[int, dict[str, object]]:
    node = shutil.which("node")
    assert node, "node is needed for the manifest schema check (scripts/_setup.sh installs the npm tools)"
    assert (ROOT / "node_modules" / "@microsoft" / "app-manifest").is_dir(), "run npm ci first"
    proc = subprocess.run(
        [node, str(VALIDATOR), str(package_dir)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_zip_has_exactly_the_four_files_at_its_root(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        names = zf.namelist()
        assert sorted(names) == sorted(PACKAGE_FILES)
        assert all("/" not in n and "\\" not in n for n in names)
        assert not any(info.is_dir() for info in zf.infolist())
        assert zf.testzip() is None


def test_built_manifest_is_valid_against_microsofts_schema(package: Path, tmp_path: Path) -> None:
    code, result = validate(unpack(package, tmp_path / "pkg"))
    assert result["manifest.json"] == []
    assert result["en.json"] == []
    assert code == 0
    manifest = json.loads((tmp_path / "pkg" / "manifest.json").read_text(encoding="utf-8"))
    major, minor = (int(p) for p in manifest["manifestVersion"].split("."))
    assert (major, minor) >= (1, 24)
    assert str(result["schemaDir"]).endswith(f"v{manifest['manifestVersion']}")


def test_validator_rejects_a_broken_manifest(package: Path, tmp_path: Path) -> None:
    # Proves the schema check can fail: a bad bot id and an unknown scope must be reported.
    pkg = unpack(package, tmp_path / "pkg")
    manifest = json.loads((pkg / "manifest.json").read_text(encoding="utf-8"))
    manifest["bots"][0]["botId"] = "not-a-guid"
    manifest["bots"][0]["scopes"].append("everywhere")
    (pkg / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    code, result = validate(pkg)
    assert code == 1
    errors = " ".join(map(str, result["manifest.json"]))  # type: ignore[call-overload]
    assert "/bots/0/botId" in errors
    assert "/bots/0/scopes" in errors


def test_manifest_carries_the_bot_id_and_teams_settings(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        text = zf.read("manifest.json").decode("utf-8")
    assert "${{" not in text
    manifest = json.loads(text)
    bot = manifest["bots"][0]
    assert bot["botId"] == BOT_ID
    assert manifest["id"] == BOT_ID  # TEAMS_APP_ID defaults to the bot id
    assert set(bot["scopes"]) == {"personal", "team"}
    assert bot["supportsFiles"] is True
    assert manifest["validDomains"] == [ENV["BOT_DOMAIN"]]
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "da"
    assert manifest["localizationInfo"]["additionalLanguages"] == [{"languageTag": "en", "file": "en.json"}]
    assert manifest["developer"]["privacyUrl"] == ENV["ORG_PRIVACY_URL"]
    assert "æ" in manifest["name"]["full"]  # Danish name
    assert manifest["description"]["short"] and manifest["description"]["full"]


def test_commands_match_the_bots_command_table_in_both_languages() -> None:
    manifest = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    english = json.loads((TEMPLATE_DIR / "en.json").read_text(encoding="utf-8"))
    lists = manifest["bots"][0]["commandLists"]
    assert [cl["scopes"] for cl in lists] == [["personal"], ["team"]]
    for index, expected in enumerate((PERSONAL_COMMANDS, TEAM_COMMANDS)):
        commands = lists[index]["commands"]
        assert [c["title"] for c in commands] == [da for da, _ in expected]
        for pos, (_, en) in enumerate(expected):
            prefix = f"bots[0].commandLists[{index}].commands[{pos}]"
            assert english[f"{prefix}.title"] == en
            assert english[f"{prefix}.description"]
            assert len(commands[pos]["title"]) <= 32  # Teams shows at most 32 characters
    assert english["name.short"] != manifest["name"]["short"]


def test_other_teams_app_id_and_version_are_taken_from_the_environment(tmp_path: Path) -> None:
    other = "7e0c2a4b-1d3f-4a5b-8c6d-9e0f1a2b3c4d"
    env = {**ENV, "TEAMS_APP_ID": other.upper(), "APP_VERSION": "1.2.3"}
    zip_path = build_package(env, tmp_path / "p.zip")
    with zipfile.ZipFile(zip_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["id"] == other
    assert manifest["version"] == "1.2.3"
    assert manifest["bots"][0]["botId"] == BOT_ID


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"MicrosoftAppId": ""}, "MicrosoftAppId"),
        ({"MicrosoftAppId": "1234"}, "GUID"),
        ({"BOT_ID": "7e0c2a4b-1d3f-4a5b-8c6d-9e0f1a2b3c4d"}, "differ"),
        ({"BOT_DOMAIN": "https://x.azurewebsites.net/api"}, "BOT_DOMAIN"),
        ({"ORG_PRIVACY_URL": "http://www.eksempel.dk/"}, "ORG_PRIVACY_URL"),
        ({"ORG_NAME": "K" * 33}, "ORG_NAME"),
        ({"APP_VERSION": "v1"}, "APP_VERSION"),
    ],
)
def test_bad_environment_is_refused_naming_the_variable(change: dict[str, str], named: str, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=named):
        build_package({**ENV, **change}, tmp_path / "p.zip")
    assert not (tmp_path / "p.zip").exists()


def test_build_is_reproducible(tmp_path: Path) -> None:
    a = build_package(ENV, tmp_path / "a.zip").read_bytes()
    b = build_package(ENV, tmp_path / "b.zip").read_bytes()
    assert a == b


# --- icons -------------------------------------------------------------------------------------


def read_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Decode an 8-bit RGBA, non-interlaced PNG (what Teams icons should be) into pixel rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour_type, interlace) == (8, 6, 0), "expected 8-bit RGBA, not interlaced"
    raw, stride, bpp = zlib.decompress(idat), width * 4, 4
    rows: list[bytearray] = []
    prev = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
                line[i] = (line[i] + pred) & 0xFF
        rows.append(line)
        prev = line
    pixels = [[tuple(r[x * 4 : x * 4 + 4]) for x in range(width)] for r in rows]
    return width, height, pixels  # type: ignore[return-value]


def test_colour_icon_is_192_square_and_opaque() -> None:
    width, height, pixels = read_png((TEMPLATE_DIR / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    assert all(p[3] == 255 for row in pixels for p in row)
    assert len({p[:3] for row in pixels for p in row}) > 2  # a mark on a background, not a flat square


def test_outline_icon_is_32_square_white_on_transparent() -> None:
    width, height, pixels = read_png((TEMPLATE_DIR / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    flat = [p for row in pixels for p in row]
    assert all(p[:3] == (255, 255, 255) for p in flat if p[3] > 0)
    opaque = sum(1 for p in flat if p[3] == 255)
    transparent = sum(1 for p in flat if p[3] == 0)
    assert opaque >= 60 and transparent >= 400  # a visible mark with a transparent surround


def test_every_command_in_the_package_is_one_the_bot_understands() -> None:
    """A command Teams offers in its menu must reach a handler, in Danish and in English."""
    manifest = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    english = json.loads((TEMPLATE_DIR / "en.json").read_text(encoding="utf-8"))
    titles = [c["title"] for cl in manifest["bots"][0]["commandLists"] for c in cl["commands"]]
    titles += [v for k, v in english.items() if k.endswith(".title")]
    assert [t for t in titles if command_for(t) is None] == []


def test_the_store_texts_promise_only_what_the_bot_does() -> None:
    """No occupational-injury report and no "conversation" step (the bot has neither); Danish says
    "indberet" (the police report is "politianmeld"); English says "manager"; and the steps the
    bot really carries are named."""
    manifest = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    english = json.loads((TEMPLATE_DIR / "en.json").read_text(encoding="utf-8"))
    danish = json.dumps(manifest, ensure_ascii=False)
    for word in ("arbejdsskade", "samtale", "bevis", "rapportér"):
        assert word not in danish.lower()
    assert not re.search(r"(?<!politi)anmeld", danish, re.IGNORECASE)
    english_text = json.dumps(english, ensure_ascii=False).lower()
    for word in ("injury", "conversation", "leader"):
        assert word not in english_text
    for step in ("InsuBiz", "DEFGO", "politianmeld", "borgeren", "fjernes"):
        assert step in manifest["description"]["full"]
    for step in ("InsuBiz", "DEFGO", "police", "citizen", "removed"):
        assert step in english["description.full"]
    assert "sagssystem" in manifest["description"]["full"]  # says plainly that it saves nothing there
