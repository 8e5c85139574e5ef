"""The cards a scripted conversation through the real bot sends are the pinned ones.

tests/golden/chat.py drives the bot built by app.build_runtime (TestAdapter, the real sender, a
fake Bot Connector, a local store, a hand clock): the report with a refused form, an edit and a
screenshot; the notifications; the leader's decisions, a refused input and the employee's answer
to the police offer; the cards updated in place; lists, help, HR's list; a MED channel registered,
its reminder and HR's overview. So the goldens also pin how the services assemble what the cards
show. Regenerate with `.venv/bin/python scripts/golden_cards.py` when a change is meant.
"""

from __future__ import annotations

from scripts.golden_cards import problems, rendered


def test_every_card_the_conversation_sends_matches_its_golden_file() -> None:
    found = problems("chat", rendered("chat"))
    assert not found, "\n".join(found)
