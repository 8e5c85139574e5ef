"""Print-size views of the screenshots for the Word document and the PDF.

Why not the originals: a 20 MB screenshot does not read better on A4 than a 1600-pixel one, the
document writers hold every embedded image in memory until they save, and the police's online form
limits attachment sizes. So each document shows a bounded JPEG, and says that its SHA-256 is the
original's, which lies byte for byte in the ZIP. JPEGs are decoded at reduced scale (`draft`), so
their size costs no memory; other formats are decoded one at a time, up to a pixel limit.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_EDGE = 1600  # pixels on the long side: about 200 dpi across an A4 page's text width
MAX_PIXELS = 40_000_000  # larger originals (about 120 MB decoded) get no view, only the ZIP copy
QUALITY = 82
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Preview:
    path: Path
    width: int
    height: int


def make_preview(original: Path, content_type: str, target: Path) -> Preview | None:
    """Write a bounded JPEG view of `original` to `target`; None when it cannot be shown."""
    if content_type not in PREVIEWABLE:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(original) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                if image.format == "JPEG":
                    image.draft("RGB", (MAX_EDGE, MAX_EDGE))  # decode at 1/2, 1/4 or 1/8 scale
                image.seek(0)
                view = image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image
                if view.mode == "RGBA":  # screenshots with transparency: put them on white
                    background = Image.new("RGB", view.size, "white")
                    background.paste(view, mask=view.getchannel("A"))
                    view = background
                view = view.convert("RGB")
                view.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
                view.save(target, "JPEG", quality=QUALITY, optimize=True)
                return Preview(target, view.width, view.height)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
