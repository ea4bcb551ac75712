"""Deterministic sample pictures and logos for the demo publishers, drawn with Pillow."""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

IMAGE_SIZE = (800, 450)
LOGO_SIZE = 128


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@functools.lru_cache(maxsize=256)
def render_article_image(slug: str, color: str, section: str) -> bytes:
    """An 800x450 PNG: a gradient in the publisher colour with shapes, the section and SAMPLE."""
    width, height = IMAGE_SIZE
    seed = hashlib.sha256(slug.encode("utf-8")).digest()
    base = _rgb(color)
    light = _mix(base, (255, 255, 255), 0.65)
    image = Image.new("RGB", IMAGE_SIZE, base)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        draw.line([(0, y), (width, y)], fill=_mix(light, base, y / height))
    for i in range(6):
        x, y, r = seed[i * 3] * 3, seed[i * 3 + 1] * 2, 30 + seed[i * 3 + 2] // 3
        shade = _mix(base, (255, 255, 255), 0.2 + (seed[20 + i] % 50) / 100)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=shade, outline=(255, 255, 255), width=2)
    draw.rectangle([0, height - 90, width, height], fill=_mix(base, (0, 0, 0), 0.35))
    draw.text((28, height - 78), section.upper(), fill=(255, 255, 255), font=_font(40))
    draw.text((width - 190, 22), "SAMPLE", fill=(255, 255, 255), font=_font(44))
    draw.text((28, height - 28), "Broadsheet demo illustration", fill=light, font=_font(16))
    return _png_bytes(image)


@functools.lru_cache(maxsize=64)
def render_logo(initials: str, color: str) -> bytes:
    """A 128x128 PNG logo: the publisher's initials on a disc of its colour."""
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse([4, 4, LOGO_SIZE - 4, LOGO_SIZE - 4], fill=_rgb(color))
    font = _font(52)
    box = draw.textbbox((0, 0), initials, font=font)
    x = (LOGO_SIZE - (box[2] - box[0])) / 2 - box[0]
    y = (LOGO_SIZE - (box[3] - box[1])) / 2 - box[1]
    draw.text((x, y), initials, fill=(255, 255, 255), font=font)
    return _png_bytes(image)
