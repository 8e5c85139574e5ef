"""Draw the Teams app icons (a shield with a check mark) without any imaging library.

Why a script and not hand-made files: the icons must meet Teams' rules exactly (192x192 colour,
32x32 outline that is white on transparent), and a script that anyone can re-run keeps them
reproducible and reviewable. Only the standard library is used (zlib + struct), so it runs on any
machine that runs the bot. Run: ``python deployment/tools/make_icons.py`` (writes into appPackage/).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

APP_PACKAGE = Path(__file__).resolve().parent.parent / "appPackage"

ACCENT = (0x1F, 0x4E, 0x79)  # the manifest's accentColor
WHITE = (0xFF, 0xFF, 0xFF)

Shape = Callable[[float, float], bool]


def _shield_halfwidth(y: float, top: float, shoulder: float, tip: float, half: float) -> float:
    """Half the shield's width at height y (0 outside); straight sides, then a curve to a point."""
    if y < top or y > tip:
        return 0.0
    if y <= shoulder:
        return half
    t = (y - shoulder) / (tip - shoulder)
    return float(half * math.cos(t * math.pi / 2) ** 0.75)


def shield(top: float, shoulder: float, tip: float, half: float) -> Shape:
    def inside(x: float, y: float) -> bool:
        # The top edge dips a little towards the middle, like a heraldic shield.
        dip = 0.035 * (1 - min(abs(x - 0.5) / half, 1.0))
        return abs(x - 0.5) <= _shield_halfwidth(y, top + dip, shoulder, tip, half)

    return inside


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def check_mark(width: float) -> Shape:
    points = [(0.36, 0.50), (0.46, 0.61), (0.65, 0.38)]

    def inside(x: float, y: float) -> bool:
        return any(_segment_distance(x, y, points[i], points[i + 1]) <= width / 2 for i in range(len(points) - 1))

    return inside


def render(size: int, paint: Callable[[float, float], tuple[int, int, int, int]], samples: int = 4) -> bytes:
    """Rasterise with supersampling; returns raw RGBA rows with PNG filter bytes."""
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(samples):
                for sx in range(samples):
                    x = (px + (sx + 0.5) / samples) / size
                    y = (py + (sy + 0.5) / samples) / size
                    r, g, b, a = paint(x, y)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3]
            if alpha == 0:
                rows += bytes(4)
            else:
                rows += bytes((acc[0] // alpha, acc[1] // alpha, acc[2] // alpha, alpha // (samples * samples)))
    return bytes(rows)


def png(size: int, raw_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw_rows, 9)) + chunk(b"IEND", b"")
    )


def colour_icon() -> bytes:
    outer = shield(0.16, 0.42, 0.88, 0.30)
    tick = check_mark(0.07)

    def paint(x: float, y: float) -> tuple[int, int, int, int]:
        if outer(x, y):
            return (*ACCENT, 255) if tick(x, y) else (*WHITE, 255)
        return (*ACCENT, 255)

    return png(192, render(192, paint))


def outline_icon() -> bytes:
    outer = shield(0.06, 0.38, 0.96, 0.40)
    inner = shield(0.14, 0.40, 0.85, 0.31)
    tick = check_mark(0.10)

    def paint(x: float, y: float) -> tuple[int, int, int, int]:
        if (outer(x, y) and not inner(x, y)) or tick(x, y):
            return (*WHITE, 255)
        return (0, 0, 0, 0)

    return png(32, render(32, paint, samples=6))


def main() -> None:
    (APP_PACKAGE / "color.png").write_bytes(colour_icon())
    (APP_PACKAGE / "outline.png").write_bytes(outline_icon())
    print(f"wrote {APP_PACKAGE / 'color.png'} and {APP_PACKAGE / 'outline.png'}")


if __name__ == "__main__":
    main()
