"""Draws the installable app's icons into tsunagu/push/static/push/: the 繋 mark of the header
(tsunagu.css .brand__mark--tsunagu) on its blue-to-violet gradient. Run once when the mark
changes; the PNG files are committed. Needs Pillow and the Noto Sans CJK font (fonts-noto-cjk).

    python scripts/make_app_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
OUT = Path(__file__).resolve().parent.parent / "tsunagu" / "push" / "static" / "push"
START, END = (0x2F, 0x5F, 0xD0), (0x7C, 0x3A, 0xED)
SCALE = 4  # drawn larger, then reduced: smooth edges


def gradient(size: int) -> Image.Image:
    """135 degrees, top left to bottom right, as in the CSS."""
    image = Image.new("RGB", (size, size))
    pixels = image.load()
    assert pixels is not None
    for y in range(size):
        for x in range(size):
            t = (x + y) / (2 * (size - 1))
            pixels[x, y] = tuple(round(a + (b - a) * t) for a, b in zip(START, END, strict=True))
    return image


def icon(size: int, *, glyph: float, rounded: bool) -> Image.Image:
    big = size * SCALE
    image = gradient(big).convert("RGBA")
    if rounded:
        mask = Image.new("L", (big, big), 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, big - 1, big - 1), radius=big * 14 // 64, fill=255
        )
        image.putalpha(mask)
    font = ImageFont.truetype(str(FONT), round(big * glyph), index=0)  # index 0: Japanese
    ImageDraw.Draw(image).text((big / 2, big / 2), "繋", font=font, fill="white", anchor="mm")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, glyph=0.58, rounded=True).save(OUT / "icon-192.png", optimize=True)
    icon(512, glyph=0.58, rounded=True).save(OUT / "icon-512.png", optimize=True)
    # Maskable: the whole square is painted; the mark stays inside the central safe circle.
    icon(512, glyph=0.42, rounded=False).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black.
    icon(180, glyph=0.56, rounded=False).convert("RGB").save(
        OUT / "apple-touch-icon.png", optimize=True
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
