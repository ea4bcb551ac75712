"""Images of the article body with their captions; chrome, ads and pixels left out."""

from __future__ import annotations

from broadsheet.extract.images import extract_images
from broadsheet.models import Image

STORY = (
    "The new tram line opened on Saturday morning with free rides for everyone until the end "
    "of the month, the transport authority said."
)


def test_finds_figures_around_the_main_text_without_article_tags() -> None:
    html = f"""<html><head><base href="https://img.example/2025/"></head><body>
    <div class="teasers">
      <figure><img src="/teaser.jpg"><figcaption>Other story</figcaption></figure>
    </div>
    <div class="story"><div class="body">
      <figure>
        <img srcset="tram-480.jpg 480w, tram-1200.jpg 1200w">
        <figcaption> First  tram </figcaption>
      </figure>
      <p>{STORY}</p>
      <figure><img src="map.png" alt="Map of the line"></figure>
      <figure><img src="icons/share.svg"><figcaption>Share</figcaption></figure>
    </div></div></body></html>"""
    assert extract_images(html, "https://city.example/tram", main_text=STORY) == [
        Image("https://img.example/2025/tram-1200.jpg", "First tram"),
        Image("https://img.example/2025/map.png", "Map of the line"),
    ]


def test_skips_pixels_logos_ads_data_uris_and_duplicates() -> None:
    html = """<html><body><article>
      <figure><img src="/a.jpg"><figcaption>A</figcaption></figure>
      <figure><img src="/a.jpg"><figcaption>A again</figcaption></figure>
      <figure><img src="/b.gif" width="1" height="1"></figure>
      <figure><img src="data:image/png;base64,AAAA"></figure>
      <figure class="ad-slot"><img src="/c.jpg"></figure>
      <figure><img src="/brand/logo.png"></figure>
      <figure><img id="author-avatar" src="/d.jpg"></figure>
      <figure><img src="/silicon-valley.jpg"><figcaption>Silicon Valley</figcaption></figure>
      <figure><img src="/head-shot.jpg"><figcaption>Head shot</figcaption></figure>
    </article></body></html>"""
    assert extract_images(html, "https://x.example/s") == [
        Image("https://x.example/a.jpg", "A"),
        Image("https://x.example/silicon-valley.jpg", "Silicon Valley"),
        Image("https://x.example/head-shot.jpg", "Head shot"),
    ]


def test_og_image_only_when_there_is_no_figure() -> None:
    og = '<meta property="og:image" content="https://x.example/og.jpg">'
    figure = "<figure><img src='/f.jpg'></figure>"
    with_figure = f"<html><head>{og}</head><body><article>{figure}</article></body></html>"
    without = f"<html><head>{og}</head><body><article><p>text</p></article></body></html>"
    assert extract_images(with_figure, "https://x.example/s") == [Image("https://x.example/f.jpg")]
    assert extract_images(without, "https://x.example/s") == [Image("https://x.example/og.jpg")]
