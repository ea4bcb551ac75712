"""Ingest: fetch pages and feeds politely and safely."""
