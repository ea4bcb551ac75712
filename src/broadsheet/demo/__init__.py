"""The bundled sample publishers (fictional, original sample content) and their local server."""

from broadsheet.demo.catalog import (
    SECTIONS,
    Catalog,
    CatalogError,
    DemoArticle,
    DemoPublisher,
    load_catalog,
)
from broadsheet.demo.server import DemoServer

__all__ = [
    "SECTIONS",
    "Catalog",
    "CatalogError",
    "DemoArticle",
    "DemoPublisher",
    "DemoServer",
    "load_catalog",
]
