"""The service tests need no Teams edge: every service and every test in this folder imports with
botbuilder and msrest made unimportable (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_PROBE = """
import importlib, pkgutil, sys
from importlib.abc import MetaPathFinder

class NoEdge(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("botbuilder", "botframework", "msrest"):
            raise ImportError(f"{name} is the edge")
        return None

sys.meta_path.insert(0, NoEdge())
import bot.services, tests.unit.services
modules = [m.name for m in pkgutil.iter_modules(bot.services.__path__, "bot.services.")]
modules += [m.name for m in pkgutil.iter_modules(tests.unit.services.__path__, "tests.unit.services.")]
modules += ["tests.fakes.memory", "tests.fakes.notifier", "tests.fakes.directory", "tests.fakes.clock"]
for name in modules:
    if name != "tests.unit.services.test_no_edge":
        importlib.import_module(name)
print(len(modules))
"""


def test_services_and_their_tests_import_without_botbuilder_or_msrest() -> None:
    done = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip()) > 30
