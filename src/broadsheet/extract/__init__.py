"""Extract: main text, metadata and images of an article page."""
