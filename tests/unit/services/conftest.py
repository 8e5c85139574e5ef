"""Service tests run against the in-memory Store, the recording Notifier and a hand clock: no
botbuilder turn, no disk, no HTTP. What they assert is what the services wrote and sent."""

from __future__ import annotations

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.memory import MemoryStore
from tests.fakes.notifier import RecordingNotifier


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> MemoryStore:
    return MemoryStore(clock=clock.now)


@pytest.fixture
def notifier(store: MemoryStore) -> RecordingNotifier:
    return RecordingNotifier(store)
