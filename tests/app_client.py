"""The type of a test client of the bot's aiohttp app (aiohttp's TestClient is generic in the
request and the app it serves), named once for the tests' annotations."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

AppClient = TestClient[web.Request, web.Application]
