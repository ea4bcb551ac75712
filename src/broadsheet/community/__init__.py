"""Readers' comments and their moderation: the community policy as data, the comment text
(a small Markdown subset, sanitised), the automatic first pass (screening), the strike
ladder, and the use cases the web app and the CLI call (comments, moderation)."""
