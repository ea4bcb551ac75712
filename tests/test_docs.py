"""The settings page in docs/ lists every setting with its real default."""

from __future__ import annotations

from pathlib import Path

from broadsheet.config import describe_settings

DOC = Path(__file__).parents[1] / "docs" / "settings.md"


def test_docs_list_every_setting_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    for variable, default, meaning in describe_settings():
        assert f"| `{variable}` | `{default}` | {meaning} |" in text, variable
