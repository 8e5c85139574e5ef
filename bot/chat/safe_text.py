"""A user's free text, safe to show to others: on a card or in a message.

Teams renders a Markdown subset in TextBlocks, FactSets and messages: `[text](url)` is a link
whose target the reader does not see, and bidi controls (U+202A-E, U+2066-9) reorder what is
shown, so "fil.exe\u202egnp" reads as "filpng.exe". Every card and message shows free text from
users (descriptions, names, links, unit names, notes, file names) through `user_text`, the one
place that defuses it. It lives here (not in cards/) because services put users' text into
messages too, and services never import cards.
"""

from __future__ import annotations

import unicodedata

WORD_JOINER = "\u2060"  # invisible, not a space: breaks "](" and "<https" without changing what is read
_REMOVED = {
    **dict.fromkeys(range(0x00, 0x20), None),
    **dict.fromkeys(range(0x7F, 0xA0), None),
    **dict.fromkeys((0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)), None),
    ord("\n"): "\n",
    ord("\t"): " ",
    0x2028: "\n",
    0x2029: "\n",
}
_DEFUSED = {ord("]"): "]" + WORD_JOINER, ord("<"): "<" + WORD_JOINER}


def user_text(value: object, limit: int | None = None) -> str:
    """A user's free text, safe to show on a card.

    - control characters and bidi overrides/isolates are removed (new lines are kept);
    - `]` and `<` are followed by an invisible word joiner, so no `[text](url)`, `![x](url)`,
      `[text][ref]`, `<https://…>` or HTML can form, whatever the renderer's escape rules;
    - `limit` cuts long text with "…" (before defusing, so the limit counts what is read).
    """
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "").translate(_REMOVED)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.translate(_DEFUSED)
