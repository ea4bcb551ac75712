"""Broadsheet: an open-source news platform."""

__version__ = "0.1.0"
