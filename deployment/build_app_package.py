"""Build the Teams app package (deployment/build/appPackage.zip) from the templates in appPackage/.

The one command an operator runs before uploading the app to Teams:

    MicrosoftAppId=<bot app id> BOT_DOMAIN=<web app host> ORG_NAME=... \\
    ORG_WEBSITE_URL=https://... ORG_PRIVACY_URL=https://... ORG_TERMS_URL=https://... \\
        python deployment/build_app_package.py

Why a script of our own: the manifest template uses the Agents Toolkit's ``${{NAME}}`` placeholders,
so the same files serve operators with and without the toolkit. The script fills them from the
environment (or ``--env-file``), refuses a malformed GUID, domain or URL before Teams would, and
writes a zip with every file at its root, which is the only layout Teams accepts. Standard library
only, so it runs without the bot's dependencies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "appPackage"
DEFAULT_OUT = HERE / "build" / "appPackage.zip"
PACKAGE_FILES = ("manifest.json", "en.json", "color.png", "outline.png")

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
HOST = re.compile(r"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
PLACEHOLDER = re.compile(r"\$\{\{([A-Za-z0-9_]+)\}\}")
# A fixed timestamp makes the zip byte-for-byte reproducible for the same inputs.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """The environment does not describe a valid package; the message names the variable."""


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise PackageError(f"{name} is not set")
    return value


def _https_url(env: Mapping[str, str], name: str) -> str:
    value = _require(env, name)
    if not value.lower().startswith("https://") or len(value) > 2048:
        raise PackageError(f"{name} must be an https:// URL (got {value!r})")
    return value


def resolve_values(env: Mapping[str, str]) -> dict[str, str]:
    """Check the environment and return the value of every placeholder in the templates."""
    bot_ids = {env.get(k, "").strip() for k in ("BOT_ID", "MicrosoftAppId")} - {""}
    if not bot_ids:
        raise PackageError("MicrosoftAppId (or BOT_ID) is not set: the bot's Microsoft Entra app id")
    if len(bot_ids) > 1:
        raise PackageError("BOT_ID and MicrosoftAppId are both set and differ")
    bot_id = bot_ids.pop().lower()
    if not GUID.match(bot_id):
        raise PackageError(f"MicrosoftAppId/BOT_ID must be a GUID (got {bot_id!r})")
    teams_app_id = env.get("TEAMS_APP_ID", "").strip().lower() or bot_id
    if not GUID.match(teams_app_id):
        raise PackageError(f"TEAMS_APP_ID must be a GUID (got {teams_app_id!r})")
    domain = _require(env, "BOT_DOMAIN").lower()
    if not HOST.match(domain):
        raise PackageError(f"BOT_DOMAIN must be a host name without scheme or path (got {domain!r})")
    org_name = _require(env, "ORG_NAME")
    if len(org_name) > 32:
        raise PackageError("ORG_NAME may have at most 32 characters (a Teams limit)")
    version = env.get("APP_VERSION", "").strip() or "1.0.0"
    if not SEMVER.match(version):
        raise PackageError(f"APP_VERSION must look like 1.2.3 (got {version!r})")
    return {
        "BOT_ID": bot_id,
        "TEAMS_APP_ID": teams_app_id,
        "BOT_DOMAIN": domain,
        "ORG_NAME": org_name,
        "ORG_WEBSITE_URL": _https_url(env, "ORG_WEBSITE_URL"),
        "ORG_PRIVACY_URL": _https_url(env, "ORG_PRIVACY_URL"),
        "ORG_TERMS_URL": _https_url(env, "ORG_TERMS_URL"),
        "APP_VERSION": version,
    }


def render_manifest(template: str, values: Mapping[str, str]) -> dict[str, object]:
    """Fill the ``${{NAME}}`` placeholders (JSON-escaped) and parse the result."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"the manifest uses ${{{{{name}}}}}, which this script does not know")
        return json.dumps(values[name])[1:-1]

    manifest: dict[str, object] = json.loads(PLACEHOLDER.sub(fill, template))
    manifest["version"] = values["APP_VERSION"]
    return manifest


def build_package(env: Mapping[str, str], out: Path = DEFAULT_OUT, template_dir: Path = TEMPLATE_DIR) -> Path:
    """Write the app package zip and return its path."""
    values = resolve_values(env)
    manifest = render_manifest((template_dir / "manifest.json").read_text(encoding="utf-8"), values)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in PACKAGE_FILES:
            if name == "manifest.json":
                data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            else:
                data = (template_dir / name).read_bytes()
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out


def read_env_file(path: Path) -> dict[str, str]:
    """Read KEY=VALUE lines (the format of the Agents Toolkit's env files); '#' starts a comment."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"zip to write (default {DEFAULT_OUT})")
    parser.add_argument("--env-file", type=Path, help="KEY=VALUE file; variables already in the environment win")
    args = parser.parse_args(argv)
    env: dict[str, str] = read_env_file(args.env_file) if args.env_file else {}
    env.update(os.environ)
    try:
        out = build_package(env, args.out)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
