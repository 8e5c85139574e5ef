"""Message parsing is linear: hostile text costs milliseconds, never seconds of a blocked loop.

The command parser used regexes that rescanned the rest of the message from every unclosed `<at>`
or `<`: 100 KB of them blocked the event loop for about 10 s (1 MB: minutes). A seeded generator
(no hypothesis here) feeds it random and adversarial inputs, each under a time bound, and checks
on short inputs that it still strips exactly what the old expressions stripped.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.chat.routes import command_argument, command_for, normalise, strip_mentions, strip_tags
from cards.verbs import Verb
from tests.hostile.harness import hostile_app

BOUND_SECONDS = 0.05  # per input of up to 100 KB; the linear parser needs about a millisecond
SEED = 12
PIECES = [
    "<", ">", "<at>", "</at>", "<AT>", "</At>", "<at", "</a", "at>", "<>", "<<", ">>", "<b>", "</b>",
    "<p>", "&lt;", "hjælp", "rapportér", "send MED-påmindelse", " ", "\n", "\t", "\u00a0", "\u202e",
    "\u2066", "\u200b", "\x00", "a", "Æ", "ﬃ", "İ", "K", "ß", "e\u0301", "🙂", ".", "!", "?",
]  # fmt: skip
OLD_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
OLD_TAG = re.compile(r"<[^>]+>")


def adversarial(size: int = 100_000) -> Iterator[str]:
    """The shapes that made the old parser quadratic, and their neighbours."""
    for unit in ["<at>", "<", "<at>x", "<at><", "<AT>", "<>", "<a", "<at></a", "< ", "<at>\n"]:
        yield unit * (size // len(unit))
    yield "<at>" * (size // 8) + "</at>" + "<" * (size // 2)
    yield "</at>" * (size // 5)
    yield "<at>Bot</at> " * (size // 13) + "hjælp"
    yield "x" * size + "<at>"
    yield "<" + "a" * size
    yield " " * size + "hjælp"
    yield "\u0301" * size  # combining marks: NFC work
    yield "ﬃ" * (size // 2)


def random_inputs(count: int, rng: random.Random) -> Iterator[str]:
    for _ in range(count):
        length = rng.choice([0, 1, 3, 10, 50, 500, 5_000, 20_000])  # up to about 55 KB
        yield "".join(rng.choice(PIECES) for _ in range(length))


def timed(text: str) -> float:
    start = time.perf_counter()
    command_for(text)
    command_argument(text)
    return time.perf_counter() - start


@pytest.mark.parametrize("text", list(adversarial()), ids=lambda t: f"{t[:8]!r}x{len(t)}")
def test_adversarial_input_is_parsed_within_the_bound(text: str) -> None:
    assert len(text) >= 50_000 or text.startswith(" ")
    assert min(timed(text) for _ in range(3)) < BOUND_SECONDS  # best of three: a busy machine may pause


def test_a_megabyte_of_open_mentions_takes_milliseconds_not_minutes() -> None:
    for text in ("<at>" * 250_000, "<" * 1_000_000):
        assert min(timed(text) for _ in range(2)) < 10 * BOUND_SECONDS


def test_random_inputs_each_within_the_bound() -> None:
    rng = random.Random(SEED)
    slow = [(len(t), s) for t in random_inputs(400, rng) if (s := min(timed(t) for _ in range(3))) >= BOUND_SECONDS]
    assert slow == []


def test_the_linear_parser_strips_exactly_what_the_old_expressions_stripped() -> None:
    rng = random.Random(SEED)
    for _ in range(20_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 20)))
        assert strip_mentions(text) == OLD_MENTION.sub(" ", text), text
        assert strip_tags(text) == OLD_TAG.sub(" ", text), text


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("<at>Krænkelser</at> hjælp", Verb.HELP),
        ("<AT>Bot</AT><at>Bot 2</at> mine sager!", Verb.MY_CASES),
        ("<p>rapportér</p>", Verb.REPORT),
        ("<at>unclosed hjælp", None),
        ("< hjælp", None),  # a lone "<" is not markup, so it stays and this is no command
        ("<>hjælp", None),
    ],
)
def test_commands_are_still_found(text: str, verb: Verb | None) -> None:
    assert command_for(text) is verb


def test_normalise_is_idempotent_on_random_input() -> None:
    rng = random.Random(SEED + 1)
    for text in random_inputs(300, rng):
        once = normalise(text)
        assert normalise(once) == once


async def test_100_kb_of_open_mentions_over_http_is_answered_at_once(tmp_path: Path) -> None:
    async with hostile_app(tmp_path) as bot:
        start = time.perf_counter()
        answer = await bot.say(text="<at>" * 25_000)
        elapsed = time.perf_counter() - start
        assert answer.status in (200, 201)
        assert "indberet" in answer.text  # the kind pointer to the menu
        assert elapsed < 2.0  # the old parser alone took about 10 s here
        assert "Det kan du skrive til mig" in (await bot.say(text="hjælp")).text
