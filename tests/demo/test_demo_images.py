"""Lead images and logos are real PNGs of the promised sizes, the same on every request."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image

from broadsheet.demo import DemoServer

Fetch = Callable[[str], tuple[int, str, bytes]]


def _open_png(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    assert image.format == "PNG"
    return image


def test_article_images_are_png_and_deterministic(demo_server: DemoServer, fetch: Fetch) -> None:
    url = demo_server.base_url + "/kanto-herald/images/tokyo-robotaxi-trial-odaiba.png"
    status, content_type, body = fetch(url)
    assert status == 200 and content_type == "image/png"
    assert _open_png(body).size == (800, 450)
    assert fetch(url)[2] == body
    other = fetch(demo_server.base_url + "/kanto-herald/images/tokyo-assembly-housing-plan.png")
    assert other[2] != body


def test_image_uses_the_publisher_colour(demo_server: DemoServer, fetch: Fetch) -> None:
    body = fetch(demo_server.base_url + "/kanto-herald/images/tokyo-robotaxi-trial-odaiba.png")[2]
    image = _open_png(body).convert("RGB")
    # The bottom-left of the gradient is the publisher colour (#c8102e), darkened for the caption.
    red, green, blue = image.getpixel((5, 445))  # type: ignore[misc]
    assert red > 100 and green < 40 and blue < 60


def test_logos_are_128_pixel_pngs(demo_server: DemoServer, fetch: Fetch) -> None:
    for publisher in demo_server.publishers():
        status, content_type, body = fetch(demo_server.logo_url(publisher.id))
        assert status == 200 and content_type == "image/png"
        assert _open_png(body).size == (128, 128)
