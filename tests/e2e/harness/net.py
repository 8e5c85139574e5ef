"""Small network helper shared by the harness modules."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now (the child binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
